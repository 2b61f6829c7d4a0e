"""Running catalog functions on the tensors of the active Keras backend.

The core computes on any Array API namespace, so it runs directly on Keras's
native tensors:

* torch backend: through ``actloss.torch`` (the same ``autograd.Function``s as the
  PyTorch adapter: the catalog's analytic backward, second derivatives, minimal
  saved tensors); Keras's torch trainer differentiates with torch autograd;
* JAX: through ``actloss.jax`` (the core on the JAX arrays, in Keras's jit-compiled
  train step, differentiated by the catalog's derivatives through ``custom_jvp``/
  ``custom_vjp``; value checks run on concrete arrays and are skipped under tracing);
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
    if backend() not in ("torch", "jax"):
        raise NotImplementedError(
            f"actloss.keras.{name}: the {backend()} backend is not supported (its tensors are "
            "not Array API arrays); use KERAS_BACKEND=torch or jax"
        )


def activation(fn: Activation, x: Any, params: Mapping[str, Any]) -> Any:
    """``fn(x, **params)`` on backend tensors, differentiable in x and tensor parameters."""
    _check_backend(fn.name)
    if backend() == "torch":
        from ..torch._autograd import apply_activation

        return apply_activation(fn, x, params)
    from ..jax import apply_activation as jax_activation

    return jax_activation(fn, x, params)


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
    from ..jax import apply_loss as jax_loss

    packed = fn.kernels.variadic or len(fn.kernels.inputs) > 1
    y_pred = tuple(preds) if packed else preds[0]
    return jax_loss(fn, target, y_pred, reduction, None, params)


def _is_tensor(v: Any) -> bool:
    return not isinstance(v, (bool, int, float, str)) and v is not None and hasattr(v, "shape")
