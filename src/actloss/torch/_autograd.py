"""``torch.autograd.Function``s whose backward passes are the catalog's own derivatives.

A module's forward calls ``run(plan, x, tensors)``: the entry's ``Plan`` (parameters
validated and resolved once, when the module was built) and one of two routes:

* ``FusedActivation``: eager CPU float32/float64 tensors. Forward and backward run on
  zero-copy NumPy views through the plan: the entry's fused kernel (``actloss.fast``)
  when it has one, else its Array API definition on NumPy (PyTorch's per-operation
  dispatch costs several microseconds, NumPy's about one: that decides the small tensors
  of a training step).
* ``TracedActivation``: under ``torch.compile``, on other devices (CUDA), in half
  precision and with tensor parameters (learnable ``nn.Parameter``). Forward and backward
  are the catalog's Array API definitions evaluated on torch tensors: plain torch
  operations, which dynamo traces into the graph (``fullgraph=True`` works) and inductor
  fuses with the layers around them (into GPU kernels on CUDA). This was chosen over
  ``torch.library.custom_op``: a custom op is opaque to inductor (no fusion with the
  neighbouring ops) and would need a fake implementation per entry, while an
  ``autograd.Function`` that dynamo can trace keeps the analytic backward *and* lets
  inductor fuse the definition.

What is saved for the backward, as PyTorch does: the output ``y`` when the entry states
its derivative in terms of it (``Kernels.output_grad`` / ``output_vjp``: sigmoid, tanh,
relu, relu6, elu, selu, celu, exponential, hard_tanh, the softmax family), else the
input ``x``; the forward never runs again in the backward for the former.

Second derivatives (``create_graph=True``, gradgradcheck): output-saving entries compute
the backward from ``y`` with torch operations, which autograd differentiates (``y`` is
connected to ``x`` through this node); input-saving entries go through ``ActivationVJP``,
whose backward is the catalog's analytic f'' for elementwise entries without learnable
parameters, and torch autograd through the catalog's first-derivative kernels otherwise
(mixed partials such as d^2 swish / dx d beta, and the vector entries).

Half precision: computed in float32, as the core does; parameter gradients (sums over the
batch) are accumulated in float32 and cast to each tensor's dtype.

Learnable parameters are validated when the module is built, not on every call (an
optimizer may move them anywhere); fixed parameters are validated once per plan.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import array_api_compat.torch as xpt
import numpy as np
import torch
from torch.autograd.function import once_differentiable

from .._function import Activation
from .._plan import Plan

HALF = (torch.float16, torch.bfloat16)
FAST = (torch.float32, torch.float64)
_NP: Any = None  # the core's NumPy namespace (set on first use)


def _np() -> Any:
    global _NP
    if _NP is None:
        from .. import _backend

        _NP = _backend.namespace()
    return _NP


def _upcast(t: torch.Tensor) -> torch.Tensor:
    return t.float() if t.dtype in HALF else t


def _view(t: torch.Tensor) -> np.ndarray:
    """A NumPy view of a CPU tensor (no copy; strided tensors give strided views)."""
    return t.detach().numpy()


def _tensor(a: np.ndarray, source: np.ndarray) -> torch.Tensor:
    """``a`` as a tensor; a copy when it shares memory with ``source`` (identity)."""
    if np.may_share_memory(a, source) or not a.flags.writeable:
        a = a.copy()
    return torch.from_numpy(a)


# ------------------------------------------------------------------------ the fused route
class FusedActivation(torch.autograd.Function):
    """y = f(x) on NumPy views of a CPU float32/float64 tensor; backward: the catalog's."""

    # The classic ``forward(ctx, ...)`` form: ``apply`` of a Function with ``setup_context``
    # binds its arguments through ``inspect.signature`` on every call (~15 us); functorch
    # transforms, which need ``setup_context``, take the traced route instead.
    # NumPy's floating-point warnings are silenced here: the results are IEEE's (inf * 0 is
    # NaN, as in PyTorch), and a torch user has no NumPy error state to manage.
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, plan: Plan) -> torch.Tensor:
        xn = _view(x)
        if plan.fused is not None:  # numba kernels: no NumPy error state involved
            y = _tensor(plan.value(_np(), xn), xn)
        else:
            with np.errstate(all="ignore"):
                y = _tensor(plan.value(_np(), xn), xn)
        ctx.plan = plan
        ctx.from_output = plan.saves_output
        ctx.save_for_backward(y if ctx.from_output else x)
        return y

    @staticmethod
    def backward(ctx: Any, ct: torch.Tensor) -> Any:
        (saved,) = ctx.saved_tensors
        plan: Plan = ctx.plan
        if ctx.from_output:
            if torch.is_grad_enabled():  # create_graph: differentiable torch ops on y
                return _output_vjp(xpt, plan, saved, ct), None
            sn = _view(saved)
            cn = _view(ct).astype(sn.dtype, copy=False)
            if plan.from_output is not None:
                return torch.from_numpy(plan.output_vjp(_np(), sn, cn)), None
            with np.errstate(all="ignore"):
                return torch.from_numpy(np.asarray(plan.output_vjp(_np(), sn, cn))), None
        if torch.is_grad_enabled():
            call = ActivationCall(plan.fn, tuple(plan.static_params().items()), ())
            return ActivationVJP.apply(saved, ct, call, False)[0], None
        xn = _view(saved)
        cn = _view(ct).astype(xn.dtype, copy=False)
        if plan.fused is not None:
            return _tensor(plan.vjp(_np(), xn, cn), xn), None
        with np.errstate(all="ignore"):
            return _tensor(plan.vjp(_np(), xn, cn), xn), None


def _output_vjp(xp: Any, plan: Plan, y: Any, ct: Any) -> Any:
    """ct @ J from the saved output ``y`` by the Array API definition (torch operations:
    autograd differentiates it for the double backward)."""
    return plan.fn._output_vjp(xp, y, ct, plan.params, plan.axis)


# ----------------------------------------------------------------------- the traced route
class TracedActivation(torch.autograd.Function):
    """y = f(x) by the Array API definition on torch tensors (traceable by dynamo)."""

    generate_vmap_rule = True  # torch.func.vmap runs forward/backward on batched tensors

    @staticmethod
    def forward(
        x: torch.Tensor, plan: Plan, names: tuple[str, ...], *tensors: torch.Tensor
    ) -> torch.Tensor:
        xc = _upcast(x)
        y: torch.Tensor = plan.fn._reference_value(
            xpt, xc, _torch_params(plan, xc, names, tensors), plan.axis
        )
        return y.to(x.dtype)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        x, plan, names, *tensors = inputs
        ctx.plan, ctx.names = plan, names
        ctx.from_output = plan.saves_output and not names
        ctx.save_for_backward(output if ctx.from_output else x, *tensors)

    @staticmethod
    def backward(ctx: Any, ct: torch.Tensor) -> Any:
        saved, *tensors = ctx.saved_tensors
        plan: Plan = ctx.plan
        names: tuple[str, ...] = ctx.names
        if ctx.from_output:
            dy = _output_vjp(xpt, plan, _upcast(saved), _upcast(ct))
            return dy.to(saved.dtype), None, None
        xc, cc = _upcast(saved), _upcast(ct)
        p = _torch_params(plan, xc, names, tensors)
        dx = plan.fn._reference_vjp(xpt, xc, cc, p, plan.axis).to(saved.dtype)
        needs = ctx.needs_input_grad[3:]
        if not any(needs):
            return (dx, None, None, *[None] * len(tensors))
        _check_param_grads(plan.fn, names, needs)
        grads = plan.fn._param_grads(xpt, xc, cc, p)
        d_tensors = [
            grads[n].to(t.dtype).reshape(t.shape) if need else None
            for n, t, need in zip(names, tensors, needs, strict=True)
        ]
        return (dx, None, None, *d_tensors)


class ElementwiseActivation(TracedActivation):
    """The traced route with a vmap rule for elementwise functions without tensor parameters:
    under ``torch.func.vmap`` f applies to the whole stacked tensor at once (an elementwise f
    does not care where the batch dimension is), by the route that fits it there -- the fused
    kernels for a CPU float tensor (the lab's batched model ensembles) -- instead of the Array
    API definition on batched tensors. Other transforms (``torch.func.grad``, ...) run the
    traced forward and backward it inherits."""

    generate_vmap_rule = False

    @staticmethod
    def vmap(info: Any, in_dims: tuple[Any, ...], x: torch.Tensor, plan: Plan, *_: Any) -> Any:
        if x.device.type == "cpu" and x.dtype in FAST and not _FORCE_TRACED:
            x = x.contiguous()  # a batched layout is often strided; the kernels take C order
        return run(plan, x, {}), in_dims[0]


def _torch_params(
    plan: Plan, xc: torch.Tensor, names: Sequence[str], tensors: Sequence[torch.Tensor]
) -> dict[str, Any]:
    """The plan's parameters with array values as tensors like ``xc``, and the tensors."""
    p = {
        k: torch.as_tensor(v, dtype=xc.dtype, device=xc.device) if isinstance(v, np.ndarray) else v
        for k, v in plan.params.items()
    }
    p.update((n, t.to(xc.dtype)) for n, t in zip(names, tensors, strict=True))
    return p


def _check_param_grads(fn: Activation, names: Sequence[str], needs: Sequence[bool]) -> None:
    have = fn.kernels.param_grads
    for name, need in zip(names, needs, strict=True):
        if need and name not in have:
            listing = ", ".join(have) or "none"
            raise RuntimeError(
                f"actloss.torch: {fn.name} has no derivative with respect to {name!r} "
                f"(differentiable parameters: {listing}); pass it as a float or a tensor "
                "that does not require grad"
            )


def run(plan: Plan, x: torch.Tensor, tensors: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """``plan``'s function of ``x`` with the catalog's backward, by the route that fits."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"actloss.torch.{plan.fn.name}: x must be a torch.Tensor, got {type(x).__name__}"
        )
    y: torch.Tensor
    if torch._C._are_functorch_transforms_active() and not (
        tensors or torch.compiler.is_compiling() or not plan.fn.info.elementwise
    ):
        y = ElementwiseActivation.apply(x, plan, ())
    elif (
        tensors
        or x.dtype not in FAST
        or x.device.type != "cpu"
        or torch.compiler.is_compiling()
        or torch._C._are_functorch_transforms_active()
        or (_FORCE_TRACED and plan.fn.info.name in _FORCE_TRACED)
    ):
        names = tuple(tensors)
        y = TracedActivation.apply(x, plan, names, *(tensors[n] for n in names))
    else:
        y = FusedActivation.apply(x, plan)
    return y


# Entries routed through TracedActivation on every device: the switch the tests use to run
# the non-CPU device path on CPU (``force_traced``).
_FORCE_TRACED: set[str] = set()


class force_traced:
    """Within this context every actloss.torch activation takes the traced route (the
    route of CUDA tensors and torch.compile), so that it can be tested on CPU."""

    def __enter__(self) -> None:
        from .. import _catalog

        self._saved = set(_FORCE_TRACED)
        _FORCE_TRACED.update(f.info.name for f in _catalog.catalog())

    def __exit__(self, *exc: object) -> None:
        _FORCE_TRACED.clear()
        _FORCE_TRACED.update(self._saved)


# ------------------------------------------------------------------- the functional form
_PLANS: dict[tuple[Any, ...], Plan] = {}


def split_params(
    params: Mapping[str, Any],
) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...], list[torch.Tensor]]:
    """Separate tensor parameters (inputs of the autograd graph) from fixed ones."""
    static = tuple((k, v) for k, v in params.items() if not isinstance(v, torch.Tensor))
    names = tuple(k for k, v in params.items() if isinstance(v, torch.Tensor))
    return static, names, [params[k] for k in names]


def plan_for(fn: Activation, static: tuple[tuple[str, Any], ...]) -> Plan:
    """The plan of ``fn`` with fixed parameters ``static`` (cached when they are hashable).

    Under torch.compile a plan without the fused kernels (which only the eager CPU route
    uses) is built in the traced code.
    """
    if torch.compiler.is_compiling():
        return Plan(fn, dict(static), fused=False)
    try:
        key = (fn, static)
        hash(key)
    except TypeError:
        return Plan(fn, dict(static))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = Plan(fn, dict(static))
    return plan


def apply_activation(fn: Activation, x: Any, params: Mapping[str, Any]) -> torch.Tensor:
    """``fn(x, **params)`` with the catalog's backward; tensor parameters get gradients."""
    static, names, tensors = split_params(params)
    if names and isinstance(x, torch.Tensor) and not torch.compiler.is_compiling():
        # tensor parameter values are checked at the boundary (detached: values only)
        fn.resolve_params(
            {**dict(static), **{n: t.detach() for n, t in zip(names, tensors, strict=True)}},
            xpt,
            _upcast(x).detach(),
        )
    return run(plan_for(fn, static), x, dict(zip(names, tensors, strict=True)))


# ------------------------------------------------------------------- double backward
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


__all__ = [
    "ActivationCall",
    "ActivationVJP",
    "FusedActivation",
    "TracedActivation",
    "apply_activation",
    "force_traced",
    "plan_for",
    "run",
]
