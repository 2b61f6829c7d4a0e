"""Every claim at a tiny budget: the machinery (registry, effect, CI, verdict, plot, store,
resumability), not the verdicts themselves."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from actloss.claims.decision import DecisionRule, NonSuperiorityRule, ToleranceRule
from actloss.claims.registry import CLAIMS, get_claim
from actloss.claims.runner import SUMMARY_FILE, load_summary, run_claim

IDS = [c.id for c in CLAIMS]


def test_registry_lists_the_fifteen_claims_with_every_field() -> None:
    assert IDS == list(range(1, 16))
    for c in CLAIMS:
        for text in (c.statement, c.source, c.experiment, c.condition, c.metric):
            assert isinstance(text, str) and len(text) >= 4, (c.id, text)
        assert isinstance(c.rule, (DecisionRule, NonSuperiorityRule, ToleranceRule))
        assert c.rule.describe()
        for name in ("quick", "full", "tiny"):
            b = c.budget(name)
            assert b.replicates >= 3 and b.epochs >= 1 and b.sweep, (c.id, name)
        assert c.full.replicates >= c.quick.replicates and c.full.epochs >= c.quick.epochs
        if c.id != 15:  # the full budget varies the data split (issue 19): 5 x 2 by default
            assert c.full.splits >= 5 and c.quick.splits == 1, c.id
        assert c.reuses is None or c.reuses in IDS
    with pytest.raises(ValueError, match="budget must be one of"):
        CLAIMS[0].budget("huge")
    with pytest.raises(ValueError, match="from 1 to 15"):
        get_claim(16)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("claims")


@pytest.mark.parametrize("claim_id", IDS)
def test_claim_runs_decides_plots_and_resumes(claim_id: int, folder: Path) -> None:
    claim = get_claim(claim_id)
    first = run_claim(claim, "tiny", folder)
    e = first.effect
    if isinstance(claim.rule, ToleranceRule):
        assert first.trained == 0  # mathematical: nothing to train
        assert math.isfinite(e.mean) and e.mean >= 0
        assert first.verdict == claim.rule.decide(e.mean)
    else:
        assert first.trained > 0 or claim.reuses is not None  # claim 3 reuses claim 2's runs
        assert e.n == claim.budget("tiny").seeds  # one paired difference per seed
        if math.isfinite(e.mean):
            assert e.low <= e.mean <= e.high
        if first.parts:  # a compound claim: a verdict per part, "mixed" when they differ
            verdicts = {p.verdict for p in first.parts}
            assert all(p.verdict == claim.rule.decide(p.effect) for p in first.parts)
            assert first.verdict == (verdicts.pop() if len(verdicts) == 1 else "mixed")
        else:
            assert first.verdict == claim.rule.decide(e)
    assert first.verdict in ("supported", "refuted", "inconclusive", "mixed")
    assert first.plot is not None and first.plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stored = load_summary(folder)[str(claim_id)]
    assert stored["verdict"] == first.verdict and stored["rule"] == claim.rule.describe()
    assert stored["budget"] == "tiny" and stored["table"]
    # resumable: a second run finds every run in the store and measures the same effect
    second = run_claim(claim, "tiny", folder)
    assert second.trained == 0
    assert second.verdict == first.verdict
    assert second.effect == first.effect or (math.isnan(e.mean) and math.isnan(second.effect.mean))
    assert json.loads((folder / SUMMARY_FILE).read_text())[str(claim_id)]["id"] == claim_id


def test_runs_are_tagged_per_claim(folder: Path) -> None:
    from actloss.lab.store import Store

    if not (folder / "actloss-results.sqlite").exists():
        pytest.skip("no claim trained in this session")
    tags = {r["tag"] for r in Store(folder).query("SELECT DISTINCT tag FROM runs")}
    assert tags <= {f"claim-{i:02d}" for i in IDS} and tags
