"""Property tests (hypothesis) for the claims the loss specs and the issue make."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import actloss as al
from actloss.losses import classification

from ._harness import LOSSES

finite = st.floats(-10.0, 10.0, allow_nan=False, allow_subnormal=False)


def matrices(
    rows: int = 6, cols: int = 4, elements: st.SearchStrategy = finite
) -> st.SearchStrategy:
    return arrays(np.float64, (rows, cols), elements=elements)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ----------------------------------------------------------- logits vs probability forms
@given(matrices(), st.data())
def test_logits_and_probability_forms_agree_where_not_saturated(z: np.ndarray, data) -> None:
    labels = np.array(data.draw(st.lists(st.integers(0, 3), min_size=6, max_size=6)))
    ce = al.get("cross_entropy")(labels, z, reduction="none")
    cat = al.get("categorical_cross_entropy")(labels, _softmax(z), reduction="none")
    nll = al.get("nll")(labels, np.log(_softmax(z)), reduction="none")
    # 1e-9 here and below: the probability forms take the test's own softmax/sigmoid,
    # rounded once more than the logits forms, and log(p) magnifies that rounding
    np.testing.assert_allclose(cat, ce, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nll, ce, rtol=1e-9, atol=1e-12)
    t = (z > 0.5).astype(float)
    bce_l = al.get("binary_cross_entropy_with_logits")(t, z, reduction="none")
    bce_p = al.get("binary_cross_entropy")(t, _sigmoid(z), reduction="none")
    np.testing.assert_allclose(bce_p, bce_l, rtol=1e-8, atol=1e-12)
    # and the gradients: d/dz through the chain rule of the probability form
    g_l = al.get("binary_cross_entropy_with_logits").grad(t, z, reduction="sum")
    s = _sigmoid(z)
    g_p = al.get("binary_cross_entropy").grad(t, s, reduction="sum") * s * (1 - s)
    # 1e-7: (p - t) / (p (1 - p)) times p (1 - p) cancels in floating point (1 - p loses
    # the digits of p near 1)
    np.testing.assert_allclose(g_p, g_l, rtol=1e-7, atol=1e-12)
    q = _softmax(z[::-1])
    kl_p = al.get("kl_divergence")(_softmax(z), q, reduction="none")
    kl_l = al.get("kl_divergence")(_softmax(z), np.log(q), reduction="none", log_input=True)
    np.testing.assert_allclose(kl_p, kl_l, rtol=1e-9, atol=1e-12)


# --------------------------------------------- ignore_index, smoothing, weights compose
@pytest.mark.parametrize("name", ["cross_entropy", "softmax_focal", "nll"])
@given(z=matrices(8, 4), data=st.data())
def test_ignored_rows_equal_the_loss_on_the_remaining_rows(name: str, z: np.ndarray, data) -> None:
    f = al.get(name)
    labels = np.array(data.draw(st.lists(st.integers(0, 3), min_size=8, max_size=8)))
    ignore = np.array(data.draw(st.lists(st.booleans(), min_size=8, max_size=8)))
    ignore[0] = False  # at least one counted row
    ignore_index = data.draw(st.sampled_from([-100, 7]))
    params: dict = {"ignore_index": ignore_index}
    if data.draw(st.booleans()):
        params["weight"] = np.array(
            data.draw(st.lists(st.floats(0.1, 3.0), min_size=4, max_size=4))
        )
    if name != "nll" and data.draw(st.booleans()):
        params["label_smoothing"] = data.draw(st.floats(0.0, 0.5))
    y = np.where(ignore, ignore_index, labels)
    keep = ~ignore
    for red in ("mean", "sum"):
        v, g = f.value_and_grad(y, z, reduction=red, **params)
        v_kept, g_kept = f.value_and_grad(labels[keep], z[keep], reduction=red, **params)
        np.testing.assert_allclose(v, v_kept, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(g[keep], g_kept, rtol=1e-12, atol=1e-14)
        assert np.all(g[ignore] == 0)
    none = f(y, z, reduction="none", **params)
    assert np.all(none[ignore] == 0)


def test_label_smoothing_with_integer_labels_builds_no_one_hot(monkeypatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a one-hot mask was built for the value")

    monkeypatch.setattr(classification, "onehot_mask", forbidden)
    z = np.random.default_rng(0).normal(size=(5, 3))
    y = np.array([0, 1, 2, -100, 1])
    w = np.array([1.0, 2.0, 0.5])
    for name in ("cross_entropy", "softmax_focal"):
        v = al.get(name)(y, z, label_smoothing=0.2, weight=w)
        assert np.isfinite(v)


# ---------------------------------------------------------------- huber and smooth L1
@given(
    matrices(5, 3, st.floats(-50, 50)), matrices(5, 3, st.floats(-50, 50)), st.floats(0.01, 20.0)
)
def test_huber_is_delta_times_smooth_l1(t: np.ndarray, p: np.ndarray, delta: float) -> None:
    hv, hg = al.get("huber").value_and_grad(t, p, reduction="none", delta=delta)
    sv, sg = al.get("smooth_l1").value_and_grad(t, p, reduction="none", beta=delta)
    np.testing.assert_allclose(hv, delta * sv, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(hg, delta * sg, rtol=1e-13, atol=1e-300)


@given(matrices(5, 3), matrices(5, 3))
def test_smooth_l1_at_beta_zero_is_exactly_l1_with_finite_gradient(t, p) -> None:
    p = p.copy()
    p[0] = t[0]  # include zero errors
    v, g = al.get("smooth_l1").value_and_grad(t, p, reduction="none", beta=0.0)
    mv, mg = al.get("mae").value_and_grad(t, p, reduction="none")
    np.testing.assert_array_equal(v, mv)
    np.testing.assert_array_equal(g, mg)
    assert np.all(np.isfinite(g))


# ------------------------------------------------------------------------- focal losses
@given(z=matrices(6, 4, st.floats(-30, 30)), data=st.data())
def test_softmax_focal_gamma_zero_is_exactly_cross_entropy(z: np.ndarray, data) -> None:
    labels = np.array(data.draw(st.lists(st.integers(0, 3), min_size=6, max_size=6)))
    params = {
        "label_smoothing": data.draw(st.floats(0, 0.3)),
        "weight": np.array([1.0, 0.5, 2.0, 1.5]),
    }
    a = al.get("softmax_focal").value_and_grad(labels, z, gamma=0.0, **params)
    b = al.get("cross_entropy").value_and_grad(labels, z, **params)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("scale", [100.0, 1e4])
@given(gamma=st.floats(0.01, 0.99), data=st.data())
def test_focal_gradients_are_finite_for_small_gamma_at_extreme_logits(scale, gamma, data) -> None:
    signs = np.array(
        data.draw(st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=12, max_size=12))
    ).reshape(4, 3)
    z = scale * signs
    labels = np.array(data.draw(st.lists(st.integers(0, 2), min_size=4, max_size=4)))
    v, g = al.get("softmax_focal").value_and_grad(labels, z, gamma=gamma, reduction="none")
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    # against torch's autograd of the formula, where torch itself is finite
    tz = torch.tensor(z, requires_grad=True)
    logp = torch.log_softmax(tz, -1)
    ref = -((1 - logp.exp()).clamp_min(1e-300) ** gamma * logp).gather(
        -1, torch.tensor(labels)[:, None]
    )[:, 0]
    (tg,) = torch.autograd.grad(ref.sum(), tz)
    np.testing.assert_allclose(v, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    # 1e-9: torch's autograd of the formula goes through (1 - p)^gamma, ours through the
    # stable closed form; they differ by the rounding of 1 - p near p = 1
    np.testing.assert_allclose(g, tg.numpy(), rtol=1e-9, atol=1e-12)
    t = (signs > 0).astype(float)
    fv, fg = al.get("focal").value_and_grad(t, z, gamma=gamma, reduction="none")
    assert np.all(np.isfinite(fv)) and np.all(np.isfinite(fg))


# ----------------------------------------------------------------------- segmentation
@pytest.mark.parametrize("name", ["dice", "tversky"])
@pytest.mark.parametrize("smooth", [0.0, 1.0])
def test_empty_target_with_empty_prediction_is_zero(name: str, smooth: float) -> None:
    t = np.zeros((2, 3, 3))
    p = np.zeros((2, 3, 3))
    p[1, 0, 0] = 0.5  # the second sample predicts something
    v, g = al.get(name).value_and_grad(t, p, reduction="none", smooth=smooth)
    assert v[0] == 0.0
    assert v[1] > 0
    assert np.all(np.isfinite(g))
    if smooth == 0.0:
        assert np.all(g[0] == 0)  # 0/0 is defined as a perfect match there
    else:  # d/dp_k at p = 0 is 1/s (dice) or alpha/s (tversky): back towards empty
        np.testing.assert_allclose(g[0], {"dice": 1.0, "tversky": 0.5}[name] / smooth)


# --------------------------------------------------------------- binary label encodings
BINARY = [f.name for f in LOSSES if any("{-1, 1} or {0, 1}" in n for n in f.info.notes)]


def test_binary_label_losses_are_found_from_their_notes() -> None:
    assert {"hinge", "squared_hinge", "perceptron", "soft_margin", "zero_one"} <= set(BINARY)


def _pair_input(name: str, p: np.ndarray) -> object:
    f = al.get(name)
    n = len(f.kernels.inputs)
    if n == 2 and name == "cosine_embedding":
        return (np.stack([p, p[::-1]], -1), np.stack([p[::-1], p], -1))
    if n == 2:
        return (p, p[::-1])
    return p


@pytest.mark.parametrize("name", BINARY)
@given(
    p=arrays(np.float64, 8, elements=finite), bits=arrays(np.int64, 8, elements=st.integers(0, 1))
)
def test_both_binary_encodings_give_the_same_loss(
    name: str, p: np.ndarray, bits: np.ndarray
) -> None:
    f = al.get(name)
    y_pred = _pair_input(name, p)
    pm = 2 * bits - 1
    a = f(bits, y_pred, reduction="none")
    b = f(pm, y_pred, reduction="none")
    np.testing.assert_array_equal(a, b)
    if f.kernels.has_grad:
        for ga, gb in zip(
            np.atleast_1d(f.grad(bits, y_pred)), np.atleast_1d(f.grad(pm, y_pred)), strict=True
        ):
            np.testing.assert_array_equal(ga, gb)


def test_hinge_matches_scikit_learn_in_both_encodings() -> None:
    from sklearn.metrics import hinge_loss

    p = np.array([0.3, -1.2, 2.0, -0.1, 0.8])
    y01 = np.array([1, 0, 1, 1, 0])
    want = hinge_loss(y01, p)
    assert np.isclose(al.get("hinge")(y01, p), want, rtol=1e-14)
    assert np.isclose(al.get("hinge")(2 * y01 - 1, p), want, rtol=1e-14)


def test_soft_margin_agrees_with_torch_functional_where_it_does_not_overflow() -> None:
    rng = np.random.default_rng(0)
    x, t = rng.normal(scale=3, size=(4, 3)), rng.choice([-1.0, 1.0], size=(4, 3))
    ref = F.soft_margin_loss(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(al.get("soft_margin")(t, x, reduction="none"), ref, rtol=1e-12)


# ----------------------------------------------------------------- reductions are formulas
@given(t=matrices(4, 3), p=matrices(4, 3), w=arrays(np.float64, 4, elements=st.floats(0.0, 5.0)))
def test_mean_with_sample_weight_is_the_weighted_average(t, p, w) -> None:
    from sklearn.metrics import mean_squared_error

    if w.sum() == 0:
        w = w + 1.0
    ours = al.get("mse")(t, p, sample_weight=w)
    theirs = mean_squared_error(t, p, sample_weight=w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300)


def test_mean_of_nothing_is_nan_as_pytorch() -> None:
    z = np.zeros((2, 3))
    y = np.array([-100, -100])
    v = al.get("cross_entropy")(y, z)
    ref = F.cross_entropy(torch.tensor(z), torch.tensor(y)).item()
    assert np.isnan(v) and np.isnan(ref)
    assert np.all(al.get("cross_entropy").grad(y, z) == 0)


# --------------------------------------------------------- probability losses clip once
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probability_losses_clip_at_the_dtype_epsilon(dtype: type) -> None:
    eps = float(np.finfo(dtype).eps)
    t = np.array([1.0, 0.0, 1.0, 0.0], dtype=dtype)
    p = np.array([0.0, 1.0, 1.0, 0.0], dtype=dtype)
    v, g = al.get("binary_cross_entropy").value_and_grad(t, p, reduction="none")
    assert v.dtype == dtype and np.all(np.isfinite(g))
    # 1e-6 here and below: float32 results (-log eps ~ 15.9 to float32's 6e-8 relative)
    np.testing.assert_allclose(v[:2], -np.log(eps), rtol=1e-6)
    assert np.all(v[2:] < 10 * eps)
    onehot, probs = np.eye(3, dtype=dtype), np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype)
    v, g = al.get("categorical_cross_entropy").value_and_grad(onehot, probs, reduction="none")
    np.testing.assert_allclose(v, [-np.log(eps), -np.log(eps), -np.log1p(-eps)], rtol=1e-6)
    assert np.all(np.isfinite(g))
    for name in ("kl_divergence", "js_divergence"):
        v, g = al.get(name).value_and_grad(onehot, probs, reduction="none")
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(g)) and v[2] == 0
