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

Data replicates (runs with a ``split``, see ``data``): the split is a random factor and the
seeds nest within it. Per combination, the test metric's variance is split into a
between-split and a between-seed part (one-way random-effects ANOVA: the seed part is the
pooled within-split variance, the split part ``(MS_between - MS_within) / n0``, clipped at
0). A difference between two combinations is first averaged over the seeds of each split
(seed k against seed k of the same split), then tested across the J splits with
``t = mean(d) / sqrt((1/J + rho) var(d))``, J - 1 degrees of freedom: ``rho = 0`` when each
replicate is an independent draw of the dataset (``resample="redraw"``: a paired t-test
over splits, ``scipy.stats.ttest_1samp``), and ``rho = n_test / n_train`` when the replicates
re-split one dataset (``resample="split"``: Nadeau and Bengio's corrected resampled t-test,
Machine Learning 52, 2003, which widens the variance for the training sets' overlap). The
row's interval is then Student's t interval over the split means with the same factor.
The tests also say how many splits agree with the sign of the mean difference.
``effect_across_splits`` and ``holds_across_splits`` are the same machinery for the claims.
"""

from __future__ import annotations

import itertools
import json
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


METRIC_MAX = 1.0
"""The lab's test metrics (accuracy, per-label accuracy, R^2) are at most 1: their intervals
over splits are clipped there (a t interval is symmetric and can pass 1 near perfect scores)."""


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
    # data replicates: how many splits, and the test metric's standard deviation between
    # splits and between seeds within a split (variance components; NaN when not estimable)
    splits: int = 1
    split_sd: float = math.nan
    seed_sd: float = math.nan


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
    splits: int = 1  # data replicates the test ran across (1: a paired t-test over seeds)
    agree: int | None = None  # splits whose mean difference has the sign of the overall mean
    split_sd: float = math.nan  # the difference's sd between splits (variance component)
    seed_sd: float = math.nan  # and between seeds within a split
    method: str = "paired t over seeds"


@dataclass(frozen=True)
class SplitEffect:
    """A paired difference measured over data replicates (``effect_across_splits``)."""

    mean: float  # mean over splits of the per-split mean difference
    low: float  # confidence interval of the mean (Student's t, corrected for overlap)
    high: float
    n: int  # paired runs (split, seed)
    splits: int  # splits with at least one paired run
    agree: int  # splits whose mean difference has the sign of ``mean``
    split_sd: float  # variance components of the difference, as standard deviations
    seed_sd: float
    statistic: float
    p_value: float
    method: str


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
    few = [r.label for r in rows if r.splits == 1 and r.n - r.diverged < MIN_SEEDS]
    out = []
    if few:
        out.append(
            f"fewer than {MIN_SEEDS} finished seeds ({', '.join(few)}): no confidence interval "
            f"is meaningful; none is shown (use --seeds {MIN_SEEDS} or more)"
        )
    few = [r.label for r in rows if 1 < r.splits < MIN_SEEDS]
    if few:
        out.append(
            f"fewer than {MIN_SEEDS} data splits ({', '.join(few)}): the intervals are over "
            f"splits, so none is shown (use --splits {MIN_SEEDS} or more)"
        )
    return out


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
        rho = overlap_ratio(members)
        ok = [m for m in members if m["status"] == "finished"]
        mm, ms, mci = mean_ci([m["test_metric"] for m in ok])
        lm, ls, lci = mean_ci([m["test_loss"] for m in ok])
        bm, bs, bci = mean_ci([best.get(m["run_id"], math.nan) for m in ok])
        n_splits, split_sd, seed_sd = 1, math.nan, math.nan
        if any(split_of(m) is not None for m in members):
            metric = _by_split(ok, "test_metric")
            n_splits = len({split_of(m) for m in members})  # diverged runs' splits count too
            split_sd, seed_sd = _components(metric)
            mci = split_ci(metric, rho, high=METRIC_MAX)
            lci = split_ci(_by_split(ok, "test_loss"), rho)
            bci = split_ci(_by_split(ok, None, best), rho, high=METRIC_MAX)
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
                splits=n_splits,
                split_sd=split_sd,
                seed_sd=seed_sd,
            )
        )
    return out


# ------------------------------------------------------------------ data replicates
def split_of(row: Mapping[str, Any]) -> int | None:
    """The data replicate of a store row (``runs`` row: from its configuration JSON) or of a
    mapping with a ``split`` key; None for the single split (runs stored before replicates)."""
    if "split" in row:
        return row["split"]
    config = row.get("config")
    if not config:
        return None
    split = json.loads(config).get("split") if isinstance(config, str) else config.get("split")
    return None if split is None else int(split)


def overlap_ratio(rows: Sequence[Mapping[str, Any]]) -> float:
    """Nadeau and Bengio's ``n_test / n_train`` for replicates that re-split one dataset, 0 for
    independent draws (``resample="redraw"``) and for the single split.

    ``n_train`` is the part the weights are fit on: ``(1 - test_size) (1 - validation_split)``.
    """
    for r in rows:
        config = r.get("config")
        if not config:
            continue
        c = json.loads(config) if isinstance(config, str) else dict(config)
        if c.get("split") is None or c.get("resample") != "split":
            return 0.0
        test = float(c["test_size"])
        return test / ((1.0 - test) * (1.0 - float(c["validation_split"])))
    return 0.0


def _by_split(
    rows: Sequence[Mapping[str, Any]], key: str | None, values: Mapping[str, float] | None = None
) -> dict[int | None, list[float]]:
    """split -> finite values of ``row[key]`` (or ``values[run_id]``) over its seeds."""
    out: dict[int | None, list[float]] = {}
    for r in rows:
        v = r[key] if key is not None else (values or {}).get(r["run_id"], math.nan)
        if v is not None and math.isfinite(v):
            out.setdefault(split_of(r), []).append(float(v))
    return out


def variance_components(groups: Mapping[Any, Sequence[float]]) -> tuple[float, float]:
    """(between-split, within-split) variance of values grouped by split.

    One-way random-effects ANOVA (unbalanced groups: ``n0 = (N - sum n_i^2 / N) / (k - 1)``).
    The within part is the pooled within-split variance (NaN when no split has 2 values); the
    between part is ``max(0, (MS_between - MS_within) / n0)``, or the variance of the split
    means when the within part is unknown (one seed per split: it then includes the seeds'
    variance). NaN for fewer than 2 splits.
    """
    gs = [np.asarray(g, float) for g in groups.values() if len(g)]
    k, n = len(gs), sum(g.size for g in gs)
    within_df = n - k
    ms_within = sum(((g - g.mean()) ** 2).sum() for g in gs) / within_df if within_df else math.nan
    if k < 2:
        return math.nan, float(ms_within)
    means = np.array([g.mean() for g in gs])
    if not math.isfinite(ms_within):
        return float(means.var(ddof=1)), math.nan
    grand = np.concatenate(gs).mean()
    ms_between = sum(g.size * (g.mean() - grand) ** 2 for g in gs) / (k - 1)
    n0 = (n - sum(g.size**2 for g in gs) / n) / (k - 1)
    return float(max(0.0, (ms_between - ms_within) / n0)), float(ms_within)


def _components(groups: Mapping[Any, Sequence[float]]) -> tuple[float, float]:
    """``variance_components`` as standard deviations (NaN where not estimable)."""
    between, within = variance_components(groups)
    return _sqrt(between), _sqrt(within)


def _sqrt(v: float) -> float:
    return math.sqrt(v) if math.isfinite(v) else math.nan


def split_ci(
    groups: Mapping[Any, Sequence[float]],
    rho: float = 0.0,
    level: float = 0.95,
    high: float = math.inf,
) -> tuple[float, float]:
    """Student's t interval of the mean over split means, variance ``(1/J + rho) s^2``; NaN for
    fewer than ``MIN_SEEDS`` splits (the row's mean is over all runs, the interval's centre the
    mean of the split means). Ends above ``high`` (the largest value the quantity can take,
    e.g. 1 for an accuracy) are clipped to it."""
    from scipy import stats

    means = np.array([np.mean(g) for g in groups.values() if len(g)])
    j = means.size
    if j < MIN_SEEDS:
        return math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, j - 1)) * math.sqrt(
        (1.0 / j + rho) * means.var(ddof=1)
    )
    return float(min(means.mean() - half, high)), float(min(means.mean() + half, high))


def effect_across_splits(
    differences: Mapping[tuple[int | None, int], float], rho: float = 0.0, level: float = 0.95
) -> SplitEffect:
    """A paired effect over data replicates, from per-(split, seed) paired differences.

    The seeds of a split are averaged first; the mean of the split means is tested against 0
    with ``t = mean / sqrt((1/J + rho) s^2)`` on J - 1 degrees of freedom (``rho``: see
    ``overlap_ratio``; 0 for independent draws, where this is ``scipy.stats.ttest_1samp``
    over the split means). Its interval is the same t interval. One split (or none): the
    single-split case, a paired t over seeds (``rho`` ignored).
    """
    from scipy import stats

    groups: dict[int | None, list[float]] = {}
    for (split, _seed), d in differences.items():
        if d is not None and math.isfinite(d):
            groups.setdefault(split, []).append(float(d))
    n = sum(len(g) for g in groups.values())
    split_sd, seed_sd = _components(groups)
    if len(groups) < 2:  # one split: the seeds are the only replicates
        units = np.array(next(iter(groups.values()), []), float)
        method, factor = "paired t over seeds", 1.0 / max(units.size, 1)
    else:
        units = np.array([np.mean(g) for g in groups.values()])
        method = "corrected resampled t over splits" if rho > 0 else "paired t over splits"
        factor = 1.0 / units.size + rho
    mean = float(units.mean()) if units.size else math.nan
    means = units if len(groups) >= 2 else np.array([mean])
    agree = int(np.sum(np.sign(means) == np.sign(mean))) if mean != 0 else 0
    var = float(units.var(ddof=1)) if units.size >= 2 else math.nan
    low, high, t, p = -math.inf, math.inf, math.nan, math.nan
    if var == 0.0:  # equal differences everywhere: t is 0/0 or infinite, the test undefined
        low = high = mean
        t, p = (0.0, 1.0) if mean == 0 else (math.nan, math.nan)
    elif math.isfinite(var):
        se = math.sqrt(factor * var)
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), units.size - 1))
        half = float(stats.t.ppf(0.5 + level / 2, units.size - 1)) * se
        low, high = mean - half, mean + half
    return SplitEffect(
        mean, low, high, n, len(groups), agree, split_sd, seed_sd, float(t), p, method
    )


def holds_across_splits(effect: SplitEffect, side: int = 1, min_agree: float = 0.0) -> bool:
    """Whether ``effect`` holds over the data replicates on the predicted ``side`` (+1: the
    difference is positive, -1: negative): its interval excludes 0 on that side and at least a
    fraction ``min_agree`` of the splits has that sign."""
    if side not in (1, -1):
        raise ValueError(f"side must be 1 or -1, got {side!r}")
    if not (math.isfinite(effect.low) and math.isfinite(effect.high)):
        return False
    excludes = effect.low > 0 if side == 1 else effect.high < 0
    same = effect.mean * side > 0
    agree = effect.agree if same else effect.splits - effect.agree
    return excludes and agree >= min_agree * effect.splits


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
    """Paired tests of the test metric between every two labels, Holm-corrected.

    One split: a paired t-test over seeds. Data replicates: ``effect_across_splits`` (seeds
    averaged within each split, a t-test across splits, corrected when they re-split one
    dataset).
    """
    from scipy import stats

    per: dict[str, dict[tuple[int | None, int], float]] = {}
    for r in rows:
        v = r["test_metric"] if r["status"] == "finished" else None
        if v is not None and math.isfinite(v):
            per.setdefault(labels[r["run_id"]], {})[(split_of(r), r["seed"])] = v
    if any(split is not None for p in per.values() for split, _ in p):
        rho: dict[str, float] = {}
        for label in per:
            rho[label] = overlap_ratio([r for r in rows if labels.get(r["run_id"]) == label])
        return _compare_splits(per, rho, alpha)
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


def paired_differences(
    a: Mapping[tuple[int | None, int], float], b: Mapping[tuple[int | None, int], float]
) -> dict[tuple[int | None, int], float]:
    """(split, seed) -> a - b over the keys both have (the same data and seed in each)."""
    return {k: a[k] - b[k] for k in sorted(set(a) & set(b), key=lambda k: (k[0] or 0, k[1]))}


def by_label(
    rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str], key: str = "test_metric"
) -> dict[str, dict[tuple[int | None, int], float]]:
    """label -> {(split, seed): value of ``key``} over the finished runs with a finite value."""
    per: dict[str, dict[tuple[int | None, int], float]] = {}
    for r in rows:
        v = r[key] if r["status"] == "finished" and r["run_id"] in labels else None
        if v is not None and math.isfinite(v):
            per.setdefault(labels[r["run_id"]], {})[(split_of(r), r["seed"])] = float(v)
    return per


def _compare_splits(
    per: Mapping[str, Mapping[tuple[int | None, int], float]],
    rho: Mapping[str, float],
    alpha: float,
) -> list[Comparison]:
    """``effect_across_splits`` per pair; ``rho``: per label (the larger of a pair's is used)."""
    effects = []
    for a, b in itertools.combinations(per, 2):
        diffs = paired_differences(per[a], per[b])
        effects.append((a, b, effect_across_splits(diffs, max(rho[a], rho[b]))))
    adjusted = holm([e.p_value for *_, e in effects])
    return [
        Comparison(
            a,
            b,
            e.n,
            e.mean,
            e.statistic,
            e.p_value,
            ph,
            bool(math.isfinite(ph) and ph < alpha),
            splits=e.splits,
            agree=e.agree,
            split_sd=e.split_sd,
            seed_sd=e.seed_sd,
            method=e.method,
        )
        for (a, b, e), ph in zip(effects, adjusted, strict=True)
    ]
