"""The fast path of losses: eligibility, the reference's input checks, chunks and reductions.

``run`` is called by ``Loss._run`` for a loss whose entry declares a fused kernel
(``Kernels.fused``: the family below) and whose
y_pred is a C-contiguous NumPy float32/float64 array and which has no
sample_weight; it returns ``(value, gradient)`` computed by a kernel of ``_losses``,
or None for the reference path (a per-class pos_weight, a class axis other than the
last, an unusual cotangent). The inputs are validated by the reference's own checks,
so errors are the same.

Reductions follow ``actloss._loss.reduce``: "sum" adds the per-sample losses, "mean"
divides by the number of samples (for integer labels, by the sum of the class weights
of the samples whose label is not ``ignore_index``; NaN when that is 0), and the
gradient is scaled by 1 / that in the input's dtype, as there. Sums are accumulated
in float64 over fixed blocks and added in a fixed order: the result does not depend
on the number of threads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _backend as B
from .. import _checks
from .._validation import (
    check_class_weight,
    check_probabilities,
    check_same_shape,
    float_target,
    targets,
)
from . import _losses as K
from ._threads import parallel_for

CHECKS_PROBABILITIES = ("bce_logits", "focal")  # y_true must lie in [0, 1]


def run(
    fn: Any,
    y_true: Any,
    x: np.ndarray,
    p: Mapping[str, Any],
    reduction: str,
    want_grad: bool,
    cotangent: Any,
) -> tuple[Any, Any] | None:
    """(value, gradient or None) of loss ``fn``, or None for the reference path.

    The kernel family is the entry's ``Kernels.fused`` (its ``when`` may decline).
    """
    family = fn.kernels.fused.kernel_for(p)
    name = fn.info.name
    if family is None or type(y_true) is not np.ndarray:
        return None
    if family == "cross_entropy":
        return _cross_entropy(name, y_true, x, p, reduction, want_grad, cotangent)
    if family == "kl_div":
        return _kl_divergence(name, y_true, x, p, reduction, want_grad, cotangent)
    return _elementwise(name, family, y_true, x, p, reduction, want_grad, cotangent)


def _scalar(value: Any) -> float | None:
    """A scalar parameter as a float (None for an array of several values)."""
    if isinstance(value, np.ndarray):
        return float(value) if value.ndim == 0 else None
    return float(value)


def _kernel_args(family: str, p: Mapping[str, Any]) -> tuple[Any, float, float] | None:
    if family == "mse":
        return K.mse, 0.0, 0.0
    if family == "huber":
        return K.huber, float(p["delta"]), 0.0
    if family == "bce_logits":
        pw = p["pos_weight"]
        w = 1.0 if pw is None else _scalar(pw)  # x 1 is exact: the same as no weight
        return None if w is None else (K.bce_logits, w, 0.0)
    alpha, gamma = float(p["alpha"]), float(p["gamma"])
    if gamma in (0.0, 1.0, 2.0, 3.0, 4.0):
        return K.focal, alpha, gamma
    return K.focal_pow, alpha, gamma


def _cotangent(cotangent: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray | None:
    """The cotangent as a flat C-contiguous array of ``dtype`` (None: let the reference
    path raise its error for it)."""
    try:
        ct = B.as_array(cotangent, "cotangent", xp=np)
    except TypeError:
        return None
    if tuple(ct.shape) != shape:
        return None
    return np.ascontiguousarray(ct, dtype=dtype).reshape(-1)


def _value(total: float, denom: float, reduction: str, dtype: Any) -> np.ndarray:
    if reduction == "mean":
        total = total / denom if denom else math.nan
    with np.errstate(over="ignore"):
        return np.asarray(total, dtype=dtype)


def _scale(denom: float, reduction: str, dtype: Any) -> float:
    """The gradient's factor: 1 / denom in ``dtype`` for "mean" (0 without samples), else 1."""
    if reduction != "mean":
        return 1.0
    one, d = np.dtype(dtype).type(1.0), np.dtype(dtype).type(denom)
    return float(one / d) if denom else 0.0


def _elementwise(
    name: str,
    family: str,
    y_true: np.ndarray,
    x: np.ndarray,
    p: Mapping[str, Any],
    reduction: str,
    want_grad: bool,
    cotangent: Any,
) -> tuple[Any, Any] | None:
    args = _kernel_args(family, p)
    if args is None:
        return None
    kern, p0, p1 = args
    t = y_true if y_true.dtype == x.dtype else float_target(name, np, y_true, x)
    check_same_shape(name, t, x)
    n = x.size
    ct = None
    if cotangent is not None:
        ct = _cotangent(cotangent, x.shape, x.dtype)
        if ct is None:
            return None
    reduce = reduction != "none" and ct is None
    nb = -(-n // K.BLOCK)
    xf, tf = x.reshape(-1), np.ascontiguousarray(t).reshape(-1)
    part = np.empty(nb) if reduce else None
    flag = np.zeros(nb, dtype=np.bool_) if family in CHECKS_PROBABILITIES else None
    loss = None if reduce or ct is not None else np.empty_like(x)
    grad = np.empty_like(x) if want_grad else None
    lf = None if loss is None else loss.reshape(-1)
    gf = None if grad is None else grad.reshape(-1)
    scale = _scale(n, reduction, x.dtype)

    def body(a: int, b: int) -> None:
        lo, hi = a * K.BLOCK, min(b * K.BLOCK, n)
        kern(
            xf[lo:hi],
            tf[lo:hi],
            None if ct is None else ct[lo:hi],
            None if lf is None else lf[lo:hi],
            None if gf is None else gf[lo:hi],
            None if part is None else part[a:b],
            None if flag is None else flag[a:b],
            scale,
            p0,
            p1,
        )

    parallel_for(nb, body, cost=K.BLOCK)
    if flag is not None and flag.any():
        check_probabilities(name, np, t, what="y_true")  # raises the reference's error
    if ct is not None:
        return None, grad
    value = loss if part is None else _value(float(np.sum(part)), n, reduction, x.dtype)
    return value, grad


def _class_axis_is_last(x: np.ndarray, axis: int) -> bool:
    return x.ndim >= 1 and -x.ndim <= axis < x.ndim and axis % x.ndim == x.ndim - 1


def _cross_entropy(
    name: str,
    y_true: np.ndarray,
    x: np.ndarray,
    p: Mapping[str, Any],
    reduction: str,
    want_grad: bool,
    cotangent: Any,
) -> tuple[Any, Any] | None:
    if not _class_axis_is_last(x, p["axis"]):
        return None  # the reference moves the class axis (or raises)
    if B.is_floating(np, y_true.dtype) and y_true.dtype != x.dtype:
        y_true = y_true.astype(x.dtype)
    ignore, weight, eps = p["ignore_index"], p["weight"], float(p["label_smoothing"])
    if y_true.dtype.kind in "iu":  # the kernel checks the labels' range in its one pass
        with _checks.skipped():
            kind, t = targets("cross_entropy", np, y_true, x, ignore_index=ignore)
    else:
        kind, t = targets("cross_entropy", np, y_true, x, ignore_index=ignore)
    check_class_weight("cross_entropy", weight, x.shape[-1])
    if kind == "soft" and x.ndim < 2:
        return None  # a single row: the reference propagates NaN by arithmetic only
    c = x.shape[-1]
    rows = x.size // c
    out_shape = tuple(x.shape[:-1])
    ct = None
    if cotangent is not None:
        ct = _cotangent(cotangent, out_shape, x.dtype)
        if ct is None:
            return None
    reduce = reduction != "none" and ct is None
    z = x.reshape(rows, c)
    wt = np.ones(c, x.dtype) if weight is None else np.ascontiguousarray(weight, dtype=x.dtype)
    if kind == "soft":
        tt = np.ascontiguousarray(t, dtype=x.dtype).reshape(rows, c)
        denom = float(rows)
    else:
        tt = np.ascontiguousarray(t, dtype=np.int64).reshape(rows)
        valid = (tt != ignore) & (tt >= 0) & (tt < c)
        # the per-sample normalizer of "mean": weight[y], 0 for ignored samples
        denom = float(np.sum(np.where(valid, wt[np.where(valid, tt, 0)], 0.0), dtype=np.float64))
    rl = np.empty(rows) if reduce else None
    bad = np.zeros(rows, dtype=np.bool_)
    loss = None if reduce or ct is not None else np.empty(out_shape, dtype=x.dtype)
    grad = np.empty_like(x) if want_grad else None
    lf = None if loss is None else loss.reshape(rows)
    g2 = None if grad is None else grad.reshape(rows, c)
    scale = _scale(denom, reduction, x.dtype)

    def body(a: int, b: int) -> None:
        parts = (
            wt,
            None if ct is None else ct[a:b],
            None if lf is None else lf[a:b],
            None if g2 is None else g2[a:b],
            None if rl is None else rl[a:b],
        )
        if kind == "soft":
            K.ce_soft(z[a:b], tt[a:b], *parts, eps, scale)
        else:
            K.ce_labels(z[a:b], tt[a:b], *parts, bad[a:b], ignore, eps, scale)

    parallel_for(rows, body, cost=max(c, 1))
    if bad.any():  # a label out of range: the reference's error, even with checks off
        with _checks.forced():
            targets("cross_entropy", np, y_true, x, ignore_index=ignore)
    if ct is not None:
        return None, grad
    value = loss if rl is None else _value(float(np.sum(rl)), denom, reduction, x.dtype)
    return value, grad


def _kl_divergence(
    name: str,
    y_true: np.ndarray,
    x: np.ndarray,
    p: Mapping[str, Any],
    reduction: str,
    want_grad: bool,
    cotangent: Any,
) -> tuple[Any, Any] | None:
    if not _class_axis_is_last(x, p["axis"]) or x.ndim < 2:
        return None  # another class axis, or one row (the reference's NaN rules differ)
    t = y_true if y_true.dtype == x.dtype else float_target(name, np, y_true, x)
    check_same_shape(name, t, x)
    c = x.shape[-1]
    rows = x.size // c
    out_shape = tuple(x.shape[:-1])
    ct = None
    if cotangent is not None:
        ct = _cotangent(cotangent, out_shape, x.dtype)
        if ct is None:
            return None
    reduce = reduction != "none" and ct is None
    q, pt = x.reshape(rows, c), np.ascontiguousarray(t).reshape(rows, c)
    log_input = bool(p["log_input"])
    eps = float(np.finfo(x.dtype).eps)  # clip_epsilon: the dtype's machine epsilon
    rl = np.empty(rows) if reduce else None
    flag = np.zeros(rows, dtype=np.bool_)
    loss = None if reduce or ct is not None else np.empty(out_shape, dtype=x.dtype)
    grad = np.empty_like(x) if want_grad else None
    lf = None if loss is None else loss.reshape(rows)
    g2 = None if grad is None else grad.reshape(rows, c)
    scale = _scale(float(rows), reduction, x.dtype)

    def body(a: int, b: int) -> None:
        K.kl_div(
            q[a:b],
            pt[a:b],
            None if ct is None else ct[a:b],
            None if lf is None else lf[a:b],
            None if g2 is None else g2[a:b],
            None if rl is None else rl[a:b],
            flag[a:b],
            eps,
            log_input,
            scale,
        )

    parallel_for(rows, body, cost=max(c, 1))
    if flag.any():  # raise the reference's error, in its order
        check_probabilities(name, np, t, what="y_true")
        if not log_input:
            check_probabilities(name, np, x, logits_variant=None)
    if ct is not None:
        return None, grad
    value = loss if rl is None else _value(float(np.sum(rl)), float(rows), reduction, x.dtype)
    return value, grad
