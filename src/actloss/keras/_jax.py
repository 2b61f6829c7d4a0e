"""The JAX backend: the core on the host through ``jax.pure_callback``, in a ``custom_vjp``.

The core validates parameters and labels with Python conditionals, which JAX tracers
(``jit``, Keras's symbolic build) cannot answer. So the forward pass runs the core on
NumPy copies of the arrays through ``jax.pure_callback`` (output shapes are static:
the input's for elementwise activations, otherwise found by evaluating the core on
zeros of the same shapes), and the backward pass runs the core's ``vjp`` the same
way. This works under ``jit`` and ``grad``; every call is a host round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np

from .._function import Activation
from .._loss import Loss


def _np(a: Any) -> Any:
    return None if a is None else np.asarray(a)


def _struct(shape: Sequence[int], dtype: Any) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(tuple(shape), dtype)


def activation(fn: Activation, x: Any, params: Mapping[str, Any], is_tensor: Any) -> Any:
    fixed = {k: v for k, v in params.items() if not is_tensor(v)}
    names = [k for k, v in params.items() if is_tensor(v)]
    if fn.info.elementwise:
        out_shape = tuple(x.shape)
    else:
        out_shape = fn(np.zeros(x.shape, dtype=np.float64), **fixed).shape

    def host_value(xv: Any, *ts: Any) -> Any:
        y = fn(np.asarray(xv), **fixed, **dict(zip(names, map(np.asarray, ts), strict=True)))
        return np.asarray(y, dtype=xv.dtype)

    def host_vjp(xv: Any, ct: Any, *ts: Any) -> Any:
        p = {**fixed, **dict(zip(names, map(np.asarray, ts), strict=True))}
        if not names:
            return (np.asarray(fn.vjp(np.asarray(xv), np.asarray(ct), **p), dtype=xv.dtype),)
        dx, grads = fn.vjp(np.asarray(xv), np.asarray(ct), with_params=True, **p)
        return (
            np.asarray(dx, dtype=xv.dtype),
            *[
                np.asarray(grads[n], dtype=t.dtype).reshape(t.shape)
                for n, t in zip(names, ts, strict=True)
            ],
        )

    @jax.custom_vjp
    def f(xv: Any, *ts: Any) -> Any:
        return jax.pure_callback(host_value, _struct(out_shape, xv.dtype), xv, *ts)

    def f_fwd(xv: Any, *ts: Any) -> Any:
        return f(xv, *ts), (xv, ts)

    def f_bwd(res: Any, ct: Any) -> Any:
        xv, ts = res
        shapes = (_struct(xv.shape, xv.dtype), *[_struct(t.shape, t.dtype) for t in ts])
        return tuple(jax.pure_callback(host_vjp, shapes, xv, ct, *ts))

    f.defvjp(f_fwd, f_bwd)
    return f(x, *[params[n] for n in names])


def _no_cotangent(t: Any) -> Any:
    """The zero cotangent of the target (losses are differentiated in y_pred only)."""
    if t is None:
        return None
    if jax.numpy.issubdtype(t.dtype, jax.numpy.inexact):
        return jax.numpy.zeros_like(t)
    return np.zeros(t.shape, dtype=jax.dtypes.float0)


def loss(
    fn: Loss, preds: Sequence[Any], target: Any, params: Mapping[str, Any], reduction: str
) -> Any:
    packed = fn.kernels.variadic or len(fn.kernels.inputs) > 1
    kw = {k: np.asarray(v) if hasattr(v, "shape") else v for k, v in params.items()}
    # the per-sample output shape, from the core on zeros of the same shapes and dtypes
    zeros = [np.zeros(p.shape, dtype=np.float64) for p in preds]
    zt = None if target is None else np.zeros(target.shape, dtype=np.dtype(target.dtype))
    out_shape = np.shape(fn(zt, tuple(zeros) if packed else zeros[0], reduction=reduction, **kw))

    def y_pred(ps: Sequence[Any]) -> Any:
        arrs = [np.asarray(p) for p in ps]
        return tuple(arrs) if packed else arrs[0]

    def host_value(tv: Any, *ps: Any) -> Any:
        v = fn(_np(tv), y_pred(ps), reduction=reduction, **kw)
        return np.asarray(v, dtype=ps[0].dtype)

    def host_vjp(tv: Any, ct: Any, *ps: Any) -> Any:
        if reduction == "none":
            g = fn.vjp(_np(tv), y_pred(ps), np.asarray(ct), **kw)
        else:
            g0 = fn.grad(_np(tv), y_pred(ps), reduction=reduction, **kw)
            g = [gi * np.asarray(ct) for gi in g0] if packed else g0 * np.asarray(ct)
        gs = list(g) if packed else [g]
        return tuple(np.asarray(gi, dtype=p.dtype) for gi, p in zip(gs, ps, strict=True))

    @jax.custom_vjp
    def f(tv: Any, *ps: Any) -> Any:
        return jax.pure_callback(host_value, _struct(out_shape, ps[0].dtype), tv, *ps)

    def f_fwd(tv: Any, *ps: Any) -> Any:
        return f(tv, *ps), (tv, ps)

    def f_bwd(res: Any, ct: Any) -> Any:
        tv, ps = res
        shapes = tuple(_struct(p.shape, p.dtype) for p in ps)
        grads = tuple(jax.pure_callback(host_vjp, shapes, tv, ct, *ps))
        return (_no_cotangent(tv), *grads)

    f.defvjp(f_fwd, f_bwd)
    return f(target, *preds)
