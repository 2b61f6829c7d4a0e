"""Statistics against SciPy and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from actloss.lab import stats


def test_mean_ci_is_scipys_percentile_bootstrap() -> None:
    x = [0.81, 0.84, 0.79, 0.86, 0.83]
    mean, std, (lo, hi) = stats.mean_ci(x)
    want = sps.bootstrap(
        (np.array(x),), np.mean, n_resamples=9999, method="percentile", rng=np.random.default_rng(0)
    ).confidence_interval
    assert mean == pytest.approx(np.mean(x)) and std == pytest.approx(np.std(x, ddof=1))
    assert (lo, hi) == pytest.approx((want.low, want.high))


def test_bounded_metric_intervals_stay_inside_their_bounds() -> None:
    # Issue 13, item 24: Student's t read [0.605, 1.050] for an accuracy over 2 seeds.
    accuracies = [0.7, 0.95, 1.0, 1.0]
    _, _, (lo, hi) = stats.mean_ci(accuracies)
    t_high = sps.t.interval(0.95, 3, loc=np.mean(accuracies), scale=sps.sem(accuracies))[1]
    assert t_high > 1.0  # what the t interval would have said
    assert 0.7 <= lo <= np.mean(accuracies) <= hi <= 1.0
    assert stats.mean_ci([1.0, 1.0, 1.0])[2] == (1.0, 1.0)


def test_fewer_than_three_seeds_give_no_interval_and_a_warning() -> None:
    _, std, ci = stats.mean_ci([0.7, 0.95])
    assert std == pytest.approx(np.std([0.7, 0.95], ddof=1)) and all(map(math.isnan, ci))
    r, labels = rows({"two": [0.7, 0.95], "three": [0.7, 0.8, 0.9]})
    summary = stats.summarize(r, labels)
    (warning,) = stats.few_seeds_warning(summary)
    assert "fewer than 3" in warning and "two" in warning and "three" not in warning
    assert stats.few_seeds_warning([s for s in summary if s.label == "three"]) == []


def test_mean_ci_edge_cases() -> None:
    assert math.isnan(stats.mean_ci([0.5])[1])
    assert math.isnan(stats.mean_ci([])[0])
    assert stats.mean_ci([0.5, math.nan, 0.7])[0] == pytest.approx(0.6)  # NaN: diverged, dropped


def test_holm_by_hand() -> None:
    # sorted p: 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> monotone 0.06)
    assert stats.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    out = stats.holm([math.nan, 0.02])
    assert math.isnan(out[0]) and out[1] == pytest.approx(0.02)


def rows(values: dict[str, list[float]]) -> tuple[list[dict], dict[str, str]]:
    out, labels = [], {}
    for label, vs in values.items():
        for seed, v in enumerate(vs):
            rid = f"{label}-{seed}"
            labels[rid] = label
            out.append(
                {
                    "run_id": rid,
                    "seed": seed,
                    "status": "finished",
                    "test_metric": v,
                    "test_loss": 1 - v,
                    "epochs_to_target": 3 + seed % 2,
                    "lr": 1e-3,
                    "final_val_metric": v,
                }
            )
    return out, labels


def test_paired_t_test_matches_scipy_and_is_holm_corrected() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(0.8, 0.02, 10)
    data = {
        "a": list(base),
        "b": list(base + 0.03 + rng.normal(0, 0.005, 10)),
        "c": list(base + rng.normal(0, 0.01, 10)),
    }
    r, labels = rows(data)
    tests = {(t.a, t.b): t for t in stats.compare(r, labels)}
    raw = {k: sps.ttest_rel(data[k[0]], data[k[1]]).pvalue for k in tests}
    adjusted = stats.holm(list(raw.values()))
    for (k, t), ph in zip(tests.items(), adjusted, strict=True):
        assert t.p_value == pytest.approx(raw[k]) and t.p_holm == pytest.approx(ph)
        assert t.n == 10
    assert tests[("a", "b")].significant and tests[("a", "b")].mean_diff < 0
    assert not tests[("a", "c")].significant


def test_zero_variance_differences_are_not_testable() -> None:
    r, labels = rows({"a": [0.8, 0.9, 0.7], "b": [0.79, 0.89, 0.69]})
    (t,) = stats.compare(r, labels)
    assert math.isnan(t.p_value) and not t.significant


def test_summarize_counts_divergence_and_target() -> None:
    r, labels = rows({"a": [0.8, 0.9, 0.7]})
    r[2] = {**r[2], "status": "diverged", "test_metric": None}
    (row,) = stats.summarize(r, labels)
    assert row.n == 3 and row.diverged == 1
    assert row.metric_mean == pytest.approx(0.85)
    assert row.epochs_to_target == 3.5 and row.reached == 2


def test_best_lr_is_chosen_on_validation() -> None:
    r, _ = rows({"x": [0.8, 0.8]})
    r2, _ = rows({"x": [0.9, 0.9]})
    for row in r:
        row.update(run_id=row["run_id"] + "a", lr=1e-3)
    for row in r2:
        row.update(run_id=row["run_id"] + "b", lr=1e-2, test_metric=0.1)
    labels = {row["run_id"]: f"x lr={row['lr']:g}" for row in r + r2}
    chosen = stats.best_lr(r + r2, labels)
    assert set(chosen) == {row["run_id"] for row in r2} and set(chosen.values()) == {"x (lr=0.01)"}


def test_vectorized_average_precision_matches_scikit_learn_with_ties() -> None:
    from sklearn.metrics import average_precision_score

    from actloss.lab.training import average_precision

    rng = np.random.default_rng(0)
    y = rng.random(200) > 0.7
    scores = np.round(rng.normal(size=(20, 200)) + y, 1)  # rounded: many tied scores
    want = [average_precision_score(y, s) for s in scores]
    np.testing.assert_allclose(average_precision(scores, y), want, rtol=1e-12)
