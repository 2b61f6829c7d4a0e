"""actloss on JAX: every catalog entry as a JAX function whose derivatives are the catalog's.

Each activation and loss of the catalog is a function of JAX arrays here, under its
catalog name (``actloss.jax.gelu``, ``actloss.jax.focal``), and works eagerly and under
``jax.jit``, ``jax.grad``, ``jax.value_and_grad``, ``jax.vmap`` (and ``jax.jacfwd`` for
elementwise activations and reduced losses). The value is the entry's Array API
definition evaluated on ``jax.numpy``; the derivative is the entry's analytic one:

* elementwise activations: ``jax.custom_jvp`` with the tangent ``f'(x) t`` from the
  entry's ``value_and_grad`` (one pass), itself a ``custom_jvp`` whose derivative tangent
  is the entry's ``grad2``, so ``jax.grad(jax.grad(f))`` evaluates the catalog's second
  derivative;
  array-valued (learnable) parameters get their tangents from ``param_grads``;
* vector activations (softmax family, gated units): ``jax.custom_vjp`` whose backward is
  the entry's ``vjp`` (reverse mode only: the catalog has no Jacobian-vector product);
* losses with ``reduction="mean"`` or ``"sum"``: ``jax.custom_jvp`` with the tangent
  ``<d loss / d y_pred, t>`` from the entry's ``value_and_grad`` (one pass, both modes);
  ``reduction="none"``: ``jax.custom_vjp`` whose backward is the entry's ``vjp``.
  Losses are differentiated in ``y_pred`` only: targets, ``sample_weight`` and
  array-valued parameters (class weights) are data, with zero gradient.

Parameters are keyword arguments, validated once at Python level (they are static: a
new value compiles a new function); JAX arrays given for learnable activation parameters
(``swish(x, beta=b)``) are traced arguments, differentiable through ``param_grads``.

Every function is compiled (``jax.jit``) once per entry, parameters and shapes.
Input checks that read values (labels in range, probabilities in [0, 1], finite
weights) run in eager calls, on a NumPy copy of the concrete arrays (the core's NumPy
path raises its errors; ``with actloss._checks.skipped():`` turns this off); under
tracing (``jit``, ``grad``, ``vmap``) they are skipped, never a tracer error. Shape,
dtype and parameter checks always run.

    import jax, actloss.jax as alj
    loss = lambda w, x, y: alj.cross_entropy(y, alj.gelu(x @ w))
    g = jax.jit(jax.grad(loss))(w, x, y)

Requires the ``jax`` extra (``pip install 'actloss[jax]'``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from typing import Any

try:
    import jax
    import jax.numpy as jnp
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("actloss.jax needs JAX; install it with: pip install 'actloss[jax]'") from exc

import numpy as np

from .. import _catalog, _checks
from .._function import Activation, Function
from .._loss import Loss, check_reduction


# ---------------------------------------------------------------------------- params
def _is_array(v: Any) -> bool:
    return isinstance(v, (jax.Array, np.ndarray, list, tuple)) or (
        hasattr(v, "shape") and hasattr(v, "dtype")
    )


def _split(params: Mapping[str, Any]) -> tuple[tuple[tuple[str, Hashable], ...], dict[str, Any]]:
    """(static Python-valued parameters as a sorted hashable tuple, array-valued ones)."""
    static, arrays = [], {}
    for k, v in params.items():
        if _is_array(v):
            arrays[k] = jnp.asarray(v)
        else:
            static.append((k, v))
    return tuple(sorted(static)), arrays


def _float_input(x: Any) -> Any:
    """x as a JAX array; integers promote to JAX's default float (as the core does)."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.result_type(float))
    return x


def _validate(fn: Function, static: tuple[tuple[str, Hashable], ...]) -> None:
    """Check the static parameters once, at Python level (names, types, constraints)."""
    import array_api_compat.numpy as xnp

    fn.resolve_params(dict(static), xnp, np.zeros(()))


def _host(x: Any) -> Any:
    """A NumPy copy of a concrete JAX array (None stays None; tuples element by element)."""
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(_host(v) for v in x)
    return np.asarray(x)


# ----------------------------------------------------------------------- activations
@functools.lru_cache(maxsize=1024)
def _elementwise(fn: Activation, static: tuple[Any, ...], names: tuple[str, ...]) -> Callable:
    kw = dict(static)
    k = fn.kernels

    def bind(ps: tuple[Any, ...]) -> dict[str, Any]:
        return {**kw, **dict(zip(names, ps, strict=True))}

    def param_tangent(x: Any, ps: tuple[Any, ...], tps: tuple[Any, ...], y_of: Any) -> Any:
        """sum over array parameters of (d y / d param) * (the parameter's tangent)."""
        total = None
        for name, p, tp in zip(names, ps, tps, strict=True):
            if name not in k.param_grads:
                continue
            layout = k.param_layouts.get(name)
            shape = layout(tuple(x.shape), tuple(p.shape)) if layout else tuple(p.shape)
            term = y_of(x, name, ps) * jnp.reshape(tp, shape).astype(x.dtype)
            total = term if total is None else total + term
        return total

    def param_part(x: Any, ps: tuple[Any, ...], tps: tuple[Any, ...]) -> Any:
        return param_tangent(x, ps, tps, lambda v, n, q: fn.param_grad(v, n, **bind(q)))

    @jax.custom_jvp
    def vg(x: Any, *ps: Any) -> tuple[Any, Any]:
        """(f(x), f'(x)) from the entry's value_and_grad (its fused form where it has one)."""
        return fn.value_and_grad(x, **bind(ps))

    @vg.defjvp
    def vg_jvp(primals: tuple[Any, ...], tangents: tuple[Any, ...]) -> tuple[Any, Any]:
        x, *ps = primals
        tx, *tps = tangents
        y, d = vg(x, *ps)
        if k.grad2 is not None:  # the catalog's second derivative
            t2 = fn.grad2(x, **bind(tuple(ps))) * tx
        else:  # no analytic grad2: autodiff through the grad definition
            t2 = jax.jvp(lambda v: fn.grad(v, **bind(tuple(ps))), (x,), (tx,))[1]
        ty = d * tx
        if names:
            extra = param_part(x, tuple(ps), tuple(tps))
            ty = ty if extra is None else ty + extra
            # mixed derivatives d f' / d param: autodiff through the grad definition
            t2 = t2 + jax.jvp(lambda *q: fn.grad(x, **bind(q)), tuple(ps), tuple(tps))[1]
        return (y, d), (ty, t2)

    @jax.custom_jvp
    def f(x: Any, *ps: Any) -> Any:
        return fn(x, **bind(ps))

    @f.defjvp
    def f_jvp(primals: tuple[Any, ...], tangents: tuple[Any, ...]) -> tuple[Any, Any]:
        x, *ps = primals
        tx, *tps = tangents
        y, d = vg(x, *ps)  # one pass for the value and the derivative
        t = d * tx
        extra = param_part(x, tuple(ps), tuple(tps)) if names else None
        return y, t if extra is None else t + extra

    return jax.jit(f)


@functools.lru_cache(maxsize=1024)
def _vector(fn: Activation, static: tuple[Any, ...], names: tuple[str, ...]) -> Callable:
    kw = dict(static)

    def bind(ps: tuple[Any, ...]) -> dict[str, Any]:
        return {**kw, **dict(zip(names, ps, strict=True))}

    @jax.custom_vjp
    def f(x: Any, *ps: Any) -> Any:
        return fn(x, **bind(ps))

    def fwd(x: Any, *ps: Any) -> tuple[Any, Any]:
        return f(x, *ps), (x, ps)

    def bwd(res: Any, ct: Any) -> tuple[Any, ...]:
        x, ps = res
        if not names:
            return (fn.vjp(x, ct, **bind(ps)),)
        dx, grads = fn.vjp(x, ct, with_params=True, **bind(ps))
        return (dx, *(grads.get(n) for n in names))

    f.defvjp(fwd, bwd)
    return jax.jit(f)


def apply_activation(fn: Activation, x: Any, params: Mapping[str, Any]) -> Any:
    """``fn(x, **params)`` on JAX arrays, differentiable by the catalog's derivatives."""
    static, arrays = _split(params)
    _validate(fn, static)
    names = tuple(sorted(arrays))
    build = _elementwise if fn.info.elementwise else _vector
    x = _float_input(x)
    ps = tuple(arrays[n] for n in names)
    if names and _checks.can_read(*ps):  # concrete array parameters: the core's value checks
        import array_api_compat.numpy as xnp

        host = {k: _host(v) for k, v in arrays.items()}
        fn.resolve_params({**dict(static), **host}, xnp, np.zeros(()))
    return build(fn, static, names)(x, *ps)


# ---------------------------------------------------------------------------- losses
@functools.lru_cache(maxsize=1024)
def _loss(
    fn: Loss, static: tuple[Any, ...], names: tuple[str, ...], reduction: str, packed: bool
) -> Callable:
    kw = dict(static)

    def call(yt: Any, preds: tuple[Any, ...], sw: Any, arrs: tuple[Any, ...], grad: bool) -> Any:
        y_pred = tuple(preds) if packed else preds[0]
        p = {**kw, **dict(zip(names, arrs, strict=True))}
        method = fn.value_and_grad if grad else fn
        return method(yt, y_pred, reduction=reduction, sample_weight=sw, **p)

    if reduction == "none":

        @jax.custom_vjp
        def f_none(yt: Any, preds: tuple[Any, ...], sw: Any, arrs: tuple[Any, ...]) -> Any:
            return call(yt, preds, sw, arrs, False)

        def fwd(yt: Any, preds: Any, sw: Any, arrs: Any) -> tuple[Any, Any]:
            fn._require_grad()
            return f_none(yt, preds, sw, arrs), (yt, preds, sw, arrs)

        def bwd(res: Any, ct: Any) -> tuple[Any, ...]:
            yt, preds, sw, arrs = res
            y_pred = tuple(preds) if packed else preds[0]
            p = {**kw, **dict(zip(names, arrs, strict=True))}
            g = fn.vjp(yt, y_pred, ct, sample_weight=sw, **p)
            gs = tuple(g) if packed else (g,)
            return (None, gs, None, None)

        f_none.defvjp(fwd, bwd)
        return jax.jit(f_none)

    @jax.custom_jvp
    def f(yt: Any, preds: tuple[Any, ...], sw: Any, arrs: tuple[Any, ...]) -> Any:
        return call(yt, preds, sw, arrs, False)

    @f.defjvp
    def f_jvp(primals: tuple[Any, ...], tangents: tuple[Any, ...]) -> tuple[Any, Any]:
        yt, preds, sw, arrs = primals
        tpreds = tangents[1]
        fn._require_grad()
        value, g = call(yt, preds, sw, arrs, True)
        gs = tuple(g) if packed else (g,)
        # the loss is differentiated in y_pred only: <dL/dy_pred, t>
        t = sum(jnp.sum(gi * ti.astype(gi.dtype)) for gi, ti in zip(gs, tpreds, strict=True))
        return value, jnp.asarray(t, dtype=value.dtype)

    return jax.jit(f)


def apply_loss(
    fn: Loss,
    y_true: Any,
    y_pred: Any,
    reduction: str | None = None,
    sample_weight: Any = None,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """``fn(y_true, y_pred, reduction=..., sample_weight=..., **params)`` on JAX arrays."""
    reduction = check_reduction(fn.default_reduction if reduction is None else reduction)
    static, arrays = _split(params or {})
    _validate(fn, static)
    names = tuple(sorted(arrays))
    packed = fn.kernels.variadic or len(fn.kernels.inputs) > 1
    if packed:
        if not isinstance(y_pred, (tuple, list)):
            fn._prepare_pred(y_pred)  # raises the core's error for a missing tuple
        preds = tuple(_float_input(p) for p in y_pred)
    else:
        preds = (_float_input(y_pred),)
    yt = None if y_true is None else jnp.asarray(y_true)
    sw = None if sample_weight is None else jnp.asarray(sample_weight)
    arrs = tuple(arrays[n] for n in names)
    if _checks.can_read(yt, *preds, sw, *arrs):
        # an eager call on concrete arrays: the core's value checks on a NumPy copy (they
        # raise its errors); under tracing they are skipped
        fn(
            _host(yt),
            _host(preds) if packed else _host(preds[0]),
            reduction=reduction,
            sample_weight=_host(sw),
            **dict(static),
            **{k: _host(v) for k, v in arrays.items()},
        )
    return _loss(fn, static, names, reduction, packed)(yt, preds, sw, arrs)


# ------------------------------------------------------------------ public functions
def activation(name: str | Function, **params: Any) -> Callable[[Any], Any]:
    """A catalog activation with bound parameters: ``f = activation("gelu"); f(x)``."""
    fn = _catalog.get(name)
    if not isinstance(fn, Activation):
        raise ValueError(f"{fn.name} is not an activation (it is a {fn.info.kind})")
    return _bound_act(fn, params)


def _bound_act(fn: Activation, fixed: Mapping[str, Any]) -> Callable[[Any], Any]:
    def f(x: Any, /, **params: Any) -> Any:
        return apply_activation(fn, x, {**fixed, **params})

    f.__name__ = fn.name
    f.__doc__ = fn.__doc__
    return f


def loss(name: str | Function, **params: Any) -> Callable[..., Any]:
    """A catalog loss with bound parameters: ``f = loss("focal", gamma=2.0); f(y, logits)``."""
    fn = _catalog.get(name)
    if not isinstance(fn, Loss):
        raise ValueError(f"{fn.name} is not a loss (it is a {fn.info.kind})")
    return _bound_loss(fn, params)


def _bound_loss(fn: Loss, fixed: Mapping[str, Any]) -> Callable[..., Any]:
    def f(
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        **params: Any,
    ) -> Any:
        return apply_loss(fn, y_true, y_pred, reduction, sample_weight, {**fixed, **params})

    f.__name__ = fn.name
    f.__doc__ = fn.__doc__
    return f


def get(name: str | Function, **params: Any) -> Callable[..., Any]:
    """Any catalog entry by name or alias, as a JAX function (parameters bound)."""
    fn = _catalog.get(name)
    return activation(fn, **params) if isinstance(fn, Activation) else loss(fn, **params)


def _export() -> list[str]:
    """The catalog's names (and aliases) this module exports; each function is built on first
    access (``__getattr__``), so importing the module renders no docstring."""
    names = []
    for fn in _catalog.catalog():
        for nm in (fn.name, *fn.info.aliases):
            if nm.isidentifier() and nm not in globals() and nm not in names:
                names.append(nm)
    return names


_EXPORTED = _export()


def __getattr__(name: str) -> Callable[..., Any]:
    if name not in _EXPORTED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    f = globals()[name] = get(name)
    return f


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTED})


__all__ = ["activation", "apply_activation", "apply_loss", "get", "loss", *_EXPORTED]
