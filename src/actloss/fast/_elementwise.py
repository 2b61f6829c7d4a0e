"""Fused single-pass kernels for the elementwise activations (value and derivative together).

Each ``_name(v, p0, p1)`` returns ``(f(v), f'(v))`` for one finite or infinite ``v``
(NaN is handled by ``store``); each kernel ``name(x, ct, y, d, p0, p1)`` runs it over
1-d C-contiguous arrays: ``ct`` None writes ``y = f(x), d = f'(x)``, a cotangent
array writes ``d = ct * f'(x)``. ``p0, p1`` are the function's numeric parameters in
the order the registry in ``actloss.fast`` lists them. The formulas follow the Array
API definitions in ``actloss.activations`` (the reference they are tested against);
the limits at +-inf are those the reference returns.
"""

# mypy: ignore-errors
# (numba's DSL: intrinsics and overloads are not typed Python callables)

from __future__ import annotations

import math
from typing import Any

from numba import njit

from .._numerics import GELU_C, SELU_ALPHA, SELU_SCALE, SQRT_2_OVER_PI
from .._numerics import TANHSHRINK_SERIES as TS
from . import _vmath as V
from ._jit import kernel, store
from ._vmath import c, like

INF = math.inf
SQRT_HALF = math.sqrt(0.5)


# ---------------------------------------------------------------------- shared pieces
@njit(inline="always")
def _finite(v: Any) -> Any:
    """v where finite, else 0 (for formulas that would see inf * 0)."""
    return v if abs(v) < c(v, INF) else c(v, 0.0)


@njit(inline="always")
def _sig(z: Any) -> Any:
    """(sigmoid(z), sigmoid'(z)) from e = exp(-|z|) <= 1."""
    e = V.exp(-abs(z))
    r = c(z, 1.0) / (c(z, 1.0) + e)
    return (r if z >= c(z, 0.0) else e * r), e * r * r


@njit(inline="always")
def _softplus_sig(z: Any) -> Any:
    """(softplus(z), sigmoid(z)): max(z, 0) + log1p(e), e = exp(-|z|)."""
    e = V.exp(-abs(z))
    sp = (z if z > c(z, 0.0) else c(z, 0.0)) + V.log1p(e)
    r = c(z, 1.0) / (c(z, 1.0) + e)
    return sp, (r if z >= c(z, 0.0) else e * r)


@njit(inline="always")
def _limits(v: Any, a: Any, b: Any, a_neg: Any, b_neg: Any, a_pos: Any, b_pos: Any) -> Any:
    """(a, b), replaced by the limits at v = -inf / +inf."""
    if v == c(v, INF):
        return a_pos, b_pos
    if v == c(v, -INF):
        return a_neg, b_neg
    return a, b


# --------------------------------------------------------------------------- sigmoidal
@njit(inline="always")
def _sigmoid(v: Any, p0: Any, p1: Any) -> Any:
    return _sig(v)


@njit(inline="always")
def _tanh(v: Any, p0: Any, p1: Any) -> Any:
    return V.tanh_sech2(v)


@njit(inline="always")
def _log_sigmoid(v: Any, p0: Any, p1: Any) -> Any:
    e = V.exp(-abs(v))
    y = (v if v < c(v, 0.0) else c(v, 0.0)) - V.log1p(e)
    r = c(v, 1.0) / (c(v, 1.0) + e)
    return y, (r if v <= c(v, 0.0) else e * r)  # sigmoid(-v)


@njit(inline="always")
def _softsign(v: Any, p0: Any, p1: Any) -> Any:
    xf = _finite(v)
    r = c(v, 1.0) / (c(v, 1.0) + abs(v))
    return _limits(
        v, xf / (c(v, 1.0) + abs(xf)), r * r, c(v, -1.0), c(v, 0.0), c(v, 1.0), c(v, 0.0)
    )


@njit(inline="always")
def _hard_sigmoid(v: Any, p0: Any, p1: Any) -> Any:
    y = V.clamp(v / c(v, 6.0) + c(v, 0.5), c(v, 0.0), c(v, 1.0))
    inside = v > c(v, -3.0) and v < c(v, 3.0)
    return y, (c(v, 1.0 / 6.0) if inside else c(v, 0.0))


@njit(inline="always")
def _hard_tanh(v: Any, lo: Any, hi: Any) -> Any:
    return V.clamp(v, lo, hi), (c(v, 1.0) if v > lo and v < hi else c(v, 0.0))


@njit(inline="always")
def _sparse_sigmoid(v: Any, p0: Any, p1: Any) -> Any:
    y = V.clamp(c(v, 0.5) * (v + c(v, 1.0)), c(v, 0.0), c(v, 1.0))
    return y, (c(v, 0.5) if v > c(v, -1.0) and v < c(v, 1.0) else c(v, 0.0))


# ------------------------------------------------------------------------------ smooth
@njit(inline="always")
def _softplus(v: Any, beta: Any, threshold: Any) -> Any:
    z = beta * v
    sp, s = _softplus_sig(z)
    if z > threshold:
        return v, c(v, 1.0)
    return sp / beta, s


@njit(inline="always")
def _swish(v: Any, beta: Any, p1: Any) -> Any:
    xf = _finite(v)
    # beta x on x clipped to +-max / (4 max(|beta|, 1)): finite, so z s'(z) is 0, not inf * 0
    ab = abs(beta)
    lim = c(v, V.finfo_max(v) / 4.0) / (ab if ab > c(v, 1.0) else c(v, 1.0))
    z = beta * V.clamp(xf, -lim, lim)
    s, ds = _sig(z)
    y, d = xf * s, s + z * ds
    if v == c(v, INF) or v == c(v, -INF):
        direction = beta * v  # +-inf, or NaN for beta = 0
        y = v if not direction < c(v, 0.0) else c(v, 0.0)
        d = c(v, 1.0) if direction > c(v, 0.0) else c(v, 0.0)
        d = d if direction == direction else c(v, 0.5)
    return y, d


@njit(inline="always")
def _silu(v: Any, p0: Any, p1: Any) -> Any:
    return _swish(v, c(v, 1.0), p1)


@njit(inline="always")
def _gelu(v: Any, p0: Any, p1: Any) -> Any:
    """x Phi(x) and Phi(x) + x phi(x): Phi = erfc(-x / sqrt 2) / 2 and phi share one exp."""
    xf = _finite(v)
    cdf, pdf = V.normal_cdf_pdf(xf)
    return _limits(v, xf * cdf, cdf + xf * pdf, c(v, 0.0), c(v, 0.0), c(v, INF), c(v, 1.0))


@njit(inline="always")
def _gelu_tanh(v: Any, p0: Any, p1: Any) -> Any:
    """The tanh form x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3)."""
    xf = _finite(v)
    xc = V.clamp(xf, c(v, -100.0), c(v, 100.0))
    u = c(v, SQRT_2_OVER_PI) * (xc + c(v, GELU_C) * xc * xc * xc)
    du = c(v, SQRT_2_OVER_PI) * (c(v, 1.0) + c(v, 3.0 * GELU_C) * xc * xc)
    s, ds = _sig(c(v, 2.0) * u)
    y, d = xf * s, s + xf * (c(v, 2.0) * du * ds)  # ds = 0 where 2 x would overflow
    return _limits(v, y, d, c(v, 0.0), c(v, 0.0), c(v, INF), c(v, 1.0))


@njit(inline="always")
def _mish(v: Any, p0: Any, p1: Any) -> Any:
    xf = _finite(v)
    sp, s = _softplus_sig(xf)
    t, s2 = V.tanh_sech2(sp)
    return _limits(v, xf * t, t + xf * s2 * s, c(v, 0.0), c(v, 0.0), c(v, INF), c(v, 1.0))


@njit(inline="always")
def _squareplus(v: Any, b: Any, p1: Any) -> Any:
    xf = _finite(v)
    a = abs(xf)
    safe_a = a if a > c(v, 1.0) else c(v, 1.0)
    # sqrt(x^2 + b) without overflow of x^2: a sqrt(1 + b / a^2) for |x| > 1
    r = safe_a * V.sqrt(c(v, 1.0) + b / (safe_a * safe_a))
    r = r if a > c(v, 1.0) else V.sqrt(a * a + b)
    pos_part = xf if xf > c(v, 0.0) else c(v, 0.0)
    neg_part = xf if xf < c(v, 0.0) else c(v, 0.0)
    if xf >= c(v, 0.0):  # halves first: x + r overflows at the float maximum
        y, d = c(v, 0.5) * pos_part + c(v, 0.5) * r, c(v, 0.5) * (c(v, 1.0) + pos_part / r)
    else:
        # (x + r) / 2 = b / (2 (r - x)): no cancellation; as (b / 4) / ((r - x) / 2), halved
        # so that r - x cannot overflow (as the reference)
        q = c(v, 0.5) * r - c(v, 0.5) * neg_part
        y, d = (c(v, 0.25) * b) / q, (c(v, 0.25) * b / r) / q
    return _limits(v, y, d, c(v, 0.0), c(v, 0.0), c(v, INF), c(v, 1.0))


@njit(inline="always")
def _sparse_plus(v: Any, p0: Any, p1: Any) -> Any:
    if v <= c(v, -1.0):
        return c(v, 0.0), c(v, 0.0)
    if v >= c(v, 1.0):
        return v, c(v, 1.0)
    w = v + c(v, 1.0)
    return c(v, 0.25) * w * w, c(v, 0.5) * w


@njit(inline="always")
def _hard_swish(v: Any, p0: Any, p1: Any) -> Any:
    xf = _finite(v)
    # x (relu6(x + 3) / 6), as the reference: (x relu6(x + 3)) / 6 overflows for x > max / 6
    y = xf * (V.clamp(xf + c(v, 3.0), c(v, 0.0), c(v, 6.0)) / c(v, 6.0))
    if v <= c(v, -3.0):
        d = c(v, 0.0)
    elif v < c(v, 3.0):
        d = v / c(v, 3.0) + c(v, 0.5)
    else:
        d = c(v, 1.0)
    return _limits(v, y, d, c(v, 0.0), c(v, 0.0), c(v, INF), c(v, 1.0))


@njit(inline="always")
def _snake(v: Any, a: Any, p1: Any) -> Any:
    # sin has no vectorizable form here: numba calls libm (still one fused pass)
    # as the reference: 1 + sin(2ax) = (s + c)^2 from s, c of a x (2 a x may overflow); where
    # a x itself is beyond the float range the value is x and the derivative NaN
    xf = _finite(v)
    beyond = abs(xf) > c(v, V.finfo_max(v)) / (a if a > c(v, 1.0) else c(v, 1.0))
    z = a * (c(v, 0.0) if beyond else xf)
    s, co = V.sin(z), V.cos(z)
    y = xf if beyond else xf + s * s / a
    d = c(v, math.nan) if beyond else (s + co) * (s + co)
    return _limits(v, y, d, c(v, -INF), c(v, math.nan), c(v, INF), c(v, math.nan))


# ------------------------------------------------------------------------- exponential
@njit(inline="always")
def _elu(v: Any, alpha: Any, scale: Any) -> Any:
    e, em1 = V.exp_expm1(v if v < c(v, 0.0) else c(v, 0.0))
    if v > c(v, 0.0):
        return scale * v, scale * c(v, 1.0)
    return scale * (alpha * em1), scale * (alpha * e)


@njit(inline="always")
def _selu(v: Any, p0: Any, p1: Any) -> Any:
    return _elu(v, c(v, SELU_ALPHA), c(v, SELU_SCALE))


@njit(inline="always")
def _celu(v: Any, alpha: Any, p1: Any) -> Any:
    e, em1 = V.exp_expm1((v if v < c(v, 0.0) else c(v, 0.0)) * (c(v, 1.0) / alpha))
    if v > c(v, 0.0):
        return v, c(v, 1.0)
    return alpha * em1, e


@njit(inline="always")
def _exponential(v: Any, p0: Any, p1: Any) -> Any:
    e = V.exp(v)
    return e, e


# ------------------------------------------------------------------ piecewise linear
@njit(inline="always")
def _relu(v: Any, p0: Any, p1: Any) -> Any:
    return (v if v > c(v, 0.0) else c(v, 0.0)), (c(v, 1.0) if v > c(v, 0.0) else c(v, 0.0))


@njit(inline="always")
def _relu6(v: Any, p0: Any, p1: Any) -> Any:
    inside = v > c(v, 0.0) and v < c(v, 6.0)
    return V.clamp(v, c(v, 0.0), c(v, 6.0)), (c(v, 1.0) if inside else c(v, 0.0))


@njit(inline="always")
def _leaky_relu(v: Any, slope: Any, p1: Any) -> Any:
    if v > c(v, 0.0):
        return v, c(v, 1.0)
    return slope * v, slope


@njit(inline="always")
def _rrelu(v: Any, lower: Any, upper: Any) -> Any:
    slope = (lower + upper) / c(v, 2.0)
    y = v if v >= c(v, 0.0) else slope * v
    return y, (c(v, 1.0) if v > c(v, 0.0) else slope)


@njit(inline="always")
def _threshold(v: Any, threshold: Any, value: Any) -> Any:
    if v > threshold:
        return v, c(v, 1.0)
    return value, c(v, 0.0)


@njit(inline="always")
def _softshrink(v: Any, lambd: Any, p1: Any) -> Any:
    if v > lambd:
        return v - lambd, c(v, 1.0)
    if v < -lambd:
        return v + lambd, c(v, 1.0)
    return c(v, 0.0), c(v, 0.0)


@njit(inline="always")
def _hardshrink(v: Any, lambd: Any, p1: Any) -> Any:
    if abs(v) > lambd:
        return v, c(v, 1.0)
    return c(v, 0.0), c(v, 0.0)


@njit(inline="always")
def _identity(v: Any, p0: Any, p1: Any) -> Any:
    return v, c(v, 1.0)


@njit(inline="always")
def _affine(v: Any, slope: Any, intercept: Any) -> Any:
    xa = c(v, 0.0) if slope == c(v, 0.0) and abs(v) == c(v, INF) else v
    return slope * xa + intercept, slope


@njit(inline="always")
def _tanhshrink(v: Any, p0: Any, p1: Any) -> Any:
    t = V.tanh_sech2(v)[0]
    small = abs(v) < c(v, 0.5)
    xs = v if small else c(v, 0.0)
    z = xs * xs
    # x - tanh(x) = x^3 (1/3 - 2 x^2 / 15 + ...) for |x| < 0.5 (no cancellation)
    # Estrin's scheme in z (a Horner chain of 16 steps left the loop latency-bound)
    z2 = z * z
    z4 = z2 * z2
    z8 = z4 * z4
    p0 = V.fma(V.fma(c(v, TS[3]), z, c(v, TS[2])), z2, V.fma(c(v, TS[1]), z, c(v, TS[0])))
    p1 = V.fma(V.fma(c(v, TS[7]), z, c(v, TS[6])), z2, V.fma(c(v, TS[5]), z, c(v, TS[4])))
    p2 = V.fma(V.fma(c(v, TS[11]), z, c(v, TS[10])), z2, V.fma(c(v, TS[9]), z, c(v, TS[8])))
    p3 = V.fma(V.fma(c(v, TS[15]), z, c(v, TS[14])), z2, V.fma(c(v, TS[13]), z, c(v, TS[12])))
    q = V.fma(V.fma(V.fma(c(v, TS[16]), z4, p3), z4, p2), z8, V.fma(p1, z4, p0))
    return (xs * z * q if small else v - t), t * t


# ----------------------------------------------------------------------------- kernels
# One loop per function: numba caches module-level functions only, so each is spelled
# out (the loop body inlines the scalar function above and vectorizes).
@kernel
def sigmoid(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _sigmoid(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def tanh(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _tanh(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def log_sigmoid(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _log_sigmoid(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def softsign(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _softsign(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def hard_sigmoid(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _hard_sigmoid(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def hard_tanh(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _hard_tanh(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def sparse_sigmoid(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _sparse_sigmoid(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def softplus(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _softplus(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def swish(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _swish(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def silu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _silu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def gelu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _gelu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def gelu_tanh(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _gelu_tanh(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def mish(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _mish(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def squareplus(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _squareplus(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def sparse_plus(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _sparse_plus(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def hard_swish(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _hard_swish(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def snake(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _snake(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def elu(x, ct, y, d, p0, p1):
    q0 = like(x, p0)
    for i in range(x.size):
        a, b = _elu(x[i], q0, like(x, 1.0))
        store(i, x[i], a, b, ct, y, d)


@kernel
def selu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _selu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def celu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _celu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def exponential(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _exponential(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def relu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _relu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def relu6(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _relu6(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def leaky_relu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _leaky_relu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def rrelu(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _rrelu(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def threshold(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _threshold(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def softshrink(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _softshrink(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def hardshrink(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _hardshrink(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def identity(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _identity(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def affine(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _affine(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)


@kernel
def tanhshrink(x, ct, y, d, p0, p1):
    q0, q1 = like(x, p0), like(x, p1)
    for i in range(x.size):
        a, b = _tanhshrink(x[i], q0, q1)
        store(i, x[i], a, b, ct, y, d)
