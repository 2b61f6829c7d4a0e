"""``tune`` (issue 17, item 4): a study that continues, routed logs, plots."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from actloss.lab import atlas_section, stats  # noqa: E402
from actloss.lab.store import Store  # noqa: E402
from actloss.lab.tune import PLOTS, SUMMARY_FILE, storage_url, tune  # noqa: E402

from ._tiny import tiny  # noqa: E402

SMALL = {"hidden": ["relu", "tanh"], "pairs": ["mse:sigmoid"], "depths": (1,)}


def test_a_rerun_continues_the_study_with_new_trials(tmp_path: Path) -> None:
    folder = tmp_path / "res?v2#x"  # URL characters in the folder name
    cfg = tiny(epochs=2, seeds=(0,), splits=2)
    first = tune(cfg, folder, trials=2, sampler="random", pruner="none", **SMALL)
    second = tune(cfg, folder, trials=1, sampler="random", pruner="none", **SMALL)
    assert first["trials"] == 2 and second["trials"] == 3 and second["new_trials"] == 1
    assert first["sampler_seed"] == 0 and second["sampler_seed"] != 0
    assert [s["seed"] for s in second["sessions"]] == [0, second["sampler_seed"]]
    # the printed URL opens this file's study (what optuna-dashboard does with it)
    assert second["storage_url"] == storage_url(folder / "actloss-results.sqlite")
    study = optuna.load_study(study_name="actloss", storage=second["storage_url"])
    params = [t.params for t in study.trials]
    assert len(params) == 3 and params[2] != params[0]  # not a replay of the first session
    assert params[2]["lr"] not in {p["lr"] for p in params[:2]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res?v2#x"]
    # a trial's value is the mean over splits of its seeds' final validation metric
    rows = Store(folder).query("SELECT * FROM runs WHERE tag = 'tune:actloss:2'")
    per_split: dict[int | None, list[float]] = {}
    for r in rows:
        per_split.setdefault(stats.split_of(r), []).append(r["final_val_metric"])
    assert sorted(per_split) == [0, 1]
    want = sum(sum(v) / len(v) for v in per_split.values()) / 2
    assert study.trials[2].value == pytest.approx(want)


def test_plots_summary_and_atlas(tmp_path: Path) -> None:
    cfg = tiny(epochs=2, seeds=(0,), splits=1)
    out = tune(cfg, tmp_path, trials=3, sampler="random", pruner="none", **SMALL)
    for kind in ("history", "importances", "best"):
        path = Path(out["plots"][kind])
        assert path == tmp_path / PLOTS[kind] and path.stat().st_size > 1000
    data = json.loads((tmp_path / SUMMARY_FILE).read_text())
    assert [h["number"] for h in data["history"]] == [0, 1, 2]
    assert "lr" in data["importances"] and data["best_curves"]
    assert sum(data["importances"].values()) == pytest.approx(1.0)
    section = atlas_section(tmp_path)
    assert section is not None and "optimization history" in section.html


def test_optuna_logs_go_through_the_callback(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    lines: list[str] = []
    cfg = tiny(epochs=1, seeds=(0,), splits=1)
    tune(cfg, tmp_path, trials=1, sampler="random", plots=False, log=lines.append, **SMALL)
    assert lines == [] and capfd.readouterr().err == ""  # quiet unless asked
    tune(
        cfg,
        tmp_path,
        trials=1,
        sampler="random",
        plots=False,
        verbose=True,
        log=lines.append,
        **SMALL,
    )
    assert any("Trial 1 finished" in line for line in lines)
    assert capfd.readouterr().err == ""  # Optuna's own stderr handler stays off
    con = sqlite3.connect(tmp_path / "actloss-results.sqlite")
    assert con.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 2
    con.close()


def test_a_changed_search_space_is_a_clear_error(tmp_path: Path) -> None:
    from actloss.lab.tune import TuneError

    cfg = tiny(epochs=1, seeds=(0,), splits=1)
    tune(cfg, tmp_path, trials=1, sampler="random", plots=False, **SMALL)
    with pytest.raises(TuneError, match=r"another search space.*hidden.*--study-name"):
        tune(cfg, tmp_path, trials=1, sampler="random", plots=False, hidden=["gelu"])
    with pytest.raises(TuneError, match=r"\(epochs, seeds differ\)"):  # values not comparable
        tune(tiny(epochs=2, seeds=(0, 1), splits=1), tmp_path, trials=1, plots=False, **SMALL)
    con = sqlite3.connect(tmp_path / "actloss-results.sqlite")
    assert con.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 1  # nothing was run
    con.close()


def test_cli_study_name_continues_and_verbose_logs(tmp_path: Path) -> None:
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from actloss.cli import app

    args = ["tune", "--trials", "1", "--epochs", "1", "--splits", "1", "--hidden", "relu"]
    args += ["--pruner", "none", "--study-name", "s1", "--out", str(tmp_path)]
    first = CliRunner().invoke(app, [*args, "--jsonl"])
    assert first.exit_code == 0, first.stderr
    assert "optuna:" not in first.stderr  # Optuna is quiet unless asked (our notes stay)
    second = CliRunner().invoke(app, [*args, "--verbose"])
    assert second.exit_code == 0, second.stderr
    assert "optuna: Trial 1 finished" in second.stderr
    assert "2 trials" in second.stdout
    summary = json.loads(first.stdout.splitlines()[-1])
    (line,) = [x for x in second.stdout.splitlines() if "optuna-dashboard" in x]
    assert line.endswith(f"optuna-dashboard '{summary['storage_url']}'")  # one line, to copy
    assert len(optuna.load_study(study_name="s1", storage=summary["storage_url"]).trials) == 2
