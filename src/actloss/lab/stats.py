"""Statistics over seeds: means, confidence intervals and paired significance tests.

For each combination (the runs that differ only in their seed):

- mean and sample standard deviation (ddof=1) of the test metric and test loss;
- a 95% confidence interval of the mean: the percentile bootstrap over seeds
  (``scipy.stats.bootstrap``, method ``"percentile"``, 9999 resamples, a fixed
  random stream). Its ends are means of resampled seeds, so they lie between
  the smallest and the largest value observed and a bounded metric's interval
  stays inside its bounds (accuracy in [0, 1], R2 <= 1; Student's t interval,
  symmetric about the mean, read [0.605, 1.050] for an accuracy over 2 seeds).
  With fewer than ``MIN_SEEDS`` (3) seeds no interval is meaningful: it is
  left out (NaN) and ``warnings`` says so;
- the test metric at the last epoch (the configured training) and at the epoch
  of best validation metric (an early-stopping checkpoint: ``training`` keeps
  those weights, the store's ``metrics`` table has ``test_metric_best_val``);
- epochs to reach the target validation metric: the median over the seeds that
  reached it, and how many did.

Differences between combinations are tested on the last-epoch test metric (``TESTS_USE``),
paired by
seed (seed k of A against seed k of B: same initial weights and data order
when the shapes agree) with a two-sided paired t-test (``scipy.stats.ttest_rel``)
and Holm's step-down correction over all pairs, at family-wise level ``alpha``.
Equal nonzero differences on every seed leave the t statistic undefined (zero
variance): such a pair gets p = NaN and is reported as not testable.
Losses of different functions are not on one scale, so only the metric is compared.
When learning rates vary, each function keeps the rate with the best mean
validation metric (chosen on validation data, never on test data).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_SEEDS = 3
"""Fewer seeds than this give no confidence interval (and a warning)."""
N_RESAMPLES = 9999
TESTS_USE = "last epoch"
"""Which test metric the paired tests compare: the last epoch's (not the best-validation one)."""


@dataclass(frozen=True)
class Row:
    """One combination's summary."""

    label: str
    n: int
    diverged: int
    metric_mean: float
    metric_std: float
    metric_ci: tuple[float, float]
    loss_mean: float
    loss_std: float
    loss_ci: tuple[float, float]
    epochs_to_target: float | None  # median over the seeds that reached the target
    reached: int
    lr: float | None = None
    # the test metric at each run's best validation epoch (early-stopping checkpoint)
    best_metric_mean: float = math.nan
    best_metric_std: float = math.nan
    best_metric_ci: tuple[float, float] = (math.nan, math.nan)


@dataclass(frozen=True)
class Comparison:
    """A paired test of two combinations on the test metric."""

    a: str
    b: str
    n: int
    mean_diff: float  # mean over seeds of metric(a) - metric(b)
    statistic: float
    p_value: float
    p_holm: float
    significant: bool


def mean_ci(
    values: Sequence[float], level: float = 0.95
) -> tuple[float, float, tuple[float, float]]:
    """(mean, std, (low, high)): the percentile-bootstrap interval of the mean over seeds.

    Non-finite values are left out; the interval is NaN for fewer than ``MIN_SEEDS`` values.
    """
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], float)
    if x.size == 0:
        return math.nan, math.nan, (math.nan, math.nan)
    mean = float(x.mean())
    std = float(x.std(ddof=1)) if x.size > 1 else math.nan
    low, high = bootstrap_ci(x[:, None], level)
    return mean, std, (float(low[0]), float(high[0]))


def bootstrap_ci(x: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile-bootstrap interval of the mean over axis 0 (seeds), for each column.

    ``x`` (seeds, columns) without NaN. The ends are clipped to the observed range (they are
    means of resampled values, so only rounding could move them); NaN for fewer than
    ``MIN_SEEDS`` seeds.
    """
    from scipy import stats

    nan = np.full(x.shape[1], math.nan)
    if x.shape[0] < MIN_SEEDS:
        return nan, nan.copy()
    options = {"confidence_level": level, "n_resamples": N_RESAMPLES, "method": "percentile"}
    res = stats.bootstrap((x,), np.mean, axis=0, rng=np.random.default_rng(0), **options)
    ci = res.confidence_interval
    low = np.clip(ci.low, x.min(axis=0), x.max(axis=0))
    return low, np.clip(ci.high, x.min(axis=0), x.max(axis=0))


def few_seeds_warning(rows: Sequence[Row]) -> list[str]:
    """The warning for combinations with fewer than ``MIN_SEEDS`` finished seeds."""
    few = [r.label for r in rows if r.n - r.diverged < MIN_SEEDS]
    if not few:
        return []
    return [
        f"fewer than {MIN_SEEDS} finished seeds ({', '.join(few)}): no confidence interval is "
        f"meaningful; none is shown (use --seeds {MIN_SEEDS} or more)"
    ]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (monotone, capped at 1); NaN stays NaN."""
    p = np.asarray(p_values, float)
    ok = np.flatnonzero(np.isfinite(p))
    adjusted = np.full(p.shape, np.nan)
    m = ok.size
    running = 0.0
    for rank, i in enumerate(ok[np.argsort(p[ok], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def summarize(
    rows: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str],
    best: Mapping[str, float] | None = None,
) -> list[Row]:
    """One Row per label, from store rows of ``runs`` (diverged runs count in n, not in means).

    ``best``: run_id -> test metric at the best validation epoch (the ``metrics`` table's
    ``test_metric_best_val``); NaN where absent.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(labels[r["run_id"]], []).append(r)
    best = best or {}
    out = []
    for label, members in groups.items():
        ok = [m for m in members if m["status"] == "finished"]
        mm, ms, mci = mean_ci([m["test_metric"] for m in ok])
        lm, ls, lci = mean_ci([m["test_loss"] for m in ok])
        bm, bs, bci = mean_ci([best.get(m["run_id"], math.nan) for m in ok])
        reached = [m["epochs_to_target"] for m in ok if m["epochs_to_target"] is not None]
        out.append(
            Row(
                label=label,
                n=len(members),
                diverged=len(members) - len(ok),
                metric_mean=mm,
                metric_std=ms,
                metric_ci=mci,
                loss_mean=lm,
                loss_std=ls,
                loss_ci=lci,
                epochs_to_target=float(np.median(reached)) if reached else None,
                reached=len(reached),
                lr=members[0]["lr"],
                best_metric_mean=bm,
                best_metric_std=bs,
                best_metric_ci=bci,
            )
        )
    return out


def best_lr(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> dict[str, str]:
    """Keep, per label without its ``lr=`` suffix, the rate with the best mean validation metric.

    Returns the labels mapping restricted to the chosen runs, labelled ``"<base> (lr=<best>)"``.
    """
    by_base: dict[str, dict[float, list[float]]] = {}
    for r in rows:
        base = labels[r["run_id"]].split(" lr=")[0]
        v = r["final_val_metric"] if r["status"] == "finished" else None
        by_base.setdefault(base, {}).setdefault(r["lr"], []).append(-math.inf if v is None else v)
    chosen = {
        base: max(lrs, key=lambda lr: (float(np.mean(lrs[lr])), -lr))
        for base, lrs in by_base.items()
    }
    out = {}
    for r in rows:
        base = labels[r["run_id"]].split(" lr=")[0]
        if chosen[base] == r["lr"]:
            out[r["run_id"]] = f"{base} (lr={r['lr']:g})"
    return out


def compare(
    rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str], alpha: float = 0.05
) -> list[Comparison]:
    """Paired t-tests of the test metric between every two labels, Holm-corrected."""
    from scipy import stats

    per: dict[str, dict[int, float]] = {}
    for r in rows:
        v = r["test_metric"] if r["status"] == "finished" else None
        if v is not None and math.isfinite(v):
            per.setdefault(labels[r["run_id"]], {})[r["seed"]] = v
    raw = []
    for a, b in itertools.combinations(per, 2):
        seeds = sorted(set(per[a]) & set(per[b]))
        xa = np.array([per[a][s] for s in seeds])
        xb = np.array([per[b][s] for s in seeds])
        d = xa - xb
        if len(seeds) < 2:
            stat, p = math.nan, math.nan
        elif np.all(d == d[0]):  # zero variance: t is 0/0 or infinite, the test undefined
            stat, p = (0.0, 1.0) if d[0] == 0 else (math.nan, math.nan)
        else:
            res = stats.ttest_rel(xa, xb)
            stat, p = float(res.statistic), float(res.pvalue)
        raw.append((a, b, len(seeds), float(d.mean()) if len(d) else math.nan, stat, p))
    adjusted = holm([p for *_, p in raw])
    return [
        Comparison(a, b, n, md, st, p, ph, bool(math.isfinite(ph) and ph < alpha))
        for (a, b, n, md, st, p), ph in zip(raw, adjusted, strict=True)
    ]
