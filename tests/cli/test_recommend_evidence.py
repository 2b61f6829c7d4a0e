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
