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
  weights (``training.extra_numbers``: average precision, entropy, weight norms...);
- ``failures``: runs that could not train (a user's model factory that raised, returned
  no module or the wrong output shape) with the reason, the latest failure per run. A
  failed run is not finished: a re-run tries it again. Stores made before this table
  existed get it on their next write.

A batch's rows are inserted in a single transaction, so a process killed at any
moment (SIGKILL included) leaves either all of a batch or none of it; inserting
a run that is already there is a no-op (``ON CONFLICT (key) DO NOTHING``: only a
duplicate key is skipped; any other constraint violation aborts the whole
batch with an error), so a re-run never duplicates and a write that stores
nothing never reports success. NaN and inf are stored as NULL.

Reading never writes: ``read()`` opens the file read-only (a complete store in
a read-only folder can be read), and a file that is not an actloss store (not
SQLite, truncated, another program's database) or a path that cannot hold one
raises ``StoreError`` naming the file and the cause; such a file is never
overwritten.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the store itself needs no torch (the CLI reads DEFAULT_FOLDER from here)
    from .runs import Run
    from .training import BatchResult

FILENAME = "actloss-results.sqlite"
DEFAULT_FOLDER = Path("actloss-results")
"""Where ``actloss compare``, ``actloss tune`` and ``actloss atlas --results`` look by default."""
TABLES = ("runs", "curves", "diagnostics", "metrics", "failures")
ADDED_LATER = ("failures",)
"""Tables an older store may lack: reading goes on without them, writing creates them."""


class StoreError(Exception):
    """The results store cannot be used: the message names the file and the cause."""


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
CREATE TABLE IF NOT EXISTS failures (
    run_id TEXT PRIMARY KEY,
    actloss_version TEXT NOT NULL,
    config TEXT NOT NULL,
    reason TEXT NOT NULL,
    failed_at REAL NOT NULL
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

    def __init__(self, folder: str | Path = DEFAULT_FOLDER, filename: str = FILENAME) -> None:
        self.folder = Path(folder)
        self.path = self.folder / filename

    def _fail(self, exc: BaseException) -> StoreError:
        cause = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if isinstance(exc, sqlite3.DatabaseError) and (
            "not a database" in cause or "malformed" in cause
        ):
            cause += " (corrupt, truncated or not SQLite; it was left as it is)"
        return StoreError(f"results store {str(self.path)!r}: {cause}")

    def _check_path(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(f"results folder {str(self.folder)!r} is a file, not a folder")
        if self.path.exists() and not self.path.is_file():
            raise StoreError(f"results store {str(self.path)!r} is not a file (a folder?)")

    def _check_schema(self, con: sqlite3.Connection) -> None:
        """Every table of ours is there with our columns (else: another program's database)."""
        for table, columns in _COLUMNS.items():
            have = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
            if not have and table in ADDED_LATER:
                continue
            if have != columns:
                what = f"table {table!r} has other columns" if have else f"no table {table!r}"
                raise StoreError(
                    f"results store {str(self.path)!r} is not an actloss results "
                    f"store ({what}); it was left as it is; choose another folder"
                )

    def connect(self) -> sqlite3.Connection:
        """A connection for writing: creates the folder, the file and the tables if missing."""
        self._check_path()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=60)
        except (OSError, sqlite3.Error) as exc:
            raise self._fail(exc) from None
        try:
            tables = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            if tables:  # never add our tables to someone else's database
                self._check_schema(con)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            con.close()
            raise self._fail(exc) from None
        except StoreError:
            con.close()
            raise
        return con

    def read(self) -> sqlite3.Connection | None:
        """A read-only connection (no write access needed), or None when there is no file."""
        self._check_path()
        if not self.path.exists():
            return None
        uri = self.path.resolve().as_uri()
        try:
            con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=60)
            try:
                self._check_schema(con)
            except sqlite3.OperationalError:
                # A WAL file in a folder we cannot write: SQLite cannot create the shared-memory
                # index. Nobody can be writing there either, so read it as an immutable file.
                con.close()
                if os.access(self.folder, os.W_OK):
                    raise
                con = sqlite3.connect(f"{uri}?immutable=1", uri=True)
                self._check_schema(con)
            except StoreError:
                con.close()
                raise
        except (OSError, sqlite3.Error) as exc:
            raise self._fail(exc) from None
        return con

    # ------------------------------------------------------------------ writing
    def finished(self, run_ids: Iterable[str]) -> set[str]:
        """The subset of ``run_ids`` already in the store."""
        ids = list(run_ids)
        if not ids:
            return set()
        con = self.read()
        if con is None:
            return set()
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
        failure_rows = [
            (rid, __version__, json.dumps(by_id[rid].to_dict(), sort_keys=True), why, now)
            for rid, why in result.failed.items()
        ]
        for m, rid in enumerate(result.run_ids):
            r = by_id[rid]
            div = int(result.diverged_epoch[m])
            metric_rows += [(rid, k, _num(v[m])) for k, v in sorted(result.extra.items())]
            run_rows.append(
                (
                    rid,
                    __version__,
                    json.dumps(r.to_dict(), sort_keys=True),
                    r.dataset,
                    r.task,
                    json.dumps(r.to_dict()["hidden"]),
                    json.dumps(r.to_dict()["loss"]),
                    json.dumps(r.to_dict()["output"]),
                    r.lr,
                    r.seed,
                    r.epochs,
                    "diverged" if div else "finished",
                    div or None,
                    _num(result.test_metric[m]),
                    _num(result.test_loss[m]),
                    _num(result.val_metric[m, -1]),
                    r.target,
                    epochs_to_target(result.val_metric[m], r.target),
                    result.seconds,
                    len(result.run_ids),
                    tag,
                    now,
                )
            )
            for e in range(result.val_metric.shape[1]):
                curve = (result.train_loss[m, e], result.val_loss[m, e], result.val_metric[m, e])
                curve_rows.append((rid, e + 1, *(_num(v) for v in curve)))
                for layer in range(result.grad_norm.shape[2]):
                    diag_rows.append(
                        (
                            rid,
                            e + 1,
                            layer,
                            _num(result.grad_norm[m, e, layer]),
                            _num(result.dead_fraction[m, e, layer]),
                            _num(result.mean_activation[m, e, layer]),
                        )
                    )
        con = self.connect()
        try:
            with con:  # one transaction: all of the batch or nothing
                before = con.total_changes
                con.executemany(f"INSERT INTO runs VALUES ({','.join('?' * 22)}) {_SKIP}", run_rows)
                new = con.total_changes - before
                con.executemany(f"INSERT INTO curves VALUES (?,?,?,?,?) {_SKIP}", curve_rows)
                con.executemany(f"INSERT INTO diagnostics VALUES (?,?,?,?,?,?) {_SKIP}", diag_rows)
                con.executemany(f"INSERT INTO metrics VALUES (?,?,?) {_SKIP}", metric_rows)
                con.executemany(
                    "INSERT INTO failures VALUES (?,?,?,?,?) ON CONFLICT (run_id) DO UPDATE "
                    "SET reason = excluded.reason, failed_at = excluded.failed_at",
                    failure_rows,
                )
        except sqlite3.Error as exc:  # rolled back: nothing of this batch is stored
            raise self._fail(exc) from None
        finally:
            con.close()
        return new

    # ------------------------------------------------------------------ reading
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query ([] when there is no store yet)."""
        con = self.read()
        if con is None:
            return []
        con.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in con.execute(sql, params)]
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
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

    def failures(self, run_ids: Iterable[str] | None = None) -> dict[str, str]:
        """run_id -> reason of the stored failures (all, or of ``run_ids``)."""
        con = self.read()
        if con is None:
            return {}
        try:
            known = con.execute("SELECT name FROM sqlite_master WHERE name = 'failures'")
            if known.fetchone() is None:  # a store from before the table
                return {}
            rows = dict(con.execute("SELECT run_id, reason FROM failures").fetchall())
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        finally:
            con.close()
        if run_ids is None:
            return rows
        return {i: rows[i] for i in run_ids if i in rows}

    def dataframe(self, table: str = "runs") -> Any:
        """A pandas DataFrame of ``runs``, ``curves`` or ``diagnostics`` (needs pandas)."""
        _check_table(table)
        import pandas as pd

        con = self.read()
        if con is None:
            raise StoreError(f"results store {str(self.path)!r}: no such file (run compare first)")
        try:
            return pd.read_sql_query(f"SELECT * FROM {table}", con)
        finally:
            con.close()

    def export(self, path: str | Path, table: str = "runs") -> Path:
        """Write a table to ``.csv`` (stdlib) or ``.parquet`` (needs pandas and pyarrow)."""
        import csv

        path = Path(path)
        check_export_path(path)
        if path.suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise RuntimeError("Parquet export needs pyarrow: pip install pyarrow") from None
            self.dataframe(table).to_parquet(path)
            return path
        _check_table(table)
        con = self.read()
        if con is None:
            raise StoreError(f"results store {str(self.path)!r}: no such file (run compare first)")
        try:
            cur = con.execute(f"SELECT * FROM {table}")
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow([c[0] for c in cur.description])
                w.writerows(cur)
        except OSError as exc:
            raise StoreError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
        finally:
            con.close()
        return path


def check_export_path(path: str | Path) -> None:
    """An export file ends in .csv or .parquet (checked before anything trains)."""
    if Path(path).suffix not in (".csv", ".parquet"):
        raise ValueError(f"export path must end in .csv or .parquet, got {str(path)!r}")


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise ValueError(f"table must be one of {', '.join(TABLES)}, got {table!r}")


_SKIP = "ON CONFLICT DO NOTHING"
"""Skips a row whose key is already stored, and nothing else: a NOT NULL or CHECK violation
still aborts the transaction (``INSERT OR IGNORE`` would drop such rows silently)."""


def _columns(schema: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for block in schema.split("CREATE TABLE IF NOT EXISTS ")[1:]:
        name, body = block.split(" (", 1)
        out[name] = [
            line.split()[0]
            for line in body.splitlines()
            if line.strip() and not line.strip().startswith(("PRIMARY", ")"))
        ]
    return out


_COLUMNS = _columns(SCHEMA)
