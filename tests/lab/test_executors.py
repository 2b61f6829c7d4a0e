"""Executors give the numbers of the in-process executor: a local process pool and Ray."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from actloss.lab import Store, run

from ._tiny import tiny

CFG = tiny(lrs=(1e-3, 1e-2), hidden=(("relu", ()), ("tanh", ())))  # 24 runs, 2 batches


def numbers(folder: Path) -> dict[str, tuple[float, float, tuple[float, ...]]]:
    store = Store(folder)
    rows = store.runs()
    curves = store.curves(r["run_id"] for r in rows)
    return {
        r["run_id"]: (r["test_metric"], r["test_loss"], tuple(curves[r["run_id"]]["val_loss"]))
        for r in rows
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[float, float, tuple]]:
    folder = tmp_path_factory.mktemp("inprocess")
    run(CFG, folder)
    return numbers(folder)


def assert_same(got: dict[str, tuple], want: dict[str, tuple]) -> None:
    assert set(got) == set(want) and len(want) == 24
    for rid, (metric, loss, curve) in want.items():
        assert got[rid][0] == metric
        np.testing.assert_allclose(got[rid][1], loss, rtol=1e-6)
        np.testing.assert_allclose(got[rid][2], curve, rtol=1e-6)


def test_process_pool_matches_inprocess(tmp_path: Path, reference: dict[str, tuple]) -> None:
    _, trained = run(CFG, tmp_path, executor="process", jobs=2)
    assert trained == 24
    assert_same(numbers(tmp_path), reference)


def test_ray_matches_inprocess_and_retries_a_failed_task(
    tmp_path: Path, reference: dict[str, tuple], monkeypatch: pytest.MonkeyPatch
) -> None:
    ray = pytest.importorskip("ray")
    from actloss.lab.executors import FAIL_ONCE

    marker = tmp_path / "failed-once"
    monkeypatch.setenv(FAIL_ONCE, str(marker))  # the first task fails; Ray retries it
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        _, trained = run(CFG, tmp_path, executor="ray")
    finally:
        ray.shutdown()
    assert marker.exists() and trained == 24
    assert_same(numbers(tmp_path), reference)


def test_unknown_executor() -> None:
    from actloss.lab.executors import run_batches

    with pytest.raises(ValueError, match="executor must be one of"):
        list(run_batches([], "dask"))
