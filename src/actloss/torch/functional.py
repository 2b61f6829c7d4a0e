"""Functional forms of every catalog entry on torch tensors, with the catalog's backward.

``actloss.torch.functional.gelu(x, approximate="tanh")``,
``actloss.torch.functional.softmax(x, dim=1)``,
``actloss.torch.functional.swish(x, beta=beta_tensor)`` (a tensor parameter
that requires grad receives its gradient). Parameter names are the catalog's,
with PyTorch's ``dim`` for ``axis``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from .. import _catalog
from .._function import Activation, Function
from ._autograd import apply_activation


def activation_function(fn: Activation) -> Callable[..., torch.Tensor]:
    """The functional form of activation ``fn``."""

    def call(input: torch.Tensor, /, **params: Any) -> torch.Tensor:
        if "dim" in params:
            if "axis" in params:
                raise TypeError(f"{fn.name}(): pass dim or axis, not both")
            params["axis"] = params.pop("dim")
        return apply_activation(fn, input, params)

    call.__name__ = call.__qualname__ = fn.name
    head = f"actloss's ``{fn.name}`` on torch tensors (PyTorch's ``dim`` for ``axis``)."
    call.__doc__ = f"{head}\n\n{fn.__doc__}"
    return call


def function(fn: Function) -> Callable[..., torch.Tensor]:
    """The functional form of any catalog entry."""
    if isinstance(fn, Activation):
        return activation_function(fn)
    from .._loss import Loss
    from ._losses import loss_function

    assert isinstance(fn, Loss)
    return loss_function(fn)


def __getattr__(name: str) -> Callable[..., torch.Tensor]:
    """Any catalog name (or alias), including entries registered after import."""
    try:
        fn = _catalog.get(name)
    except _catalog.UnknownNameError as exc:
        raise AttributeError(str(exc)) from None
    return function(fn)


def __dir__() -> list[str]:
    return sorted(_catalog.all_names())
