"""``actloss compare`` and ``actloss tune`` end to end on tiny settings."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("typer")
from typer.testing import CliRunner

from actloss.cli import app

TINY = ["--epochs", "2", "--seeds", "2", "--splits", "1", "--widths", "8"]


def invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_compare_table_plot_store_and_resume(tmp_path: Path) -> None:
    code, out, err = invoke("compare", *TINY, "--out", str(tmp_path))
    assert code == 0, err
    assert "binary_cross_entropy + sigmoid" in out and "hinge + tanh" in out
    assert "Paired t-tests" in out and "Holm" in out and "6 trained now" in out
    assert (tmp_path / "actloss-compare.png").stat().st_size > 1000
    code, out, _ = invoke("compare", *TINY, "--out", str(tmp_path), "--jsonl", "--no-plot")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {"event": "start", "runs": 6, "already_done": 6}
    assert lines[-1]["event"] == "summary" and lines[-1]["trained"] == 0
    assert {r["label"] for r in lines[-1]["rows"]} == {
        "binary_cross_entropy + sigmoid",
        "hinge + tanh",
        "mse + sigmoid",
    }
    # the atlas gets a "Lab results" section from the same folder
    page = tmp_path / "atlas.html"
    code, _, err = invoke(
        "atlas",
        "--out",
        str(page),
        "--results",
        str(tmp_path),
        "--claims",
        str(tmp_path / "no-claims"),
    )
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert 'id="lab-results"' in html and "hinge + tanh" in html


def test_compare_options_and_export(tmp_path: Path) -> None:
    code, out, err = invoke(
        "compare",
        *TINY,
        "--out",
        str(tmp_path),
        "--hidden",
        "relu",
        "--hidden",
        "elu(alpha=0.5)",
        "--pair",
        "cross_entropy:identity",
        "--dataset",
        "wine",
        "--export",
        str(tmp_path / "runs.csv"),
        "--quiet",
    )
    assert code == 0, err
    assert out == ""
    assert len((tmp_path / "runs.csv").read_text().splitlines()) == 1 + 4


def test_compare_errors_are_one_line(tmp_path: Path) -> None:
    code, _out, err = invoke("compare", "--hidden", "rleu", "--out", str(tmp_path))
    assert code == 2 and "relu" in err and len(err.strip().splitlines()) == 1
    code, _, err = invoke("compare", "--pair", "hinge", "--out", str(tmp_path))
    assert code == 2 and "LOSS:OUTPUT" in err


def test_tune_stores_trials_in_the_results_file(tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    code, out, err = invoke(
        "tune",
        "--trials",
        "3",
        "--sampler",
        "random",
        "--epochs",
        "2",
        "--seeds",
        "2",
        "--hidden",
        "relu",
        "--hidden",
        "tanh",
        "--out",
        str(tmp_path),
        "--jsonl",
    )
    assert code == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["complete"] + summary["pruned"] == 3
    assert summary["best_params"]["hidden"] in ("relu", "tanh")
    con = sqlite3.connect(tmp_path / "actloss-results.sqlite")
    n_trials = con.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    tagged = con.execute("SELECT COUNT(*) FROM runs WHERE tag LIKE 'tune:actloss:%'").fetchone()
    con.close()
    # tune's default: 3 data splits per trial, here with 2 seeds each
    assert n_trials == 3 and tagged[0] == 3 * 2 * summary["complete"]


def test_tune_grid_sampler(tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    code, _out, err = invoke(
        "tune",
        "--trials",
        "2",
        "--sampler",
        "grid",
        "--epochs",
        "1",
        "--seeds",
        "1",
        "--hidden",
        "relu",
        "--pair",
        "mse:sigmoid",
        "--lr",
        "0.001",
        "--out",
        str(tmp_path),
        "--quiet",
        "--pruner",
        "none",
    )
    assert code == 0, err


def test_tune_out_folder_with_url_characters(tmp_path: Path) -> None:
    # Issue 13, item 17: 'res?v2' made the sqlite:/// URL name a stray file 'res'.
    pytest.importorskip("optuna")
    out = tmp_path / "res?v2#x"
    code, _, err = invoke(
        "tune",
        "--trials",
        "1",
        "--epochs",
        "1",
        "--seeds",
        "1",
        "--hidden",
        "relu",
        "--out",
        str(out),
        "--quiet",
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res?v2#x"]
    con = sqlite3.connect(out / "actloss-results.sqlite")
    assert con.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 1
    con.close()


def test_one_default_results_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 13, item 23: compare wrote to '.', atlas --results read 'actloss-results/'.
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("compare", *TINY, "--no-plot", "--quiet")
    assert code == 0, err
    assert (tmp_path / "actloss-results" / "actloss-results.sqlite").is_file()
    code, _, err = invoke("atlas", "--out", "atlas.html", "--claims", "no-claims")
    assert code == 0, err
    assert 'id="lab-results"' in (tmp_path / "atlas.html").read_text(encoding="utf-8")


def test_table_reports_the_best_validation_epoch_too(tmp_path: Path) -> None:
    # Issue 13, item 24: the last epoch's test metric, and the one at the best validation epoch
    # (an early-stopping checkpoint); the paired tests say which they compare.
    code, out, err = invoke(
        "compare",
        "--epochs",
        "4",
        "--seeds",
        "3",
        "--splits",
        "1",
        "--widths",
        "8",
        "--out",
        str(tmp_path),
        "--no-plot",
    )
    assert code == 0, err
    assert "at best val epoch" in out and "Paired t-tests on the last epoch test" in out
    con = sqlite3.connect(tmp_path / "actloss-results.sqlite")
    rows = con.execute(
        "SELECT r.run_id, r.test_metric, m.value FROM runs r JOIN metrics m "
        "ON m.run_id = r.run_id AND m.name = 'test_metric_best_val'"
    ).fetchall()
    curves = con.execute("SELECT run_id, epoch, val_metric FROM curves").fetchall()
    con.close()
    assert len(rows) == 9
    best_epoch: dict[str, tuple[float, int]] = {}
    for rid, epoch, v in sorted(curves, key=lambda c: c[1]):
        if rid not in best_epoch or v > best_epoch[rid][0]:  # first epoch of the maximum
            best_epoch[rid] = (v, epoch)
    last = [(last_m, best_m) for rid, last_m, best_m in rows if best_epoch[rid][1] == 4]
    assert last and all(a == b for a, b in last)  # best epoch = last epoch: same weights
