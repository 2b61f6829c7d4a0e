"""Running catalog functions on the tensors of the active Keras backend.

The core computes on any Array API namespace, so it runs directly on Keras's
native tensors:

* torch backend: through ``actloss.torch`` (the same ``autograd.Function``s as the
  PyTorch adapter: the catalog's analytic backward, second derivatives, minimal
  saved tensors); Keras's torch trainer differentiates with torch autograd;
* other backends (JAX): through ``keras.ops.custom_gradient``, with the core's
  value in the forward and the core's ``vjp`` in the backward. The core checks
  parameters and labels with Python conditionals, so under JAX it needs concrete
  arrays: compile the model with ``run_eagerly=True`` (``jit_compile=False``);
* TensorFlow tensors are not Array API arrays, so the TensorFlow backend is not
  supported (a clear error says so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras

from .._function import Activation
from .._loss import Loss


def backend() -> str:
    return str(keras.backend.backend())


def _check_backend(name: str) -> None:
    if backend() == "tensorflow":
        raise NotImplementedError(
            f"actloss.keras.{name}: the TensorFlow backend is not supported (TensorFlow "
            "tensors are not Array API arrays); use KERAS_BACKEND=torch or jax"
        )


def activation(fn: Activation, x: Any, params: Mapping[str, Any]) -> Any:
    """``fn(x, **params)`` on backend tensors, differentiable in x and tensor parameters."""
    _check_backend(fn.name)
    if backend() == "torch":
        from ..torch._autograd import apply_activation

        return apply_activation(fn, x, params)
    return activation_custom_gradient(fn, x, params)


def activation_custom_gradient(fn: Activation, x: Any, params: Mapping[str, Any]) -> Any:
    """The backend-neutral path: ``keras.ops.custom_gradient`` around the core."""
    fixed = {k: v for k, v in params.items() if not _is_tensor(v)}
    names = [k for k, v in params.items() if _is_tensor(v)]

    @keras.ops.custom_gradient
    def forward(x: Any, *tensors: Any) -> Any:
        p = {**fixed, **dict(zip(names, tensors, strict=True))}
        y = fn(x, **p)

        def grad(*args: Any, upstream: Any = None) -> Any:
            ct = args[0] if upstream is None else upstream
            if not names:
                return fn.vjp(x, ct, **p)
            dx, grads = fn.vjp(x, ct, with_params=True, **p)
            return (dx, *[keras.ops.cast(grads[n], tensors[i].dtype) for i, n in enumerate(names)])

        return y, grad

    return forward(x, *[params[n] for n in names])


def loss(
    fn: Loss,
    preds: Sequence[Any],
    target: Any,
    params: Mapping[str, Any],
    reduction: str = "none",
) -> Any:
    """``fn(target, preds, reduction=...)`` (per-sample by default), differentiable in preds."""
    _check_backend(fn.name)
    if backend() == "torch":
        from ..torch._losses import apply_loss

        return apply_loss(fn, list(preds), target, reduction, params)
    return loss_custom_gradient(fn, preds, target, params, reduction)


def loss_custom_gradient(
    fn: Loss,
    preds: Sequence[Any],
    target: Any,
    params: Mapping[str, Any],
    reduction: str = "none",
) -> Any:
    """The backend-neutral path for losses: value and ``Loss.vjp`` (or ``grad``) around the
    core."""
    packed = fn.kernels.variadic or len(fn.kernels.inputs) > 1

    @keras.ops.custom_gradient
    def forward(*ps: Any) -> Any:
        y_pred = tuple(ps) if packed else ps[0]
        value = fn(target, y_pred, reduction=reduction, **params)

        def grad(*args: Any, upstream: Any = None) -> Any:
            ct = args[0] if upstream is None else upstream
            if reduction == "none":
                g = fn.vjp(target, y_pred, ct, **params)
            else:
                g0 = fn.grad(target, y_pred, reduction=reduction, **params)
                g = [gi * ct for gi in g0] if packed else g0 * ct
            return tuple(g) if packed else g

        return value, grad

    return forward(*preds)


def _is_tensor(v: Any) -> bool:
    return not isinstance(v, (bool, int, float, str)) and v is not None and hasattr(v, "shape")
