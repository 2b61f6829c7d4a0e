"""CPU torch tensors computed through zero-copy NumPy views.

A catalog function called on torch tensors that live on the CPU, outside autograd,
runs on NumPy views of the same memory and returns tensors: the fused kernels of
``actloss.fast`` where a function has one, else the NumPy reference path (the same
Array API definition). PyTorch's per-operation dispatch costs several microseconds,
NumPy's about one, which decides the small tensors of a training step; the results
are those of the NumPy path the verification harness checks.

A call keeps PyTorch when any tensor argument is on another device, has no NumPy
dtype (bfloat16), has no storage (torch.func wrappers, meta tensors), or is being
differentiated by autograd (``requires_grad`` under grad mode: the caller asked autograd
to differentiate the Array API definition); when the input (``x``, or ``y_pred`` for a
loss) is an integer tensor, which promotes to PyTorch's default float; and, for
functions without a fused kernel, when the input is large and PyTorch may use several
threads (its multithreaded kernels can win there; single-threaded, the NumPy path was
1.3-1.5x faster than PyTorch's at 2^20 values for glu, smooth_l1, mae and nll).
``out=`` buffers are NumPy only, so a call passing one is left alone (and gets its
clear error).
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from . import fast as _fast

F = TypeVar("F", bound=Callable[..., Any])

SMALL = 1 << 16  # elements up to which NumPy's per-operation cost wins whatever the threads


def is_torch(x: Any) -> bool:
    """True for a ``torch.Tensor`` or subclass (``nn.Parameter``), without importing torch."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


class _NotConvertible(Exception):
    pass


def _view(t: Any, torch: Any) -> np.ndarray:
    if not t.is_cpu or t.dtype == torch.bfloat16:
        raise _NotConvertible
    if t.requires_grad:
        if torch.is_grad_enabled():
            raise _NotConvertible
        t = t.detach()
    try:
        return t.numpy()  # refuses tensors with the negative or conjugate bit set
    except (RuntimeError, TypeError) as e:  # no storage, or no NumPy dtype
        raise _NotConvertible from e


def _convert(value: Any, torch: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):  # most keyword arguments
        return value
    if is_torch(value):
        return _view(value, torch)
    if isinstance(value, (tuple, list)) and any(is_torch(v) for v in value):
        return type(value)(_convert(v, torch) for v in value)
    return value


def _back(value: Any, torch: Any) -> Any:
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value if value.flags.writeable else value.copy())
    if isinstance(value, tuple):
        return tuple(_back(v, torch) for v in value)
    if isinstance(value, list):
        return [_back(v, torch) for v in value]
    if isinstance(value, dict):
        return {k: _back(v, torch) for k, v in value.items()}
    return value


def _lead(fn: Any, args: tuple[Any, ...]) -> Any:
    """The array that decides the result's dtype: x, or y_pred (its first array)."""
    at = 1 if fn.info.kind == "loss" else 0
    lead = args[at] if len(args) > at else None
    if isinstance(lead, (tuple, list)) and lead:
        lead = lead[0]
    return lead


def numpy_views(method: F) -> F:
    """Run ``method`` on NumPy views when its array arguments are eligible CPU tensors."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        lead = _lead(self, args)
        if not is_torch(lead) or kwargs.get("out") is not None:
            return method(self, *args, **kwargs)
        if not lead.is_floating_point():  # integers promote to torch's default float
            return method(self, *args, **kwargs)
        import torch

        if torch.compiler.is_compiling():  # traced: the Array API definition on torch ops
            return method(self, *args, **kwargs)

        if (
            not _fast.has_kernel(self)
            and math.prod(lead.shape) > SMALL
            and torch.get_num_threads() > 1
        ):
            return method(self, *args, **kwargs)
        try:
            cargs = [_convert(a, torch) for a in args]
            ckwargs = {k: _convert(v, torch) for k, v in kwargs.items()}
        except _NotConvertible:
            return method(self, *args, **kwargs)
        return _back(method(self, *cargs, **ckwargs), torch)

    return wrapper  # type: ignore[return-value]


__all__ = ["SMALL", "is_torch", "numpy_views"]
