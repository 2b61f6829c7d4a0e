"""Combined losses: weighted terms on selected inputs, schedules, serial training, penalties.

References are the PyTorch losses added by hand, differentiated by torch autograd.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import actloss as al
from actloss.losses import combine, serial, term

from ._harness import assert_close, to_ns


@pytest.fixture
def detection() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    boxes_t, boxes_p = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    labels, logits = rng.integers(0, 3, size=5), rng.normal(size=(5, 3))
    return (boxes_t, labels), (boxes_p, logits)


def _torch_detection(y_true: tuple, y_pred: tuple, w_ce: float, reduction: str) -> tuple:
    bt, lab = torch.tensor(y_true[0]), torch.tensor(y_true[1])
    bp = torch.tensor(y_pred[0], requires_grad=True)
    lg = torch.tensor(y_pred[1], requires_grad=True)
    out = F.mse_loss(bp, bt, reduction=reduction) + w_ce * F.cross_entropy(
        lg, lab, reduction=reduction
    )
    gb, gl = torch.autograd.grad(out, (bp, lg))
    return out.detach().numpy(), (gb.numpy(), gl.numpy())


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_detection_mse_boxes_plus_cross_entropy_classes(detection: tuple, reduction: str) -> None:
    y_true, y_pred = detection
    det = combine(term("mse", select=0), term("cross_entropy", weight=0.5, select=1))
    v, g = det.value_and_grad(y_true, y_pred, reduction=reduction)
    ref_v, ref_g = _torch_detection(y_true, y_pred, 0.5, reduction)
    assert_close(v, ref_v, 1e-12)
    assert isinstance(g, tuple) and len(g) == 2
    assert_close(g, list(ref_g), 1e-12)
    assert_close(det(y_true, y_pred, reduction=reduction), ref_v, 1e-12)
    assert det.info.family == "combined" and "mse" in det.info.summary
    assert set(det.info.reductions) == {"mean", "sum", "none"}


@pytest.mark.parametrize("ns", ["torch", "array_api_strict"])
def test_combined_in_other_namespaces(detection: tuple, ns: str) -> None:
    y_true, y_pred = detection
    det = combine(term("mse", select=0), term("cross_entropy", weight=0.5, select=1))
    v, g = det.value_and_grad(to_ns(y_true, ns), to_ns(y_pred, ns))
    ref_v, ref_g = _torch_detection(y_true, y_pred, 0.5, "mean")
    assert type(v) is type(to_ns(y_pred, ns)[0])
    assert_close(v, ref_v, 1e-12)
    assert_close(g, list(ref_g), 1e-12)


def test_loss_plus_l2_penalty() -> None:
    rng = np.random.default_rng(3)
    w1, w2 = rng.normal(size=(4, 3)), rng.normal(size=3)
    logits, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    f = combine(term("cross_entropy", select=0), term("l2_penalty", select=1, alpha=0.1))
    v, (g_logits, (g_w1, g_w2)) = f.value_and_grad((labels, None), (logits, [w1, w2]))
    tl = torch.tensor(logits, requires_grad=True)
    tw1, tw2 = torch.tensor(w1, requires_grad=True), torch.tensor(w2, requires_grad=True)
    ref = F.cross_entropy(tl, torch.tensor(labels)) + 0.05 * (tw1.pow(2).sum() + tw2.pow(2).sum())
    grads = torch.autograd.grad(ref, (tl, tw1, tw2))
    assert_close(v, ref.detach().numpy(), 1e-12)
    assert_close([g_logits, g_w1, g_w2], [g.numpy() for g in grads], 1e-12)
    # the penalty is a total in every reduction
    v_sum = f((labels, None), (logits, [w1, w2]), reduction="sum")
    ce_sum = F.cross_entropy(tl, torch.tensor(labels), reduction="sum")
    pen = 0.05 * (tw1.pow(2).sum() + tw2.pow(2).sum())
    assert_close(v_sum, (ce_sum + pen).detach().numpy(), 1e-12)
    with pytest.raises(ValueError, match="'none' is not defined"):
        f((labels, None), (logits, [w1, w2]), reduction="none")


def test_weight_schedules_and_serial(detection: tuple) -> None:
    y_true, y_pred = detection
    mse = al.get("mse")(y_true[0], y_pred[0])
    ce = al.get("cross_entropy")(y_true[1], y_pred[1])
    ramp = combine(
        term("mse", weight=[(0, 1.0), (100, 0.25)], select=0),
        term("cross_entropy", weight=lambda step: min(1.0, step / 10), select=1),
    )
    assert_close(ramp(y_true, y_pred, step=0), mse, 1e-14)
    assert_close(ramp(y_true, y_pred, step=5), mse + 0.5 * ce, 1e-14)
    assert_close(ramp(y_true, y_pred, step=100), 0.25 * mse + ce, 1e-14)
    s = serial(term("mse", select=0), term("cross_entropy", select=1), switch_at=50)
    assert_close(s(y_true, y_pred, step=49), mse, 1e-14)
    assert_close(s(y_true, y_pred, step=50), ce, 1e-14)
    g_early = s.grad(y_true, y_pred, step=0)
    assert np.all(g_early[1] == 0) and np.any(g_early[0] != 0)
    g_late = s.grad(y_true, y_pred, step=50)
    assert np.all(g_late[0] == 0) and np.any(g_late[1] != 0)


def test_none_reduction_adds_per_sample_terms_of_equal_shape() -> None:
    rng = np.random.default_rng(0)
    t, p = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    f = combine(term("mse"), term("huber", weight=2.0, delta=0.5))
    want = al.get("mse")(t, p, reduction="none") + 2.0 * al.get("huber")(
        t, p, reduction="none", delta=0.5
    )
    assert_close(f(t, p, reduction="none"), want, 1e-14)
    # the gradient of the summed per-sample values, checked by central differences
    g = f.grad(t, p, reduction="sum")
    h = 1e-6
    for idx in [(0, 0), (2, 1), (3, 0)]:
        up, dn = p.copy(), p.copy()
        up[idx] += h
        dn[idx] -= h
        fd = (float(f(t, up, reduction="sum")) - float(f(t, dn, reduction="sum"))) / (2 * h)
        assert abs(g[idx] - fd) < 1e-6
    g2 = combine(term("mse", select=0), term("cross_entropy", select=1))
    with pytest.raises(ValueError, match="cannot be added"):
        rng2 = np.random.default_rng(1)
        g2(
            (rng2.normal(size=(3, 4)), np.array([0, 1, 2])),
            (rng2.normal(size=(3, 4)), rng2.normal(size=(3, 3))),
            reduction="none",
        )


def test_combined_can_be_registered_and_looked_up(detection: tuple) -> None:
    y_true, y_pred = detection
    det = combine(term("mse", select=0), term("cross_entropy", select=1), name="detection_demo")
    al.register(det)
    try:
        assert al.get("detection_demo") is det
        assert_close(al.get("detection_demo")(y_true, y_pred), det(y_true, y_pred), 0)
    finally:
        al.unregister("detection_demo")
    with pytest.raises(al.UnknownNameError):
        al.get("detection_demo")


def test_combined_bad_input(detection: tuple) -> None:
    y_true, y_pred = detection
    with pytest.raises(TypeError, match=r"unexpected parameter 'dleta'.*delta"):
        term("huber", dleta=1.0)
    with pytest.raises(ValueError, match="select=5 is out of range"):
        combine(term("mse", select=5))(y_true, y_pred)
    with pytest.raises(TypeError, match="weight must be"):
        term("mse", weight="high")
    with pytest.raises(ValueError, match="finite"):
        term("mse", weight=float("nan"))
    with pytest.raises(TypeError, match="parameters belong to the terms"):
        combine(term("mse", select=0))(y_true, y_pred, delta=1.0)
    with pytest.raises(al.NoGradientError):
        combine(term("zero_one", select=1)).grad(y_true, y_pred)
