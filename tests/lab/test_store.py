"""The results store: resume after SIGKILL, no duplicates, divergence, reproducibility, export."""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from actloss.lab import Store, compare, run
from actloss.lab.runs import expand
from actloss.lab.store import epochs_to_target
from actloss.lab.training import train_batch

from ._tiny import tiny

CHILD = """
import sys
from actloss.lab import run
from tests.lab._tiny import tiny
run(tiny(seeds=tuple(range(4)), max_models=2, epochs=4), sys.argv[1])
"""


def count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not there yet
        return 0
    finally:
        con.close()


def test_sigkill_then_rerun_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    cfg = tiny(seeds=tuple(range(4)), max_models=2, epochs=4)  # 12 runs in 6 batches
    store = Store(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if store.path.exists() and count(store.path, "runs") >= 2:
                break
            time.sleep(0.05)
        assert child.poll() is None, "the child finished before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    before = {r["run_id"]: r for r in store.runs()}
    assert 2 <= len(before) < 12 and len(before) % 2 == 0  # whole batches only
    assert count(store.path, "curves") == 4 * len(before)  # no partial batch

    all_runs, trained = run(cfg, tmp_path)
    after = {r["run_id"]: r for r in store.runs()}
    assert trained == 12 - len(before)
    assert set(after) == {r.run_id for r in all_runs}
    assert count(store.path, "runs") == 12 and count(store.path, "curves") == 12 * 4
    assert count(store.path, "diagnostics") == 12 * 4 * 2  # two layers
    for rid, row in before.items():  # finished runs are kept as they were, not retrained
        assert after[rid] == row
    assert run(cfg, tmp_path)[1] == 0  # a third run trains nothing


def test_writing_a_batch_twice_is_a_no_op(tmp_path: Path) -> None:
    runs = expand(tiny(epochs=2))
    result = train_batch(runs)
    store = Store(tmp_path)
    assert store.write(runs, result) == len(runs)
    assert store.write(runs, result) == 0
    assert count(store.path, "runs") == len(runs)


def test_same_config_and_seed_give_the_same_numbers(tmp_path: Path) -> None:
    runs = expand(tiny(hidden=(("relu", ()), ("gelu", ()))))
    a, b = train_batch(runs), train_batch(runs)
    for key in ("train_loss", "val_metric", "grad_norm", "dead_fraction", "test_loss"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))


def test_divergence_is_recorded_with_its_epoch(tmp_path: Path) -> None:
    # identity network on regression targets with SGD at lr=10: the iterates blow up;
    # tanh hidden units with a sigmoid output keep every quantity finite.
    pairs = ((("mse", ()), ("sigmoid", ())), (("mse", ()), ("identity", ())))
    cfg = tiny(
        datasets=("regression_outliers",),
        optimizer="sgd",
        lrs=(10.0,),
        epochs=6,
        hidden=(("identity", ()), ("tanh", ())),
        pairs=pairs,
    )
    runs = expand(cfg)
    result = train_batch(runs)
    diverged = {r.run_id: int(e) for r, e in zip(runs, result.diverged_epoch, strict=True)}
    Store(tmp_path).write(runs, result)
    rows = {r["run_id"]: r for r in Store(tmp_path).runs()}
    linear = [r for r in runs if r.hidden[0] == "identity" and r.output[0] == "identity"]
    bounded = [r for r in runs if r.hidden[0] == "tanh" and r.output[0] == "sigmoid"]
    for r in linear:
        row = rows[r.run_id]
        assert row["status"] == "diverged"
        assert row["diverged_epoch"] == diverged[r.run_id] >= 1
        assert row["test_loss"] is None  # NaN/inf stored as NULL
        m = runs.index(r)
        e = row["diverged_epoch"]
        assert not math.isfinite(result.train_loss[m, e - 1]) or not math.isfinite(
            result.val_loss[m, e - 1]
        )
        assert np.all(np.isfinite(result.train_loss[m, : e - 1]))
    for r in bounded:
        assert rows[r.run_id]["status"] == "finished"
        assert rows[r.run_id]["diverged_epoch"] is None


def test_epochs_to_target() -> None:
    assert epochs_to_target(np.array([0.5, 0.8, 0.9, 0.95]), 0.9) == 3
    assert epochs_to_target(np.array([0.5, math.nan, 0.7]), 0.9) is None


def test_export_and_dataframe(tmp_path: Path) -> None:
    compare(tiny(epochs=2), tmp_path, plot=False)
    store = Store(tmp_path)
    path = store.export(tmp_path / "runs.csv")
    lines = path.read_text().splitlines()
    assert lines[0].startswith("run_id,") and len(lines) == 1 + 6
    pd = pytest.importorskip("pandas")
    df = store.dataframe("curves")
    assert isinstance(df, pd.DataFrame) and len(df) == 6 * 2
    with pytest.raises(ValueError, match=r"\.csv or \.parquet"):
        store.export(tmp_path / "runs.txt")
    summary = json.loads((tmp_path / "actloss-compare.json").read_text())
    assert summary["metric"] == "accuracy" and len(summary["rows"]) == 3
