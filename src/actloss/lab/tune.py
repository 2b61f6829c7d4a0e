"""``tune``: hyperparameter search with Optuna, trials stored in the lab's SQLite file.

A trial chooses a learning rate, depth, width, hidden activation and (loss,
output activation) pair, trains the configuration's seeds as one batched
ensemble and scores it by the mean final validation metric over seeds. After
every epoch it reports that mean to Optuna, whose pruner may stop it.

Samplers: ``tpe`` (TPESampler), ``random`` (RandomSampler), ``grid`` (GridSampler
over the listed values; the learning rate and width then come from short
lists). The Optuna study lives in the results store's SQLite file (Optuna's own
tables beside ``runs``); the runs of completed trials are written to ``runs``
with the tag ``tune:<study>:<trial>``, and a trial whose runs are already
stored is scored from the store without training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config, fn_label, parse_fn, parse_pair
from .runs import batches, expand
from .store import DEFAULT_FOLDER, Store
from .training import train_batch

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "none")
DEFAULT_HIDDEN = ("relu", "tanh", "gelu", "silu")
WIDTHS = (16, 32, 64, 128)
GRID_WIDTHS = (32, 64)
GRID_LRS = (1e-3, 1e-2)


class TuneError(ValueError):
    """An invalid tuning request."""


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
) -> dict[str, Any]:
    """Run ``trials`` Optuna trials; return a summary (best params and value, top trials)."""
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
    hidden_specs = {fn_label(s): s for s in (parse_fn(h) for h in (hidden or DEFAULT_HIDDEN))}
    pair_list = [parse_pair(p) for p in pairs] if pairs else list(cfg.pairs)
    pair_specs = {f"{fn_label(lo)}:{fn_label(o)}": (lo, o) for lo, o in pair_list}
    widths = GRID_WIDTHS if sampler == "grid" else WIDTHS
    lr_choices = list(lrs) if lrs else (list(GRID_LRS) if sampler == "grid" else None)

    space: dict[str, list[Any]] = {
        "hidden": list(hidden_specs),
        "pair": list(pair_specs),
        "width": list(widths),
        "depth": list(depths),
    }
    if lr_choices is not None:
        space["lr"] = lr_choices
    if sampler == "grid":
        smp: Any = optuna.samplers.GridSampler(space, seed=seed)
    elif sampler == "random":
        smp = optuna.samplers.RandomSampler(seed=seed)
    else:
        smp = optuna.samplers.TPESampler(seed=seed)
    prn: Any = optuna.pruners.NopPruner()
    if pruner == "median":
        prn = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2)
    if quiet:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    store = Store(folder)
    store.connect().close()  # create the file and our tables first
    study = optuna.create_study(
        study_name=study_name,
        storage=_storage(optuna, store.path),
        sampler=smp,
        pruner=prn,
        direction="maximize",
        load_if_exists=True,
    )

    def objective(trial: Any) -> float:
        if lr_choices is not None:
            lr = trial.suggest_categorical("lr", lr_choices)
        else:
            lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        h = trial.suggest_categorical("hidden", space["hidden"])
        p = trial.suggest_categorical("pair", space["pair"])
        width = trial.suggest_categorical("width", space["width"])
        depth = trial.suggest_categorical("depth", space["depth"])
        widths = (int(width),) * int(depth)
        tcfg = replace(
            cfg, hidden=(hidden_specs[h],), pairs=(pair_specs[p],), lrs=(float(lr),), widths=widths
        )
        runs = expand(tcfg)
        stored = store.runs(r.run_id for r in runs)
        if len(stored) == len(runs):
            return _score([r["final_val_metric"] for r in stored])

        def report(epoch: int, val: np.ndarray) -> None:
            trial.report(_score(val.tolist()), epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        value = []
        for batch in batches(runs, tcfg.max_models):
            result = train_batch(batch, on_epoch=report)
            store.write(batch, result, tag=f"tune:{study_name}:{trial.number}")
            value += result.val_metric[:, -1].tolist()
        return _score(value)

    study.optimize(objective, n_trials=trials, show_progress_bar=False)
    states = optuna.trial.TrialState
    complete = [t for t in study.trials if t.state == states.COMPLETE]
    top = sorted(complete, key=lambda t: -(t.value if t.value is not None else -math.inf))[:5]
    if not complete:
        raise TuneError("no trial completed (all pruned or failed)")
    return {
        "study": study_name,
        "store": str(store.path),
        "sampler": sampler,
        "complete": len(complete),
        "pruned": sum(t.state == states.PRUNED for t in study.trials),
        "best_value": study.best_value,
        "best_params": study.best_params,
        "top": [{"number": t.number, "value": t.value, "params": t.params} for t in top],
    }


def _storage(optuna: Any, path: Path) -> Any:
    """Optuna's storage in the store's file, opened by path: no ``sqlite:///`` URL to escape (a
    ``?`` or ``#`` in the folder name would start the URL's query and name another file)."""
    import sqlite3

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=60)

    return optuna.storages.RDBStorage("sqlite://", engine_kwargs={"creator": connect})


def _score(values: Sequence[float | None]) -> float:
    """Mean validation metric over seeds; -1 when a seed diverged (NaN or missing)."""
    xs = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(xs)) if xs and len(xs) == len(values) else -1.0
