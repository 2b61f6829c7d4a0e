"""The fast path: fused numba kernels for NumPy float32/float64 inputs.

The catalog's Array API definitions stay the reference. For a C-contiguous NumPy
float32/float64 input, a function whose catalog entry declares a fused kernel
(``Kernels.fused``, an ``actloss._spec.Fused`` record: the kernel's name, its parameters
in order, variants and conditions) computes value and derivative in one pass over memory
(``value_and_grad``, ``vjp``, and the plain call and ``grad``, which run the same kernel
code so that all four agree bit for bit; the plain call compiles it without the
derivative's arithmetic); every other input, backend and function takes the reference path. The
catalog is the only registry: this package keeps no list of names.

Losses with a fused kernel compute the loss and its gradient in one pass (kernels in
``_losses``, dispatch and reductions in ``_lossrun``) for ``value_and_grad``,
``grad``, ``vjp`` and the plain call, on a NumPy y_pred as above without
``sample_weight``: mse and l2, huber, binary_cross_entropy_with_logits (scalar
pos_weight), focal (gamma 0..4 by products, others as exp(gamma log m)), and
cross_entropy along the last axis (integer labels with ignore_index, or probability
targets; class weights and label smoothing; also softmax_focal with gamma = 0), one
row at a time: log-sum-exp, loss and softmax-minus-target gradient while the row is in
cache; kl_divergence (probabilities or log-probabilities, last axis) likewise. Sums are
float64 over fixed blocks added in a fixed order.

Torch tensors on the CPU outside autograd reach these kernels through zero-copy NumPy
views (``actloss._views``): the ``actloss.torch`` modules' forward and backward run here.

Controls: ``ACTLOSS_FAST_PATH=0`` in the environment turns the fast path off,
``actloss.fast.use(False)`` does so in code for the current thread or task (also as a
context manager), and
``actloss.fast.enabled()`` tells whether it is on. Threads follow numba's controls
(``NUMBA_NUM_THREADS``, ``numba.set_num_threads``); results do not depend on them.
The first call of each kernel compiles it (about 1-5 s per kernel and dtype); the
compiled code is cached on disk, so later processes load it in milliseconds.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# The switch is context-local (a ContextVar): ``use`` in one thread or asyncio task does not
# change another's setting, and overlapping uses in two threads cannot leave it off.
_ENABLED: ContextVar[bool] = ContextVar(
    "actloss_fast_path",
    default=os.environ.get("ACTLOSS_FAST_PATH", "1").strip().lower() not in ("0", "false", "off"),
)


@cache
def available() -> bool:
    """True when numba can be imported (the fast path needs it)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def enabled() -> bool:
    """True when the fast path is on (in this context) and numba is available."""
    return _ENABLED.get() and available()


class use:
    """Turn the fast path on or off in the current context (thread, asyncio task); as a
    context manager, restore the previous setting on exit.

    >>> import actloss.fast
    >>> with actloss.fast.use(False):
    ...     actloss.fast.enabled()
    False
    """

    def __init__(self, flag: bool) -> None:
        self._token = _ENABLED.set(bool(flag))

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _ENABLED.reset(self._token)


@cache
def _module(kind: str) -> ModuleType:
    """A kernel module such as ``_elementwise`` (imported on first use: numba)."""
    return importlib.import_module(f".{kind}", __name__)


def eligible(x: Any, out_dtype: Any) -> bool:
    """Whether the compute array ``x`` can take the fast path."""
    return (
        type(x) is np.ndarray  # first: traced tensors never reach the ContextVar below
        and _ENABLED.get()
        and x.dtype in FAST_DTYPES
        and x.dtype == out_dtype
        and x.flags.c_contiguous
        and available()
    )


def loss_eligible(fn: Any, x: Any, out_dtype: Any, sample_weight: Any) -> bool:
    """Whether loss ``fn`` on prediction array ``x`` can take the fast path."""
    return fn.kernels.fused is not None and sample_weight is None and eligible(x, out_dtype)


def loss_run(*args: Any) -> tuple[Any, Any] | None:
    """``_lossrun.run``: (value, gradient) by a fused loss kernel, or None (reference)."""
    result: tuple[Any, Any] | None = _module("_lossrun").run(*args)
    return result


def _scalar(value: Any, choices: tuple[Any, ...] | None) -> float | None:
    if choices:
        return float(choices.index(value))
    if isinstance(value, np.ndarray):
        return float(value) if value.ndim == 0 else None
    return float(value)


def elementwise_args(fn: Any, params: Mapping[str, Any]) -> tuple[Any, float, float] | None:
    """(kernel, p0, p1) for ``fn`` with resolved ``params``, or None for the reference path."""
    spec = fn.kernels.fused
    if spec is None:
        return None
    name = spec.kernel_for(params)
    if name is None:
        return None
    choices = {p.name: p.choices for p in fn.info.params if p.kind == "choice"}
    values = []
    for pname in spec.params:
        v = _scalar(params[pname], choices.get(pname))
        if v is None:  # an array-valued parameter (per-channel weights)
            return None
        values.append(v)
    values += [*spec.constants, 0.0, 0.0][: 2 - len(values)]
    return getattr(_module("_elementwise"), name), values[0], values[1]


def output_args(fn: Any, params: Mapping[str, Any]) -> tuple[Any, float, float] | None:
    """(kernel, p0, p1) of ``fn``'s backward from its saved output, or None."""
    spec = fn.kernels.fused
    if spec is None or not spec.output:
        return None
    values = [_scalar(params[name], None) for name in spec.params]
    if any(v is None for v in values):
        return None
    p = [*(float(v) for v in values if v is not None), 0.0, 0.0]
    return getattr(_module("_from_output"), spec.output), p[0], p[1]


def rowwise_args(fn: Any) -> tuple[Any, float] | None:
    """(row kernel, sign) for vector function ``fn``, or None for the reference path."""
    spec = fn.kernels.fused
    if spec is None:
        return None
    sign = spec.constants[0] if spec.constants else 1.0
    return getattr(_module("_rowwise"), spec.kernel), sign


def has_kernel(fn: Any) -> bool:
    """Whether catalog entry ``fn`` declares a fused kernel."""
    return fn.kernels.fused is not None


__all__ = ["available", "eligible", "enabled", "has_kernel", "use"]
