"""``tune``: hyperparameter search with Optuna, its study kept in the lab's SQLite file.

A trial chooses a learning rate, depth, width, hidden activation and (loss,
output activation) pair and trains the configuration's seeds on each of its data
splits (``Config.splits``; one batched ensemble per split). Its value, the
objective, is the mean over splits of the mean final validation metric over the
split's seeds (-1 when a run diverged). After every epoch it reports the mean
validation metric of the split in training at step ``split * epochs + epoch``
(the same step means the same split and epoch in every trial), and the pruner
may stop it.

Samplers: ``tpe`` (TPESampler), ``random`` (RandomSampler), ``grid`` (GridSampler
over the listed values; the learning rate and width then come from short
lists). The study lives in the results store's SQLite file (Optuna's own tables
beside ``runs``, through Optuna's RDB storage and a ``sqlite:///`` URL whose path
is percent-escaped, so ``optuna-dashboard <url>`` opens it as printed). A re-run
with the same study name continues the study: the sampler sees the earlier trials
and gets a new seed (``seed`` for the first session, then one derived from
``seed`` and the number of trials already there), recorded in the study's user
attribute ``actloss_sessions``. The runs of completed trials are written to
``runs`` with the tag ``tune:<study>:<trial>``; a trial whose runs are already
stored is scored from the store without training.

After the trials, ``tune`` writes three PNG files next to the store (the
optimization history, the parameter importances (fANOVA, from 2 complete trials on)
and the best configuration's validation curves) and ``actloss-tune.json``, which
``report.atlas_section`` shows in the atlas's lab section. Optuna's log lines go
to ``log`` (a callable) when ``verbose``; otherwise only its warnings do.
"""

from __future__ import annotations

import json
import logging
import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from .config import Config, FnSpec, fn_label, parse_fn, parse_pair
from .data import metric_name, task_of
from .runs import Run, batches, expand
from .store import DEFAULT_FOLDER, Store
from .training import train_batch

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "none")
DEFAULT_HIDDEN = ("relu", "tanh", "gelu", "silu")
WIDTHS = (16, 32, 64, 128)
GRID_WIDTHS = (32, 64)
GRID_LRS = (1e-3, 1e-2)
SUMMARY_FILE = "actloss-tune.json"
PLOTS = {
    "history": "actloss-tune-history.png",
    "importances": "actloss-tune-importances.png",
    "best": "actloss-tune-best.png",
}
SESSIONS_ATTR = "actloss_sessions"
SPACE_ATTR = "actloss_space"  # the search space of the study's first session (JSON)


class TuneError(ValueError):
    """An invalid tuning request."""


def storage_url(path: str | Path) -> str:
    """The ``sqlite:///`` URL of a SQLite file for SQLAlchemy, Optuna and optuna-dashboard.

    The absolute path is percent-escaped (``?``, ``#``, ``%``, spaces and non-ASCII
    characters), which SQLAlchemy undoes: ``res?v2`` would otherwise start the URL's query
    and name another file.
    """
    return "sqlite:///" + quote(str(Path(path).resolve()), safe="/")


def session_seed(seed: int, trials_before: int) -> int:
    """The sampler's seed for a session that starts after ``trials_before`` trials: ``seed``
    for the first, then a seed drawn from (seed, trials_before) (a continuation must not
    replay the first session's suggestions)."""
    if trials_before == 0:
        return int(seed)
    state = np.random.SeedSequence([int(seed), int(trials_before)]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def tune(
    cfg: Config,
    folder: str | Path = DEFAULT_FOLDER,
    *,
    trials: int = 20,
    sampler: str = "tpe",
    pruner: str = "median",
    study_name: str = "actloss",
    hidden: Sequence[str] | None = None,
    pairs: Sequence[str] | None = None,
    lrs: Sequence[float] | None = None,
    depths: Sequence[int] = (1, 2, 3),
    quiet: bool = True,
    seed: int = 0,
    verbose: bool = False,
    log: Callable[[str], None] | None = None,
    plots: bool = True,
) -> dict[str, Any]:
    """Run ``trials`` more Optuna trials of study ``study_name``; return a summary.

    The summary holds the best parameters and value, the top trials, this session's sampler
    seed, the storage URL and the written files. ``verbose``: Optuna's INFO lines go to
    ``log`` (default: ignored); ``quiet`` is kept for callers of earlier versions (Optuna is
    quiet unless ``verbose``).
    """
    del quiet  # Optuna's output is routed to ``log`` and quiet unless ``verbose``
    try:
        import optuna
    except ImportError:
        raise TuneError("tune needs Optuna: pip install 'actloss[lab]'") from None
    if sampler not in SAMPLERS:
        raise TuneError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    if pruner not in PRUNERS:
        raise TuneError(f"pruner must be one of {', '.join(PRUNERS)}, got {pruner!r}")
    if trials < 1:
        raise TuneError(f"trials must be >= 1, got {trials}")
    if not study_name or not study_name.strip():
        raise TuneError(f"study name must be a non-empty string, got {study_name!r}")
    space = _Space(cfg, sampler, hidden, pairs, lrs, depths)
    store = Store(folder)
    store.connect().close()  # create the file and our tables first
    url = storage_url(store.path)
    with _optuna_log(optuna, verbose, log):
        study = optuna.create_study(
            study_name=study_name,
            storage=url,
            direction="maximize",
            load_if_exists=True,
            pruner=_pruner(optuna, pruner),
        )
        before = len(study.trials)
        grid: dict[str, Any] = {k: [_plain(v) for v in vs] for k, vs in space.grid().items()}
        grid["fixed"] = _plain(space.fixed())  # what every trial shares: values comparable
        recorded = study.user_attrs.get(SPACE_ATTR)
        if recorded is not None and recorded != grid:
            changed = sorted(k for k in {*recorded, *grid} if recorded.get(k) != grid.get(k))
            if "fixed" in changed:
                old, now = recorded.get("fixed", {}), grid["fixed"]
                changed.remove("fixed")
                changed += sorted(k for k in {*old, *now} if old.get(k) != now.get(k))
            raise TuneError(
                f"study {study_name!r} in {str(store.path)!r} was run with another search "
                f"space or setting ({', '.join(changed)} differ); its trials could not be "
                "compared (Optuna cannot continue over a changed space); give another "
                "--study-name"
            )
        study.set_user_attr(SPACE_ATTR, grid)
        run_seed = session_seed(seed, before)
        study.sampler = _sampler(optuna, sampler, space.grid(), run_seed)
        sessions = list(study.user_attrs.get(SESSIONS_ATTR, []))
        sessions.append(
            {"sampler": sampler, "seed": run_seed, "first_trial": before, "trials": trials}
        )
        study.set_user_attr(SESSIONS_ATTR, sessions)
        study.set_user_attr("actloss_started", time.time())

        def objective(trial: Any) -> float:
            tcfg = space.suggest(trial)
            runs = expand(tcfg)
            stored = store.runs(r.run_id for r in runs)
            if len(stored) == len(runs):
                by_id = {r["run_id"]: r["final_val_metric"] for r in stored}
                return objective_value(runs, by_id)
            values: dict[str, float | None] = {}
            for i, batch in enumerate(batches(runs, tcfg.max_models)):
                offset = i * tcfg.epochs

                def report(epoch: int, val: np.ndarray, offset: int = offset) -> None:
                    trial.report(_mean(val.tolist()), offset + epoch)
                    if trial.should_prune():
                        raise optuna.TrialPruned()

                result = train_batch(batch, on_epoch=report)
                store.write(batch, result, tag=f"tune:{study_name}:{trial.number}")
                values |= dict(zip(result.run_ids, result.val_metric[:, -1].tolist(), strict=True))
            return objective_value(runs, values)

        study.optimize(objective, n_trials=trials, show_progress_bar=False)
    states = optuna.trial.TrialState
    complete = [t for t in study.trials if t.state == states.COMPLETE]
    if not complete:
        raise TuneError("no trial completed (all pruned or failed)")
    top = sorted(complete, key=lambda t: -(t.value if t.value is not None else -math.inf))[:5]
    out: dict[str, Any] = {
        "study": study_name,
        "store": str(store.path),
        "storage_url": url,
        "sampler": sampler,
        "sampler_seed": run_seed,
        "sessions": sessions,
        "trials": len(study.trials),
        "new_trials": len(study.trials) - before,
        "complete": len(complete),
        "pruned": sum(t.state == states.PRUNED for t in study.trials),
        "best_value": study.best_value,
        "best_params": study.best_params,
        "best_trial": study.best_trial.number,
        "top": [{"number": t.number, "value": t.value, "params": t.params} for t in top],
        "objective": "mean over data splits of the mean final validation metric over seeds",
        "plots": {},
        "summary": None,
    }
    if plots:
        best_runs = expand(space.config(study.best_params))
        out["plots"], out["summary"], notes = write_report(
            optuna, study, store, best_runs, out, log
        )
        out["notes"] = notes
    return out


def _plain(v: Any) -> Any:
    """A JSON round trip of ``v`` (tuples become lists), as the study's user attributes store it."""
    return json.loads(json.dumps(v))


def objective_value(runs: Sequence[Run], final_val: dict[str, float | None]) -> float:
    """The mean over data splits of the mean final validation metric over each split's seeds;
    -1 when a run diverged (NaN) or is missing."""
    per: dict[int | None, list[float | None]] = {}
    for r in runs:
        per.setdefault(r.split, []).append(final_val.get(r.run_id))
    means = [_mean(v) for v in per.values()]
    return -1.0 if not means or min(means) == -1.0 else float(np.mean(means))


def _mean(values: Sequence[float | None]) -> float:
    """Mean over seeds; -1 when a seed diverged (NaN or missing)."""
    xs = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(xs)) if xs and len(xs) == len(values) else -1.0


_score = _mean  # the name of earlier versions


class _Space:
    """The search space: what a trial may choose, and the configuration it then trains."""

    def __init__(
        self,
        cfg: Config,
        sampler: str,
        hidden: Sequence[str] | None,
        pairs: Sequence[str] | None,
        lrs: Sequence[float] | None,
        depths: Sequence[int],
    ) -> None:
        self.cfg = cfg
        self.hidden: dict[str, FnSpec] = {
            fn_label(s): s for s in (parse_fn(h) for h in (hidden or DEFAULT_HIDDEN))
        }
        pair_list = [parse_pair(p) for p in pairs] if pairs else list(cfg.pairs)
        self.pairs = {f"{fn_label(lo)}:{fn_label(o)}": (lo, o) for lo, o in pair_list}
        self.widths = list(GRID_WIDTHS if sampler == "grid" else WIDTHS)
        self.depths = list(depths)
        self.lrs = list(lrs) if lrs else (list(GRID_LRS) if sampler == "grid" else None)

    def grid(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {
            "hidden": list(self.hidden),
            "pair": list(self.pairs),
            "width": self.widths,
            "depth": self.depths,
        }
        if self.lrs is not None:
            out["lr"] = self.lrs
        return out

    def fixed(self) -> dict[str, Any]:
        """The configuration every trial shares (what the objective's values depend on)."""
        c = self.cfg
        keys: tuple[str, ...] = ("datasets", "epochs", "batch_size", "seeds", "splits")
        keys += ("resample", "n_samples")
        keys += ("optimizer", "data_seed", "test_size", "validation_split", "init", "dtype")
        return {k: getattr(c, k) for k in keys}

    def suggest(self, trial: Any) -> Config:
        if self.lrs is not None:
            lr = trial.suggest_categorical("lr", self.lrs)
        else:
            lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        params = {
            "lr": lr,
            "hidden": trial.suggest_categorical("hidden", list(self.hidden)),
            "pair": trial.suggest_categorical("pair", list(self.pairs)),
            "width": trial.suggest_categorical("width", self.widths),
            "depth": trial.suggest_categorical("depth", self.depths),
        }
        return self.config(params)

    def config(self, params: dict[str, Any]) -> Config:
        widths = (int(params["width"]),) * int(params["depth"])
        return replace(
            self.cfg,
            hidden=(self.hidden[params["hidden"]],),
            pairs=(self.pairs[params["pair"]],),
            lrs=(float(params["lr"]),),
            widths=widths,
        )


def _sampler(optuna: Any, name: str, grid: dict[str, list[Any]], seed: int) -> Any:
    if name == "grid":
        return optuna.samplers.GridSampler(grid, seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def _pruner(optuna: Any, name: str) -> Any:
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2)
    return optuna.pruners.NopPruner()


class _Forward(logging.Handler):
    def __init__(self, log: Callable[[str], None]) -> None:
        super().__init__()
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log(self.format(record))


@contextmanager
def _optuna_log(optuna: Any, verbose: bool, log: Callable[[str], None] | None) -> Iterator[None]:
    """Optuna's log lines through ``log`` (INFO and up when ``verbose``, else warnings and up);
    its own stderr handler off. The previous settings come back afterwards."""
    level = optuna.logging.get_verbosity()
    logger = logging.getLogger("optuna")
    handler = _Forward(log or (lambda _line: None))
    handler.setFormatter(logging.Formatter("optuna: %(message)s"))
    optuna.logging.disable_default_handler()
    optuna.logging.set_verbosity(logging.INFO if verbose else logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        optuna.logging.set_verbosity(level)
        optuna.logging.enable_default_handler()


# ------------------------------------------------------------------------------ report
def write_report(
    optuna: Any,
    study: Any,
    store: Store,
    best_runs: Sequence[Run],
    summary: dict[str, Any],
    log: Callable[[str], None] | None = None,
) -> tuple[dict[str, str], str | None, list[str]]:
    """The three PNG files and ``actloss-tune.json`` next to the store.

    Returns ({kind: path}, the JSON's path, notes on what could not be drawn). A folder that
    cannot take the files gives a note, not a failure (the study is in the store).
    """
    from . import report

    folder = store.folder
    notes: list[str] = []
    paths: dict[str, str] = {}
    states = optuna.trial.TrialState
    trials = [t for t in study.trials if t.state == states.COMPLETE]
    history = [{"number": t.number, "value": t.value} for t in trials]
    importances: dict[str, float] = {}
    if len(trials) >= 2:
        try:
            with _quiet_experimental(optuna):
                importances = {
                    k: float(v) for k, v in optuna.importance.get_param_importances(study).items()
                }
        except (RuntimeError, ValueError) as exc:  # e.g. every trial with the same parameters
            notes.append(f"no parameter importances: {exc}")
    else:
        notes.append("no parameter importances: they need at least 2 complete trials")
    ids = [r.run_id for r in best_runs]
    label = _best_label(summary["best_params"])
    names = {rid: label for rid in ids}
    replicate = {r.run_id: r.split for r in best_runs}  # bands over data splits when several
    curves = store.curves(ids)
    metric = metric_name(task_of(best_runs[0].dataset)) if best_runs else "metric"
    try:
        paths["history"] = str(_plot_history(folder / PLOTS["history"], trials, metric))
        if importances:
            paths["importances"] = str(
                _plot_importances(folder / PLOTS["importances"], importances)
            )
        if any(len(c.get("val_metric", ())) for c in curves.values()):
            best = report.plot_curves(folder / PLOTS["best"], curves, names, metric, replicate)
            paths["best"] = str(best)
        else:
            notes.append("no curves for the best configuration in the store")
        bands = report.curve_bands(curves, names, "val_metric", replicate)
        payload = {
            "study": summary["study"],
            "storage_url": summary["storage_url"],
            "metric": metric,
            "objective": summary["objective"],
            "best_value": summary["best_value"],
            "best_params": summary["best_params"],
            "sessions": summary["sessions"],
            "history": history,
            "importances": importances,
            "best_curves": {
                k: {"mean": _clean(m), "low": _clean(lo), "high": _clean(hi)}
                for k, (m, lo, hi) in bands.items()
            },
            "notes": notes,
        }
        (folder / SUMMARY_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    except OSError as exc:
        notes.append(f"cannot write {exc.filename or folder}: {exc.strerror or exc}")
        return paths, None, notes
    for note in notes:
        if log is not None:
            log(f"note: {note}")
    return paths, str(folder / SUMMARY_FILE), notes


def _best_label(params: dict[str, Any]) -> str:
    lr = params.get("lr")
    lr_text = f", lr={lr:.3g}" if isinstance(lr, (int, float)) else ""
    return (
        f"{params.get('hidden')} | {params.get('pair')} "
        f"({params.get('depth')}x{params.get('width')}{lr_text})"
    )


def _clean(a: Any) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(a, float)]


@contextmanager
def _quiet_experimental(optuna: Any) -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def _plot_history(path: Path, trials: Sequence[Any], metric: str) -> Path:
    """Each complete trial's objective and the best so far, by trial number."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    numbers = [t.number for t in trials]
    values = [t.value for t in trials]
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=90)
    try:
        ax.plot(numbers, values, "o", ms=4, label="trial")
        ax.step(numbers, np.maximum.accumulate(values), where="post", label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel(f"mean validation {metric}")
        ax.set_title("optimization history (complete trials)", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def _plot_importances(path: Path, importances: dict[str, float]) -> Path:
    """Optuna's fANOVA parameter importances as horizontal bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(importances)[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(names) + 1.2), dpi=90)
    try:
        ax.barh(names, [importances[n] for n in names])
        ax.set_xlabel("importance (fANOVA, sums to 1)")
        ax.set_title("parameter importances", fontsize=10)
        ax.grid(alpha=0.3, axis="x")
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path
