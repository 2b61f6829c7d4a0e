"""The non-superiority rule (claim 5) by hand, and the rules' texts."""

from __future__ import annotations

import pytest

from actloss.claims.decision import Effect, NonSuperiorityRule


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        (Effect(0.001, -0.004, 0.006, 10), "supported"),  # any gain is below the margin
        (Effect(-0.03, -0.05, -0.01, 10), "supported"),  # reliably worse is also not better
        (Effect(0.05, 0.03, 0.07, 10), "refuted"),  # reliably better by more than the margin
        (Effect(0.02, -0.01, 0.05, 10), "inconclusive"),  # may or may not be better
        (Effect(0.012, 0.004, 0.02, 10), "refuted"),  # above 0, mean past the margin
        (Effect(0.008, 0.002, 0.014, 10), "inconclusive"),  # above 0, mean under the margin
        (Effect(0.0, -0.001, 0.001, 2), "inconclusive"),  # too few seeds
        (Effect(float("nan"), float("nan"), float("nan"), 5), "inconclusive"),
    ],
)
def test_non_superiority(effect: Effect, expected: str) -> None:
    assert NonSuperiorityRule(margin=0.01, min_seeds=3).decide(effect) == expected


def test_non_superiority_describes_itself() -> None:
    text = NonSuperiorityRule(margin=0.01, unit="accuracy").describe()
    assert "below 0.01 accuracy" in text and ">= 3 seeds" in text
    short = NonSuperiorityRule(margin=0.01, unit="accuracy").short()
    assert short == "CI upper end < 0.01 accuracy; 3+ seeds"
