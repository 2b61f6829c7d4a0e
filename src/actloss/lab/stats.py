"""Statistics over seeds: means, confidence intervals and paired significance tests.

For each combination (the runs that differ only in their seed):

- mean and sample standard deviation (ddof=1) of the test metric and test loss;
- a 95% confidence interval of the mean, ``mean +- t_{0.975, n-1} s / sqrt(n)``
  (Student's t over seeds);
- epochs to reach the target validation metric: the median over the seeds that
  reached it, and how many did.

Differences between combinations are tested on the test metric, paired by
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
    """(mean, std, (low, high)): Student-t interval of the mean; NaN for fewer than 2 values."""
    from scipy import stats

    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], float)
    if x.size == 0:
        return math.nan, math.nan, (math.nan, math.nan)
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, (math.nan, math.nan)
    std = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * std / math.sqrt(x.size)
    return mean, std, (mean - half, mean + half)


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


def summarize(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> list[Row]:
    """One Row per label, from store rows of ``runs`` (diverged runs count in n, not in means)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(labels[r["run_id"]], []).append(r)
    out = []
    for label, members in groups.items():
        ok = [m for m in members if m["status"] == "finished"]
        mm, ms, mci = mean_ci([m["test_metric"] for m in ok])
        lm, ls, lci = mean_ci([m["test_loss"] for m in ok])
        reached = [m["epochs_to_target"] for m in ok if m["epochs_to_target"] is not None]
        out.append(
            Row(
                label,
                len(members),
                len(members) - len(ok),
                mm,
                ms,
                mci,
                lm,
                ls,
                lci,
                float(np.median(reached)) if reached else None,
                len(reached),
                members[0]["lr"],
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
