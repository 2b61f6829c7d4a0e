"""Vectorizable scalar math for the fused kernels: exp, expm1, log1p, tanh, erfc.

numba lowers ``math.exp``/``np.tanh``/``np.log1p`` to scalar libm calls, which stop
LLVM from vectorizing a loop. These versions use only +, *, /, floor, selects and
integer bit operations, so a loop that inlines them runs 4 (float64) or 8 (float32)
lanes at a time. Each is generic over float32/float64: ``c(x, value)`` gives a
constant in ``x``'s type (a float64 literal would promote float32 arithmetic), and
the parts that differ (polynomial degree, integer width) are separate float32 and
float64 functions chosen by an overload on the argument's type, so that no
intermediate is promoted to float64 by numba's type unification.

Accuracy (tested over the whole range in tests/perf/test_vmath.py against float64
NumPy/math): relative error below 4 ulps in float64 and 8 ulps in float32 for exp,
expm1, log1p and tanh; erfc as Cody's rational approximation (the one
``actloss._numerics.erfc`` uses, with the same coefficients).

Method. exp: Cody-Waite range reduction x = k ln2 + r, |r| <= ln2/2, with ln2 split
in a high part whose product with k is exact and a low part; exp(r) by its Taylor
polynomial (degree 13 in float64, 7 in float32: truncation below 2e-17 resp.
1e-9 relative); 2^k built by writing k + bias into the exponent bits, in two factors
2^(k//2) 2^(k - k//2) so that results in the subnormal range round gradually and
overflow gives inf. k is obtained by the round-to-nearest "magic number" addition,
whose bit pattern holds k as an integer (no float->int conversion, which AVX2 lacks
for 64-bit integers). log1p(u): w = 1 + u = 2^k m with m in [sqrt(2)/2, sqrt 2) read
off the bit pattern, log m = 2 atanh(f / (2 + f)) with f = m - 1 by its odd series,
plus the correction (u - (w - 1)) / w for the rounding of w.

numba's on-disk cache is keyed by the file that defines a kernel, not by this one:
after editing this file, delete ``src/actloss/fast/__pycache__/*.nb[ic]`` (the
kernel modules do this automatically when this file's hash changes, see ``_jit``).
"""

# mypy: ignore-errors
# (numba's DSL: intrinsics and overloads are not typed Python callables)

from __future__ import annotations

import math
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from .._numerics import _A, _B, _C, _D, _P, _Q, INV_SQRT_PI


# ------------------------------------------------------------------- type helpers
@intrinsic
def c(typingctx: Any, x: Any, value: Any) -> Any:
    """``value`` (a float64) as a constant of ``x``'s floating type.

    An intrinsic rather than an overload: it types in constant time (numba's IR
    inlining of an overload at each of hundreds of call sites dominated compile time)
    and LLVM folds the conversion of the literal.
    """
    if not isinstance(x, types.Float):
        return None
    sig = x(x, value)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return context.cast(builder, args[1], signature.args[1], signature.return_type)

    return sig, codegen


@intrinsic
def as_int(typingctx: Any, x: Any) -> Any:
    """The bit pattern of a float32 (as int32) or float64 (as int64)."""
    if x == types.float32:
        sig, ty = types.int32(types.float32), ir.IntType(32)
    elif x == types.float64:
        sig, ty = types.int64(types.float64), ir.IntType(64)
    else:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ty)

    return sig, codegen


@intrinsic
def as_float(typingctx: Any, i: Any) -> Any:
    """The float32 (from int32) or float64 (from int64) with bit pattern ``i``."""
    if i == types.int32:
        sig, ty = types.float32(types.int32), ir.FloatType()
    elif i == types.int64:
        sig, ty = types.float64(types.int64), ir.DoubleType()
    else:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ty)

    return sig, codegen


@intrinsic
def like(typingctx: Any, a: Any, value: Any) -> Any:
    """``value`` converted to the element type of array ``a``."""
    if not isinstance(a, types.Array) or not isinstance(a.dtype, types.Float):
        return None
    sig = a.dtype(a, value)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return context.cast(builder, args[1], signature.args[1], signature.return_type)

    return sig, codegen


@njit(inline="always")
def clamp(x: Any, lo: Any, hi: Any) -> Any:
    """min(max(x, lo), hi) as selects; NaN becomes ``hi`` (callers restore NaN at the end)."""
    y = x if x < hi else hi
    return y if y > lo else lo


@njit(inline="always")
def sqrt(x: Any) -> Any:
    """Square root (a vector instruction; NaN below 0)."""
    return np.sqrt(x)


@njit(inline="always")
def sin(x: Any) -> Any:
    """Sine: numba calls libm here, so loops using it stay scalar."""
    return np.sin(x)


# ----------------------------------------------------------------------------- exp
_LOG2E = 1.4426950408889634
# fdlibm's split of ln 2: the high part has 32 trailing zero bits (exact k * hi).
_LN2_HI_64 = 6.93147180369123816490e-01
_LN2_LO_64 = 1.90821492927058770002e-10
# Cephes's float32 split: 0.693359375 has 8 significant bits.
_LN2_HI_32 = 0.693359375
_LN2_LO_32 = -2.12194440e-4
_MAGIC_64 = 6755399441055744.0  # 1.5 * 2^52: adding it rounds to an integer
_MAGIC_32 = 12582912.0  # 1.5 * 2^23
_INV_FACT = tuple(1.0 / math.factorial(n) for n in range(14))


@njit(inline="always")
def _exp_parts32(x):
    xs = x if x < c(x, 110.0) else c(x, 110.0)  # NaN -> 110 (restored by the caller)
    xs = xs if xs > c(x, -110.0) else c(x, -110.0)
    t = xs * c(x, _LOG2E) + c(x, _MAGIC_32)
    k = t - c(x, _MAGIC_32)
    ki = np.int32(as_int(t) - as_int(c(x, _MAGIC_32)))
    r = (xs - k * c(x, _LN2_HI_32)) - k * c(x, _LN2_LO_32)
    q = c(r, _INV_FACT[7])
    q = q * r + c(r, _INV_FACT[6])
    q = q * r + c(r, _INV_FACT[5])
    q = q * r + c(r, _INV_FACT[4])
    q = q * r + c(r, _INV_FACT[3])
    q = q * r + c(r, _INV_FACT[2])
    k1 = np.int32(ki >> 1)
    k2 = np.int32(ki - k1)
    s1 = as_float(np.int32((k1 + 127) << 23))
    s2 = as_float(np.int32((k2 + 127) << 23))
    return r + (r * r) * q, s1, s2


@njit(inline="always")
def _exp_parts64(x):
    xs = x if x < c(x, 760.0) else c(x, 760.0)
    xs = xs if xs > c(x, -760.0) else c(x, -760.0)
    t = xs * c(x, _LOG2E) + c(x, _MAGIC_64)
    k = t - c(x, _MAGIC_64)
    ki = as_int(t) - as_int(c(x, _MAGIC_64))
    r = (xs - k * c(x, _LN2_HI_64)) - k * c(x, _LN2_LO_64)
    q = c(r, _INV_FACT[13])
    q = q * r + c(r, _INV_FACT[12])
    q = q * r + c(r, _INV_FACT[11])
    q = q * r + c(r, _INV_FACT[10])
    q = q * r + c(r, _INV_FACT[9])
    q = q * r + c(r, _INV_FACT[8])
    q = q * r + c(r, _INV_FACT[7])
    q = q * r + c(r, _INV_FACT[6])
    q = q * r + c(r, _INV_FACT[5])
    q = q * r + c(r, _INV_FACT[4])
    q = q * r + c(r, _INV_FACT[3])
    q = q * r + c(r, _INV_FACT[2])
    k1 = ki >> 1
    k2 = ki - k1
    s1 = as_float((k1 + 1023) << 52)
    s2 = as_float((k2 + 1023) << 52)
    return r + (r * r) * q, s1, s2


def _exp_parts(x):
    """(exp(r) - 1, 2^(k//2), 2^(k - k//2)) with x = k ln2 + r, |r| <= ln2 / 2.

    x is first clamped to where exp is 0 / inf anyway, which keeps both halves of 2^k
    normal numbers. The float32 and float64 versions are separate functions chosen by
    the argument's type at compile time, so every intermediate keeps x's type.
    """
    raise NotImplementedError("only callable from numba-compiled code")


@overload(_exp_parts)
def _exp_parts_impl(x):
    if x == types.float32:
        return lambda x: _exp_parts32(x)
    return lambda x: _exp_parts64(x)


@njit(inline="always")
def exp(x: Any) -> Any:
    """e^x; +inf above the overflow threshold, 0 (gradually) below underflow. NaN -> NaN."""
    m, s1, s2 = _exp_parts(x)
    y = ((m + c(x, 1.0)) * s1) * s2
    return y if x == x else x


@njit(inline="always")
def exp_expm1(x: Any) -> Any:
    """(e^x, e^x - 1) from one range reduction; expm1 accurate in relative terms near 0."""
    m, s1, s2 = _exp_parts(x)
    e = ((m + c(x, 1.0)) * s1) * s2
    # (m + 1) 2^k - 1 = m 2^k + (2^k - 1): exact m when k = 0; for x > 1 there is no
    # cancellation in e - 1, and 2^k alone may overflow while e does not
    em1 = (m * s1) * s2 + (s1 * s2 - c(x, 1.0)) if x <= c(x, 1.0) else e - c(x, 1.0)
    if x != x:
        return x, x
    return e, em1


@njit(inline="always")
def expm1(x: Any) -> Any:
    return exp_expm1(x)[1]


# --------------------------------------------------------------------------- log1p
_SQRT_HALF_BITS_32 = 0x3F3504F3  # float32 sqrt(2)/2
_SQRT_HALF_BITS_64 = 0x3FE6A09E667F3BCD  # float64 sqrt(2)/2
_LN2_64 = 0.6931471805599453
_INV_ODD = tuple(1.0 / (2 * n + 1) for n in range(13))


@njit(inline="always")
def _log_parts32(w):
    """(k, log(m)) with w = 2^k m, m in [sqrt(2)/2, sqrt 2); float32."""
    t = np.int32(as_int(w) - np.int32(_SQRT_HALF_BITS_32))
    k = np.int32(t >> 23)
    m = as_float(np.int32(as_int(w) - np.int32(k << 23)))
    f = m - c(m, 1.0)
    s = f / (c(f, 2.0) + f)
    z = s * s
    q = c(f, _INV_ODD[5])
    q = q * z + c(f, _INV_ODD[4])
    q = q * z + c(f, _INV_ODD[3])
    q = q * z + c(f, _INV_ODD[2])
    q = q * z + c(f, _INV_ODD[1])
    # log(1 + f) = 2 atanh(s) = 2 s + 2 s z q = f - s (f - 2 z q)
    return np.float32(k), f - s * (f - c(f, 2.0) * z * q)


@njit(inline="always")
def _log_parts64(w):
    """(k, log(m)) with w = 2^k m, m in [sqrt(2)/2, sqrt 2); float64."""
    t = as_int(w) - np.int64(_SQRT_HALF_BITS_64)
    k = t >> 52
    m = as_float(as_int(w) - (k << 52))
    kf = as_float(k + as_int(c(w, _MAGIC_64))) - c(w, _MAGIC_64)  # no int64 -> float
    f = m - c(m, 1.0)
    s = f / (c(f, 2.0) + f)
    z = s * s
    q = c(f, _INV_ODD[12])
    q = q * z + c(f, _INV_ODD[11])
    q = q * z + c(f, _INV_ODD[10])
    q = q * z + c(f, _INV_ODD[9])
    q = q * z + c(f, _INV_ODD[8])
    q = q * z + c(f, _INV_ODD[7])
    q = q * z + c(f, _INV_ODD[6])
    q = q * z + c(f, _INV_ODD[5])
    q = q * z + c(f, _INV_ODD[4])
    q = q * z + c(f, _INV_ODD[3])
    q = q * z + c(f, _INV_ODD[2])
    q = q * z + c(f, _INV_ODD[1])
    return kf, f - s * (f - c(f, 2.0) * z * q)


def _log_parts(w):
    """(k, log m) with w = 2^k m, m in [sqrt(2)/2, sqrt 2), for finite w > 0: log m =
    2 atanh(s), s = (m - 1) / (m + 1), by its odd series (|s| <= 0.172)."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(_log_parts)
def _log_parts_impl(w):
    if w == types.float32:
        return lambda w: _log_parts32(w)
    return lambda w: _log_parts64(w)


@njit(inline="always")
def log1p(u: Any) -> Any:
    """log(1 + u) for u >= -1 (-inf at -1, NaN below, inf at inf)."""
    w = u + c(u, 1.0)
    wpos = w if w > c(u, 0.0) else c(u, 1.0)  # keeps the bit tricks finite
    wpos = wpos if wpos < c(u, np.inf) else c(u, 2.0)
    kf, logm = _log_parts(wpos)
    corr = (u - (wpos - c(u, 1.0))) / wpos  # the rounding error of 1 + u, relative to w
    corr = corr if w > c(u, 0.0) else c(u, 0.0)
    y = kf * c(u, _LN2_64) + (logm + corr)
    if u != u:
        return u
    if w == c(u, 0.0):
        return c(u, -np.inf)
    if w < c(u, 0.0):
        return c(u, np.nan)
    if u == c(u, np.inf):
        return u
    return y


# ---------------------------------------------------------------------------- tanh
@njit(inline="always")
def tanh_sech2(x: Any) -> Any:
    """(tanh x, sech^2 x) from e = exp(-2|x|): tanh = -expm1 / (2 + expm1), sech^2 = 4e/(1+e)^2."""
    a = abs(x)
    e, em1 = exp_expm1(c(x, -2.0) * a)
    t = -em1 / (c(x, 2.0) + em1)
    t = t if x >= c(x, 0.0) else -t
    one_e = c(x, 1.0) + e
    s2 = c(x, 4.0) * e / (one_e * one_e)
    if x != x:
        return x, x
    return t, s2


@njit(inline="always")
def tanh(x: Any) -> Any:
    return tanh_sech2(x)[0]


# ---------------------------------------------------------------------------- erfc
@njit(inline="always")
def _exp_neg_square(y: Any) -> Any:
    """exp(-y^2) with y^2 split so that its rounding is not amplified (Cody)."""
    y_hi = np.floor(y * c(y, 16.0)) / c(y, 16.0)
    return exp(-y_hi * y_hi) * exp(-(y - y_hi) * (y + y_hi))


@njit(inline="always")
def erfc(x: Any) -> Any:
    """Complementary error function by W. J. Cody's rational approximations (as _numerics)."""
    y = abs(x)
    # |x| <= 0.46875: 1 - erf(x), erf(x) = x P(x^2) / Q(x^2)
    xs = x if y <= c(x, 0.46875) else c(x, 0.0)
    z = xs * xs
    num = c(x, _A[4]) * z
    den = z
    num = (num + c(x, _A[0])) * z
    den = (den + c(x, _B[0])) * z
    num = (num + c(x, _A[1])) * z
    den = (den + c(x, _B[1])) * z
    num = (num + c(x, _A[2])) * z
    den = (den + c(x, _B[2])) * z
    small = c(x, 1.0) - xs * (num + c(x, _A[3])) / (den + c(x, _B[3]))
    # 0.46875 < |x| <= 4: exp(y^2) erfc(y) = C(y) / D(y)
    ym = clamp(y, c(x, 0.46875), c(x, 4.0))
    num = c(x, _C[8]) * ym
    den = ym
    num = (num + c(x, _C[0])) * ym
    den = (den + c(x, _D[0])) * ym
    num = (num + c(x, _C[1])) * ym
    den = (den + c(x, _D[1])) * ym
    num = (num + c(x, _C[2])) * ym
    den = (den + c(x, _D[2])) * ym
    num = (num + c(x, _C[3])) * ym
    den = (den + c(x, _D[3])) * ym
    num = (num + c(x, _C[4])) * ym
    den = (den + c(x, _D[4])) * ym
    num = (num + c(x, _C[5])) * ym
    den = (den + c(x, _D[5])) * ym
    num = (num + c(x, _C[6])) * ym
    den = (den + c(x, _D[6])) * ym
    mid = (num + c(x, _C[7])) / (den + c(x, _D[7]))
    # |x| > 4: exp(y^2) erfc(y) = (1/sqrt(pi) - z R(z)) / y, z = 1 / y^2
    yt = clamp(y, c(x, 4.0), c(x, 30.0))
    z = c(x, 1.0) / (yt * yt)
    num = c(x, _P[5]) * z
    den = z
    num = (num + c(x, _P[0])) * z
    den = (den + c(x, _Q[0])) * z
    num = (num + c(x, _P[1])) * z
    den = (den + c(x, _Q[1])) * z
    num = (num + c(x, _P[2])) * z
    den = (den + c(x, _Q[2])) * z
    num = (num + c(x, _P[3])) * z
    den = (den + c(x, _Q[3])) * z
    tail = (c(x, INV_SQRT_PI) - z * (num + c(x, _P[4])) / (den + c(x, _Q[4]))) / yt
    scaled = mid if y <= c(x, 4.0) else tail
    big = _exp_neg_square(clamp(y, c(x, 0.0), c(x, 30.0))) * scaled  # erfc(|x|)
    big = big if y < c(x, 30.0) else c(x, 0.0)  # erfc(30) < 1e-392: 0 in float64
    large = big if x >= c(x, 0.0) else c(x, 2.0) - big
    out = small if y <= c(x, 0.46875) else large
    return out if x == x else x
