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
entry(Entry("mse", _reg_samples, lambda t, p, r: F.mse_loss(p, t, reduction=r),
            sklearn=_skl(metrics.mean_squared_error)))  # fmt: skip
entry(Entry("l2", _reg_samples, lambda t, p, r: F.mse_loss(p, t, reduction=r)))
entry(Entry("mae", _reg_samples, lambda t, p, r: F.l1_loss(p, t, reduction=r),
            sklearn=_skl(metrics.mean_absolute_error), kinks=True))  # fmt: skip
entry(Entry("l1", _reg_samples, lambda t, p, r: F.l1_loss(p, t, reduction=r), kinks=True))
entry(Entry(
    "huber",
    lambda rng: _reg_samples(rng) + _reg_samples(rng, delta=0.7),
    lambda t, p, r, delta=1.0: F.huber_loss(p, t, reduction=r, delta=delta),
    kinks=True,
))  # fmt: skip
entry(Entry(
    "smooth_l1",
    lambda rng: _reg_samples(rng) + _reg_samples(rng, beta=0.4) + _reg_samples(rng, beta=0.0),
    lambda t, p, r, beta=1.0: F.smooth_l1_loss(p, t, reduction=r, beta=beta),
    kinks=True,
))  # fmt: skip
entry(Entry(
    "log_cosh", _reg_samples, lambda t, p, r: reduce_ref(torch.log(torch.cosh(p - t)), r)
))  # fmt: skip


def _pinball_ref(t: torch.Tensor, p: torch.Tensor, r: str, q: float = 0.5) -> torch.Tensor:
    d = t - p
    return reduce_ref(torch.maximum(q * d, (q - 1) * d), r)


entry(Entry(
    "quantile",
    lambda rng: _reg_samples(rng) + _reg_samples(rng, q=0.9),
    _pinball_ref,
    sklearn=lambda t, p, q=0.5: metrics.mean_pinball_loss(np.ravel(t), np.ravel(p), alpha=q),
    kinks=True,
))  # fmt: skip


def _positive_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.uniform(0.0, 5.0, size=(5, 3))
    p = rng.uniform(0.1, 5.0, size=(5, 3))
    return [Sample(t, p), Sample(t[:, 0], p[:, 0], tag="1d")]


entry(Entry(
    "msle", _positive_samples,
    lambda t, p, r: reduce_ref((torch.log1p(p) - torch.log1p(t)) ** 2, r),
    sklearn=_skl(metrics.mean_squared_log_error),
))  # fmt: skip


def _mape_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.uniform(0.5, 3.0, size=(5, 3)) * rng.choice([-1.0, 1.0], size=(5, 3))
    return [Sample(t, t + rng.normal(size=(5, 3)))]


entry(Entry(
    "mape", _mape_samples, lambda t, p, r: reduce_ref((p - t).abs() / t.abs(), r),
    sklearn=_skl(metrics.mean_absolute_percentage_error), kinks=True,
))  # fmt: skip


def _poisson_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.poisson(2.0, size=(6, 2)).astype(float)
    logp = rng.normal(0.5, 0.7, size=(6, 2))
    return [
        Sample(t, logp),
        Sample(t, logp, {"full": True}, "full"),
        Sample(t, np.exp(logp), {"log_input": False}, "rate"),
        Sample(t, np.exp(logp), {"log_input": False, "full": True, "eps": 1e-3}, "rate-full"),
    ]


entry(Entry(
    "poisson_nll", _poisson_samples,
    lambda t, p, r, log_input=True, full=False, eps=1e-8: F.poisson_nll_loss(
        p, t, log_input=log_input, full=full, eps=eps, reduction=r),
))  # fmt: skip


def _gauss_samples(rng: np.random.Generator) -> list[Sample]:
    t = rng.normal(size=(5, 3))
    mu = t + rng.normal(size=(5, 3))
    var = rng.uniform(0.2, 2.0, size=(5, 3))
    return [
        Sample(t, (mu, var)),
        Sample(t, (mu, var[:, :1]), {"full": True}, "homoscedastic"),
        Sample(t, (mu, var[:, 0]), {}, "per-sample-var"),
    ]


def _gauss_ref(t: torch.Tensor, pred: Any, r: str, full: bool = False,
               eps: float = 1e-6) -> torch.Tensor:  # fmt: skip
    mu, var = pred
    return F.gaussian_nll_loss(mu, t, var, full=full, eps=eps, reduction=r)


entry(Entry("gaussian_nll", _gauss_samples, _gauss_ref))
