"""Small pieces shared by the loss families: input checks and stable log-softmax."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _numerics as N
from .._backend import device as device_of
from .._reduction import Parts
from .._spec import Param
from .._validation import float_target

ELEMENTWISE_REDUCTIONS = {
    "none": r"s\,\ell \text{ (elementwise, the shape of y\_pred)}",
    "sum": r"\sum s\,\ell",
    "mean": r"\frac{\sum s\,\ell}{\sum s}\quad\text{(over every element; } s = "
    r"\text{sample\_weight broadcast from the leading axes, default 1)}",
}

ROW_REDUCTIONS = {
    "none": r"s_i\,\ell_i \text{ (one value per sample: every axis but the class or feature "
    r"axis, the last by default)}",
    "sum": r"\sum_i s_i\,\ell_i",
    "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}",
}


AXIS = Param(
    "axis",
    -1,
    "The class axis of y_pred (and of probability targets); -1 as Keras, 1 for PyTorch's "
    "(N, C, d1, ...) layout.",
    kind="int",
)


def elementwise(name: str, fn: Callable[..., tuple[Any, Any]]) -> Callable[..., Parts]:
    """A kernel for a loss l(y_true, y_pred) applied elementwise (every element a sample)."""

    def kernel(xp: Any, y_true: Any, y_pred: Any, **params: Any) -> Parts:
        t = float_target(name, xp, y_true, y_pred)
        loss, grad = fn(xp, t, y_pred, **params)
        return Parts(loss, grad)

    kernel.__name__ = f"{name}_kernel"
    return kernel


def onehot_mask(xp: Any, labels: Any, c: int) -> Any:
    """Boolean mask (labels[..., None] == arange(C)): used for gradients only."""
    ar = xp.arange(c, dtype=labels.dtype, device=device_of(labels))
    return xp.expand_dims(labels, axis=-1) == ar


def gather_last(xp: Any, x: Any, labels: Any) -> Any:
    """x[..., labels] along the last axis (labels of x.shape[:-1]; out-of-range clamped)."""
    idx = xp.clip(labels, 0, x.shape[-1] - 1)
    return xp.squeeze(xp.take_along_axis(x, xp.expand_dims(idx, axis=-1), axis=-1), axis=-1)


def log_softmax(xp: Any, z: Any) -> Any:
    """log softmax along the last axis: (z - max) - log sum exp(z - max), exact at +-1e4."""
    zs = N.shift_by_max(xp, z, -1)  # every entry <= 0: exp never overflows
    return zs - N.log_of_positive(xp, xp.sum(xp.exp(zs), axis=-1, keepdims=True))


def class_weight_of(xp: Any, weight: Any, labels: Any, like: Any) -> Any:
    """weight[labels] (ones without class weights); labels out of range are clamped."""
    if weight is None:
        return xp.ones(labels.shape, dtype=like.dtype, device=device_of(like))
    idx = xp.reshape(xp.clip(labels, 0, weight.shape[0] - 1), (-1,))
    return xp.reshape(xp.take(weight, idx, axis=0), labels.shape)
