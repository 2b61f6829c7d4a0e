"""The results store: one SQLite file (stdlib ``sqlite3``), written one transaction per batch.

Tables:

- ``runs``: one row per finished run, keyed by ``run_id`` (a hash of the run's
  full configuration and the actloss version, see ``runs.Run.run_id``), with the
  configuration as JSON, the final test numbers, the epoch of divergence (NULL
  if none) and the epochs needed to reach the target validation metric;
- ``curves``: per run and epoch, training loss, validation loss and metric;
- ``diagnostics``: per run, epoch and layer, gradient norm, dead-unit fraction
  and mean activation (definitions in ``training``);
- ``metrics``: per run, extra named numbers on the test set and the final
  weights (``training.extra_numbers``: average precision, entropy, weight norms...).

A batch's rows are inserted in a single transaction, so a process killed at any
moment (SIGKILL included) leaves either all of a batch or none of it; inserting
a run that is already there is a no-op (``INSERT OR IGNORE`` on the primary
key), so a re-run never duplicates. NaN and inf are stored as NULL.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .runs import Run
from .training import BatchResult

FILENAME = "actloss-results.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    actloss_version TEXT NOT NULL,
    config TEXT NOT NULL,
    dataset TEXT NOT NULL,
    task TEXT NOT NULL,
    hidden TEXT NOT NULL,
    loss TEXT NOT NULL,
    output TEXT NOT NULL,
    lr REAL NOT NULL,
    seed INTEGER NOT NULL,
    epochs INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('finished', 'diverged')),
    diverged_epoch INTEGER,
    test_metric REAL,
    test_loss REAL,
    final_val_metric REAL,
    target REAL NOT NULL,
    epochs_to_target INTEGER,
    batch_seconds REAL NOT NULL,
    batch_size INTEGER NOT NULL,
    tag TEXT,
    finished_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS curves (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    epoch INTEGER NOT NULL,
    train_loss REAL,
    val_loss REAL,
    val_metric REAL,
    PRIMARY KEY (run_id, epoch)
);
CREATE TABLE IF NOT EXISTS diagnostics (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    epoch INTEGER NOT NULL,
    layer INTEGER NOT NULL,
    grad_norm REAL,
    dead_fraction REAL,
    mean_activation REAL,
    PRIMARY KEY (run_id, epoch, layer)
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name)
);
"""


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def epochs_to_target(val_metric: np.ndarray, target: float) -> int | None:
    """First epoch (1-based) whose validation metric is >= target; None if never."""
    hits = np.flatnonzero(np.nan_to_num(val_metric, nan=-np.inf) >= target)
    return int(hits[0]) + 1 if hits.size else None


class Store:
    """The SQLite results file under ``folder`` (created on first use)."""

    def __init__(self, folder: str | Path = ".", filename: str = FILENAME) -> None:
        self.folder = Path(folder)
        self.path = self.folder / filename

    def connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.executescript(SCHEMA)
        return con

    # ------------------------------------------------------------------ writing
    def finished(self, run_ids: Iterable[str]) -> set[str]:
        """The subset of ``run_ids`` already in the store."""
        ids = list(run_ids)
        if not self.path.exists() or not ids:
            return set()
        con = self.connect()
        try:
            out: set[str] = set()
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(f"SELECT run_id FROM runs WHERE run_id IN ({marks})", chunk)
                out.update(r[0] for r in rows)
            return out
        finally:
            con.close()

    def write(self, runs: Sequence[Run], result: BatchResult, tag: str | None = None) -> int:
        """Insert a trained batch in one transaction; returns how many runs were new."""
        from actloss import __version__

        by_id = {r.run_id: r for r in runs}
        now = time.time()
        run_rows, curve_rows, diag_rows, metric_rows = [], [], [], []
        for m, rid in enumerate(result.run_ids):
            r = by_id[rid]
            div = int(result.diverged_epoch[m])
            metric_rows += [(rid, k, _num(v[m])) for k, v in sorted(result.extra.items())]
            run_rows.append((
                rid, __version__, json.dumps(r.to_dict(), sort_keys=True), r.dataset, r.task,
                json.dumps(r.to_dict()["hidden"]), json.dumps(r.to_dict()["loss"]),
                json.dumps(r.to_dict()["output"]), r.lr, r.seed, r.epochs,
                "diverged" if div else "finished", div or None,
                _num(result.test_metric[m]), _num(result.test_loss[m]),
                _num(result.val_metric[m, -1]), r.target,
                epochs_to_target(result.val_metric[m], r.target), result.seconds,
                len(result.run_ids), tag, now,
            ))  # fmt: skip
            for e in range(result.val_metric.shape[1]):
                curve = (result.train_loss[m, e], result.val_loss[m, e], result.val_metric[m, e])
                curve_rows.append((rid, e + 1, *(_num(v) for v in curve)))
                for layer in range(result.grad_norm.shape[2]):
                    diag_rows.append((rid, e + 1, layer, _num(result.grad_norm[m, e, layer]),
                                      _num(result.dead_fraction[m, e, layer]),
                                      _num(result.mean_activation[m, e, layer])))  # fmt: skip
        con = self.connect()
        try:
            with con:  # one transaction: all of the batch or nothing
                before = con.total_changes
                con.executemany(
                    f"INSERT OR IGNORE INTO runs VALUES ({','.join('?' * 22)})", run_rows
                )
                new = con.total_changes - before
                con.executemany("INSERT OR IGNORE INTO curves VALUES (?,?,?,?,?)", curve_rows)
                con.executemany("INSERT OR IGNORE INTO diagnostics VALUES (?,?,?,?,?,?)", diag_rows)
                con.executemany("INSERT OR IGNORE INTO metrics VALUES (?,?,?)", metric_rows)
            return new
        finally:
            con.close()

    # ------------------------------------------------------------------ reading
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        con = self.connect()
        con.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in con.execute(sql, params)]
        finally:
            con.close()

    def runs(self, run_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Rows of ``runs`` (all, or those of ``run_ids`` in that order)."""
        rows = self.query("SELECT * FROM runs ORDER BY finished_at, run_id")
        if run_ids is None:
            return rows
        by_id = {r["run_id"]: r for r in rows}
        return [by_id[i] for i in run_ids if i in by_id]

    def curves(self, run_ids: Iterable[str]) -> dict[str, dict[str, np.ndarray]]:
        """run_id -> {"train_loss", "val_loss", "val_metric"} arrays over epochs (NaN for NULL)."""
        ids = list(run_ids)
        out: dict[str, dict[str, list[float]]] = {i: {} for i in ids}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                f"SELECT * FROM curves WHERE run_id IN ({marks}) ORDER BY run_id, epoch", chunk
            )
            for row in rows:
                d = out[row["run_id"]]
                for k in ("train_loss", "val_loss", "val_metric"):
                    d.setdefault(k, []).append(math.nan if row[k] is None else row[k])
        return {i: {k: np.asarray(v, float) for k, v in d.items()} for i, d in out.items()}

    def metrics(self, run_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        """run_id -> {name: value} of the ``metrics`` table (NaN for NULL)."""
        ids = list(run_ids)
        out: dict[str, dict[str, float]] = {i: {} for i in ids}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(f"SELECT * FROM metrics WHERE run_id IN ({marks})", chunk):
                out[row["run_id"]][row["name"]] = math.nan if row["value"] is None else row["value"]
        return out

    def dataframe(self, table: str = "runs") -> Any:
        """A pandas DataFrame of ``runs``, ``curves`` or ``diagnostics`` (needs pandas)."""
        if table not in ("runs", "curves", "diagnostics", "metrics"):
            raise ValueError(
                f"table must be 'runs', 'curves', 'diagnostics' or 'metrics', got {table!r}"
            )
        import pandas as pd

        con = self.connect()
        try:
            return pd.read_sql_query(f"SELECT * FROM {table}", con)
        finally:
            con.close()

    def export(self, path: str | Path, table: str = "runs") -> Path:
        """Write a table to ``.csv`` (stdlib) or ``.parquet`` (needs pandas and pyarrow)."""
        import csv

        path = Path(path)
        if path.suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise RuntimeError("Parquet export needs pyarrow: pip install pyarrow") from None
            self.dataframe(table).to_parquet(path)
            return path
        if path.suffix != ".csv":
            raise ValueError(f"export path must end in .csv or .parquet, got {str(path)!r}")
        if table not in ("runs", "curves", "diagnostics", "metrics"):
            raise ValueError(
                f"table must be 'runs', 'curves', 'diagnostics' or 'metrics', got {table!r}"
            )
        con = self.connect()
        try:
            cur = con.execute(f"SELECT * FROM {table}")
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow([c[0] for c in cur.description])
                w.writerows(cur)
        finally:
            con.close()
        return path
