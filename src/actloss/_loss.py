"""Loss function objects: the ``Loss`` class, its kernels record, the path of a call.

The input checks live in ``_validation`` and the one reduction in ``_reduction``
(re-exported here for the definitions).

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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import _backend as B
from . import fast as _fast
from ._function import BaseKernels, Function, ParameterError, convert_param
from ._reduction import STANDARD_REDUCTIONS, Parts, propagate_nan, reduce, vjp_none
from ._spec import Info
from ._validation import (
    REDUCTIONS,
    check_labels,
    check_param,
    check_probabilities,
    check_reduction,
    check_same_shape,
    clip_epsilon,
    fail,
    finite_values,
    numel,
    signed_labels,
    value_range,
)
from ._views import numpy_views


class NoGradientError(TypeError):
    """Raised by ``grad`` of a loss that has no gradient (e.g. the 0-1 loss)."""


@dataclass(frozen=True)
class LossKernels(BaseKernels):
    """``value`` is the kernel returning ``Parts``; ``inputs`` names the arrays of y_pred."""

    inputs: tuple[str, ...] = ("y_pred",)
    variadic: bool = False  # y_pred is a sequence of any length (regularizers)
    has_grad: bool = True
    class_axis: bool = False  # has an ``axis`` parameter: the class (event) axis of y_pred


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
        kernels: BaseKernels,
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

    @numpy_views
    def value_and_rows(
        self, y_true: Any, y_pred: Any, /, *, sample_weight: Any = None, **params: Any
    ) -> tuple[Any, Any]:
        """``(f(..., reduction="none"), rows)`` from one evaluation: ``rows`` is the gradient
        of the sum of the returned values, whose row i belongs to sample i alone, so that the
        gradient of ``sum(c * value)`` is ``rows * c`` (broadcast along the trailing axes);
        ``rows`` is None for losses whose samples are coupled (ntxent, ...: use ``vjp``).
        The adapters' backward of per-sample losses."""
        self._require_grad()
        return self._run(y_true, y_pred, "none", sample_weight, params, want_grad=True, rows=True)

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
        rows: bool = False,
    ) -> tuple[Any, Any]:
        """(value, gradient); ``rows``: ("none" values, their gradient rows, or None for a
        loss whose samples are coupled), see ``value_and_rows``."""
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
        parts = propagate_nan(xp, parts, yt, preds)
        name = self.info.name
        if rows and (callable(parts.grad) or moved is not None):
            # coupled samples, or a class axis moved back: not rows along trailing axes
            value, _ = reduce(xp, name, parts, "none", sample_weight, False, arg)
            return B.finish(xp, value, out_dtype), None
        if cotangent is None:
            value, grad = reduce(xp, name, parts, reduction, sample_weight, want_grad, arg)
        else:
            value, grad = vjp_none(xp, name, parts, sample_weight, cotangent, arg)
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
                raise ParameterError(
                    f"{self.info.name}(): parameter {prm.name!r} must be an integer, got an array"
                )
            else:
                out[prm.name] = convert_param(self.info.name, prm, value, xp, like)
        if self.kernels.check_params is not None:
            self.kernels.check_params(out)
        return out


def _class_axis_last(
    name: str, xp: Any, preds: list[Any], y_true: Any, axis: int
) -> tuple[list[Any], Any, int | None]:
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
    "finite_values",
    "numel",
    "reduce",
    "signed_labels",
    "value_range",
]
