"""`actloss recommend` shows each rule's claim with its latest verdict (issue 13, item 19): it
cited claims as evidence without their verdicts, including inconclusive ones."""

from __future__ import annotations

import json
from pathlib import Path


def _claims(folder: Path) -> Path:
    results = {
        "11": {"verdict": "supported", "budget": "quick"},
        "12": {"verdict": "inconclusive", "budget": "quick"},
    }
    folder.mkdir()
    (folder / "claims.json").write_text(json.dumps(results), encoding="utf-8")
    return folder


def test_each_rule_shows_its_claims_verdict(cli, tmp_path: Path, monkeypatch) -> None:
    folder = _claims(tmp_path / "claims")
    out = cli("recommend", "--task", "binary", "--imbalanced", "--claims", str(folder), "--json")
    status = {c["slot"]: c["evidence_status"] for c in json.loads(out.stdout)["choices"]}
    assert status["output"] == {
        "claim": "11",
        "status": "supported",
        "supports": True,
        "budget": "quick",
        "conditions": [],
        "overall": "",
        "holds_under": [],
        "fails_under": [],
    }
    assert status["loss"]["status"] == "inconclusive" and not status["loss"]["supports"]
    assert status["hidden"]["status"] == "not yet run"  # claim 2: not in this folder
    monkeypatch.setenv("COLUMNS", "5000")
    text = cli("recommend", "--task", "binary", "--imbalanced", "--claims", str(folder)).stdout
    assert "claim 12: inconclusive (quick budget)" in text
    assert "does not (yet) support" in text and "loss focal (claim 12: inconclusive)" in text
    assert "output sigmoid" not in text.split("does not (yet) support")[1]  # supported


def test_without_claim_results_every_claim_is_not_yet_run(cli, tmp_path: Path) -> None:
    out = cli("recommend", "--task", "regression", "--claims", str(tmp_path), "--json").stdout
    for choice in json.loads(out)["choices"]:
        assert choice["evidence_status"]["status"] in ("not yet run", "no claim")


def test_the_verdict_per_condition_is_read(cli, tmp_path: Path, monkeypatch) -> None:
    """Issue 18: claims are decided per condition; recommend says under which the rule's
    claim holds (a mixed verdict backs the rule only partly)."""
    folder = tmp_path / "claims"
    folder.mkdir()
    parts = [
        {"label": "1:1000, SGD + momentum", "verdict": "supported", "source": "Lin et al. 2017"},
        {"label": "1:10, Adam", "verdict": "refuted", "source": ""},
    ]
    overall = "holds under 1:1000, SGD + momentum; does not hold under 1:10, Adam"
    results = {"12": {"verdict": "mixed", "budget": "full", "parts": parts, "overall": overall}}
    (folder / "claims.json").write_text(json.dumps(results), encoding="utf-8")
    args = ("recommend", "--task", "binary", "--imbalanced", "--claims", str(folder))
    loss = next(
        c for c in json.loads(cli(*args, "--json").stdout)["choices"] if c["slot"] == "loss"
    )
    found = loss["evidence_status"]
    assert found["status"] == "mixed" and not found["supports"]
    assert found["holds_under"] == ["1:1000, SGD + momentum"]
    assert found["fails_under"] == ["1:10, Adam"]
    assert found["conditions"][0] == {
        "condition": "1:1000, SGD + momentum",
        "verdict": "supported",
        "source": "Lin et al. 2017",
    }
    monkeypatch.setenv("COLUMNS", "5000")
    text = cli(*args).stdout
    assert "holds only under 1:1000, SGD + momentum" in text and overall in text
