"""Row kernels for softmax, softmin and log_softmax: value or vjp in one sweep per row.

A row (of the last axis, at most a few thousand entries) stays in L1 cache, so its
passes read the input from memory once: the maximum m; e = exp(x - m) into the output
row (the scratch row: each element takes one exp, also in the vjp) with its sum s;
the final pass. Softmax's vjp is y (ct - <ct, y>) with y = e / s and
<ct, y> = <ct, e> / s; log_softmax's is ct - y sum(ct).

Sums, dot products and maxima run in eight lanes (``_lanes.row_sum`` etc.: explicit
8-wide LLVM vectors with float64 accumulators, so float32 rows of thousands keep
float32 accuracy): they vectorize without reassociating floating-point additions, and
the order of additions depends only on the row length, never on the machine or on
how rows are split among threads. The semantics follow
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

from . import _lanes as L
from . import _vmath as V
from ._jit import kernel
from ._vmath import c, like

INF = math.inf


@njit(inline="always")
def _shifted(v: Any, m: Any) -> Any:
    """v - m with the conventions of shift_by_max (m = +inf: 0 at +inf entries, else -inf)."""
    if m == c(v, INF):
        return c(v, 0.0) if v == c(v, INF) else (v if v != v else c(v, -INF))
    m_safe = m if m > c(v, -INF) else c(v, 0.0)
    return v - m_safe


@njit(inline="always")
def _exp_row(x: Any, sign: Any, m: Any, e: Any) -> Any:
    """e = exp(sign * x - m) over a row (m its maximum); returns sum(e) in float64."""
    if m > c(m, -INF) and m < c(m, INF):
        for j in range(x.size):  # the common case: one vectorized loop
            e[j] = V.exp(sign * x[j] - m)
    else:
        for j in range(x.size):
            e[j] = V.exp(_shifted(sign * x[j], m))
    return L.row_sum(e)


@njit(inline="always")
def _inverse(s: Any, like_: Any) -> Any:
    """1 / s in the row's dtype; NaN for a row without mass (all -inf) or with NaN."""
    return c(like_, 1.0 / s) if s > 0.0 else c(like_, math.nan)


@kernel
def softmax(x, ct, out, sign):
    """Rows of softmax(sign x) (sign = -1: softmin), or with ``ct`` the vjp."""
    g = like(x, sign)
    for r in range(x.shape[0]):
        xr, y = x[r], out[r]
        m = L.row_max(xr, g)
        s = _exp_row(xr, g, m, y)
        inv = _inverse(s, g)
        if ct is None:
            for j in range(y.size):
                y[j] = y[j] * inv
        else:
            cr = ct[r]
            dot = c(g, L.row_dot(cr, y) / s) if s > 0.0 else c(g, math.nan)
            for j in range(y.size):
                y[j] = g * ((y[j] * inv) * (cr[j] - dot))


@kernel
def log_softmax(x, ct, out, sign):
    """Rows of log_softmax(x), or with ``ct`` the vjp ct - softmax(x) sum(ct)."""
    g = like(x, 1.0)
    for r in range(x.shape[0]):
        xr, y = x[r], out[r]
        m = L.row_max(xr, g)
        s = _exp_row(xr, g, m, y)
        if ct is None:
            lse = c(g, np.log(s)) if s > 0.0 else c(g, math.nan)
            if m > c(g, -INF) and m < c(g, INF):
                for j in range(y.size):
                    y[j] = (xr[j] - m) - lse
            else:
                for j in range(y.size):
                    y[j] = _shifted(xr[j], m) - lse
        else:
            cr = ct[r]
            inv = _inverse(s, g)
            total = c(g, L.row_sum(cr))
            for j in range(y.size):
                y[j] = cr[j] - (y[j] * inv) * total
