"""The pipeline: config -> runs -> batched training -> store -> statistics -> report.

``run(cfg, folder)`` trains what the store does not hold yet; ``compare(cfg, folder)``
also computes the statistics and writes the plot and the atlas summary.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import report, stats
from .config import Config
from .data import metric_name, task_of
from .executors import run_batches
from .progress import Progress
from .runs import Run, batches, expand, labels
from .store import DEFAULT_FOLDER, Store

PLOT_FILE = "actloss-compare.png"


@dataclass
class Outcome:
    """What ``compare`` produced."""

    runs: list[Run]
    trained: int  # runs trained now (the rest were already in the store)
    rows: list[stats.Row] = field(default_factory=list)
    tests: list[stats.Comparison] = field(default_factory=list)
    metric: str = "accuracy"
    target: float = math.nan
    store: Path | None = None
    plot: Path | None = None
    summary: Path | None = None
    tests_use: str = stats.TESTS_USE  # which test metric the paired tests compare
    warnings: list[str] = field(default_factory=list)  # e.g. too few seeds for an interval


def run(
    cfg: Config,
    folder: str | Path = DEFAULT_FOLDER,
    *,
    executor: str = "inprocess",
    jobs: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
    tag: str | None = None,
) -> tuple[list[Run], int]:
    """Train every run of ``cfg`` not yet in the store; returns (all runs, number trained)."""
    progress = progress or Progress()
    store = Store(folder)
    all_runs = expand(cfg)
    done = store.finished(r.run_id for r in all_runs)
    todo = [r for r in all_runs if r.run_id not in done]
    progress.start(len(all_runs), len(all_runs) - len(todo))
    best: tuple[float, str] | None = None
    names = labels(all_runs)
    try:
        hook = None
        if executor == "inprocess":  # per-epoch progress (v: the batch's validation metrics)
            hook = lambda e, v: progress.epoch(e, cfg.epochs, len(v))  # noqa: E731
        size = cfg.max_models
        if executor == "process" and jobs > 1 and todo:  # enough batches to keep every worker busy
            size = min(size, math.ceil(len(todo) / jobs))
        work = batches(todo, size)
        for batch, result in run_batches(work, executor, jobs=jobs, address=address, on_epoch=hook):
            store.write(batch, result, tag)
            for rid, v in zip(result.run_ids, result.val_metric[:, -1], strict=True):
                if math.isfinite(v) and (best is None or v > best[0]):
                    best = (float(v), f"{names[rid]} val {v:.3f}")
            progress.batch_done(len(batch), best[1] if best else None)
    finally:
        progress.stop()
    return all_runs, len(todo)


def analyse(
    cfg: Config, all_runs: Sequence[Run], folder: str | Path = DEFAULT_FOLDER, alpha: float = 0.05
) -> Outcome:
    """Statistics over the stored runs of ``cfg`` (per dataset task: first dataset's metric)."""
    store = Store(folder)
    names = labels(all_runs)
    rows = store.runs(r.run_id for r in all_runs)
    if len(cfg.lrs) > 1:
        names = stats.best_lr(rows, names)
        rows = [r for r in rows if r["run_id"] in names]
    best = {k: v.get("test_metric_best_val", math.nan) for k, v in store.metrics(names).items()}
    summary = stats.summarize(rows, names, best)
    tests = stats.compare(rows, names, alpha)
    task = task_of(cfg.datasets[0])
    target = all_runs[0].target if all_runs else math.nan
    out = Outcome(list(all_runs), 0, summary, tests, metric_name(task), target, store.path)
    out.warnings = stats.few_seeds_warning(summary)
    return out


def compare(
    cfg: Config,
    folder: str | Path = DEFAULT_FOLDER,
    *,
    executor: str = "inprocess",
    jobs: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
    plot: bool = True,
    alpha: float = 0.05,
) -> Outcome:
    """Train what is missing, then summarize, test, plot and write the atlas summary."""
    all_runs, trained = run(
        cfg, folder, executor=executor, jobs=jobs, address=address, progress=progress
    )
    out = analyse(cfg, all_runs, folder, alpha)
    out.trained = trained
    folder = Path(folder)
    names = labels(all_runs)
    if len(cfg.lrs) > 1:
        names = stats.best_lr(Store(folder).runs(names), names)
    curves = Store(folder).curves(names)
    replicate = {r.run_id: r.split for r in all_runs}  # bands over data splits when several
    bands = report.curve_bands(curves, names, "val_metric", replicate)
    payload = report.summary_payload(out.rows, out.tests, out.metric, out.target, bands)
    payload["warnings"] = out.warnings
    # The store holds the results; the summary and the plot are derived files. A folder that
    # cannot take them (read-only: a store that is only read) gives a warning, not a failure.
    try:
        (folder / report.SUMMARY_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")
        out.summary = folder / report.SUMMARY_FILE
        if plot:
            out.plot = report.plot_curves(folder / PLOT_FILE, curves, names, out.metric, replicate)
    except OSError as exc:
        out.warnings.append(f"cannot write {exc.filename or folder}: {exc.strerror or exc}")
    return out


def results(folder: str | Path = DEFAULT_FOLDER, table: str = "runs") -> Any:
    """A pandas DataFrame of a results table (``runs``, ``curves`` or ``diagnostics``)."""
    return Store(folder).dataframe(table)
