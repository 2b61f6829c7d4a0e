"""Named checks of loss inputs, raising errors that say what was expected.

Shape and dtype checks always run; the checks that read values (labels in range,
probabilities in [0, 1], whole-number labels, binary labels) ask ``_checks.can_read``
first, so they are skipped while arrays are traced and under ``_checks.skipped()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from . import _backend as B
from . import _checks
from ._backend import is_floating, is_integral

REDUCTIONS = ("mean", "sum", "none")


def numel(x: Any) -> int:
    """Number of elements (``x.size`` is a method on torch tensors)."""
    return math.prod(x.shape)


def fail(name: str, message: str) -> ValueError:
    return ValueError(f"{name}(): {message}")


def finite_values(xp: Any, x: Any) -> Any:
    """``x`` with NaN replaced by a harmless value, for range checks that must ignore NaN."""
    if not B.is_floating(xp, x.dtype):
        return x
    return xp.where(xp.isnan(x), xp.zeros_like(x), x)


def value_range(xp: Any, x: Any) -> tuple[float, float]:
    """(min, max) of the non-NaN entries (0, 0 for an empty or all-NaN array)."""
    if numel(x) == 0:
        return 0.0, 0.0
    if hasattr(x, "detach"):  # a torch tensor that requires grad: read values without a warning
        x = x.detach()
    v = finite_values(xp, x)
    return float(xp.min(v)), float(xp.max(v))


def check_same_shape(name: str, y_true: Any, y_pred: Any, what: str = "y_pred") -> None:
    """y_true and y_pred must have the same shape (no implicit broadcasting)."""
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise fail(
            name,
            f"y_true and {what} must have the same shape, got {tuple(y_true.shape)} and "
            f"{tuple(y_pred.shape)} (losses do not broadcast; reshape explicitly)",
        )


def check_probabilities(
    name: str, xp: Any, p: Any, *, what: str = "y_pred", logits_variant: str | None = None
) -> None:
    """Every non-NaN entry of ``p`` must lie in [0, 1]; name the logits variant if not."""
    if not _checks.can_read(p):
        return
    lo, hi = value_range(xp, p)
    if lo < 0.0 or hi > 1.0:
        hint = (
            f" It looks like logits: use {logits_variant!r}, which takes logits and is "
            "numerically stable."
            if logits_variant
            else ""
        )
        raise fail(
            name,
            f"{what} must hold probabilities in [0, 1], got values in [{lo:g}, {hi:g}].{hint}",
        )


def check_labels(
    name: str,
    xp: Any,
    y: Any,
    num_classes: int,
    *,
    ignore_index: int | None = None,
    what: str = "y_true",
) -> Any:
    """Integer class labels in [0, num_classes) (or ``ignore_index``); returns an int64 array.

    Floating arrays are accepted when every entry is a whole number.
    """
    if B.is_floating(xp, y.dtype):
        if (
            numel(y)
            and _checks.can_read(y)
            and not bool(xp.all(xp.isfinite(y) & (y == xp.round(y))))
        ):
            raise TypeError(
                f"{name}(): {what} must hold integer class labels, got non-integer values "
                f"(dtype {y.dtype}); for probability targets pass an array of y_pred's shape"
            )
    elif not B.is_integral(xp, y.dtype):
        raise TypeError(f"{name}(): {what} must hold integer class labels, got dtype {y.dtype}")
    if B.is_floating(xp, y.dtype) and not _checks.can_read(y):
        y = xp.round(y)  # traced: the whole-number check above was skipped
    y = xp.astype(y, _label_dtype(xp), copy=False)
    if numel(y) and _checks.can_read(y):
        valid = (y >= 0) & (y < num_classes)
        if ignore_index is not None:
            valid = valid | (y == ignore_index)
        if not bool(xp.all(valid)):
            bad = xp.where(valid, xp.zeros_like(y), y)
            lo, hi = int(xp.min(bad)), int(xp.max(bad))
            shown = hi if hi != 0 else lo
            extra = f" or ignore_index={ignore_index}" if ignore_index is not None else ""
            raise fail(
                name,
                f"{what} holds class label {shown}, out of range for {num_classes} classes "
                f"(expected 0..{num_classes - 1}{extra})",
            )
    return y


def _label_dtype(xp: Any) -> Any:
    """int64, or the namespace's default integer where that is narrower (JAX without x64)."""
    if xp is B._NP:
        return xp.int64
    return xp.__array_namespace_info__().default_dtypes()["integral"]


def signed_labels(name: str, xp: Any, y: Any, like: Any, what: str = "y_true") -> Any:
    """Binary labels in {-1, 1} or {0, 1} (detected) as a float array of -1/+1."""
    if not (B.is_floating(xp, y.dtype) or B.is_integral(xp, y.dtype)):
        raise TypeError(f"{name}(): {what} must hold binary labels, got dtype {y.dtype}")
    yf = xp.astype(y, like.dtype, copy=False)
    if numel(y) == 0:
        return yf
    if not _checks.can_read(y):  # traced or unchecked: decide {0, 1} vs {-1, 1} in the graph
        pm = xp.all((yf == 1.0) | (yf == -1.0))
        return xp.where(pm, yf, 2.0 * yf - 1.0)
    is_pm = bool(xp.all((yf == 1.0) | (yf == -1.0)))
    is_01 = bool(xp.all((yf == 1.0) | (yf == 0.0)))
    if not (is_pm or is_01):
        lo, hi = value_range(xp, yf)
        raise fail(
            name,
            f"{what} must hold binary labels, either all in {{-1, 1}} or all in {{0, 1}}, got "
            f"values in [{lo:g}, {hi:g}]",
        )
    return yf if is_pm else 2.0 * yf - 1.0


def check_param(name: str, ok: bool, message: str) -> None:
    """A cross-parameter check (single parameters are validated by their ``Param``)."""
    if not ok:
        raise fail(name, message)


def check_reduction(reduction: Any, allowed: Sequence[str] = REDUCTIONS) -> str:
    if reduction not in allowed:
        listing = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"reduction: Expected one of {listing}, got {reduction!r}")
    return str(reduction)


def clip_epsilon(xp: Any, like: Any) -> float:
    """The clipping epsilon of probability losses: the machine epsilon of the compute dtype
    (float32 for half-precision input), as scikit-learn's log_loss uses."""
    return B.eps(xp, like)


def need_target(name: str, y_true: Any) -> Any:
    if y_true is None:
        raise TypeError(f"{name}(): y_true is required")
    return y_true


def float_target(name: str, xp: Any, y_true: Any, like: Any) -> Any:
    """y_true as a floating array of ``like``'s dtype and shape."""
    t = need_target(name, y_true)
    if not (is_floating(xp, t.dtype) or is_integral(xp, t.dtype)):
        raise TypeError(f"{name}(): y_true must be a real array, got dtype {t.dtype}")
    t = xp.astype(t, like.dtype)
    check_same_shape(name, t, like)
    return t


def class_logits(name: str, xp: Any, y_pred: Any, what: str = "y_pred") -> int:
    """Number of classes of a (..., C) score array (class axis last)."""
    if y_pred.ndim < 1 or y_pred.shape[-1] < 1:
        raise fail(
            name,
            f"{what} must have a class axis (last) of size >= 1, got shape {tuple(y_pred.shape)}",
        )
    return int(y_pred.shape[-1])


def targets(
    name: str,
    xp: Any,
    y_true: Any,
    y_pred: Any,
    *,
    ignore_index: int | None = None,
    allow_soft: bool = True,
) -> tuple[str, Any]:
    """Classify y_true for a (..., C) y_pred: ("labels", int64 array) or ("soft", floats)."""
    t = need_target(name, y_true)
    c = class_logits(name, xp, y_pred)
    if allow_soft and t.ndim == y_pred.ndim and tuple(t.shape) == tuple(y_pred.shape):
        if not is_floating(xp, t.dtype):
            t = xp.astype(t, y_pred.dtype)
        return "soft", t
    if tuple(t.shape) != tuple(y_pred.shape[:-1]):
        soft = f" or {tuple(y_pred.shape)} (probability targets)" if allow_soft else ""
        raise fail(
            name,
            f"y_true must have shape {tuple(y_pred.shape[:-1])} (class labels){soft} for y_pred "
            f"of shape {tuple(y_pred.shape)}, got {tuple(t.shape)}",
        )
    return "labels", check_labels(name, xp, t, c, ignore_index=ignore_index)


def check_class_weight(name: str, weight: Any, c: int) -> None:
    if weight is not None and tuple(weight.shape) != (c,):
        raise fail(
            name, f"weight must have shape ({c},) (one weight per class), got {tuple(weight.shape)}"
        )
