"""Row kernels for softmax, softmin and log_softmax: value or vjp in one sweep per row.

A row (of the last axis, at most a few thousand entries) stays in cache, so its
passes (max; exp and sum; scale) read the input from memory once. Sums and maxima
use eight independent accumulators (float64 ones for sums, so that float32 rows
of thousands of entries keep float32 accuracy): the loop vectorizes without
reassociating floating-point additions, and the order of additions depends only on
the row length, never on how rows are split among threads. The semantics follow
``actloss.activations.softmax``: a row containing NaN gives NaN, a row whose maximum
is +inf puts its mass evenly on its infinite entries, a row of all -inf gives NaN.
"""

# mypy: ignore-errors
# (numba's DSL: intrinsics and overloads are not typed Python callables)

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from . import _vmath as V
from ._jit import kernel
from ._vmath import c, like

INF = math.inf


@njit(inline="always")
def _max(x: Any, sign: Any) -> Any:
    """max(sign * x) over a row (NaN entries are ignored here; the sum catches them)."""
    n = x.size
    m = c(sign, -INF)
    m0, m1, m2, m3, m4, m5, m6, m7 = m, m, m, m, m, m, m, m
    j = 0
    while j + 8 <= n:
        v0, v1, v2, v3 = sign * x[j], sign * x[j + 1], sign * x[j + 2], sign * x[j + 3]
        v4, v5, v6, v7 = sign * x[j + 4], sign * x[j + 5], sign * x[j + 6], sign * x[j + 7]
        m0 = v0 if v0 > m0 else m0
        m1 = v1 if v1 > m1 else m1
        m2 = v2 if v2 > m2 else m2
        m3 = v3 if v3 > m3 else m3
        m4 = v4 if v4 > m4 else m4
        m5 = v5 if v5 > m5 else m5
        m6 = v6 if v6 > m6 else m6
        m7 = v7 if v7 > m7 else m7
        j += 8
    while j < n:
        v = sign * x[j]
        m0 = v if v > m0 else m0
        j += 1
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    m4 = m5 if m5 > m4 else m4
    m6 = m7 if m7 > m6 else m6
    m0 = m2 if m2 > m0 else m0
    m4 = m6 if m6 > m4 else m4
    return m4 if m4 > m0 else m0


@njit(inline="always")
def _shifted(v: Any, m: Any) -> Any:
    """v - m with the conventions of shift_by_max (m = +inf: 0 at +inf entries, else -inf)."""
    if m == c(v, INF):
        return c(v, 0.0) if v == c(v, INF) else (v if v != v else c(v, -INF))
    m_safe = m if m > c(v, -INF) else c(v, 0.0)
    return v - m_safe


@njit(inline="always")
def _exp_row(x: Any, sign: Any, m: Any, e: Any) -> Any:
    """e = exp(sign * x - m) over a row (a vectorized loop); returns sum(e)."""
    for j in range(x.size):
        e[j] = V.exp(_shifted(sign * x[j], m))
    return _sum(e)


@njit(inline="always")
def _dot(a: Any, b: Any) -> Any:
    """sum(a * b) over a row with eight float64 accumulators."""
    n = a.size
    z = 0.0
    s0, s1, s2, s3, s4, s5, s6, s7 = z, z, z, z, z, z, z, z
    j = 0
    while j + 8 <= n:
        s0 += a[j] * b[j]
        s1 += a[j + 1] * b[j + 1]
        s2 += a[j + 2] * b[j + 2]
        s3 += a[j + 3] * b[j + 3]
        s4 += a[j + 4] * b[j + 4]
        s5 += a[j + 5] * b[j + 5]
        s6 += a[j + 6] * b[j + 6]
        s7 += a[j + 7] * b[j + 7]
        j += 8
    while j < n:
        s0 += a[j] * b[j]
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(inline="always")
def _sum(a: Any) -> Any:
    """sum(a) over a row with eight float64 accumulators."""
    n = a.size
    z = 0.0
    s0, s1, s2, s3, s4, s5, s6, s7 = z, z, z, z, z, z, z, z
    j = 0
    while j + 8 <= n:
        s0 += a[j]
        s1 += a[j + 1]
        s2 += a[j + 2]
        s3 += a[j + 3]
        s4 += a[j + 4]
        s5 += a[j + 5]
        s6 += a[j + 6]
        s7 += a[j + 7]
        j += 8
    while j < n:
        s0 += a[j]
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(inline="always")
def _softmax_row(x: Any, sign: Any, y: Any) -> None:
    """y = softmax(sign * x) for one row (NaN for rows with NaN or of all -inf)."""
    m = _max(x, sign)
    s = _exp_row(x, sign, m, y)
    inv = c(sign, 1.0 / s) if s > 0.0 else c(sign, math.nan)
    for j in range(x.size):
        y[j] = y[j] * inv


@kernel
def softmax(x, ct, out, sign):
    """Rows of softmax(sign x) (sign = -1: softmin), or with ``ct`` the vjp."""
    g = like(x, sign)
    for r in range(x.shape[0]):
        y = out[r]
        _softmax_row(x[r], g, y)
        if ct is not None:
            cr = ct[r]
            dot = c(g, _dot(cr, y))
            for j in range(y.size):
                y[j] = g * (y[j] * (cr[j] - dot))


@kernel
def log_softmax(x, ct, out, sign):
    """Rows of log_softmax(x), or with ``ct`` the vjp ct - softmax(x) sum(ct)."""
    g = like(x, 1.0)
    for r in range(x.shape[0]):
        xr, y = x[r], out[r]
        if ct is None:
            m = _max(xr, g)
            s = _exp_row(xr, g, m, y)
            lse = c(g, np.log(s)) if s > 0.0 else c(g, math.nan)
            for j in range(xr.size):
                y[j] = _shifted(xr[j], m) - lse
        else:
            cr = ct[r]
            _softmax_row(xr, g, y)
            total = c(g, _sum(cr))
            for j in range(y.size):
                y[j] = cr[j] - y[j] * total
