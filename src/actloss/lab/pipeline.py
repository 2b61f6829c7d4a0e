"""The pipeline: config -> runs -> batched training -> store -> statistics -> report.

``run(cfg, folder)`` trains what the store does not hold yet; ``compare(cfg, folder)``
also computes the statistics and writes the plot and the atlas summary. Both take a
user's data (``data=Data(X, y)``: it replaces the config's datasets, see ``userdata``),
a model factory (``model=factory``, see ``models``) and the device (``auto``, ``cpu``,
``cuda``). Runs whose model fails are stored as failures with the reason (the store's
``failures`` table, not finished: a re-run tries them again) and listed in the outcome.
"""

from __future__ import annotations

import json
import math
import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import report, stats
from .config import Config
from .data import metric_name, task_of
from .executors import run_batches
from .progress import Progress
from .runs import Run, batches, expand, labels
from .store import DEFAULT_FOLDER, Store
from .training import Setup, check_device, resolve_device
from .userdata import Data, as_data, configure

PLOT_FILE = "actloss-compare.png"


@dataclass
class Outcome:
    """What ``compare`` produced."""

    runs: list[Run]
    trained: int  # runs trained now (the rest were already in the store, or failed)
    rows: list[stats.Row] = field(default_factory=list)
    tests: list[stats.Comparison] = field(default_factory=list)
    metric: str = "accuracy"
    target: float = math.nan
    store: Path | None = None
    plot: Path | None = None
    summary: Path | None = None
    tests_use: str = stats.TESTS_USE  # which test metric the paired tests compare
    warnings: list[str] = field(default_factory=list)  # e.g. too few seeds for an interval
    failed: dict[str, str] = field(default_factory=dict)  # run_id -> why it did not train
    notes: list[str] = field(default_factory=list)  # e.g. models trained without vmap
    task: str = ""  # the task of the (first) dataset
    task_how: str = ""  # how a user's data got its task (inferred from the target, or given)

    def failure_summary(self) -> str | None:
        """``"3 of 30 runs failed: <reason> (3)"``, or None when every run trained."""
        if not self.failed:
            return None
        counts = Counter(self.failed.values()).most_common()
        why = "; ".join(f"{reason} ({n})" for reason, n in counts)
        return f"{len(self.failed)} of {len(self.runs)} runs failed: {why}"


@dataclass
class _Trained:
    runs: list[Run]
    trained: int
    failed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def prepare(
    cfg: Config, data: Any = None, model: Callable[..., Any] | None = None, device: str = "auto"
) -> tuple[Config, Setup, Data | None]:
    """The config on a user's data (or as given) and what its batches need (``Setup``)."""
    check_device(device)  # an unknown device name: an error before anything trains
    user = None if data is None else as_data(data)
    setup = Setup(device=device, factory=model)
    if user is not None:
        cfg = configure(cfg, user)
        setup = replace(setup, user_data=((user.name, user.task, user.x, user.y),))
    if model is not None and not callable(model):
        raise TypeError(f"model must be a factory function, got {type(model).__name__}")
    return cfg, setup, user


def _expand(cfg: Config, setup: Setup) -> list[Run]:
    runs = expand(cfg)
    if setup.factory is None:
        return runs
    from .models import identity

    ident = identity(setup.factory)
    return [replace(r, model=ident) for r in runs]


def run(
    cfg: Config,
    folder: str | Path = DEFAULT_FOLDER,
    *,
    executor: str = "inprocess",
    jobs: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
    tag: str | None = None,
    data: Any = None,
    model: Callable[..., Any] | None = None,
    device: str = "auto",
) -> tuple[list[Run], int]:
    """Train every run of ``cfg`` not yet in the store; returns (all runs, number trained)."""
    cfg, setup, _ = prepare(cfg, data, model, device)
    done = _train(cfg, folder, setup, executor, jobs, address, progress, tag)
    return done.runs, done.trained


def _train(
    cfg: Config,
    folder: str | Path,
    setup: Setup,
    executor: str,
    jobs: int,
    address: str | None,
    progress: Progress | None,
    tag: str | None,
) -> _Trained:
    progress = progress or Progress()
    if executor != "ray":  # cuda without a GPU here: an error before training (Ray: per worker)
        resolve_device(setup.device)
    store = Store(folder)
    all_runs = _expand(cfg, setup)
    if (
        setup.factory is not None
        and executor != "inprocess"
        and not (executor == "process" and jobs <= 1)
    ):
        try:
            pickle.dumps(setup.factory)
        except Exception:  # a lambda, a local function: workers cannot import it
            raise ValueError(
                f"executor {executor!r} sends the model factory to workers: it must be a "
                "module-level function (package.module:function), not a lambda or local function"
            ) from None
    done = store.finished(r.run_id for r in all_runs)
    todo = [r for r in all_runs if r.run_id not in done]
    progress.start(len(all_runs), len(all_runs) - len(todo))
    best: tuple[float, str] | None = None
    names = labels(all_runs)
    out = _Trained(all_runs, len(todo))
    try:
        hook = None
        if executor == "inprocess":  # per-epoch progress (v: the batch's validation metrics)
            hook = lambda e, v: progress.epoch(e, cfg.epochs, len(v))  # noqa: E731
        size = cfg.max_models
        if executor == "process" and jobs > 1 and todo:  # enough batches to keep every worker busy
            size = min(size, math.ceil(len(todo) / jobs))
        work = batches(todo, size)
        results = run_batches(
            work, executor, jobs=jobs, address=address, on_epoch=hook, setup=setup
        )
        for batch, result in results:
            store.write(batch, result, tag)
            out.failed.update(result.failed)
            out.notes += [n for n in result.notes if n not in out.notes]
            for rid, v in zip(result.run_ids, result.val_metric[:, -1], strict=True):
                if math.isfinite(v) and (best is None or v > best[0]):
                    best = (float(v), f"{names[rid]} val {v:.3f}")
            progress.batch_done(len(batch), best[1] if best else None)
    finally:
        progress.stop()
    out.trained -= len(out.failed)  # trained now; failed runs are stored apart (failures)
    return out


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
    task = all_runs[0].task if all_runs else task_of(cfg.datasets[0])
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
    data: Any = None,
    model: Callable[..., Any] | None = None,
    device: str = "auto",
) -> Outcome:
    """Train what is missing, then summarize, test, plot and write the atlas summary.

    ``data``: a user's dataset (``Data(X, y, task=None)`` or ``(X, y)``), in place of the
    config's datasets; the default pairs become the task's (``userdata.TASK_PAIRS``).
    ``model``: ``factory(activation, n_inputs, n_outputs) -> torch.nn.Module`` in place of
    the MLP. ``device``: ``auto`` (CUDA if available), ``cpu`` or ``cuda``.
    """
    cfg, setup, user = prepare(cfg, data, model, device)
    done = _train(cfg, folder, setup, executor, jobs, address, progress, None)
    all_runs = done.runs
    out = analyse(cfg, all_runs, folder, alpha)
    out.trained, out.failed, out.notes = done.trained, done.failed, done.notes
    out.task = all_runs[0].task if all_runs else ""
    out.task_how = user.how if user is not None else ""
    if out.failure_summary():
        out.warnings.append(str(out.failure_summary()))
    folder = Path(folder)
    names = labels(all_runs)
    if len(cfg.lrs) > 1:
        names = stats.best_lr(Store(folder).runs(names), names)
    curves = Store(folder).curves(names)
    replicate = {r.run_id: r.split for r in all_runs}  # bands over data splits when several
    bands = report.curve_bands(curves, names, "val_metric", replicate)
    payload = report.summary_payload(out.rows, out.tests, out.metric, out.target, bands)
    payload["warnings"] = out.warnings
    payload["failed"] = [
        {"run_id": rid, "combination": names.get(rid, rid), "reason": why}
        for rid, why in out.failed.items()
    ]
    # The store holds the results; the summary and the plot are derived files. A folder that
    # cannot take them (read-only: a store that is only read) gives a warning, not a failure.
    try:
        (folder / report.SUMMARY_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")
        out.summary = folder / report.SUMMARY_FILE
        if plot and out.rows:  # nothing to draw when every run failed
            out.plot = report.plot_curves(folder / PLOT_FILE, curves, names, out.metric, replicate)
    except OSError as exc:
        out.warnings.append(f"cannot write {exc.filename or folder}: {exc.strerror or exc}")
    return out


def results(folder: str | Path = DEFAULT_FOLDER, table: str = "runs") -> Any:
    """A pandas DataFrame of a results table (``runs``, ``curves`` or ``diagnostics``)."""
    return Store(folder).dataframe(table)
