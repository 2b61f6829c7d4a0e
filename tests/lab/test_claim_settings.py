"""The lab settings and extra numbers that the claims need: outliers in the training targets
only, a minority share, a cosine-decayed rate, and the per-run ``metrics`` table."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score

from actloss.lab import Store, run
from actloss.lab.data import load
from actloss.lab.runs import expand
from actloss.lab.training import NEAR_ZERO, _Head, extra_numbers

from ._tiny import tiny


def test_outliers_go_into_the_training_targets_only() -> None:
    clean = load("regression_outliers", 300, 42, 0.2, 0.2, 0.0)
    dirty = load("regression_outliers", 300, 42, 0.2, 0.2, 0.2)
    np.testing.assert_array_equal(clean.x_test, dirty.x_test)
    # targets are standardized with each split's training statistics: the clean test targets
    # are the same up to that affine map, the training targets differ at the outliers only
    a, b = np.polyfit(dirty.y_test, clean.y_test, 1)
    np.testing.assert_allclose(a * dirty.y_test + b, clean.y_test, atol=1e-9)
    z_clean = np.concatenate([clean.y_train, clean.y_val])
    z_dirty = a * np.concatenate([dirty.y_train, dirty.y_val]) + b
    moved = np.abs(z_dirty - z_clean) > 1e-6
    assert moved.sum() == round(0.2 * len(z_clean))
    assert np.min(np.abs(z_dirty - z_clean)[moved]) > 5  # +-10 standard deviations


@pytest.mark.parametrize("share", [0.5, 0.2, 0.05])
def test_minority_fraction_sets_the_share_of_class_1(share: float) -> None:
    s = load("imbalanced", 2000, 42, 0.2, 0.2, None, share)
    y = np.concatenate([s.y_train, s.y_val, s.y_test])
    assert abs(float(y.mean()) - share) < 0.03


def test_unset_settings_keep_run_ids_and_set_ones_change_them() -> None:
    base = expand(tiny())[0]
    assert "lr_decay" not in base.to_dict() and "outlier_fraction" not in base.to_dict()
    decayed = expand(tiny(lr_decay="cosine"))[0]
    assert decayed.to_dict()["lr_decay"] == "cosine" and decayed.run_id != base.run_id
    assert decayed.batch_key != base.batch_key
    with pytest.raises(ValueError, match="lr_decay"):
        tiny(lr_decay="step")
    with pytest.raises(ValueError, match="outlier_fraction"):
        tiny(outlier_fraction=1.5)


def test_cosine_decay_changes_training_and_metrics_are_stored(tmp_path: Path) -> None:
    fixed = tiny(optimizer="sgd", lrs=(0.5,), datasets=("imbalanced",), seeds=(0,))
    decayed = tiny(
        optimizer="sgd", lrs=(0.5,), datasets=("imbalanced",), seeds=(0,), lr_decay="cosine"
    )
    runs_f, _ = run(fixed, tmp_path)
    runs_d, _ = run(decayed, tmp_path)
    store = Store(tmp_path)
    rf, rd = store.runs([runs_f[0].run_id])[0], store.runs([runs_d[0].run_id])[0]
    assert rf["test_loss"] != rd["test_loss"]
    got = store.metrics([runs_f[0].run_id])[runs_f[0].run_id]
    assert set(got) == {
        "average_precision",
        "minority_recall",
        "near_zero_weights",
        "weight_l1",
        "weight_l2",
        "test_metric_best_val",  # the early-stopping checkpoint's test metric
    }
    assert 0 <= got["average_precision"] <= 1 and 0 <= got["near_zero_weights"] <= 1


def _head(n: int, threshold: float) -> _Head:
    empty = torch.zeros(0)
    return _Head(slice(0, n), lambda a, b: a, threshold, empty, empty, empty)


def test_extra_numbers_against_hand_computed_values() -> None:
    # two models, binary: scores and labels; the AP reference is scikit-learn's
    y = torch.tensor([[1.0], [0.0], [1.0], [0.0], [0.0]])
    out = np.array([[[0.9], [0.2], [0.4], [0.6], [0.1]], [[0.1], [0.9], [0.8], [0.2], [0.3]]])
    w = [torch.tensor([[[0.001, 0.5], [-2.0, 0.0]], [[0.3, 0.3], [0.3, 0.3]]])]
    got = extra_numbers("binary", out, [y], [_head(2, 0.5)], w)
    yt = y.numpy().ravel()
    assert got["average_precision"][0] == pytest.approx(average_precision_score(yt, out[0, :, 0]))
    assert got["average_precision"][1] == pytest.approx(average_precision_score(yt, out[1, :, 0]))
    assert got["minority_recall"].tolist() == [0.5, 0.5]  # 0.9 > 0.5, 0.4 < 0.5 | 0.1, 0.8
    assert got["near_zero_weights"].tolist() == [0.5, 0.0]  # |w| < NEAR_ZERO: 0.001 and 0
    assert NEAR_ZERO == 1e-2
    assert got["weight_l2"][0] == pytest.approx(math.sqrt(0.001**2 + 0.25 + 4.0))
    assert got["weight_l1"][1] == pytest.approx(1.2)


def test_multiclass_entropy_and_calibration_by_hand() -> None:
    # one model, 2 samples, 2 classes, probabilities given directly (rows sum to 1)
    p = np.array([[[0.9, 0.1], [0.6, 0.4]]])
    labels = torch.tensor([0, 1])
    got = extra_numbers("multiclass", p, [labels], [_head(1, 0.0)], [torch.zeros(1, 2, 2)])
    h = lambda q: -(q * math.log(q) + (1 - q) * math.log(1 - q))  # noqa: E731
    assert got["entropy"][0] == pytest.approx((h(0.9) + h(0.6)) / 2)
    # bins: 0.9 -> bin 9 (correct, gap 0.1), 0.6 -> bin 6 (wrong, gap 0.6): ECE = 0.7 / 2
    assert got["ece"][0] == pytest.approx(0.35)
    # logits instead of probabilities: the softmax is taken
    z = np.log(p)
    again = extra_numbers("multiclass", z, [labels], [_head(1, 0.0)], [torch.zeros(1, 2, 2)])
    assert again["entropy"][0] == pytest.approx(got["entropy"][0])
    # NaN propagates
    bad = extra_numbers(
        "multiclass", np.full((1, 2, 2), np.nan), [labels], [_head(1, 0.0)], [torch.zeros(1, 2, 2)]
    )
    assert math.isnan(bad["entropy"][0]) and math.isnan(bad["ece"][0])


def test_true_coefficients_and_parameter_error() -> None:
    s = load("regression_outliers", 1000, 42, 0.2, 0.2, 0.0)
    assert s.coef is not None and s.coef.shape == (20,)
    # least squares on the clean, standardized training data recovers them (noise 10)
    fit = np.linalg.lstsq(np.c_[s.x_train, np.ones(len(s.y_train))], s.y_train, rcond=None)[0]
    assert np.linalg.norm(fit[:20] - s.coef) / np.linalg.norm(s.coef) < 0.05
    w = torch.tensor(np.stack([s.coef, 2 * s.coef])[:, :, None])
    got = extra_numbers(
        "regression", np.zeros((2, 3, 1)), [torch.zeros(3)], [_head(2, 0.0)], [w], s.coef
    )
    np.testing.assert_allclose(got["parameter_error"], [0.0, 1.0], atol=1e-12)
    assert load("diabetes", None, 42, 0.2, 0.2).coef is None
