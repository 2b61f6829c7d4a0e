"""What every claim experiment shares: its budget, training through the lab, per-seed values, plots.

An experiment trains through ``actloss.lab.run`` (so its runs are hashed, stored in the
lab's SQLite store under a tag per claim, and never trained twice), reads the numbers it
needs back from the store, and returns a ``Measurement``: per part of the claim and per
condition it was tested under (``Condition``: the source's setting and the settings where
practitioners apply the claim), the per-replicate paired differences (oriented so that a
positive value is what the claim predicts) or, for a mathematical claim, the largest error,
plus a table of means for the report and the path of its plot.

A replicate is a seed on the single split of the data, or a (split, seed) pair when the
budget has data replicates (``splits > 1``): seeds nest within splits, and every
combination of a condition sees the same splits and seeds, so differences stay paired.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ...lab.config import Config, fn_label, from_mapping
from ...lab.runs import Run
from ...lab.store import Store

HAS_SPLITS = "splits" in {f.name for f in fields(Config)}
"""Whether the lab's Config has data replicates (``splits``)."""
Unit = Any
"""A replicate: a seed (the single split), or ``(split, seed)`` with data replicates."""
Values = dict[Unit, float]
"""replicate -> value of one measured combination."""


@dataclass(frozen=True)
class Condition:
    """A setting a claim is tested under.

    ``config``: the lab settings it fixes (optimizer, init, dataset size, ...), applied over
    the experiment's own; ``params``: what the experiment reads itself (depth, the
    learning rates to sweep, an imbalance ratio). ``source``: the citation when this is the
    setting the claim was made in (empty for the settings where practitioners apply it).
    """

    name: str
    config: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


NO_CONDITION = Condition("")


@dataclass(frozen=True)
class Budget:
    """How much one claim trains: seeds, epochs, data size, the swept condition's values.

    ``splits``: data replicates (1: the single split of the lab's ``data_seed``), ``seeds``
    per split. ``max_replicates``: a condition whose verdict is close (inconclusive, the CI
    reaching 0 or the threshold) gets its seeds per split doubled while it stays close, up
    to this many models per cell (``None``: never).
    """

    seeds: int
    epochs: int
    n_samples: int
    sweep: tuple[float, ...]
    lrs: tuple[float, ...] = (1e-3,)
    width: int = 32
    max_replicates: int | None = None
    splits: int = 1

    @property
    def replicates(self) -> int:
        return self.seeds * self.splits

    def tiny(self) -> Budget:
        """The smallest budget that still exercises every step (for tests)."""
        return Budget(
            seeds=3,
            epochs=min(self.epochs, 3),
            n_samples=min(self.n_samples, 300),
            sweep=(self.sweep[0], self.sweep[-1]) if len(self.sweep) > 1 else self.sweep,
            lrs=self.lrs[-1:],
            width=min(self.width, 8),
        )


@dataclass
class Measurement:
    """What an experiment measured."""

    differences: Values | None = None  # the headline effect (default: the first cell's)
    # (part, condition name) -> per-replicate paired differences; part "" for a claim of one
    # part. Every cell is decided on its own; the claim's verdict is theirs when they agree,
    # ``mixed`` when they differ, and the overall line says which cells hold.
    parts: dict[tuple[str, str], Values] = field(default_factory=dict)
    max_error: float | None = None  # mathematical claims: the largest error
    table: dict[str, Any] = field(default_factory=dict)  # means per condition, for reports
    plot: Path | None = None


@dataclass
class Context:
    """Where an experiment trains and writes, and what it may spend."""

    folder: Path
    tag: str
    budget: Budget
    claim_id: int = 0
    trained: int = 0
    runs: list[Run] = field(default_factory=list)
    growth: dict[str, int] = field(default_factory=dict)  # condition -> replicates factor
    conditions: tuple[Condition, ...] = (NO_CONDITION,)  # the claim's, source's first
    # condition -> the largest overlap ratio (Nadeau & Bengio's n_test / n_train) of its runs:
    # splits that re-split one dataset share training data, and the interval widens for it
    overlap: dict[str, float] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return Store(self.folder)

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(range(self.budget.seeds))

    def _factor(self, conditions: Iterable[Condition]) -> int:
        return max((self.growth.get(c.name, 1) for c in conditions), default=1)

    def seeds_for(self, *conditions: Condition) -> tuple[int, ...]:
        """The seeds (per split) of ``conditions``: more where a verdict was close (the most
        any of them got). Seeds of one split train as one batched ensemble, so more seeds
        cost far less than more splits."""
        return tuple(range(self.budget.seeds * self._factor(conditions)))

    def splits_for(self, *conditions: Condition) -> int:
        """The data replicates of ``conditions`` (the budget's)."""
        return self.budget.splits

    def replicates_for(self, *conditions: Condition) -> int:
        return len(self.seeds_for(*conditions)) * self.splits_for(*conditions)

    def train(
        self, condition: Condition = NO_CONDITION, cover: Sequence[Condition] = (), **config: Any
    ) -> list[Run]:
        """Train (or find in the store) the runs of one lab configuration under ``condition``.

        The condition's settings win over the experiment's (``config``), which win over the
        budget's (seeds, epochs, data size, data replicates). Runs that several conditions
        share get the replicates of all of ``cover``.
        """
        from ...lab import run

        which = (condition, *cover)
        defaults: dict[str, Any] = {
            "seeds": self.seeds_for(*which),
            "epochs": self.budget.epochs,
            "n_samples": self.budget.n_samples,
        }
        if HAS_SPLITS:  # the lab's data replicates (1: the single split of data_seed)
            defaults["splits"] = self.splits_for(*which)
        cfg = from_mapping({**defaults, **config, **condition.config})
        runs, trained = run(cfg, self.folder, tag=self.tag)
        self.trained += trained
        self.runs += runs
        rho = _overlap(runs)
        for k in which if condition.name or cover else self.conditions:
            self.overlap[k.name] = max(self.overlap.get(k.name, 0.0), rho)
        return runs

    def rows(self, runs: Sequence[Run]) -> dict[str, dict[str, Any]]:
        """run_id -> the run's row in the store."""
        return {r["run_id"]: r for r in self.store.runs(r.run_id for r in runs)}

    def plot_path(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"claim-{self.claim_id:02d}.png"


def name(spec: Any) -> str:
    """A run's function label: ``relu``, ``leaky_relu(negative_slope=0.01)``."""
    return fn_label(spec)


def _overlap(runs: Sequence[Run]) -> float:
    """The lab's overlap ratio of ``runs`` (0 for one split or new draws of the dataset)."""
    from ...lab.stats import overlap_ratio

    return max((overlap_ratio([{"config": r.to_dict()}]) for r in runs[:1]), default=0.0)


def unit(run: Run) -> Unit:
    """A run's replicate: its seed, or ``(split, seed)`` on a data replicate."""
    split = getattr(run, "split", None)
    return run.seed if split is None else (split, run.seed)


def collect(
    runs: Iterable[Run], value: Mapping[str, float], key: Callable[[Run], Any]
) -> dict[Any, Values]:
    """Group ``value[run_id]`` by ``key(run)`` and replicate."""
    out: dict[Any, Values] = {}
    for r in runs:
        out.setdefault(key(r), {})[unit(r)] = value[r.run_id]
    return out


def combine(fn: Callable[..., float], *groups: Mapping[Unit, float]) -> Values:
    """Per replicate present in every group: ``fn(group_1[u], group_2[u], ...)``."""
    units = set.intersection(*(set(g) for g in groups)) if groups else set()
    return {u: fn(*(g[u] for g in groups)) for u in sorted(units)}


def mean_over(*groups: Mapping[Unit, float]) -> Values:
    return combine(lambda *v: float(np.mean(v)), *groups)


def best_lr(
    runs: Sequence[Run], rows: Mapping[str, Mapping[str, Any]], key: Callable[[Run], Any]
) -> list[Run]:
    """Per ``key``, keep the runs of the learning rate with the best mean final validation metric.

    Chosen on validation data (never test data), as ``lab.stats.best_lr`` does.
    """
    scores: dict[Any, dict[float, list[float]]] = {}
    for r in runs:
        v = rows[r.run_id]["final_val_metric"] if r.run_id in rows else None
        ok = v is not None and rows[r.run_id]["status"] == "finished"
        score = float(v) if ok and v is not None else -math.inf
        scores.setdefault(key(r), {}).setdefault(r.lr, []).append(score)
    chosen = {
        k: max(lrs, key=lambda lr: (float(np.mean(lrs[lr])), -lr)) for k, lrs in scores.items()
    }
    return [r for r in runs if chosen[key(r)] == r.lr]


def epochs_to_target(row: Mapping[str, Any]) -> float:
    """Epochs to the target validation metric; a run that never got there counts epochs + 1."""
    e = row["epochs_to_target"]
    return float(row["epochs"] + 1 if e is None else e)


def curve_mean(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Mean over runs at each epoch, ignoring NaN (NaN where no run has a number)."""
    a = np.array(arrays, dtype=float)
    ok = np.isfinite(a)
    count = ok.sum(axis=0)
    total = np.where(ok, a, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def finite_mean(values: Iterable[float]) -> float:
    v = [x for x in values if math.isfinite(x)]
    return float(np.mean(v)) if v else math.nan


def summary(groups: Mapping[Any, Values]) -> dict[str, float]:
    """key -> mean over seeds (for the report table)."""
    return {str(k): finite_mean(v.values()) for k, v in groups.items()}


# ---------------------------------------------------------------------------------- plots
def figure(title: str, xlabel: str, ylabel: str) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=90)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def band(ax: Any, xs: Sequence[float], per_x: Sequence[Values], label: str, **style: Any) -> None:
    """Mean over seeds at each x, with the 95% t-interval of the mean as error bars."""
    from ...lab.stats import mean_ci

    means, lows, highs = [], [], []
    for values in per_x:
        m, _sd, (lo, hi) = mean_ci(list(values.values()))
        means.append(m)
        lows.append(m - lo if math.isfinite(lo) else 0.0)
        highs.append(hi - m if math.isfinite(hi) else 0.0)
    ax.errorbar(xs, means, yerr=[lows, highs], label=label, capsize=3, marker="o", ms=4, **style)


def save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def layer_stats(
    ctx: Context, runs: Sequence[Run], column: str, epoch: int | None = None
) -> dict[str, np.ndarray]:
    """run_id -> per-layer ``column`` of ``diagnostics`` at ``epoch`` (default: the last)."""
    out: dict[str, dict[int, float]] = {}
    ids = [r.run_id for r in runs]
    want = {r.run_id: (r.epochs if epoch is None else epoch) for r in runs}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = ctx.store.query(
            f"SELECT run_id, epoch, layer, {column} AS v FROM diagnostics "
            f"WHERE run_id IN ({marks})",
            chunk,
        )
        for row in rows:
            if row["epoch"] == want[row["run_id"]]:
                v = math.nan if row["v"] is None else float(row["v"])
                out.setdefault(row["run_id"], {})[row["layer"]] = v
    return {k: np.array([d[i] for i in sorted(d)]) for k, d in out.items()}


def extra(ctx: Context, runs: Sequence[Run], metric: str) -> dict[str, float]:
    """run_id -> a number of the store's ``metrics`` table (``training.extra_numbers``)."""
    got = ctx.store.metrics(r.run_id for r in runs)
    return {k: v.get(metric, math.nan) for k, v in got.items()}
