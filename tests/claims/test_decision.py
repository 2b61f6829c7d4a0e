"""Decision rules: verdicts from effects, checked against SciPy and by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from actloss.claims.decision import DecisionRule, Effect, ToleranceRule, paired_effect


def test_paired_effect_matches_scipy_t_interval() -> None:
    d = [0.12, 0.05, 0.2, 0.08, 0.15, 0.1]
    e = paired_effect(d)
    lo, hi = stats.t.interval(0.95, len(d) - 1, loc=stats.tmean(d), scale=stats.sem(d))
    assert e.n == 6
    assert e.mean == pytest.approx(sum(d) / 6, rel=1e-12)
    assert (e.low, e.high) == pytest.approx((lo, hi), rel=1e-10)


def test_paired_effect_ignores_non_finite_and_handles_tiny_samples() -> None:
    assert paired_effect([math.nan, math.inf]).n == 0
    one = paired_effect([0.3])
    assert one.n == 1 and one.low == -math.inf and one.high == math.inf


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        (Effect(0.10, 0.05, 0.15, 10), "supported"),
        (Effect(0.01, 0.005, 0.015, 10), "refuted"),  # real but below min_effect: CI inside band
        (Effect(-0.10, -0.15, -0.05, 10), "refuted"),  # the opposite direction
        (Effect(0.05, -0.02, 0.12, 10), "inconclusive"),  # straddles 0
        (Effect(0.30, 0.20, 0.40, 2), "inconclusive"),  # too few seeds
        (Effect(0.015, 0.005, 0.025, 10), "inconclusive"),  # CI above 0, mean below min_effect
    ],
)
def test_decision_rule(effect: Effect, expected: str) -> None:
    assert DecisionRule(min_effect=0.02, min_seeds=3).decide(effect) == expected


def test_tolerance_rule() -> None:
    rule = ToleranceRule(1e-10)
    assert rule.decide(1e-12) == "supported"
    assert rule.decide(1e-3) == "refuted"
    assert rule.decide(math.nan) == "inconclusive"
    assert "1e-10" in rule.describe()
