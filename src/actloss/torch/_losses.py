"""Loss modules and functional losses generated from the catalog, in PyTorch's conventions.

``module(input, target)`` (PyTorch's order; the core's is ``(y_true, y_pred)``),
``reduction=`` (``"mean"``, ``"sum"`` or ``"none"``: one value per sample),
array parameters such as ``weight`` and ``pos_weight`` registered as buffers.
Losses of several prediction arrays take them first, in the catalog's order
(``Loss.kernels.inputs``), then the target; a few follow PyTorch's own order
instead (``Info.torch_order``, e.g. ``GaussianNLLLoss()(input, target, var)``).
Losses without a target (regularizers) take only their inputs.

Backward: for "mean" and "sum" the forward computes the value and the gradient
in one pass (``value_and_grad``) and saves only the gradient; for "none" it
saves the inputs and the backward calls ``Loss.vjp`` with the per-sample
cotangent. Gradients flow to the predictions only: the catalog differentiates
losses with respect to ``y_pred``.

Input checks: the constructor validates the parameters once (their resolution is
cached by the core); on every call the checks that read the data run by default --
labels in range (for cross-entropy with integer labels this is part of the fused
kernel's one pass), probabilities and binary targets in [0, 1] or {0, 1}/{-1, 1},
finite non-negative sample weights, whole-number float labels. ``check_inputs=False``
switches exactly those off for a hot loop (shapes, dtypes and parameters are still
checked): bad values then give undefined numbers (out-of-range integer labels still
raise on the fused CPU path, which never reads out of bounds, and in torch's own
indexing elsewhere). Under ``torch.compile`` they are off (the values are not known
while tracing).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import array_api_compat.torch as xpt
import torch
from torch import nn

from .. import _checks
from .._classnames import class_name
from .._docstring import LazyDoc
from .._loss import REDUCTIONS, Loss, check_reduction
from ._autograd import split_params

_P = inspect.Parameter


@dataclass(frozen=True)
class LossCall:
    """A catalog loss with its reduction and fixed parameters; tensors follow in ``apply``."""

    fn: Loss
    reduction: str
    static: tuple[tuple[str, Any], ...]
    tensor_names: tuple[str, ...]
    n_pred: int
    packed: bool

    def kwargs(self, tensors: Sequence[torch.Tensor]) -> dict[str, Any]:
        return {**dict(self.static), **dict(zip(self.tensor_names, tensors, strict=True))}

    def y_pred(self, preds: Sequence[torch.Tensor]) -> Any:
        return tuple(preds) if self.packed else preds[0]


class LossFunction(torch.autograd.Function):
    """value = fn(target, preds, reduction, **params); backward from the catalog's gradient.

    The classic ``forward(ctx, ...)`` form: ``apply`` of a Function with ``setup_context``
    binds its arguments through ``inspect.signature`` on every call.
    """

    @staticmethod
    def forward(ctx: Any, call: LossCall, target: Any, *tensors: torch.Tensor) -> Any:
        preds, rest = tensors[: call.n_pred], tensors[call.n_pred :]
        y_pred = call.y_pred(preds)
        kw = call.kwargs(rest)
        ctx.call = call
        ctx.n_tensors = len(tensors)
        if call.reduction == "none":
            value, rows = call.fn.value_and_rows(target, y_pred, **kw)
            ctx.rows = rows is not None
            if ctx.rows:  # separable samples: backward = rows * cotangent, nothing recomputed
                grads = tuple(rows) if call.packed else (rows,)
                ctx.mark_non_differentiable(*grads)
                ctx.save_for_backward(*grads)
                return (value,)
            ctx.has_target = target is not None
            saved = [target] if target is not None else []
            ctx.save_for_backward(*saved, *tensors)
            return (value,)
        value, grad = call.fn.value_and_grad(target, y_pred, reduction=call.reduction, **kw)
        grads = tuple(grad) if call.packed else (grad,)
        ctx.mark_non_differentiable(*grads)
        ctx.save_for_backward(*grads)
        return (value, *grads)

    @staticmethod
    def backward(ctx: Any, g_value: torch.Tensor, *_: Any) -> Any:
        call: LossCall = ctx.call
        if call.reduction == "none" and ctx.rows:
            grads = [_times_rows(g, g_value.to(g.dtype)) for g in ctx.saved_tensors]
        elif call.reduction == "none":
            saved = list(ctx.saved_tensors)
            target = saved.pop(0) if ctx.has_target else None
            preds, rest = saved[: call.n_pred], saved[call.n_pred :]
            grad = call.fn.vjp(target, call.y_pred(preds), g_value, **call.kwargs(rest))
            grads = list(grad) if call.packed else [grad]
        else:
            grads = [g * g_value.to(g.dtype) for g in ctx.saved_tensors]
        needs = ctx.needs_input_grad
        d_preds = [g if needs[2 + i] else None for i, g in enumerate(grads)]
        return (None, None, *d_preds, *[None] * (ctx.n_tensors - call.n_pred))


def _times_rows(rows: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """rows * c, with c (one value per sample) broadcast along the rows' trailing axes."""
    return rows * c.reshape(*c.shape, *[1] * (rows.ndim - c.ndim))


def apply_loss(
    fn: Loss,
    preds: Sequence[torch.Tensor],
    target: Any,
    reduction: str,
    params: Mapping[str, Any],
) -> torch.Tensor:
    """``fn(target, preds, reduction=..., **params)`` with the catalog's backward."""
    for i, p in enumerate(preds):
        if not isinstance(p, torch.Tensor):
            what = "input" if len(preds) == 1 else f"input {i}"
            raise TypeError(
                f"actloss.torch.{fn.name}: {what} must be a torch.Tensor, got {type(p).__name__}"
            )
    reduction = check_reduction(reduction, REDUCTIONS)
    packed = fn.kernels.variadic or len(fn.kernels.inputs) > 1
    static, names, tensors = split_params(params)
    call = LossCall(fn, reduction, static, names, len(preds), packed)
    needs_grad = torch.is_grad_enabled() and any(p.requires_grad for p in preds)
    if not needs_grad or not fn.kernels.has_grad:
        # no graph to build (evaluation), or a loss without a gradient (zero_one): value only
        with torch.no_grad():
            out: torch.Tensor = fn(target, call.y_pred(preds), reduction=reduction, **params)
        return out
    if isinstance(target, torch.Tensor) and target.requires_grad:
        raise RuntimeError(
            f"actloss.torch.{fn.name}: the target requires grad, but actloss losses are "
            "differentiated with respect to the prediction only; pass target.detach()"
        )
    outs = LossFunction.apply(call, target, *preds, *tensors)
    value: torch.Tensor = outs[0]
    return value


# ----------------------------------------------------------------------------- layout
def _input_names(fn: Loss) -> tuple[str, ...]:
    return tuple(fn.kernels.inputs)


def _split_args(fn: Loss, args: Sequence[Any], where: str) -> tuple[list[Any], Any]:
    """(predictions, target) from positional arguments in PyTorch's order."""
    if fn.kernels.variadic:
        return list(args), None
    names = _input_names(fn)
    n = len(names)
    order = fn.info.torch_order  # PyTorch's order where it is not "inputs, then target"
    if order and len(args) == len(order):
        got = dict(zip(order, args, strict=True))
        return [got[k] for k in names], got["target"]
    if len(args) == n + 1:
        return list(args[:n]), args[n]
    if len(args) == n and n > 1:
        return list(args), None
    expected = order or (*names, "target")
    raise TypeError(f"{where} takes ({', '.join(expected)}), got {len(args)} arguments")


# ----------------------------------------------------------------------------- functional
def loss_function(fn: Loss) -> Callable[..., torch.Tensor]:
    """The functional form: ``f(input, target, reduction=..., **params)`` (PyTorch's order)."""

    def call(*args: Any, reduction: str | None = None, **params: Any) -> torch.Tensor:
        preds, target = _split_args(fn, args, fn.name)
        red = fn.default_reduction if reduction is None else reduction
        return apply_loss(fn, preds, target, red, params)

    call.__name__ = call.__qualname__ = fn.name
    call.__doc__ = f"actloss's ``{fn.name}`` loss on torch tensors, (input, target) order.\n\n"
    call.__doc__ += str(fn.__doc__)
    return call


# ----------------------------------------------------------------------------- modules
class LossModule(nn.Module):
    """Base of the generated loss modules: ``forward(input, target)``."""

    function: ClassVar[Loss]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        sig = type(self).__signature__  # type: ignore[attr-defined]
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}{sig}: {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        self.reduction = check_reduction(values.pop("reduction"), REDUCTIONS)
        check = values.pop("check_inputs")
        if not isinstance(check, bool):
            raise TypeError(f"{type(self).__name__}: check_inputs must be a bool, got {check!r}")
        self.check_inputs = check
        self._fixed: dict[str, Any] = {}
        self._buffers_named: list[str] = []
        for p in self.function.info.params:
            value = values[p.name]
            if p.kind == "array" or isinstance(value, torch.Tensor):
                tensor = None if value is None else torch.as_tensor(value).detach().clone()
                if tensor is not None and not tensor.is_floating_point():
                    tensor = tensor.to(torch.get_default_dtype())
                self.register_buffer(p.name, tensor)
                self._buffers_named.append(p.name)
            else:
                self._fixed[p.name] = value
                setattr(self, p.name, value)
        self.function.resolve_params(self.params(), xpt, torch.zeros((), dtype=torch.float64))

    def params(self) -> dict[str, Any]:
        """The catalog parameters (buffers included)."""
        out = dict(self._fixed)
        for name in self._buffers_named:
            out[name] = getattr(self, name)
        return out

    def forward(self, *args: Any, sample_weight: Any = None) -> torch.Tensor:
        preds, target = _split_args(self.function, args, f"{type(self).__name__}.forward")
        params = self.params()
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        if self.check_inputs or torch.compiler.is_compiling():  # traced: no value checks
            return apply_loss(self.function, preds, target, self.reduction, params)
        with _checks.skipped():
            return apply_loss(self.function, preds, target, self.reduction, params)

    def extra_repr(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self._fixed.items()]
        parts += [f"{k}=<tensor>" for k in self._buffers_named if getattr(self, k) is not None]
        check = [] if self.check_inputs else ["check_inputs=False"]
        return ", ".join([*parts, f"reduction={self.reduction!r}", *check])


def make_loss_class(fn: Loss) -> type[LossModule]:
    """A new ``LossModule`` subclass for catalog loss ``fn``."""
    params = [
        _P(p.name, _P.POSITIONAL_OR_KEYWORD, default=fn.preset.get(p.name, p.default))
        for p in fn.info.params
    ]
    params.append(_P("reduction", _P.POSITIONAL_OR_KEYWORD, default=fn.default_reduction))
    params.append(_P("check_inputs", _P.KEYWORD_ONLY, default=True))
    sig = inspect.Signature(params)
    name = class_name(fn)
    order = fn.info.torch_order or (
        ("*inputs",) if fn.kernels.variadic else (*_input_names(fn), "target")
    )
    if order == ("y_pred", "target"):
        order = ("input", "target")
    head = f"{name}{sig}: actloss's ``{fn.name}`` loss; forward({', '.join(order)})."
    namespace = {
        "function": fn,
        "__signature__": sig,
        "__doc__": LazyDoc(lambda: f"{head}\n\n{fn.__doc__}"),  # rendered on first access
        "__module__": "actloss.torch",
    }
    return type(name, (LossModule,), namespace)
