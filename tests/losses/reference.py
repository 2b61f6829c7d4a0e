"""The loss reference table: for every catalog loss, sample inputs and an independent reference.

Each ``Entry`` gives sample inputs (NumPy, float64) and ``ref(y_true, y_pred, reduction,
**params)``, written with PyTorch (its functional loss where it has one, otherwise the
formula spelled out in torch) so that torch autograd gives the reference gradient.
``sklearn`` optionally gives scikit-learn's metric for the mean value. Tests iterate
over this table and fail for a registered loss that has no entry here.
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
    rtol32: float = 2e-6


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
    ]


def _gauss_ref(
    t: torch.Tensor, pred: Any, r: str, full: bool = False, eps: float = 1e-6
) -> torch.Tensor:
    mu, var = pred
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
    ]


def _ce_ref(
    t: torch.Tensor,
    z: torch.Tensor,
    r: str,
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
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
    ]


entry(
    Entry(
        "nll",
        _nll_samples,
        lambda t, lp, r, weight=None, ignore_index=-100: F.nll_loss(
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
    return [Sample(y, x)]


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
