"""The store fails loudly (issue 13, items 13-15): a write that stores nothing never reports
success; reading needs no write access; a file or folder that cannot be a store gets a one-line
error naming it, exit status 2, and is never overwritten."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from actloss.lab import Store
from actloss.lab.runs import expand
from actloss.lab.store import StoreError
from actloss.lab.training import BatchResult

from ._tiny import tiny

pytest.importorskip("typer")
from typer.testing import CliRunner

from actloss.cli import app

TINY = ["--epochs", "1", "--seeds", "1", "--splits", "1", "--widths", "4", "--no-plot"]


def invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def fake_result(runs: list, epochs: int = 2, layers: int = 2) -> BatchResult:
    """A batch's numbers without training (the store only reads shapes and values)."""
    m = len(runs)
    rng = np.random.default_rng(0)
    return BatchResult(
        run_ids=[r.run_id for r in runs],
        train_loss=rng.random((m, epochs)),
        val_loss=rng.random((m, epochs)),
        val_metric=rng.random((m, epochs)),
        grad_norm=rng.random((m, epochs, layers)),
        dead_fraction=rng.random((m, epochs, layers)),
        mean_activation=rng.random((m, epochs, layers)),
        test_loss=rng.random(m),
        test_metric=rng.random(m),
        diverged_epoch=np.zeros(m, dtype=np.int64),
        seconds=0.1,
        extra={"entropy": rng.random(m)},
    )


def count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


# ------------------------------------------------------------------ item 13: no silent loss
def test_a_row_the_store_cannot_hold_fails_the_whole_batch(tmp_path: Path) -> None:
    # A NaN target (NOT NULL column; NaN is stored as NULL) was dropped by INSERT OR IGNORE
    # while its curves and metrics were kept and compare said "trained".
    runs = expand(tiny(seeds=(0, 1)))[:2]
    runs[1] = dataclasses.replace(runs[1], target=math.nan)
    store = Store(tmp_path)
    with pytest.raises(StoreError, match="NOT NULL") as info:
        store.write(runs, fake_result(runs))
    assert str(store.path) in str(info.value)
    for table in ("runs", "curves", "diagnostics", "metrics"):
        assert count(store.path, table) == 0, table  # rolled back: no orphan rows


def test_a_duplicate_key_is_the_only_thing_skipped(tmp_path: Path) -> None:
    runs = expand(tiny(seeds=(0, 1)))[:2]
    store = Store(tmp_path)
    assert store.write(runs, fake_result(runs)) == 2
    assert store.write(runs, fake_result(runs)) == 0
    assert count(store.path, "runs") == 2 and count(store.path, "curves") == 4


def test_every_run_compare_reports_as_trained_is_in_the_store(tmp_path: Path) -> None:
    code, out, err = invoke("compare", *TINY, "--seeds", "3", "--out", str(tmp_path), "--jsonl")
    assert code == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["trained"] == summary["runs"] == 9
    assert count(tmp_path / "actloss-results.sqlite", "runs") == summary["trained"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (["--target", "nan"], "target"),
        (["--lr", "inf"], "lrs"),
        (["--lr", "1e308"], "lrs"),
        (["--optimizer", "lbfgs"], "optimizer"),
        (["--widths", ""], "--widths"),
        (["--widths", "64,,32"], "--widths"),
        (["--jobs", "0"], "--jobs"),
        (["--export", "runs.txt"], "--export"),
        (["--pair", "l2_penalty:sigmoid"], "penalty"),
    ],
)
def test_bad_options_stop_before_anything_trains(
    tmp_path: Path, options: list[str], field: str
) -> None:
    code, _, err = invoke("compare", *TINY, "--out", str(tmp_path), *options)
    assert code == 2 and field in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "actloss-results.sqlite").exists()


# ---------------------------------------------------------- item 15: files that are no store
def test_corrupt_truncated_and_foreign_files_are_named_and_left_alone(tmp_path: Path) -> None:
    store = tmp_path / "actloss-results.sqlite"
    good = tmp_path / "good"
    assert invoke("compare", *TINY, "--out", str(good))[0] == 0
    header = (good / "actloss-results.sqlite").read_bytes()[:50]
    cases = {"garbage": b"not a database at all " * 100, "truncated": header}
    for what, content in cases.items():
        store.write_bytes(content)
        code, _, err = invoke("compare", *TINY, "--out", str(tmp_path))
        assert code == 2 and len(err.strip().splitlines()) == 1, (what, err)
        assert str(store) in err and "corrupt, truncated or not SQLite" in err, (what, err)
        assert store.read_bytes() == content, what  # never overwritten
    store.unlink()
    con = sqlite3.connect(store)
    con.execute("CREATE TABLE users (name TEXT)")
    con.commit()
    con.close()
    before = store.read_bytes()
    code, _, err = invoke("compare", *TINY, "--out", str(tmp_path))
    assert code == 2 and "not an actloss results store" in err and str(store) in err
    assert store.read_bytes() == before
    with pytest.raises(StoreError, match="no table 'runs'"):
        Store(tmp_path).runs()


def test_a_folder_at_the_store_path_and_out_at_a_file(tmp_path: Path) -> None:
    (tmp_path / "actloss-results.sqlite").mkdir()
    code, _, err = invoke("compare", *TINY, "--out", str(tmp_path))
    assert code == 2 and "not a file" in err and "actloss-results.sqlite" in err, err
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    code, _, err = invoke("compare", *TINY, "--out", str(a_file))
    assert code == 2 and "is a file" in err and str(a_file) in err, err
    assert a_file.read_text() == "mine"


# ------------------------------------------------------------ item 14: reading is read-only
@pytest.fixture
def read_only_store(tmp_path: Path) -> Iterator[Path]:
    """A complete store (9 runs) in a folder and files without write permission."""
    folder = tmp_path / "results"
    code, _, err = invoke("compare", *TINY, "--seeds", "3", "--out", str(folder))
    assert code == 0, err
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)


def _without_permission_override() -> None:
    """In the child, before exec: root loses the capabilities that ignore file permissions
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER), so a read-only folder binds it too."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_reader(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a child process that has no write access to ``folder``."""
    env = {**os.environ, "FOLDER": str(folder), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_without_permission_override,  # no threads started here
    )


READER = """
import os, sqlite3, sys
from pathlib import Path
folder = Path(os.environ["FOLDER"])
assert not os.access(folder, os.W_OK)
from actloss import lab
from actloss.lab import Store
rows = Store(folder).runs()
assert len(rows) == 9, len(rows)
assert len(lab.results(folder)) == 9
assert len(Store(folder).curves([r["run_id"] for r in rows])) == 9
from typer.testing import CliRunner
from actloss.cli import app
args = ["compare", "--epochs", "1", "--seeds", "3", "--widths", "4", "--no-plot",
        "--out", str(folder), "--jsonl", "--splits", "1"]
res = CliRunner().invoke(app, args)
assert res.exit_code == 0, res.stderr
print(res.stdout.splitlines()[-1])
print(res.stderr)
res = CliRunner().invoke(app, args[:4] + ["5"] + args[5:])  # 6 new runs: must write
print("WRITE", res.exit_code, res.stderr)
"""


def test_a_complete_store_in_a_read_only_folder_can_be_read(read_only_store: Path) -> None:
    before = {p.name: p.read_bytes() for p in read_only_store.iterdir()}
    done = as_reader(READER, read_only_store)
    assert done.returncode == 0, done.stderr
    summary_line, *rest = done.stdout.splitlines()
    summary = json.loads(summary_line)
    assert summary["trained"] == 0 and summary["runs"] == 9
    assert "cannot write" in " ".join(summary["warnings"])  # the summary file, not the store
    write = next(line for line in rest if line.startswith("WRITE"))
    assert write.startswith("WRITE 2 Error: results store") and "readonly" in write, write
    assert {p.name: p.read_bytes() for p in read_only_store.iterdir()} == before


def test_claims_name_a_corrupt_store_too(tmp_path: Path) -> None:
    store = tmp_path / "actloss-results.sqlite"
    store.write_bytes(b"not a database at all " * 100)
    code, _, err = invoke("claims", "4", "--out", str(tmp_path))
    assert code == 2 and str(store) in err and "corrupt, truncated or not SQLite" in err, err
    assert store.read_bytes() == b"not a database at all " * 100


def test_a_full_disk_is_named_and_the_batch_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk, simulated by SQLite's page limit on the store's connections.
    real_connect = sqlite3.connect
    runs = expand(tiny(seeds=(0, 1)))[:2]
    store = Store(tmp_path)
    store.connect().close()
    pages = real_connect(store.path).execute("PRAGMA page_count").fetchone()[0]

    def full(*args: object, **kwargs: object) -> sqlite3.Connection:
        con = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    monkeypatch.setattr("actloss.lab.store.sqlite3.connect", full)
    with pytest.raises(StoreError, match="full") as info:
        store.write(runs, fake_result(runs, epochs=200, layers=8))
    assert str(store.path) in str(info.value)
    monkeypatch.undo()
    assert count(store.path, "runs") == 0 and count(store.path, "curves") == 0
