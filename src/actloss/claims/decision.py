"""Decision rules: how a claim's measured effect becomes a verdict.

A verdict is computed, never written by hand. For experimental claims the effect is the mean
of per-seed paired differences oriented so that a positive effect is what the claim predicts;
its 95% confidence interval is Student's t interval over the seeds. The rule:

* ``supported``: at least ``min_seeds`` seeds, the CI excludes 0 on the predicted side and
  the mean effect reaches ``min_effect``;
* ``refuted``: the CI excludes 0 on the opposite side, or the whole CI lies inside
  (-min_effect, min_effect) (the effect, if any, is too small to matter);
* ``inconclusive``: otherwise (too few seeds or a CI that straddles 0).

Mathematical claims use a tolerance instead: ``supported`` when the largest error is within it.

Every claim is decided per condition it was tested under (the source's setting and the
settings where practitioners apply it), and a compound claim ("sigmoid and tanh make
gradients vanish") per part too: each cell's effect gets its own verdict by the same rule,
the claim's verdict is theirs when they agree, ``mixed`` when they do not (never the verdict
of the smaller effect alone), and ``overall`` says in words which cells hold.

With data replicates (values keyed by ``(split, seed)``) the seeds of a split are averaged
first and the interval is taken over the splits (the split is the random factor: a claim
must hold across splits, not on one), corrected for the overlap of the training sets where
the splits re-split one dataset (the lab's ``stats.effect_across_splits``), and the effect
says how many splits agree in sign.

Close verdicts get more replicates at the full budget (``is_close``): an inconclusive cell
whose CI reaches 0 or the threshold has its seeds (per data split) doubled while it stays
close, up to the budget's ``max_replicates`` models. The
interval is not corrected for these extra looks, so a verdict reached after them is a
little less certain than its 95% says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, stdev
from typing import Any, Literal

Verdict = Literal["supported", "refuted", "inconclusive", "mixed"]
VERDICTS: tuple[Verdict, ...] = ("supported", "refuted", "inconclusive", "mixed")


def combine_verdicts(verdicts: Sequence[Verdict]) -> Verdict:
    """A compound claim's verdict: the parts' common verdict, or ``mixed`` when they differ."""
    distinct = set(verdicts)
    if not distinct:
        return "inconclusive"
    return next(iter(distinct)) if len(distinct) == 1 else "mixed"


@dataclass(frozen=True)
class Effect:
    """A measured effect with its 95% CI and the number of paired samples (seeds).

    With data replicates: ``n`` is the number of (split, seed) pairs, ``splits`` the number
    of splits the interval is taken over and ``agree`` how many splits' mean effects have
    the sign of the overall mean.
    """

    mean: float
    low: float
    high: float
    n: int
    splits: int = 1
    agree: int | None = None


def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (SciPy when present)."""
    try:
        from scipy.stats import t
    except ImportError:  # the Cornish-Fisher expansion, accurate to ~1e-3 for df >= 2
        z = 1.959963984540054
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        return z + g1 / df + g2 / df**2 + g3 / df**3
    return float(t.ppf(0.975, df))


def paired_effect(differences: Sequence[float]) -> Effect:
    """Mean of paired differences with a t-based 95% confidence interval."""
    d = [float(v) for v in differences if math.isfinite(v)]
    n = len(d)
    if n == 0:
        return Effect(math.nan, math.nan, math.nan, 0)
    m = fmean(d)
    if n == 1:
        return Effect(m, -math.inf, math.inf, 1)
    half = t_quantile_975(n - 1) * stdev(d) / math.sqrt(n)
    return Effect(m, m - half, m + half, n)


def replicate_effect(values: Mapping[Any, float], rho: float = 0.0) -> Effect:
    """The effect of per-replicate paired differences (keys: seeds, or (split, seed) pairs).

    Seeds only: ``paired_effect`` over the seeds. With (split, seed) keys: the lab's
    ``stats.effect_across_splits``: the seeds of each split are averaged and the t-interval
    is taken over the split means, widened by Nadeau and Bengio's correction ``rho``
    (``stats.overlap_ratio``) where the splits re-split one dataset (0 for new draws).
    """
    keys = sorted(values, key=repr)
    if not keys or not all(isinstance(k, tuple) for k in keys):
        return paired_effect([values[k] for k in keys])
    from ..lab.stats import effect_across_splits

    e = effect_across_splits({k: float(values[k]) for k in keys}, rho=rho)
    agree = e.agree if e.splits > 1 else None
    return Effect(e.mean, e.low, e.high, e.n, e.splits, agree)


def overall(cells: Sequence[tuple[str, str, Verdict]]) -> str:
    """In words, under which conditions (and for which parts) the claim holds.

    ``cells``: (part, condition, verdict) with part ``""`` for a claim of one part, e.g.
    ``holds for sigmoid under standard init, glorot init; refuted for tanh under ...``.
    """
    words = {"supported": "holds", "refuted": "does not hold", "inconclusive": "undecided"}
    groups: dict[str, dict[str, list[str]]] = {}
    for part, condition, verdict in cells:
        groups.setdefault(verdict, {}).setdefault(part, []).append(condition)
    n_conditions = len({c for _p, c, _v in cells})
    out = []
    for verdict in ("supported", "refuted", "inconclusive", "mixed"):
        if verdict not in groups:
            continue
        same: dict[tuple[str, ...], list[str]] = {}  # parts with the same conditions together
        for part, conditions in groups[verdict].items():
            same.setdefault(tuple(conditions), []).append(part)
        items = []
        for names, parts in same.items():
            where = ", ".join(c for c in names if c)
            every = len(names) > 1 and len(names) == n_conditions
            where = "under every condition tested" if every else (f"under {where}" if where else "")
            who = ", ".join(p for p in parts if p)
            items.append(" ".join(t for t in (f"for {who}" if who else "", where) if t))
        out.append(f"{words.get(verdict, verdict)} " + "; ".join(items))
    return "; ".join(out).replace("  ", " ").strip() or "no verdict"


def is_close(rule: Any, effect: Effect) -> bool:
    """An inconclusive verdict with enough seeds: the CI reaches 0 or the threshold, so more
    replicates may decide it (the rule of ``Budget.max_replicates``)."""
    if not hasattr(rule, "decide") or isinstance(rule, ToleranceRule):
        return False
    if effect.n < getattr(rule, "min_seeds", 3) or not math.isfinite(effect.mean):
        return False
    return bool(rule.decide(effect) == "inconclusive")


@dataclass(frozen=True)
class DecisionRule:
    """The rule stated next to every verdict."""

    min_effect: float
    min_seeds: int = 3
    unit: str = ""

    def decide(self, effect: Effect) -> Verdict:
        if effect.n < self.min_seeds or not math.isfinite(effect.mean):
            return "inconclusive"
        if effect.low > 0 and effect.mean >= self.min_effect:
            return "supported"
        if effect.high < 0:
            return "refuted"
        if -self.min_effect < effect.low and effect.high < self.min_effect:
            return "refuted"
        return "inconclusive"

    def short(self) -> str:
        """The rule in a few words, for tables (``describe`` has it in full)."""
        unit = f" {self.unit}" if self.unit else ""
        return f"CI > 0 and mean >= {self.min_effect:g}{unit}; {self.min_seeds}+ seeds"

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"supported if the 95% CI of the paired effect (>= {self.min_seeds} seeds) excludes 0 "
            f"in the claimed direction and the mean is >= {self.min_effect:g}{unit}; refuted if "
            f"the CI excludes 0 the other way or lies within +-{self.min_effect:g}{unit}; "
            "inconclusive otherwise"
        )


@dataclass(frozen=True)
class ToleranceRule:
    """For mathematical claims: supported when the largest error is within ``tolerance``."""

    tolerance: float

    def decide(self, max_error: float) -> Verdict:
        if not math.isfinite(max_error):
            return "inconclusive"
        return "supported" if max_error <= self.tolerance else "refuted"

    def short(self) -> str:
        return f"max error <= {self.tolerance:g}"

    def describe(self) -> str:
        return f"supported if the largest absolute error is <= {self.tolerance:g}"


@dataclass(frozen=True)
class NonSuperiorityRule:
    """For claims that an alternative is *not reliably better* (effect = alternative - baseline).

    * ``supported``: at least ``min_seeds`` seeds and the CI's upper end is below ``margin``
      (any gain is smaller than the margin);
    * ``refuted``: the CI lies above 0 and the mean reaches ``margin`` (reliably better by at
      least the margin);
    * ``inconclusive``: otherwise.
    """

    margin: float
    min_seeds: int = 3
    unit: str = ""

    def decide(self, effect: Effect) -> Verdict:
        if effect.n < self.min_seeds or not math.isfinite(effect.mean):
            return "inconclusive"
        if effect.high < self.margin:
            return "supported"
        if effect.low > 0 and effect.mean >= self.margin:
            return "refuted"
        return "inconclusive"

    def short(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"CI upper end < {self.margin:g}{unit}; {self.min_seeds}+ seeds"

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"supported if the upper end of the 95% CI of the paired gain (>= {self.min_seeds} "
            f"seeds) is below {self.margin:g}{unit}; refuted if the CI lies above 0 and the mean "
            f"gain is >= {self.margin:g}{unit}; inconclusive otherwise"
        )
