"""``actloss claims`` (JSON and tables, errors) and the atlas's Claims section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("typer")
pytest.importorskip("torch")
pytest.importorskip("matplotlib")
from typer.testing import CliRunner

from actloss.cli import app


def invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_claims_json_lists_the_claim_and_the_errata(tmp_path: Path) -> None:
    code, out, err = invoke("claims", "15", "--json", "--out", str(tmp_path))
    assert code == 0, err
    data = json.loads(out)
    claims = [d for d in data if d["kind"] == "claim"]
    errata = [d for d in data if d["kind"] == "erratum"]
    assert [c["id"] for c in claims] == [15]
    c = claims[0]
    assert c["verdict"] == "supported" and c["effect"] < 1e-12 and c["ci"] is None
    assert "largest absolute error" in c["rule"] and c["statement"].startswith("Softmax")
    assert {e["function"] for e in errata} >= {"sigmoid", "softsign", "tanh", "relu", "softmax"}
    assert all(e["wrong_is_wrong"] for e in errata)
    assert (tmp_path / "claim-15.png").exists() and (tmp_path / "claims.json").exists()


def test_claims_table_and_errors(tmp_path: Path) -> None:
    code, out, _ = invoke("claims", "15", "--out", str(tmp_path))
    assert code == 0
    assert "supported" in out and "Errata" in out and "softsign" in out and "(0, 1)" in out
    assert "overall: holds" in out and "source: Bishop" in out  # issue 18: where it was made
    code, _, err = invoke("claims", "16", "--out", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "from 1 to 15" in err
    code, _, err = invoke("claims", "--budget", "huge")
    assert code == 2 and "huge" in err


def test_atlas_section_shows_plots_verdicts_and_errata_on_cards(tmp_path: Path) -> None:
    from actloss.claims.atlas import atlas_section

    empty = atlas_section(tmp_path / "none")
    assert empty.title == "Claims" and "actloss claims" in empty.html and "Errata" in empty.html
    assert invoke("claims", "15", "--json", "--out", str(tmp_path))[0] == 0
    html = atlas_section(tmp_path).html
    assert 'id="claim-15"' in html and "data:image/png;base64," in html
    assert "supported" in html and "largest absolute error" in html
    assert "<b>Overall</b>: holds" in html and "<b>Source</b>: Bishop 2006" in html
    # the errata reach the function cards through an inline script keyed by card id
    assert "'fn-'+name" in html and '"softsign"' in html
