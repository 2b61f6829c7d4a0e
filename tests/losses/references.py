"""The loss reference table: for every catalog loss, sample inputs and an independent reference.

Each ``Entry`` gives sample inputs (NumPy, float64) and ``ref(y_true, y_pred, reduction,
**params)``, written with PyTorch (its functional loss where it has one, otherwise the
formula spelled out in torch) so that torch autograd gives the reference gradient.
``sklearn`` optionally gives scikit-learn's metric for the mean value. ``pinned`` holds
canonical values, each with its source (a library at a stated version, or a closed form
by hand; the section at the end of this file), and every tolerance override states its
reason (``tol_reason``). Tests iterate over this table and fail for a registered loss
that has no entry here (test_reference_table.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn import metrics

Array = np.ndarray


@dataclass
class Sample:
    y_true: Any
    y_pred: Any  # an array or a tuple/list of arrays
    params: dict[str, Any] = field(default_factory=dict)
    tag: str = ""


@dataclass(frozen=True)
class Pinned:
    """A canonical value: ``loss(y_true, y_pred, **params)`` (default reduction) equals
    ``value`` to ``rtol`` (1e-12 unless ``reason`` says why not), from ``source``."""

    y_true: Any
    y_pred: Any  # nested lists, or a tuple of them for several prediction arrays
    value: float
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    rtol: float = 1e-12
    reason: str = ""


# the defaults of Entry's tolerances; an entry that changes one says why (tol_reason)
RTOL32 = 2e-6
GRAD_RTOL = 1e-10


@dataclass
class Entry:
    name: str
    samples: Callable[[np.random.Generator], list[Sample]]
    ref: Callable[..., torch.Tensor]
    sklearn: Callable[..., float] | None = None
    extreme: Callable[[], list[Sample]] | None = None  # logits of +-1e4 (exact, finite grads)
    separable: bool = True  # rows along axis 0 are independent samples
    grad: bool = True
    kinks: bool = False  # finite differences only away from kinks (samples avoid them)
    rtol32: float = RTOL32  # float32 (and float16-in-float32) runs vs float64
    grad_rtol: float = GRAD_RTOL  # looser only for numerically differentiated (user) losses
    tol_reason: str = ""  # why rtol32 or grad_rtol differ from the defaults
    pinned: list[Pinned] = field(default_factory=list)  # filled in by pin() at the end


def reduce_ref(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """Plain reductions of a per-sample torch loss."""
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


TABLE: dict[str, Entry] = {}


def entry(e: Entry) -> Entry:
    assert e.name not in TABLE, e.name
    TABLE[e.name] = e
    return e


def _reg_samples(rng: np.random.Generator, **params: Any) -> list[Sample]:
    t = rng.normal(size=(6, 3))
    p = t + rng.normal(scale=1.5, size=(6, 3))
    t1 = rng.normal(size=7)
    p1 = t1 + rng.normal(size=7)
    return [Sample(t, p, dict(params), "2d"), Sample(t1, p1, dict(params), "1d")]


def _skl(fn: Callable[..., float]) -> Callable[..., float]:
    return lambda t, p, **kw: fn(np.ravel(t), np.ravel(p), **kw)


# ----------------------------------------------------------------------------- regression
entry(
    Entry(
        "mse",
        _reg_samples,
        lambda t, p, r: F.mse_loss(p, t, reduction=r),
        sklearn=_skl(metrics.mean_squared_error),
    )
)
entry(Entry("l2", _reg_samples, lambda t, p, r: F.mse_loss(p, t, reduction=r)))
entry(
    Entry(
        "mae",
        _reg_samples,
        lambda t, p, r: F.l1_loss(p, t, reduction=r),
        sklearn=_skl(metrics.mean_absolute_error),
        kinks=True,
    )
)
entry(Entry("l1", _reg_samples, lambda t, p, r: F.l1_loss(p, t, reduction=r), kinks=True))
entry(
    Entry(
        "huber",
        lambda rng: _reg_samples(rng) + _reg_samples(rng, delta=0.7),
        lambda t, p, r, delta=1.0: F.huber_loss(p, t, reduction=r, delta=delta),
        kinks=True,
    )
)
entry(
    Entry(
        "smooth_l1",
        lambda rng: _reg_samples(rng) + _reg_samples(rng, beta=0.4) + _reg_samples(rng, beta=0.0),
        lambda t, p, r, beta=1.0: F.smooth_l1_loss(p, t, reduction=r, beta=beta),
        kinks=True,
    )
)
entry(Entry("log_cosh", _reg_samples, lambda t, p, r: reduce_ref(torch.log(torch.cosh(p - t)), r)))


def _pinball_ref(t: torch.Tensor, p: torch.Tensor, r: str, q: float = 0.5) -> torch.Tensor:
    d = t - p
    return reduce_ref(torch.maximum(q * d, (q - 1) * d), r)


entry(
    Entry(
        "quantile",
        lambda rng: _reg_samples(rng) + _reg_samples(rng, q=0.9),
        _pinball_ref,
        sklearn=lambda t, p, q=0.5: metrics.mean_pinball_loss(np.ravel(t), np.ravel(p), alpha=q),
        kinks=True,
    )
)


def _positive_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.uniform(0.0, 5.0, size=(5, 3))
    p = rng.uniform(0.1, 5.0, size=(5, 3))
    return [Sample(t, p), Sample(t[:, 0], p[:, 0], tag="1d")]


entry(
    Entry(
        "msle",
        _positive_samples,
        lambda t, p, r: reduce_ref((torch.log1p(p) - torch.log1p(t)) ** 2, r),
        sklearn=_skl(metrics.mean_squared_log_error),
    )
)


def _mape_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.uniform(0.5, 3.0, size=(5, 3)) * rng.choice([-1.0, 1.0], size=(5, 3))
    return [Sample(t, t + rng.normal(size=(5, 3)))]


entry(
    Entry(
        "mape",
        _mape_samples,
        lambda t, p, r: reduce_ref((p - t).abs() / t.abs(), r),
        sklearn=_skl(metrics.mean_absolute_percentage_error),
        kinks=True,
    )
)


def _poisson_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.poisson(2.0, size=(6, 2)).astype(float)
    logp = rng.normal(0.5, 0.7, size=(6, 2))
    return [
        Sample(t, logp),
        Sample(t, logp, {"full": True}, "full"),
        Sample(t, np.exp(logp), {"log_input": False}, "rate"),
        Sample(t, np.exp(logp), {"log_input": False, "full": True, "eps": 1e-3}, "rate-full"),
    ]


entry(
    Entry(
        "poisson_nll",
        _poisson_samples,
        lambda t, p, r, log_input=True, full=False, eps=1e-8: F.poisson_nll_loss(
            p, t, log_input=log_input, full=full, eps=eps, reduction=r
        ),
    )
)


def _gauss_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.normal(size=(5, 3))
    mu = t + rng.normal(size=(5, 3))
    var = rng.uniform(0.2, 2.0, size=(5, 3))
    return [
        Sample(t, (mu, var)),
        Sample(t, (mu, var[:, :1]), {"full": True}, "homoscedastic"),
        Sample(t, (mu, var[:, 0]), {}, "per-sample-var"),
        # PyTorch's documented broadcasting: a target with one dimension of size 1, a variance
        # with one dimension of size 1 (not the last), a scalar variance
        Sample(t[:1], (mu, var), {}, "target-broadcast"),
        Sample(t, (mu, var[:1]), {}, "var-one-row"),
        Sample(t, (mu, np.array(0.7)), {}, "scalar-var"),
    ]


def _gauss_ref(
    t: torch.Tensor, pred: Any, r: str, full: bool = False, eps: float = 1e-6
) -> torch.Tensor:
    mu, var = pred
    if var.ndim == 0:  # PyTorch takes a scalar variance as a float; expanded, it keeps a grad
        var = var.expand_as(mu)
    return F.gaussian_nll_loss(mu, t, var, full=full, eps=eps, reduction=r)


entry(Entry("gaussian_nll", _gauss_samples, _gauss_ref))


# ------------------------------------------------------------------------- classification
def _tt(x: Any) -> Any:
    return None if x is None else torch.as_tensor(np.asarray(x), dtype=torch.float64)


def _softmax_np(z: Array) -> Array:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _ce_samples(rng: np.random.Generator) -> list[Sample]:
    z = rng.normal(scale=2.0, size=(7, 4))
    y = rng.integers(0, 4, size=7)
    y_ign = y.copy()
    y_ign[[1, 4]] = -100
    w = rng.uniform(0.2, 2.0, size=4)
    soft = rng.dirichlet(np.ones(4), size=7)
    z3 = rng.normal(size=(2, 3, 5))
    y3 = rng.integers(0, 5, size=(2, 3))
    return [
        Sample(y, z, {}, "labels"),
        Sample(y, z, {"weight": w}, "weight"),
        Sample(y_ign, z, {}, "ignore"),
        Sample(y, z, {"ignore_index": 2}, "ignore-2"),
        Sample(y, z, {"label_smoothing": 0.2}, "smoothing"),
        Sample(y_ign, z, {"weight": w, "label_smoothing": 0.1}, "all"),
        Sample(soft, z, {}, "soft"),
        Sample(soft, z, {"weight": w, "label_smoothing": 0.3}, "soft-all"),
        Sample(y3, z3, {"label_smoothing": 0.1}, "3d"),
        # PyTorch's layout (N, C, d): classes on axis 1
        Sample(y3, np.moveaxis(z3, -1, 1), {"axis": 1, "weight": w[:1].repeat(5)}, "axis1"),
        Sample(
            np.moveaxis(_softmax_np(z3), -1, 1), np.moveaxis(z3, -1, 1), {"axis": 1}, "axis1-soft"
        ),
    ]


def _ce_ref(
    t: torch.Tensor,
    z: torch.Tensor,
    r: str,
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    if axis == 1:  # already PyTorch's (N, C, d1, ...) layout
        zz, tt = z, t
    else:
        zz = z.movedim(-1, 1) if z.ndim > 2 else z
        tt = t.movedim(-1, 1) if (t.dtype.is_floating_point and t.ndim > 2) else t
    return F.cross_entropy(
        zz,
        tt,
        weight=_tt(weight),
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
        reduction=r,
    )


def _ce_extreme() -> list[Sample]:
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [1e4, 1e4, -1e4]])
    y = np.array([0, 0, 2])
    return [Sample(y, z), Sample(y, z, {"label_smoothing": 0.1, "weight": np.array([1.0, 2, 3])})]


entry(Entry("cross_entropy", _ce_samples, _ce_ref, extreme=_ce_extreme))


def _nll_samples(rng: np.random.Generator) -> list[Sample]:
    return [
        Sample(s.y_true, np.log(_softmax_np(s.y_pred)), s.params, s.tag)
        for s in _ce_samples(rng)
        if s.tag in ("labels", "weight", "ignore", "ignore-2")
    ] + [
        Sample(
            s.y_true, np.log(_softmax_np(s.y_pred.swapaxes(1, -1))).swapaxes(1, -1), s.params, s.tag
        )
        for s in _ce_samples(rng)
        if s.tag == "axis1"
    ]


entry(
    Entry(
        "nll",
        _nll_samples,
        lambda t, lp, r, weight=None, ignore_index=-100, axis=-1: F.nll_loss(
            lp, t, weight=_tt(weight), ignore_index=ignore_index, reduction=r
        ),
    )
)


def _cat_samples(rng: np.random.Generator) -> list[Sample]:
    p = _softmax_np(rng.normal(size=(6, 3)))
    y = rng.integers(0, 3, size=6)
    y[:3] = [0, 1, 2]
    return [
        Sample(np.eye(3)[y], p, {}, "onehot"),
        Sample(rng.dirichlet(np.ones(3), size=6), p, {}, "soft"),
        Sample(y, p, {}, "labels"),
    ]


def _cat_ref(t: torch.Tensor, p: torch.Tensor, r: str) -> torch.Tensor:
    if not t.dtype.is_floating_point:
        t = F.one_hot(t, p.shape[-1]).double()
    return reduce_ref(-(t * torch.log(p)).sum(-1), r)


def _cat_sklearn(t: Array, p: Array) -> float:
    labels = np.argmax(t, axis=-1) if t.ndim == p.ndim else t
    if t.ndim == p.ndim and not np.all((t == 0) | (t == 1)):
        return float("nan")  # scikit-learn's log_loss takes labels only
    return float(metrics.log_loss(labels, p, labels=list(range(p.shape[-1]))))


entry(Entry("categorical_cross_entropy", _cat_samples, _cat_ref, sklearn=_cat_sklearn))


def _bce_samples(rng: np.random.Generator) -> list[Sample]:
    p = rng.uniform(0.05, 0.95, size=(5, 3))
    t = rng.integers(0, 2, size=(5, 3)).astype(float)
    t1 = np.array([0.0, 1, 1, 0, 1, 0])
    return [
        Sample(t, p, {}, "hard"),
        Sample(rng.uniform(size=(5, 3)), p, {}, "soft"),
        Sample(t1, rng.uniform(0.05, 0.95, size=6), {}, "1d"),
    ]


def _bce_sklearn(t: Array, p: Array) -> float:
    if t.ndim != 1:
        return float("nan")
    return float(metrics.log_loss(t, p, labels=[0, 1]))


entry(
    Entry(
        "binary_cross_entropy",
        _bce_samples,
        lambda t, p, r: F.binary_cross_entropy(p, t, reduction=r),
        sklearn=_bce_sklearn,
    )
)


def _bcel_samples(rng: np.random.Generator) -> list[Sample]:
    x = rng.normal(scale=3.0, size=(5, 3))
    t = rng.integers(0, 2, size=(5, 3)).astype(float)
    return [
        Sample(t, x, {}, "hard"),
        Sample(rng.uniform(size=(5, 3)), x, {}, "soft"),
        Sample(t, x, {"pos_weight": 2.5}, "pos_weight"),
        Sample(t, x, {"pos_weight": np.array([0.5, 1.0, 3.0])}, "pos_weight-per-class"),
    ]


def _bcel_extreme() -> list[Sample]:
    x = np.array([[1e4, -1e4], [-1e4, 1e4], [1e4, 0.0]])
    t = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.5]])
    return [Sample(t, x), Sample(t, x, {"pos_weight": np.array([2.0, 0.5])})]


entry(
    Entry(
        "binary_cross_entropy_with_logits",
        _bcel_samples,
        lambda t, x, r, pos_weight=None: F.binary_cross_entropy_with_logits(
            x, t, pos_weight=_tt(pos_weight), reduction=r
        ),
        extreme=_bcel_extreme,
    )
)


def _sigmoid_focal_ref(
    t: torch.Tensor, x: torch.Tensor, r: str, alpha: float = 0.25, gamma: float = 2.0
) -> torch.Tensor:
    """torchvision.ops.sigmoid_focal_loss, written out."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return reduce_ref(loss, r)


def _focal_samples(rng: np.random.Generator) -> list[Sample]:
    x = rng.normal(scale=2.0, size=(6, 3))
    t = rng.integers(0, 2, size=(6, 3)).astype(float)
    return [
        Sample(t, x, {}, "default"),
        Sample(t, x, {"alpha": -1.0, "gamma": 0.5}, "gamma-0.5"),
        Sample(t, x, {"alpha": 0.6, "gamma": 0.0}, "gamma-0"),
        Sample(rng.uniform(size=(6, 3)), x, {"gamma": 1.5}, "soft"),
    ]


def _focal_extreme() -> list[Sample]:
    x = np.array([[1e4, -1e4], [-1e4, 1e4], [100.0, -100.0]])
    t = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    return [Sample(t, x), Sample(t, x, {"alpha": -1.0, "gamma": 3.0})]


entry(Entry("focal", _focal_samples, _sigmoid_focal_ref, extreme=_focal_extreme))


def _softmax_focal_ref(
    t: torch.Tensor,
    z: torch.Tensor,
    r: str,
    gamma: float = 2.0,
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """-(sum_c a_c (1 - p_c)^gamma log p_c) with one-hot smoothed, weighted targets."""
    c = z.shape[-1]
    logp = torch.log_softmax(z, dim=-1)
    f = (1 - logp.exp()) ** gamma * logp
    w = torch.ones(c, dtype=torch.float64) if weight is None else _tt(weight)
    if t.dtype.is_floating_point:
        a = ((1 - label_smoothing) * t + label_smoothing / c) * w
        loss = -(a * f).sum(-1)
        return reduce_ref(loss, r)
    valid = t != ignore_index
    lab = torch.where(valid, t, torch.zeros_like(t))
    onehot = F.one_hot(lab, c).double()
    wy = w[lab] * valid
    a = (1 - label_smoothing) * onehot * wy[..., None] + label_smoothing / c * w * valid[..., None]
    loss = -(a * f).sum(-1)
    if r == "none":
        return loss
    return loss.sum() if r == "sum" else loss.sum() / wy.sum()


def _sfocal_samples(rng: np.random.Generator) -> list[Sample]:
    out = []
    for s in _ce_samples(rng):
        if s.tag in ("labels", "all", "soft-all", "3d", "ignore-2"):
            out.append(Sample(s.y_true, s.y_pred, dict(s.params), s.tag))
            out.append(Sample(s.y_true, s.y_pred, {**s.params, "gamma": 0.5}, s.tag + "-g0.5"))
    return out


def _sfocal_extreme() -> list[Sample]:
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [100.0, -100.0, 0.0], [-100.0, 100, 0]])
    y = np.array([0, 0, 0, 0])
    return [Sample(y, z), Sample(y, z, {"label_smoothing": 0.1, "gamma": 3.0})]


entry(Entry("softmax_focal", _sfocal_samples, _softmax_focal_ref, extreme=_sfocal_extreme))


def _pm(t: torch.Tensor) -> torch.Tensor:
    """Labels {0, 1} -> {-1, 1} (as the losses detect them)."""
    t = t.double()
    return 2 * t - 1 if bool((t >= 0).all()) else t


def _hinge_samples(rng: np.random.Generator) -> list[Sample]:
    p = rng.normal(scale=1.5, size=8)
    t = np.array([1, -1, 1, 1, -1, -1, 1, -1])
    return [
        Sample(t, p, {}, "pm1"),
        Sample((t + 1) // 2, p, {}, "01"),
        Sample(rng.choice([-1.0, 1.0], size=(4, 3)), rng.normal(size=(4, 3)), {}, "2d"),
    ]


def _hinge_sklearn(t: Array, p: Array) -> float:
    if t.ndim != 1:
        return float("nan")
    return float(metrics.hinge_loss(t, p))


entry(
    Entry(
        "hinge",
        _hinge_samples,
        lambda t, p, r: reduce_ref(torch.clamp(1 - _pm(t) * p, min=0), r),
        sklearn=_hinge_sklearn,
        kinks=True,
    )
)
entry(
    Entry(
        "squared_hinge",
        _hinge_samples,
        lambda t, p, r: reduce_ref(torch.clamp(1 - _pm(t) * p, min=0) ** 2, r),
    )
)


def _mc_samples(rng: np.random.Generator) -> list[Sample]:
    s = rng.normal(scale=1.5, size=(8, 4))
    y = rng.integers(0, 4, size=8)
    y[:4] = [0, 1, 2, 3]
    return [
        Sample(y, s, {}, "cs"),
        Sample(y, s, {"variant": "weston_watkins", "margin": 0.5}, "ww"),
        Sample(y, s, {"margin": 2.0}, "cs-2"),
    ]


def _mc_ref(
    t: torch.Tensor, s: torch.Tensor, r: str, margin: float = 1.0, variant: str = "crammer_singer"
) -> torch.Tensor:
    if variant == "weston_watkins":
        return reduce_ref(
            s.shape[-1] * F.multi_margin_loss(s, t, margin=margin, reduction="none"), r
        )
    onehot = F.one_hot(t, s.shape[-1]).bool()
    other = s.masked_fill(onehot, -math.inf).max(-1).values
    s_y = s.gather(-1, t[:, None])[:, 0]
    return reduce_ref(torch.clamp(margin + other - s_y, min=0), r)


def _mc_sklearn(t: Array, s: Array, margin: float = 1.0, variant: str = "crammer_singer") -> float:
    if variant != "crammer_singer" or margin != 1.0:
        return float("nan")
    return float(metrics.hinge_loss(t, s, labels=list(range(s.shape[-1]))))


entry(Entry("multiclass_hinge", _mc_samples, _mc_ref, sklearn=_mc_sklearn, kinks=True))


def _zo_samples(rng: np.random.Generator) -> list[Sample]:
    s = rng.normal(size=(9, 3))
    y = rng.integers(0, 3, size=9)
    return [
        Sample(y, s, {}, "scores"),
        Sample(np.array([0, 1, 1, 0, 1]), rng.normal(size=5), {}, "binary"),
    ]


def _zo_ref(t: torch.Tensor, s: torch.Tensor, r: str) -> torch.Tensor:
    if s.ndim == t.ndim:
        return reduce_ref(((s > 0).long() != (_pm(t) > 0).long()).double(), r)
    return reduce_ref((s.argmax(-1) != t).double(), r)


def _zo_sklearn(t: Array, s: Array) -> float:
    pred = (s > 0).astype(int) if s.ndim == t.ndim else np.argmax(s, axis=-1)
    return float(metrics.zero_one_loss(t, pred))


entry(Entry("zero_one", _zo_samples, _zo_ref, sklearn=_zo_sklearn, grad=False))


# ---------------------------------------------------------------------------------- margin
def _soft_margin_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.choice([-1.0, 1.0], size=(5, 3))
    x = rng.normal(scale=2.0, size=(5, 3))
    return [Sample(t, x, {}, "pm1"), Sample((t + 1) / 2, x, {}, "01")]


entry(
    Entry(
        "soft_margin",
        _soft_margin_samples,
        # F.soft_margin_loss computes log(1 + exp(-y x)) directly and overflows to inf at
        # |x| > 709; softplus(-y x) is the same function, exact there (see test_torch_agrees).
        lambda t, x, r: reduce_ref(F.softplus(-_pm(t) * x), r),
        extreme=lambda: [Sample(np.array([1.0, -1, 1, -1]), np.array([1e4, 1e4, -1e4, -1e4]))],
    )
)


def _mlsm_samples(rng: np.random.Generator) -> list[Sample]:
    x = rng.normal(scale=2.0, size=(5, 4))
    t = rng.integers(0, 2, size=(5, 4)).astype(float)
    return [Sample(t, x), Sample(t, x, {"weight": rng.uniform(0.1, 2.0, size=4)}, "weight")]


entry(
    Entry(
        "multilabel_soft_margin",
        _mlsm_samples,
        lambda t, x, r, weight=None: F.multilabel_soft_margin_loss(
            x, t, weight=_tt(weight), reduction=r
        ),
        extreme=lambda: [Sample(np.array([[1.0, 0.0]]), np.array([[-1e4, 1e4]]))],
    )
)


def _mlm_samples(rng: np.random.Generator) -> list[Sample]:
    x = rng.normal(scale=1.0, size=(4, 5))
    y = np.array([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [0, 1, 2, 3, 4], [-1, 2, 2, 2, 2]])
    # repeated target indices count once per listing (PyTorch's own tests use such targets)
    dup = np.array([[0, 0, 4, 1, 4], [2, 2, 2, -1, 3], [3, 1, 3, 3, 0], [4, 4, 4, 4, 4]])
    return [Sample(y, x), Sample(dup, x, tag="repeated-targets")]


entry(
    Entry(
        "multilabel_margin",
        _mlm_samples,
        lambda t, x, r: F.multilabel_margin_loss(x, t, reduction=r),
        kinks=True,
    )
)


def _he_samples(rng: np.random.Generator) -> list[Sample]:
    d = rng.uniform(0.0, 3.0, size=(6, 2))
    t = rng.choice([-1, 1], size=(6, 2))
    return [Sample(t, d), Sample((t + 1) // 2, d, {"margin": 2.0}, "01-margin2")]


entry(
    Entry(
        "hinge_embedding",
        _he_samples,
        lambda t, x, r, margin=1.0: F.hinge_embedding_loss(x, _pm(t), margin=margin, reduction=r),
        kinks=True,
    )
)


def _mr_samples(rng: np.random.Generator) -> list[Sample]:
    x1, x2 = rng.normal(size=7), rng.normal(size=7)
    t = rng.choice([-1, 1], size=7)
    return [Sample(t, (x1, x2)), Sample(t, (x1, x2), {"margin": 0.5}, "margin")]


entry(
    Entry(
        "margin_ranking",
        _mr_samples,
        lambda t, x, r, margin=0.0: F.margin_ranking_loss(
            x[0], x[1], _pm(t), margin=margin, reduction=r
        ),
        kinks=True,
    )
)
entry(
    Entry(
        "perceptron",
        _hinge_samples,
        lambda t, p, r: reduce_ref(torch.clamp(-_pm(t) * p, min=0), r),
        kinks=True,
    )
)


# -------------------------------------------------------------------------- margin softmax
def _ms_samples(rng: np.random.Generator, **params: Any) -> list[Sample]:
    x = rng.normal(size=(6, 5))
    w = rng.normal(size=(4, 5))
    y = np.array([0, 1, 2, 3, 1, 2])
    return [Sample(y, (x, w), dict(params), "default")]


def _margin_logits_ref(
    t: torch.Tensor, pred: Any, target_fn: Callable[..., torch.Tensor], normalized: bool
) -> torch.Tensor:
    x, w = pred
    cos = F.linear(F.normalize(x), F.normalize(w))
    onehot = F.one_hot(t, w.shape[0]).bool()
    if normalized:
        return torch.where(onehot, target_fn(cos), cos)
    scale = x.norm(dim=1, keepdim=True) * w.norm(dim=1)[None, :]
    return scale * torch.where(onehot, target_fn(cos), cos)


def _cosface_ref(t, pred, r, scale=64.0, margin=0.35):  # type: ignore[no-untyped-def]
    z = scale * _margin_logits_ref(t, pred, lambda c: c - margin, True)
    return F.cross_entropy(z, t, reduction=r)


def _arcface_ref(t, pred, r, scale=64.0, margin=0.5):  # type: ignore[no-untyped-def]
    """InsightFace's ArcMarginProduct (easy_margin=False), written out."""
    cos_m, sin_m = math.cos(margin), math.sin(margin)
    th, mm = math.cos(math.pi - margin), math.sin(math.pi - margin) * margin

    def phi(c: torch.Tensor) -> torch.Tensor:
        sine = torch.sqrt((1.0 - c * c).clamp(0, 1))
        return torch.where(c > th, c * cos_m - sine * sin_m, c - mm)

    return F.cross_entropy(scale * _margin_logits_ref(t, pred, phi, True), t, reduction=r)


def _lsoftmax_ref(t, pred, r, margin=2, beta=0.0):  # type: ignore[no-untyped-def]
    """psi(theta) = (-1)^k cos(m theta) - 2k with theta = arccos and k = floor(m theta / pi)."""

    def psi(c: torch.Tensor) -> torch.Tensor:
        theta = torch.acos(c)
        k = torch.floor(margin * theta / math.pi)
        return (beta * c + (-1.0) ** k * torch.cos(margin * theta) - 2 * k) / (1 + beta)

    return F.cross_entropy(_margin_logits_ref(t, pred, psi, False), t, reduction=r)


entry(
    Entry(
        "cosface",
        lambda rng: _ms_samples(rng) + _ms_samples(rng, scale=10.0, margin=0.2),
        _cosface_ref,
        separable=False,
    )
)
entry(
    Entry(
        "arcface",
        lambda rng: _ms_samples(rng) + _ms_samples(rng, scale=16.0, margin=1.2),
        _arcface_ref,
        separable=False,
    )
)
entry(
    Entry(
        "large_margin_softmax",
        lambda rng: (
            _ms_samples(rng) + _ms_samples(rng, margin=4) + _ms_samples(rng, margin=3, beta=2.0)
        ),
        _lsoftmax_ref,
        separable=False,
    )
)


# ------------------------------------------------------------------ newer classification
def _soft_or_onehot(t: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    return t if t.dtype.is_floating_point else F.one_hot(t, z.shape[-1]).double()


def _poly1_ref(t, z, r, epsilon=2.0):  # type: ignore[no-untyped-def]
    """optax.losses.poly_loss_cross_entropy, written out."""
    y = _soft_or_onehot(t, z)
    logp = torch.log_softmax(z, -1)
    pt = (y * logp.exp()).sum(-1)
    return reduce_ref(-(y * logp).sum(-1) + epsilon * (1 - pt), r)


def _cls_samples(rng: np.random.Generator, soft: bool = True, **params: Any) -> list[Sample]:
    z = rng.normal(scale=2.0, size=(6, 4))
    y = rng.integers(0, 4, size=6)
    out = [Sample(y, z, dict(params), "labels")]
    if soft:
        out.append(Sample(rng.dirichlet(np.ones(4), size=6), z, dict(params), "soft"))
    return out


def _cls_extreme(**params: Any) -> Callable[[], list[Sample]]:
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [0.0, 0.0, 1e4]])
    return lambda: [Sample(np.array([0, 0, 1]), z, dict(params))]


entry(
    Entry(
        "poly1_cross_entropy",
        lambda rng: _cls_samples(rng) + _cls_samples(rng, epsilon=-0.5),
        _poly1_ref,
        extreme=_cls_extreme(),
    )
)


def _gce_ref(t, z, r, q=0.7):  # type: ignore[no-untyped-def]
    # p_y^q as exp(q log p_y): torch's pow backward is NaN at p_y = 0 (logits of +-1e4)
    pq = torch.exp(q * torch.log_softmax(z, -1).gather(-1, t[:, None])[:, 0])
    return reduce_ref((1 - pq) / q, r)


entry(
    Entry(
        "generalized_cross_entropy",
        lambda rng: _cls_samples(rng, soft=False) + _cls_samples(rng, soft=False, q=1.0),
        _gce_ref,
        extreme=_cls_extreme(q=0.5),
    )
)


def _sparsemax_loss_ref(t, z, r):  # type: ignore[no-untyped-def]
    """Martins & Astudillo (2016), eq. (18): tau by sorting, written out."""
    y = _soft_or_onehot(t, z)
    zs, _ = torch.sort(z, dim=-1, descending=True)
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    support = 1 + k * zs > zs.cumsum(-1)
    kz = support.sum(-1, keepdim=True)
    tau = (torch.where(support, zs, 0 * zs).sum(-1, keepdim=True) - 1) / kz
    inside = z > tau
    quad = torch.where(inside, z**2 - tau**2, 0 * z).sum(-1)
    return reduce_ref(-(y * z).sum(-1) + 0.5 * quad + 0.5 * (y * y).sum(-1), r)


entry(
    Entry("sparsemax_loss", _cls_samples, _sparsemax_loss_ref, kinks=True, extreme=_cls_extreme())
)


# --------------------------------------------------------------------------- distributions
def _dist_samples(rng: np.random.Generator) -> list[Sample]:
    p = rng.dirichlet(np.ones(4), size=5)
    q = rng.dirichlet(np.ones(4), size=5)
    p0 = p.copy()
    p0[0] = [0.5, 0.5, 0.0, 0.0]  # 0 log 0 = 0
    return [Sample(p, q, {}, "probs"), Sample(p0, q, {}, "zeros")]


def _kl_ref(t, q, r, log_input=False, axis=-1):  # type: ignore[no-untyped-def]
    logq = q if log_input else torch.log(q)
    if axis != -1:  # per-sample KL over the class axis, then the plain reduction
        return reduce_ref(F.kl_div(logq, t, reduction="none").sum(axis), r)
    if r == "none":
        return F.kl_div(logq, t, reduction="none").sum(-1)
    return F.kl_div(logq, t, reduction="batchmean" if r == "mean" else "sum")


entry(
    Entry(
        "kl_divergence",
        lambda rng: (
            _dist_samples(rng)
            + [
                Sample(s.y_true, np.log(s.y_pred), {"log_input": True}, s.tag + "-log")
                for s in _dist_samples(rng)
            ]
            + [
                Sample(
                    rng.dirichlet(np.ones(4), size=(3, 2)).swapaxes(1, 2),
                    rng.dirichlet(np.ones(4), size=(3, 2)).swapaxes(1, 2),
                    {"axis": 1},
                    "axis1",
                )
            ]
        ),
        _kl_ref,
    )
)


def _js_ref(t, q, r):  # type: ignore[no-untyped-def]
    m = 0.5 * (t + q)

    def kl(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.where(a > 0, a * (torch.log(a) - torch.log(b)), 0 * a).sum(-1)

    return reduce_ref(0.5 * kl(t, m) + 0.5 * kl(q, m), r)


def _js_scipy(t: Array, q: Array) -> float:
    from scipy.spatial.distance import jensenshannon

    return float(np.mean(jensenshannon(t, q, axis=-1) ** 2))


entry(Entry("js_divergence", _dist_samples, _js_ref, sklearn=_js_scipy))


def _distill_samples(rng: np.random.Generator) -> list[Sample]:
    t, s = rng.normal(scale=2.0, size=(5, 4)), rng.normal(scale=2.0, size=(5, 4))
    return [Sample(t, s, {}, "T2"), Sample(t, s, {"temperature": 0.5}, "T0.5")]


def _distill_ref(t, s, r, temperature=2.0):  # type: ignore[no-untyped-def]
    tt = temperature
    lq, lp = torch.log_softmax(s / tt, -1), torch.log_softmax(t / tt, -1)
    if r == "none":
        return tt**2 * F.kl_div(lq, lp, reduction="none", log_target=True).sum(-1)
    red = "batchmean" if r == "mean" else "sum"
    return tt**2 * F.kl_div(lq, lp, reduction=red, log_target=True)


def _distill_extreme() -> list[Sample]:
    t = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4]])
    s = np.array([[-1e4, 1e4, 0.0], [0.0, 1e4, -1e4]])
    return [Sample(t, s), Sample(t, s, {"temperature": 10.0})]


entry(Entry("distillation", _distill_samples, _distill_ref, extreme=_distill_extreme))


def _wgan_samples(rng: np.random.Generator) -> list[Sample]:
    d = rng.normal(size=8)
    y = np.array([1, -1, 1, -1, 1, 1, -1, -1])
    return [Sample(y, d, {}, "pm1"), Sample((y + 1) // 2, d, {}, "01")]


entry(Entry("wasserstein", _wgan_samples, lambda t, d, r: reduce_ref(-_pm(t) * d, r)))


# ------------------------------------------------------------------------- metric learning
def _contrastive_samples(rng: np.random.Generator) -> list[Sample]:
    d = rng.uniform(0.0, 2.5, size=8)
    y = np.array([1.0, 0, 1, 0, 0, 1, 0, 1])
    return [Sample(y, d, {}, "default"), Sample(y, d, {"margin": 2.0}, "margin2")]


def _contrastive_ref(t, d, r, margin=1.0):  # type: ignore[no-untyped-def]
    return reduce_ref(t * d**2 + (1 - t) * torch.clamp(margin - d, min=0) ** 2, r)


entry(Entry("contrastive", _contrastive_samples, _contrastive_ref))


def _triplet_samples(rng: np.random.Generator) -> list[Sample]:
    a, p, n = (rng.normal(size=(6, 4)) for _ in range(3))
    return [
        Sample(None, (a, p, n), {}, "default"),
        Sample(None, (a, p, n), {"margin": 0.5, "p": 1.0, "swap": True}, "p1-swap"),
        Sample(None, (a, p, n), {"p": 3.0, "swap": True}, "p3-swap"),
    ]


def _triplet_ref(t, x, r, margin=1.0, p=2.0, swap=False, eps=1e-6):  # type: ignore[no-untyped-def]
    return F.triplet_margin_loss(*x, margin=margin, p=p, swap=swap, eps=eps, reduction=r)


entry(Entry("triplet_margin", _triplet_samples, _triplet_ref, kinks=True))


def _cos_emb_samples(rng: np.random.Generator) -> list[Sample]:
    x1, x2 = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    y = np.array([1, -1, 1, -1, -1, 1, -1])
    return [
        Sample(y, (x1, x2), {}, "default"),
        Sample((y + 1) // 2, (x1, x2), {"margin": -0.3}, "01-margin"),
    ]


entry(
    Entry(
        "cosine_embedding",
        _cos_emb_samples,
        lambda t, x, r, margin=0.0: F.cosine_embedding_loss(
            x[0], x[1], _pm(t), margin=margin, reduction=r
        ),
        kinks=True,
    )
)


def _cos_sim_samples(rng: np.random.Generator) -> list[Sample]:
    return [Sample(rng.normal(size=(5, 3)), rng.normal(size=(5, 3)))]


entry(
    Entry(
        "cosine_similarity",
        _cos_sim_samples,
        lambda t, p, r: reduce_ref(-F.cosine_similarity(p, t, dim=-1), r),
    )
)


def _ntxent_samples(rng: np.random.Generator) -> list[Sample]:
    z1, z2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return [
        Sample(None, (z1, z2), {}, "default"),
        Sample(None, (z1, z2), {"temperature": 0.1}, "tau0.1"),
    ]


def _ntxent_ref(t, z, r, temperature=0.5):  # type: ignore[no-untyped-def]
    """SimCLR's NT-Xent: cross-entropy over cosine similarities with the diagonal masked."""
    n = z[0].shape[0]
    zz = F.normalize(torch.cat(z), dim=1)
    sim = zz @ zz.T / temperature
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), -math.inf)
    target = (torch.arange(2 * n) + n) % (2 * n)
    return F.cross_entropy(sim, target, reduction=r)


entry(Entry("ntxent", _ntxent_samples, _ntxent_ref, separable=False))


# ---------------------------------------------------------------------------- segmentation
def _seg_samples(rng: np.random.Generator, **params: Any) -> list[Sample]:
    t = (rng.uniform(size=(3, 4, 4)) > 0.6).astype(float)
    t[2] = 0.0  # an empty target
    p = rng.uniform(0.01, 0.99, size=(3, 4, 4))
    return [Sample(t, p, dict(params), "masks")]


def _dice_ref(t, p, r, smooth=1.0):  # type: ignore[no-untyped-def]
    dims = tuple(range(1, p.ndim))
    inter = (t * p).sum(dims)
    return reduce_ref(1 - (2 * inter + smooth) / (t.sum(dims) + p.sum(dims) + smooth), r)


def _tversky_ref(t, p, r, alpha=0.5, beta=0.5, smooth=1.0):  # type: ignore[no-untyped-def]
    dims = tuple(range(1, p.ndim))
    tp, fp, fn = (t * p).sum(dims), ((1 - t) * p).sum(dims), (t * (1 - p)).sum(dims)
    return reduce_ref(1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth), r)


entry(
    Entry(
        "dice",
        lambda rng: _seg_samples(rng) + _seg_samples(rng, smooth=0.0),
        _dice_ref,
    )
)
entry(
    Entry(
        "tversky",
        lambda rng: _seg_samples(rng) + _seg_samples(rng, alpha=0.3, beta=0.7, smooth=0.5),
        _tversky_ref,
    )
)


# ---------------------------------------------------------------------------- regularizers
def _reg_params(rng: np.random.Generator, **params: Any) -> list[Sample]:
    ws = [rng.normal(size=(3, 4)), rng.normal(size=5), rng.normal(size=(2, 2, 2))]
    return [Sample(None, ws, dict(params), "params")]


def _penalty_ref(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def ref(t, ws, r, **kw):  # type: ignore[no-untyped-def]
        return reduce_ref(torch.stack([fn(w, **kw) for w in ws]), r)

    return ref


entry(
    Entry(
        "l1_penalty",
        lambda rng: _reg_params(rng) + _reg_params(rng, alpha=0.3),
        _penalty_ref(lambda w, alpha=0.01: alpha * w.abs().sum()),
        separable=False,
        kinks=True,
    )
)
entry(
    Entry(
        "l2_penalty",
        lambda rng: _reg_params(rng) + _reg_params(rng, alpha=0.3),
        _penalty_ref(lambda w, alpha=0.01: 0.5 * alpha * (w**2).sum()),
        separable=False,
    )
)
entry(
    Entry(
        "elastic_net",
        lambda rng: _reg_params(rng) + _reg_params(rng, alpha=0.3, l1_ratio=0.2),
        _penalty_ref(
            lambda w, alpha=0.01, l1_ratio=0.5: (
                alpha * (l1_ratio * w.abs().sum() + 0.5 * (1 - l1_ratio) * (w**2).sum())
            )
        ),
        separable=False,
        kinks=True,
    )
)


# ------------------------------------------------------------ user-registered (custom) losses
# Registered from their value functions alone (tests/losses/conftest.py registers them for the
# duration of each loss test module, so other test directories never see them); the harness
# then verifies them like the built-ins (gradient by autograd for the first, by Richardson
# differences for the second).
def _exp_gap(xp: Any, y_true: Any, y_pred: Any) -> Any:
    return (xp.exp(y_true - y_pred) - 1.0) ** 2


def _row_logcosh(xp: Any, y_true: Any, y_pred: Any) -> Any:
    d = y_pred - y_true
    return xp.sum(xp.log(xp.cosh(d)), axis=-1)


USER_LOSSES: dict[str, tuple[Callable[..., Any], str]] = {
    "user_exp_gap": (_exp_gap, "auto"),
    "user_row_logcosh": (_row_logcosh, "numerical"),
}


def _small_reg(rng: np.random.Generator) -> list[Sample]:
    t = rng.normal(scale=0.5, size=(5, 3))
    return [Sample(t, t + rng.normal(scale=0.5, size=(5, 3)), {}, "2d")]


entry(Entry("user_exp_gap", _small_reg, lambda t, p, r: reduce_ref((torch.exp(t - p) - 1) ** 2, r)))
entry(
    Entry(
        "user_row_logcosh",
        _small_reg,
        lambda t, p, r: reduce_ref(torch.log(torch.cosh(p - t)).sum(-1), r),
        grad_rtol=1e-8,
        rtol32=2e-6,
        tol_reason="a user loss without a gradient: register_loss differentiates it "
        "numerically (central differences, about 1e-9 relative)",
    )
)


# ----------------------------------------------------------------------------- pinned values
# Canonical values with their source, computed once (PyTorch 2.13.0, pinned in
# constraints.txt, and scikit-learn 1.9.1, the version installed with it) and written here
# as literals; test_pinned.py checks the catalog against them. Losses that neither library has are
# pinned by a closed form worked by hand where it is short.
def pin(name: str, value: Pinned) -> None:
    TABLE[name].pinned.append(value)


pin(
    "mse",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        0.21666666666666665,
        "PyTorch 2.13.0 torch.nn.functional.mse_loss",
        {},
    ),
)
pin(
    "mae",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        0.4333333333333333,
        "PyTorch 2.13.0 torch.nn.functional.l1_loss",
        {},
    ),
)
pin(
    "l2",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        0.6499999999999999,
        "PyTorch 2.13.0 torch.nn.functional.mse_loss(reduction='sum')",
        {},
    ),
)
pin(
    "l1",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        1.2999999999999998,
        "PyTorch 2.13.0 torch.nn.functional.l1_loss(reduction='sum')",
        {},
    ),
)
pin(
    "huber",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, -0.4, 2.5],
        0.34833333333333333,
        "PyTorch 2.13.0 torch.nn.functional.huber_loss",
        {},
    ),
)
pin(
    "smooth_l1",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, -0.4, 2.5],
        0.48,
        "PyTorch 2.13.0 torch.nn.functional.smooth_l1_loss(beta=0.5)",
        {"beta": 0.5},
    ),
)
pin(
    "mape",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        0.4166666666666667,
        "scikit-learn 1.9.1 sklearn.metrics.mean_absolute_percentage_error",
        {},
    ),
)
pin(
    "msle",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        0.055548420026342894,
        "scikit-learn 1.9.1 sklearn.metrics.mean_squared_log_error",
        {},
    ),
)
pin(
    "quantile",
    Pinned(
        [0.5, 1.0, 2.0],
        [0.7, 0.4, 2.5],
        0.20666666666666667,
        "scikit-learn 1.9.1 sklearn.metrics.mean_pinball_loss(alpha=0.8)",
        {"q": 0.8},
    ),
)
pin(
    "log_cosh",
    Pinned([0.0], [1.0], 0.4337808304830271, "closed form log(cosh(1)) (Python math)", {}),
)
pin(
    "binary_cross_entropy",
    Pinned(
        [0.0, 1.0, 1.0],
        [0.2, 0.7, 0.9],
        0.22839300363692283,
        "PyTorch 2.13.0 torch.nn.functional.binary_cross_entropy",
        {},
    ),
)
pin(
    "binary_cross_entropy_with_logits",
    Pinned(
        [0.0, 1.0, 1.0],
        [-1.0, 0.5, 2.0],
        0.3047555609137673,
        "PyTorch 2.13.0 torch.nn.functional.binary_cross_entropy_with_logits",
        {},
    ),
)
pin(
    "cross_entropy",
    Pinned(
        [0, 2],
        [[2.0, 0.5, -1.0], [0.1, 0.2, 1.5]],
        0.3297241404905412,
        "PyTorch 2.13.0 torch.nn.functional.cross_entropy",
        {},
    ),
)
pin(
    "cross_entropy",
    Pinned(
        [0, 2],
        [[2.0, 0.5, -1.0], [0.1, 0.2, 1.5]],
        0.4497241404905412,
        "PyTorch 2.13.0 torch.nn.functional.cross_entropy(label_smoothing=0.1)",
        {"label_smoothing": 0.1},
    ),
)
pin(
    "nll",
    Pinned(
        [0, 2],
        [
            [-0.24131129665715703, -1.7413112966571571, -3.241311296657157],
            [-1.8181369843239252, -1.7181369843239254, -0.4181369843239254],
        ],
        0.3297241404905412,
        "PyTorch 2.13.0 torch.nn.functional.nll_loss",
        {},
    ),
)
pin(
    "categorical_cross_entropy",
    Pinned(
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]],
        0.4337502838523616,
        "scikit-learn 1.9.1 sklearn.metrics.log_loss(labels=[0, 1, 2])",
        {},
    ),
)
pin(
    "kl_divergence",
    Pinned(
        [[0.25, 0.25, 0.5]],
        [[0.7, 0.2, 0.1]],
        0.6030999897503129,
        "PyTorch 2.13.0 torch.nn.functional.kl_div(log(y_pred), y_true, reduction='batchmean')",
        {},
    ),
)
pin(
    "gaussian_nll",
    Pinned(
        [0.5, 1.0, 2.0],
        ([0.7, 0.4, 2.5], [0.5, 1.0, 2.0]),
        0.09416666666666666,
        "PyTorch 2.13.0 torch.nn.functional.gaussian_nll_loss",
        {},
    ),
)
pin(
    "poisson_nll",
    Pinned(
        [1.0, 0.0, 3.0],
        [0.2, -0.5, 1.0],
        0.4487384154439495,
        "PyTorch 2.13.0 torch.nn.functional.poisson_nll_loss",
        {},
    ),
)
pin(
    "hinge_embedding",
    Pinned(
        [1, -1, -1],
        [0.5, 0.3, 1.5],
        0.39999999999999997,
        "PyTorch 2.13.0 torch.nn.functional.hinge_embedding_loss",
        {},
    ),
)
pin(
    "margin_ranking",
    Pinned(
        [1, -1, 1],
        ([0.5, 0.2, -1.0], [0.1, 0.4, 0.3]),
        0.46666666666666673,
        "PyTorch 2.13.0 torch.nn.functional.margin_ranking_loss(margin=0.1)",
        {"margin": 0.1},
    ),
)
pin(
    "soft_margin",
    Pinned(
        [[1.0, -1.0], [-1.0, 1.0]],
        [[0.5, 0.3], [2.0, -0.7]],
        1.139636572144266,
        "PyTorch 2.13.0 torch.nn.functional.soft_margin_loss",
        {},
    ),
)
pin(
    "multilabel_soft_margin",
    Pinned(
        [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
        [[0.5, -1.0, 2.0], [0.3, 0.2, -0.4]],
        0.4799626748318956,
        "PyTorch 2.13.0 torch.nn.functional.multilabel_soft_margin_loss",
        {},
    ),
)
pin(
    "multilabel_margin",
    Pinned(
        [[0, 2, -1]],
        [[2.0, 0.5, -1.0]],
        0.8333333333333334,
        "PyTorch 2.13.0 torch.nn.functional.multilabel_margin_loss",
        {},
    ),
)
pin(
    "cosine_embedding",
    Pinned(
        [1, -1],
        ([[1.0, 0.5], [0.2, 1.0]], [[0.8, 0.6], [1.0, 0.1]]),
        0.1544221809974021,
        "PyTorch 2.13.0 torch.nn.functional.cosine_embedding_loss",
        {},
        rtol=1e-10,
        reason="PyTorch adds eps = 1e-8 to the squared norms (2e-12 relative here)",
    ),
)
pin(
    "triplet_margin",
    Pinned(
        None,
        ([[1.0, 0.5]], [[0.8, 0.6]], [[0.9, 0.3]]),
        0.9999991055763867,
        "PyTorch 2.13.0 torch.nn.functional.triplet_margin_loss",
        {},
    ),
)
pin(
    "multiclass_hinge",
    Pinned(
        [0, 2],
        [[0.5, 0.2, -0.1], [0.1, 0.4, 0.6]],
        1.2000000000000002,
        "PyTorch 2.13.0: 3 * torch.nn.functional.multi_margin_loss "
        "(C = 3 classes: PyTorch divides the Weston-Watkins sum by C)",
        {"variant": "weston_watkins"},
    ),
)
pin(
    "zero_one",
    Pinned(
        [0, 2],
        [[2.0, 0.5, -1.0], [0.1, 2.2, 1.5]],
        0.5,
        "scikit-learn 1.9.1 sklearn.metrics.zero_one_loss([0, 2], [0, 1]) (the rows' argmax)",
        {},
    ),
)
pin(
    "hinge",
    Pinned(
        [-1, 1, 1],
        [-0.5, 0.3, 2.0],
        0.39999999999999997,
        "scikit-learn 1.9.1 sklearn.metrics.hinge_loss",
        {},
    ),
)
pin(
    "squared_hinge",
    Pinned([1], [0.3], 0.49, "closed form max(0, 1 - 1 * 0.3)^2 = 0.49 (by hand)", {}),
)
pin("perceptron", Pinned([1], [-0.3], 0.3, "closed form max(0, -1 * (-0.3)) = 0.3 (by hand)", {}))
pin(
    "l1_penalty",
    Pinned(
        None, ([0.5, -1.0], [2.0]), 0.035, "closed form alpha * sum |w| = 0.01 * 3.5 (by hand)", {}
    ),
)
pin(
    "l2_penalty",
    Pinned(
        None,
        ([0.5, -1.0], [2.0]),
        0.02625,
        "closed form alpha/2 * sum w^2 = 0.005 * 5.25 (by hand)",
        {},
    ),
)
pin(
    "js_divergence",
    Pinned(
        [[0.25, 0.25, 0.5]],
        [[0.7, 0.2, 0.1]],
        0.1296537524812,
        "SciPy 1.17.1 scipy.spatial.distance.jensenshannon(y_true, y_pred) ** 2",
    ),
)
pin(
    "contrastive",
    Pinned(
        [1, 0],
        [0.5, 0.3],
        0.37,
        "closed form by hand: mean(1 * 0.5^2, max(1 - 0.3, 0)^2) = (0.25 + 0.49)/2",
        {},
    ),
)
pin(
    "cosine_similarity",
    Pinned(
        [[1.0, 0.0]],
        [[1.0, 1.0]],
        -0.7071067811865475,
        "closed form by hand: -cos 45 degrees = -1/sqrt(2)",
        {},
    ),
)
pin(
    "dice",
    Pinned(
        [[1.0, 0.0, 1.0, 1.0]],
        [[0.9, 0.2, 0.6, 0.7]],
        0.15625,
        "closed form by hand: 1 - (2 * 2.2 + 1)/(3 + 2.4 + 1)",
        {},
    ),
)
pin(
    "tversky",
    Pinned(
        [[1.0, 0.0, 1.0, 1.0]],
        [[0.9, 0.2, 0.6, 0.7]],
        0.1351351351351351,
        "closed form by hand: TP = 2.2, FP = 0.2, FN = 0.8: 1 - (2.2 + 1)/(2.2 + 0.1 + 0.4 + 1)",
        {},
    ),
)
pin(
    "distillation",
    Pinned(
        [[2.0, 0.5, -1.0]],
        [[1.0, 1.0, -0.5]],
        0.2781932573729513,
        "closed form (Python math): T^2 KL(softmax(t/T) || softmax(z/T)), T = 2",
        {},
    ),
)
pin(
    "elastic_net",
    Pinned(
        None,
        ([0.5, -1.0], [2.0]),
        0.030625,
        "closed form by hand: sum over the arrays of 0.01 (0.5 sum|w| + 0.25 sum w^2)",
        {},
    ),
)
pin(
    "focal",
    Pinned(
        [1.0],
        [0.5],
        0.016893372629375902,
        "closed form (Python math): 0.25 (1 - p)^2 (-log p), p = sigmoid(0.5)",
        {},
    ),
)
pin(
    "generalized_cross_entropy",
    Pinned(
        [0],
        [[2.0, 0.5, -1.0]],
        0.222031094366042,
        "closed form (Python math): (1 - p_0^0.7)/0.7, p = softmax(2, 0.5, -1)",
        {},
    ),
)
pin(
    "poly1_cross_entropy",
    Pinned(
        [0],
        [[2.0, 0.5, -1.0]],
        0.6701172274786052,
        "closed form (Python math): -log p_0 + 2 (1 - p_0), p = softmax(2, 0.5, -1)",
        {},
    ),
)
pin(
    "softmax_focal",
    Pinned(
        [0],
        [[2.0, 0.5, -1.0]],
        0.011092750091379808,
        "closed form (Python math): -(1 - p_0)^2 log p_0, p = softmax(2, 0.5, -1)",
        {},
    ),
)
pin(
    "sparsemax_loss",
    Pinned(
        [0],
        [[1.0, 0.5, -1.0]],
        0.0625,
        "closed form by hand: sparsemax = (0.75, 0.25, 0), tau = 0.25: -1 + (0.9375 + 0.1875)/2 + "
        "1/2",
        {},
    ),
)
pin("wasserstein", Pinned([-1, 1], [0.5, 2.0], -0.75, "closed form by hand: mean(0.5, -2.0)", {}))
pin(
    "ntxent",
    Pinned(
        None,
        ([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]),
        0.23954476622188453,
        "closed form (Python math): log(1 + 2 e^-2) (each anchor: positive similarity 1, two "
        "negatives 0, tau = 0.5)",
        {},
    ),
)
pin(
    "arcface",
    Pinned(
        [0],
        ([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]),
        0.15946114876625242,
        "closed form (Python math): log(1 + e^(-2 cos 0.5)) (theta_y = 0, other class at 90 "
        "degrees)",
        {"scale": 2.0},
    ),
)
pin(
    "cosface",
    Pinned(
        [0],
        ([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]),
        0.24100845383299216,
        "closed form (Python math): log(1 + e^(-2 (1 - 0.35))) (theta_y = 0, other class at 90 "
        "degrees)",
        {"scale": 2.0},
    ),
)
pin(
    "large_margin_softmax",
    Pinned(
        [0],
        ([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]),
        0.31326168751822286,
        "closed form (Python math): log(1 + e^-1) (psi(0) = 1, other class at 90 degrees)",
        {},
    ),
)
