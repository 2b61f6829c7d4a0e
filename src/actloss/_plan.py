"""``Plan``: an activation with its parameters resolved once, the adapters' per-call path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _backend as B
from . import fast as _fast
from ._function import Activation, fast_runner

_FLOAT64_SCALAR = np.zeros((), dtype=np.float64)  # ``like`` for array parameters of a Plan
_ONE_CHUNK = 1 << 16  # elements a Plan computes in one kernel call (fast/_threads.GRAIN)


class Plan:
    """An activation with its parameters resolved once: the per-call path of trusted callers.

    The adapters (``actloss.torch`` modules, the lab) build one per object; a call then
    only picks the code that runs, with no validation and no parameter resolution:

    1. a fused kernel of ``actloss.fast`` when the entry has one, its parameters are
       scalars and ``x`` is a C-contiguous NumPy float32/float64 array;
    2. else the entry's Array API definition on ``x``'s namespace (NaN kept for
       elementwise entries), the same code the public methods run.

    ``x`` must already be in its compute dtype (float32 for half-precision input).
    Array-valued parameters (per-channel weights, learnable tensors) are passed per
    call as ``tensors`` and always take the Array API definition.
    """

    __slots__ = ("axis", "fn", "from_output", "fused", "params", "rows", "saves_output")

    def __init__(self, fn: Activation, params: Mapping[str, Any], fused: bool = True) -> None:
        self.fn = fn
        resolved = fn.resolve_params(params, B.namespace(), _FLOAT64_SCALAR)
        self.axis: int | None = resolved.pop("axis", None)
        self.params = resolved
        self.fused: tuple[Any, float, float] | None = None
        self.rows: tuple[Any, float] | None = None
        self.from_output: tuple[Any, float, float] | None = None
        k = fn.kernels
        # the derivative is stated in the output: adapters save y, not x
        self.saves_output = (k.output_grad if fn.info.elementwise else k.output_vjp) is not None
        if fused and _fast.enabled():
            if fn.info.elementwise:
                self.fused = _fast.elementwise_args(fn, resolved)
                self.from_output = _fast.output_args(fn, resolved)
            else:
                self.rows = _fast.rowwise_args(fn)

    def output_vjp(self, xp: Any, y: Any, ct: Any) -> Any:
        """ct @ J from the saved output ``y`` (entries with ``output_grad``/``output_vjp``)."""
        if self.from_output is not None and self._fast_ok(y):
            k, p0, p1 = self.from_output
            if y.size <= _ONE_CHUNK:
                d = np.empty_like(y)
                c = np.ascontiguousarray(ct, dtype=y.dtype)
                k(y.reshape(-1), c.reshape(-1), d.reshape(-1), p0, p1)
                return d
            return fast_runner().from_output(k, y, ct, p0, p1)
        return self.fn._output_vjp(xp, y, ct, self.params, self.axis)

    def static_params(self) -> dict[str, Any]:
        """The resolved parameters as keyword arguments of the public methods."""
        return self.params if self.axis is None else {**self.params, "axis": self.axis}

    def _fast_ok(self, x: Any) -> bool:
        return _fast.eligible(x, x.dtype)

    def value(self, xp: Any, x: Any, **tensors: Any) -> Any:
        """f(x)."""
        if self.fused is not None and not tensors and self._fast_ok(x):
            k, p0, p1 = self.fused
            if x.size <= _ONE_CHUNK:  # a training step's tensor: one kernel call, no chunks
                y = np.empty_like(x)
                k(x.reshape(-1), None, y.reshape(-1), None, p0, p1)
                return y
            return fast_runner().elementwise(k, x, p0, p1, value_only=True)[0]
        if self.rows is not None and self._rows_ok(x):
            return fast_runner().rowwise(self.rows[0], x, None, self.rows[1])
        return self.fn._reference_value(xp, x, {**self.params, **tensors}, self.axis)

    def vjp(self, xp: Any, x: Any, ct: Any, **tensors: Any) -> Any:
        """ct @ J (for elementwise entries: ct * f'(x)); ``ct`` in x's dtype."""
        if self.fused is not None and not tensors and self._fast_ok(x):
            k, p0, p1 = self.fused
            if x.size <= _ONE_CHUNK:
                d = np.empty_like(x)
                c = np.ascontiguousarray(ct, dtype=x.dtype)
                k(x.reshape(-1), c.reshape(-1), None, d.reshape(-1), p0, p1)
                return d
            return fast_runner().elementwise(k, x, p0, p1, ct)[1]
        if self.rows is not None and self._rows_ok(x):
            return fast_runner().rowwise(self.rows[0], x, ct, self.rows[1])
        return self.fn._reference_vjp(xp, x, ct, {**self.params, **tensors}, self.axis)

    def _rows_ok(self, x: Any) -> bool:
        assert self.axis is not None
        return x.ndim > 0 and x.size > 0 and self.axis % x.ndim == x.ndim - 1 and self._fast_ok(x)
