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

A compound claim ("sigmoid and tanh make gradients vanish") is decided per part (and per
condition the experiment sweeps, e.g. the initialization): each part's effect gets its own
verdict by the same rule, and the claim's verdict is theirs when they agree, ``mixed`` when
they do not (never the verdict of the smaller effect alone).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, stdev
from typing import Literal

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
    """A measured effect with its 95% CI and the number of paired samples (seeds)."""

    mean: float
    low: float
    high: float
    n: int


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
