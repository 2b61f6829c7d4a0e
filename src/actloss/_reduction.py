"""The one reduction of every loss: ``sample_weight`` and ``reduction`` applied in one place.

A loss kernel returns ``Parts``: the per-sample losses ``l_i``, the gradient of
``sum_i l_i`` with respect to ``y_pred`` (or a function ``c -> d(sum_i c_i l_i)/d y_pred``
for losses whose samples are coupled) and, for class-weighted losses, the per-sample
normalizer ``d_i`` that "mean" divides by:

    none: s_i l_i        sum: sum_i s_i l_i        mean: sum_i s_i l_i / sum_i s_i d_i

with ``s_i`` the sample weight (1 by default) and ``d_i`` 1 unless the kernel says
otherwise (PyTorch's convention for class weights: d_i = weight[y_i], 0 for ignored
targets). The fused loss kernels (``actloss.fast``) follow the same formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from . import _backend as B
from . import _checks
from ._validation import fail, numel, value_range

STANDARD_REDUCTIONS: Mapping[str, str] = {
    "none": r"s_i\,\ell_i",
    "sum": r"\sum_i s_i\,\ell_i",
    "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}\quad(s_i = \text{sample\_weight}, "
    r"\text{default } 1)",
}


class Parts(NamedTuple):
    """What a loss kernel returns."""

    loss: Any  # per-sample losses l_i
    grad: Any  # d(sum_i l_i)/d y_pred (array or tuple, rows per sample) or c -> vjp
    norm: Any = None  # per-sample normalizer d_i for "mean" (None: 1)


def reduce(
    xp: Any,
    name: str,
    parts: Parts,
    reduction: str,
    sample_weight: Any,
    want_grad: bool,
    y_pred: Any,
) -> tuple[Any, Any]:
    """Apply ``sample_weight`` and ``reduction``; return (value, gradient or None)."""
    loss = parts.loss
    s = None
    if sample_weight is not None:
        s = _sample_weight(xp, name, sample_weight, loss)
    if reduction == "none":
        value = loss if s is None else s * loss
        c = xp.ones_like(loss) if s is None else xp.broadcast_to(s, loss.shape)
    else:
        total = xp.sum(loss if s is None else s * loss)
        if reduction == "sum":
            value = total
            c = xp.ones_like(loss) if s is None else xp.broadcast_to(s, loss.shape)
        else:
            d = parts.norm
            if s is None and d is None:
                denom = B.constant(xp, float(numel(loss)), loss)
            else:
                w = xp.ones_like(loss) if s is None else xp.broadcast_to(s, loss.shape)
                denom = xp.sum(w if d is None else w * d)
            ok = denom != 0
            safe = xp.where(ok, denom, xp.ones_like(denom))
            value = xp.where(ok, total / safe, B.constant(xp, math.nan, total))  # mean of none
            c = (xp.ones_like(loss) if s is None else xp.broadcast_to(s, loss.shape)) / safe
            c = xp.where(ok, c, xp.zeros_like(c))
    if isinstance(value, np.generic):  # NumPy's sum gives a scalar: return a 0-d array
        value = np.asarray(value)
    if not want_grad:
        return value, None
    return value, apply_cotangent(xp, parts.grad, c, y_pred)


def apply_cotangent(xp: Any, grad: Any, c: Any, y_pred: Any) -> Any:
    """d(sum_i c_i l_i)/d y_pred from a kernel's gradient."""
    if callable(grad):
        return grad(c)
    if isinstance(grad, (tuple, list)):
        return type(grad)(_times_rows(xp, g, c) for g in grad)
    return _times_rows(xp, grad, c)


def _times_rows(xp: Any, g: Any, c: Any) -> Any:
    extra = g.ndim - c.ndim
    return g * xp.reshape(c, tuple(c.shape) + (1,) * extra) if extra > 0 else g * c


def vjp_none(
    xp: Any, name: str, parts: Parts, sample_weight: Any, cotangent: Any, y_pred: Any
) -> tuple[Any, Any]:
    """The "none" value and the gradient of sum(cotangent * value) (for ``Loss.vjp``)."""
    value, _ = reduce(xp, name, parts, "none", sample_weight, False, y_pred)
    ct = B.as_array(cotangent, "cotangent", xp=xp, like=value)
    if tuple(ct.shape) != tuple(value.shape):
        raise fail(
            name,
            f"cotangent must have the shape of the per-sample loss {tuple(value.shape)}, "
            f"got {tuple(ct.shape)}",
        )
    c = xp.astype(ct, value.dtype, copy=False)
    if sample_weight is not None:
        c = c * xp.broadcast_to(_sample_weight(xp, name, sample_weight, parts.loss), c.shape)
    return value, apply_cotangent(xp, parts.grad, c, y_pred)


def _sample_weight(xp: Any, name: str, sample_weight: Any, loss: Any) -> Any:
    s = B.as_array(sample_weight, "sample_weight", xp=xp, like=loss)
    if not (B.is_floating(xp, s.dtype) or B.is_integral(xp, s.dtype)):
        raise TypeError(f"{name}(): sample_weight must be numeric, got dtype {s.dtype}")
    s = xp.astype(s, loss.dtype, copy=False)
    shape, lshape = tuple(s.shape), tuple(loss.shape)
    if shape != lshape[: len(shape)]:
        raise fail(
            name,
            f"sample_weight must have shape {lshape} or a leading part of it (one weight per "
            f"sample), got {shape}",
        )
    if not _checks.can_read(s):
        return xp.reshape(s, shape + (1,) * (len(lshape) - len(shape)))
    lo, _ = value_range(xp, s)
    if lo < 0 or not bool(xp.all(xp.isfinite(s))):
        raise fail(name, "sample_weight must be finite and >= 0")
    return xp.reshape(s, shape + (1,) * (len(lshape) - len(shape)))


def propagate_nan(xp: Any, parts: Parts, y_true: Any, preds: list[Any]) -> Parts:
    """A sample whose inputs hold NaN has a NaN loss and NaN gradient row (never dropped).

    Applied to separable kernels (array gradients) whose y_pred rows line up with the
    per-sample losses; coupled kernels propagate NaN through their own arithmetic.
    """
    loss = parts.loss
    if callable(parts.grad) or loss.ndim == 0:
        return parts
    lshape = tuple(loss.shape)
    bad = None
    for arr in [*preds, y_true]:
        if arr is None or not B.is_floating(xp, arr.dtype):
            continue
        if tuple(arr.shape[: len(lshape)]) != lshape:
            continue
        m = xp.isnan(arr)
        if arr.ndim > loss.ndim:
            m = xp.any(m, axis=tuple(range(loss.ndim, arr.ndim)))
        bad = m if bad is None else bad | m
    if bad is None:
        return parts
    nan = B.constant(xp, math.nan, loss)
    new_loss = xp.where(bad, nan, loss)
    grad = parts.grad
    if isinstance(grad, (tuple, list)):
        new_grad: Any = type(grad)(_nan_rows(xp, g, bad) for g in grad)
    else:
        new_grad = _nan_rows(xp, grad, bad)
    return Parts(new_loss, new_grad, parts.norm)


def _nan_rows(xp: Any, g: Any, bad: Any) -> Any:
    if tuple(g.shape[: bad.ndim]) != tuple(bad.shape):
        return g
    m = xp.reshape(bad, tuple(bad.shape) + (1,) * (g.ndim - bad.ndim))
    return xp.where(m, B.constant(xp, math.nan, g), g)
