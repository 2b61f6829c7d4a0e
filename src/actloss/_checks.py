"""The one switch for input checks that read array values.

Shape and dtype checks always run. Checks that read values (labels in range,
probabilities in [0, 1], finite weights) need concrete data: they are skipped
when the arrays are being traced (``jax.jit``/``jax.grad`` tracers, ``torch.compile``
fake or meta tensors, ``torch.func`` transforms) and inside ``skipped()``
(``check_inputs=False``).
Every value-reading check in the core asks ``can_read`` first.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import numpy as np

_ENABLED: ContextVar[bool] = ContextVar("actloss_checks_enabled", default=True)


def enabled() -> bool:
    """Whether value-reading input checks are on in the current context."""
    return _ENABLED.get()


@contextlib.contextmanager
def skipped() -> Iterator[None]:
    """Turn value-reading input checks off in the current context (shape/dtype checks stay)."""
    token = _ENABLED.set(False)
    try:
        yield
    finally:
        _ENABLED.reset(token)


@contextlib.contextmanager
def forced() -> Iterator[None]:
    """Value-reading checks on, whatever the caller chose: for raising the reference's error
    after a fused kernel has found bad input (which it must never compute on)."""
    token = _ENABLED.set(True)
    try:
        yield
    finally:
        _ENABLED.reset(token)


def _is_jax_tracer(x: Any) -> bool:
    jax_core = sys.modules.get("jax.core")
    if jax_core is None:  # jax not imported: no array can be a tracer
        return False
    tracer = getattr(jax_core, "Tracer", None)
    return tracer is not None and isinstance(x, tracer)


def _torch_symbolic(x: Any) -> bool:
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    compiler = getattr(torch, "compiler", None)
    if compiler is not None and getattr(compiler, "is_compiling", None) is not None:
        if compiler.is_compiling():
            return True
    if isinstance(x, torch.Tensor):
        if getattr(x, "is_meta", False):
            return True
        functorch = getattr(torch._C, "_functorch", None)  # torch.func.vmap / grad wrappers
        if functorch is not None and functorch.is_functorch_wrapped_tensor(x):
            return True
        fake = sys.modules.get("torch._subclasses.fake_tensor")
        if fake is not None and isinstance(x, fake.FakeTensor):
            return True
    return False


def can_read(*arrays: Any) -> bool:
    """True when value-reading checks may look at the values of ``arrays``.

    False when checks are off (``skipped``), or any array is a JAX tracer, or
    PyTorch is compiling or the tensor is a fake/meta tensor or a ``torch.func``
    (vmap, grad) wrapper.
    """
    for x in arrays:
        if x is None or type(x) is np.ndarray:  # NumPy arrays are always concrete
            continue
        if _is_jax_tracer(x) or _torch_symbolic(x):
            return False
    # read last: torch.compile cannot trace ContextVar.get (checks are off there anyway)
    return _ENABLED.get()


__all__ = ["can_read", "enabled", "forced", "skipped"]
