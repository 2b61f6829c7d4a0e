"""Loss function objects: per-sample kernels, one reduction helper, named input checks.

A loss kernel has the signature ``kernel(xp, y_true, y_pred, **params) -> Parts``.
It returns the per-sample losses ``l_i``, the gradient of ``sum_i l_i`` with
respect to ``y_pred`` (or a function ``c -> d(sum_i c_i l_i)/d y_pred`` for
losses whose samples are coupled) and, for class-weighted losses, the
per-sample normalizer ``d_i`` that "mean" divides by. ``reduce`` then applies
``reduction`` and ``sample_weight`` in one place for every loss:

    none: s_i l_i        sum: sum_i s_i l_i        mean: sum_i s_i l_i / sum_i s_i d_i

with ``s_i`` the sample weight (1 by default) and ``d_i`` 1 unless the kernel
says otherwise (PyTorch's convention for class weights: d_i = weight[y_i], 0 for
ignored targets). ``grad`` is the gradient of the reduced value; for "none" it
is the gradient of the sum of the returned per-sample values.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from . import _backend as B
from . import _checks
from . import fast as _fast
from ._function import Function, Kernels, _convert_param
from ._spec import Info
from ._views import numpy_views

REDUCTIONS = ("mean", "sum", "none")

STANDARD_REDUCTIONS: Mapping[str, str] = {
    "none": r"s_i\,\ell_i",
    "sum": r"\sum_i s_i\,\ell_i",
    "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}\quad(s_i = \text{sample\_weight}, "
    r"\text{default } 1)",
}


class NoGradientError(TypeError):
    """Raised by ``grad`` of a loss that has no gradient (e.g. the 0-1 loss)."""


class Parts(NamedTuple):
    """What a loss kernel returns."""

    loss: Any  # per-sample losses l_i
    grad: Any  # d(sum_i l_i)/d y_pred (array or tuple, rows per sample) or c -> vjp
    norm: Any = None  # per-sample normalizer d_i for "mean" (None: 1)


@dataclass(frozen=True)
class LossKernels(Kernels):
    """``value`` is the kernel returning ``Parts``; ``inputs`` names the arrays of y_pred."""

    inputs: tuple[str, ...] = ("y_pred",)
    variadic: bool = False  # y_pred is a sequence of any length (regularizers)
    has_grad: bool = True
    class_axis: bool = False  # has an ``axis`` parameter: the class (event) axis of y_pred
    extra: Mapping[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------- validation
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


# -------------------------------------------------------------------------- reduction
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


def _vjp_none(
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


# ------------------------------------------------------------------------------ losses
class Loss(Function):
    """A loss function from the catalog.

    ``f(y_true, y_pred, reduction="mean", sample_weight=None, **params)``;
    ``f.grad`` is d loss / d y_pred (y_pred's shape and dtype, a tuple for
    losses of several prediction arrays); ``f.value_and_grad`` computes both in
    one pass. Half precision is computed in float32.
    """

    kernels: LossKernels

    def __init__(
        self,
        info: Info,
        kernels: Kernels,
        preset: Mapping[str, Any] | None = None,
        alias: str | None = None,
        default_reduction: str = "mean",
    ) -> None:
        self.default_reduction = default_reduction
        super().__init__(info, kernels, preset, alias)

    def _signature(self) -> inspect.Signature:
        P = inspect.Parameter
        return inspect.Signature(
            [
                P("y_true", P.POSITIONAL_ONLY),
                P("y_pred", P.POSITIONAL_ONLY),
                P(
                    "reduction",
                    P.KEYWORD_ONLY,
                    default=self.default_reduction,
                    annotation="Literal['mean', 'sum', 'none']",
                ),
                P("sample_weight", P.KEYWORD_ONLY, default=None, annotation="Array | None"),
                *self._param_signature(),
            ]
        )

    def partial(self, _alias: str | None = None, **params: Any) -> Loss:
        self._check_names(params)
        return type(self)(
            self.info, self.kernels, {**self.preset, **params}, _alias, self.default_reduction
        )

    @numpy_views
    def __call__(
        self,
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        **params: Any,
    ) -> Any:
        return self._run(y_true, y_pred, reduction, sample_weight, params, want_grad=False)[0]

    @numpy_views
    def grad(
        self,
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        **params: Any,
    ) -> Any:
        """Gradient of the reduced loss with respect to ``y_pred``."""
        self._require_grad()
        return self._run(y_true, y_pred, reduction, sample_weight, params, want_grad=True)[1]

    @numpy_views
    def value_and_grad(
        self,
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        **params: Any,
    ) -> tuple[Any, Any]:
        """``(loss, grad)`` from one evaluation of the kernel."""
        self._require_grad()
        return self._run(y_true, y_pred, reduction, sample_weight, params, want_grad=True)

    @numpy_views
    def vjp(
        self,
        y_true: Any,
        y_pred: Any,
        cotangent: Any,
        /,
        *,
        sample_weight: Any = None,
        **params: Any,
    ) -> Any:
        """Gradient of ``sum(cotangent * f(y_true, y_pred, reduction="none"))`` w.r.t. y_pred.

        ``cotangent`` has the shape of the ``reduction="none"`` result (any sign);
        the framework adapters use it as the backward pass of per-sample losses.
        """
        self._require_grad()
        return self._run(
            y_true, y_pred, "none", sample_weight, params, want_grad=True, cotangent=cotangent
        )[1]

    def _require_grad(self) -> None:
        if not self.kernels.has_grad:
            raise NoGradientError(
                f"{self.info.name} has no gradient: it is piecewise constant (its derivative "
                "is 0 almost everywhere and undefined at the jumps), so it cannot be trained "
                "with gradients. Use a surrogate such as hinge or cross_entropy."
            )

    # ------------------------------------------------------------------ machinery
    def _run(
        self,
        y_true: Any,
        y_pred: Any,
        reduction: str | None,
        sample_weight: Any,
        params: Mapping[str, Any],
        want_grad: bool,
        cotangent: Any = None,
    ) -> tuple[Any, Any]:
        reduction = check_reduction(self.default_reduction if reduction is None else reduction)
        xp, preds, out_dtype, packed = self._prepare_pred(y_pred)
        like = preds[0] if preds else None
        yt = None if y_true is None else B.as_array(y_true, "y_true", xp=xp, like=like)
        p = self.resolve_params(params, xp, like)
        if _fast.loss_eligible(self, like, out_dtype, sample_weight):
            done = _fast.loss_run(self, yt, like, p, reduction, want_grad, cotangent)
            if done is not None:  # fused kernels (actloss.fast); None: the reference below
                return done
        if yt is not None and B.is_floating(xp, yt.dtype) and like is not None:
            yt = xp.astype(yt, like.dtype, copy=False)
        moved = None
        if self.kernels.class_axis:  # kernels see the class axis last; gradients move back
            preds, yt, moved = _class_axis_last(self.info.name, xp, preds, yt, p.pop("axis"))
        arg = preds if packed else preds[0]
        parts = self.kernels.value(xp, yt, arg, **p)
        parts = _propagate_nan(xp, parts, yt, preds)
        name = self.info.name
        if cotangent is None:
            value, grad = reduce(xp, name, parts, reduction, sample_weight, want_grad, arg)
        else:
            value, grad = _vjp_none(xp, name, parts, sample_weight, cotangent, arg)
        value = B.finish(xp, value, out_dtype)
        if grad is None:
            return value, None
        if moved is not None:
            grad = xp.moveaxis(grad, -1, moved)
        if isinstance(grad, (tuple, list)):
            return value, type(grad)(B.finish(xp, g, out_dtype) for g in grad)
        return value, B.finish(xp, grad, out_dtype)

    def _prepare_pred(self, y_pred: Any) -> tuple[Any, list[Any], Any, bool]:
        names = self.kernels.inputs
        if self.kernels.variadic or len(names) > 1:
            if not isinstance(y_pred, (tuple, list)) or (
                not self.kernels.variadic and len(y_pred) != len(names)
            ):
                want = (
                    "a list of parameter arrays"
                    if self.kernels.variadic
                    else f"a tuple ({', '.join(names)})"
                )
                raise TypeError(
                    f"{self.info.name}(): y_pred must be {want}, got {type(y_pred).__name__}"
                )
            items = list(y_pred)
            if not items:
                raise ValueError(f"{self.info.name}(): y_pred is an empty sequence")
            packed = True
        else:
            items, packed = [y_pred], False
        label = names[0] if names else "y_pred"
        xp, first, out_dtype = B.prepare(items[0], label)
        preds = [first]
        for i, item in enumerate(items[1:], 1):
            nm = names[i] if i < len(names) else f"y_pred[{i}]"
            arr = B.as_array(item, nm, xp=xp, like=first)
            if not (B.is_floating(xp, arr.dtype) or B.is_integral(xp, arr.dtype)):
                raise TypeError(f"{self.info.name}(): {nm} must be a real array, got {arr.dtype}")
            preds.append(xp.astype(arr, first.dtype, copy=False))
        return xp, preds, out_dtype, packed

    def _resolve(self, params: Mapping[str, Any], xp: Any, like: Any) -> dict[str, Any]:
        """As for activations; parameters whose default is None may stay None."""
        self._check_names(params)
        merged = {**self.info.defaults, **self.preset, **params}
        out: dict[str, Any] = {}
        for prm in self.info.params:
            value = merged[prm.name]
            if value is None and prm.default is None:
                out[prm.name] = None
            elif prm.kind == "int" and value is not None and B.is_array(value):
                raise ParamTypeError(
                    f"{self.info.name}(): parameter {prm.name!r} must be an integer, got an array"
                )
            else:
                out[prm.name] = _convert_param(self.info.name, prm, value, xp, like)
        if self.kernels.check_params is not None:
            self.kernels.check_params(out)
        return out


def _class_axis_last(name: str, xp: Any, preds: list[Any], y_true: Any,
                     axis: int) -> tuple[list[Any], Any, int | None]:  # fmt: skip
    """Move the class axis of y_pred (and of a y_true of the same shape) to the end."""
    x = preds[0]
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise fail(name, f"axis {axis} is out of range for y_pred with {x.ndim} dims")
    a = axis % x.ndim
    if a == x.ndim - 1:
        return preds, y_true, None
    if y_true is not None and tuple(y_true.shape) == tuple(x.shape):
        y_true = xp.moveaxis(y_true, a, -1)
    return [xp.moveaxis(x, a, -1)], y_true, a


class ParamTypeError(TypeError):
    """A parameter of the wrong type."""


def _propagate_nan(xp: Any, parts: Parts, y_true: Any, preds: list[Any]) -> Parts:
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


def clip_epsilon(xp: Any, like: Any) -> float:
    """The clipping epsilon of probability losses: the machine epsilon of the compute dtype
    (float32 for half-precision input), as scikit-learn's log_loss uses."""
    return B.eps(xp, like)


__all__ = [
    "REDUCTIONS",
    "STANDARD_REDUCTIONS",
    "Loss",
    "LossKernels",
    "NoGradientError",
    "Parts",
    "check_labels",
    "check_param",
    "check_probabilities",
    "check_reduction",
    "check_same_shape",
    "clip_epsilon",
    "reduce",
    "signed_labels",
]
