"""``torch.autograd.Function``s whose backward passes are the catalog's own derivatives.

Activations: the forward calls ``fn(x, **params)`` (the core, running on torch
tensors through its Array API path) and saves only the input ``x`` (plus the
learnable parameter tensors, which are alive anyway); the backward is
``fn.vjp(x, cotangent)`` (``cotangent * fn.grad(x)`` for elementwise entries,
the catalog's vector-Jacobian product for softmax and gated ones), with
``with_params=True`` when a parameter needs a gradient.

The backward is itself an ``autograd.Function`` (``_ActivationVJP``), so
second derivatives work (``create_graph=True``, gradgradcheck):

* elementwise entries without learnable parameters use the catalog's analytic
  second derivative: d/dx [c f'(x)] = c f''(x), d/dc [c f'(x)] = f'(x);
* anything involving a learnable parameter (mixed partials such as
  d^2 swish / dx d beta, which the catalog does not state) and the vector
  entries (whose second derivatives are not in the catalog) are differentiated
  by torch autograd through the catalog's first-derivative kernels, which are
  ordinary torch operations on this path.

torch.compile: ``apply_activation`` is excluded from tracing (``torch.compiler.disable``),
so each actloss module is one graph break; the layers around it are compiled.

Half precision: the core computes float16/bfloat16 in float32; the backward
upcasts too, so that parameter gradients (sums over the batch) are accumulated
and returned without float16 overflow, then cast to each tensor's dtype.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.autograd.function import once_differentiable

from .._function import Activation

HALF = (torch.float16, torch.bfloat16)


@dataclass(frozen=True)
class ActivationCall:
    """A catalog activation with its fixed (non-tensor) parameters.

    ``tensor_names`` names the tensors passed to ``apply`` after it, in order.
    """

    fn: Activation
    static: tuple[tuple[str, Any], ...]
    tensor_names: tuple[str, ...]

    def params(self, tensors: Sequence[torch.Tensor]) -> dict[str, Any]:
        return {**dict(self.static), **dict(zip(self.tensor_names, tensors, strict=True))}


def split_params(
    params: Mapping[str, Any],
) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...], list[torch.Tensor]]:
    """Separate tensor parameters (inputs of the autograd graph) from fixed ones."""
    static = tuple((k, v) for k, v in params.items() if not isinstance(v, torch.Tensor))
    names = tuple(k for k, v in params.items() if isinstance(v, torch.Tensor))
    return static, names, [params[k] for k in names]


def _upcast(t: torch.Tensor) -> torch.Tensor:
    return t.float() if t.dtype in HALF else t


def _vjp(
    call: ActivationCall,
    x: torch.Tensor,
    ct: torch.Tensor,
    tensors: Sequence[torch.Tensor],
    want_params: bool,
) -> tuple[torch.Tensor, ...]:
    """(dx, *d_tensor_params) from the catalog's vjp, computed in at least float32."""
    params = call.params(tensors)
    xc, cc = _upcast(x), _upcast(ct)
    if not want_params:
        return (call.fn.vjp(xc, cc, **params).to(x.dtype),)
    dx, grads = call.fn.vjp(xc, cc, with_params=True, **params)
    out = [dx.to(x.dtype)]
    for name, t in zip(call.tensor_names, tensors, strict=True):
        g = grads.get(name)
        if g is None:
            out.append(torch.zeros_like(t))  # a fixed parameter passed as a tensor
        else:
            out.append(torch.as_tensor(g).to(dtype=t.dtype).reshape(t.shape))
    return tuple(out)


def _check_param_grads(call: ActivationCall, needs: Sequence[bool]) -> None:
    have = call.fn.kernels.param_grads
    for name, need in zip(call.tensor_names, needs, strict=True):
        if need and name not in have:
            listing = ", ".join(have) or "none"
            raise RuntimeError(
                f"actloss.torch: {call.fn.name} has no derivative with respect to {name!r} "
                f"(differentiable parameters: {listing}); pass it as a float or a tensor "
                "that does not require grad"
            )


class ActivationFunction(torch.autograd.Function):
    """y = fn(x, **params); backward: the catalog's vjp (see the module docstring)."""

    generate_vmap_rule = True  # torch.func.vmap runs forward/backward on batched tensors

    @staticmethod
    def forward(x: torch.Tensor, call: ActivationCall, *tensors: torch.Tensor) -> Any:
        return call.fn(x, **call.params(tensors))

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        x, call, *tensors = inputs
        ctx.call = call
        ctx.save_for_backward(x, *tensors)

    @staticmethod
    def backward(ctx: Any, ct: torch.Tensor) -> Any:
        x, *tensors = ctx.saved_tensors
        call: ActivationCall = ctx.call
        needs = ctx.needs_input_grad
        want_params = any(needs[2:])
        if want_params:
            _check_param_grads(call, needs[2:])
        if torch.is_grad_enabled():  # create_graph=True: keep the backward differentiable
            outs = ActivationVJP.apply(x, ct, call, want_params, *tensors)
        else:  # a plain backward: no second autograd node (half the per-call overhead)
            outs = _vjp(call, x, ct, tensors, want_params)
        dx = outs[0] if needs[0] else None
        dps = [outs[1 + i] if want_params and needs[2 + i] else None for i in range(len(tensors))]
        return (dx, None, *dps)


class ActivationVJP(torch.autograd.Function):
    """(dx, *d_params) = vjp(x, ct); differentiable once more (the double backward)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(
        x: torch.Tensor,
        ct: torch.Tensor,
        call: ActivationCall,
        want_params: bool,
        *tensors: torch.Tensor,
    ) -> Any:
        return _vjp(call, x, ct, tensors, want_params)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        x, ct, call, want_params, *tensors = inputs
        ctx.call = call
        ctx.want_params = want_params
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, ct, *tensors)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, *grads: torch.Tensor | None) -> Any:
        x, ct, *tensors = ctx.saved_tensors
        call: ActivationCall = ctx.call
        needs = ctx.needs_input_grad
        gdx, gdps = grads[0], grads[1:]
        kernels = call.fn.kernels
        analytic = (
            call.fn.info.elementwise
            and kernels.grad2 is not None
            and not any(needs[4:])
            and all(g is None for g in gdps)
        )
        if gdx is None and all(g is None for g in gdps):
            return (None, None, None, None, *[None] * len(tensors))
        if analytic:
            assert gdx is not None
            params = call.params(tensors)
            xc, cc, gc = _upcast(x), _upcast(ct), _upcast(gdx)
            d_x = (gc * cc * call.fn.grad2(xc, **params)).to(x.dtype) if needs[0] else None
            d_ct = call.fn.vjp(xc, gc, **params).to(ct.dtype) if needs[1] else None
            return (d_x, d_ct, None, None, *[None] * len(tensors))
        return _autodiff_backward(call, ctx.want_params, x, ct, tensors, grads, needs)


def _autodiff_backward(
    call: ActivationCall,
    want_params: bool,
    x: torch.Tensor,
    ct: torch.Tensor,
    tensors: Sequence[torch.Tensor],
    grads: Sequence[torch.Tensor | None],
    needs: Sequence[bool],
) -> tuple[Any, ...]:
    """Second derivatives by torch autograd through the catalog's first-derivative kernels."""
    with torch.enable_grad(), warnings.catch_warnings():
        # the core reads learnable parameters with float() to check their constraint
        warnings.filterwarnings("ignore", "Converting a tensor with requires_grad", UserWarning)
        xs = x.detach().requires_grad_(needs[0])
        cs = ct.detach().requires_grad_(needs[1])
        ts = [t.detach().requires_grad_(n) for t, n in zip(tensors, needs[4:], strict=True)]
        flags = [needs[0], needs[1], *needs[4:]]
        outs = _vjp(call, xs, cs, ts, want_params)
        pairs = [
            (o, g) for o, g in zip(outs, grads, strict=True) if g is not None and o.requires_grad
        ]
        inputs = [v for v, n in zip([xs, cs, *ts], flags, strict=True) if n]
        if not pairs or not inputs:
            return (None, None, None, None, *[None] * len(tensors))
        got = iter(
            torch.autograd.grad(
                [o for o, _ in pairs], inputs, [g for _, g in pairs], allow_unused=True
            )
        )
    res = [next(got) if n else None for n in flags]
    return (res[0], res[1], None, None, *res[2:])


@torch.compiler.disable
def apply_activation(fn: Activation, x: Any, params: Mapping[str, Any]) -> torch.Tensor:
    """``fn(x, **params)`` with the catalog's backward; tensor parameters get gradients.

    Under ``torch.compile`` this call is a graph break: the core (Python code on the
    Array API, with data-dependent parameter checks) runs eagerly between compiled graphs.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"actloss.torch.{fn.name}: x must be a torch.Tensor, got {type(x).__name__}"
        )
    static, names, tensors = split_params(params)
    out: torch.Tensor = ActivationFunction.apply(x, ActivationCall(fn, static, names), *tensors)
    return out


__all__ = ["ActivationCall", "ActivationFunction", "ActivationVJP", "apply_activation"]
