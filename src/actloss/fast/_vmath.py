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
in a high part whose product with k is exact and a low part; exp(r) = 1 + r + r^2 q(r)
with q the Taylor polynomial of degree 11 in float64 (truncation below 2e-17
relative), in float32 the minimax polynomial of degree 4 (Remez, 3.1e-9 relative);
q by Estrin's scheme (its terms are independent, so a loop is not bound by the latency
of a Horner chain); 2^k built by writing k + bias into the exponent bits, in two factors
2^(k//2) 2^(k - k//2) so that results in the subnormal range round gradually and
overflow gives inf. k is obtained by the round-to-nearest "magic number" addition,
whose bit pattern holds k as an integer (no float->int conversion, which AVX2 lacks
for 64-bit integers). log1p(u): w = 1 + u = 2^k m with m in [sqrt(2)/2, sqrt 2) read
off the bit pattern, log m = 2 atanh(f / (2 + f)) with f = m - 1 by its odd series,
plus the correction (u - (w - 1)) / w for the rounding of w. Multiply-adds in the
polynomials are explicit ``fma`` calls: one instruction where the CPU has FMA (half
the operations), the same bits in every kernel (see ``fma``).

Row reductions (``row_sum``, ``row_dot``, ``row_max``) are in ``_lanes``: eight explicit
LLVM vector lanes.

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

from .._numerics import ERFC_A as _A
from .._numerics import ERFC_B as _B
from .._numerics import ERFC_C as _C
from .._numerics import ERFC_D as _D
from .._numerics import ERFC_P as _P
from .._numerics import ERFC_Q as _Q
from .._numerics import INV_SQRT_PI

_INV_SQRT2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327


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


def _has_fma(context: Any) -> bool:
    """Whether the target compiles llvm.fma to one instruction (x86 FMA3, any AArch64)."""
    features = getattr(context.codegen(), "_tm_features", "") or ""
    return "+fma" in features.split(",") or "+neon" in features.split(",")


@intrinsic
def fma(typingctx: Any, a: Any, b: Any, addend: Any) -> Any:
    """a * b + addend, rounded once where the CPU has fused multiply-add, else twice.

    Explicit, not a contraction left to LLVM: the choice depends only on the target,
    never on the surrounding code, so a helper computes the same bits in every kernel
    that inlines it (vjp == ct * grad stays exact). Where used, the error bounds hold
    either way (tested on this machine's choice).
    """
    if not (isinstance(a, types.Float) and a == b == addend):
        return None
    sig = a(a, b, addend)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        if _has_fma(context):
            return builder.fma(*args)
        return builder.fadd(builder.fmul(args[0], args[1]), args[2])

    return sig, codegen


@njit(inline="always")
def clamp(x: Any, lo: Any, hi: Any) -> Any:
    """min(max(x, lo), hi) as selects, as NumPy's clip (x at a bound keeps its sign: clip(-0,
    0, 6) = -0); NaN becomes ``hi`` (callers restore NaN at the end)."""
    y = x if x < hi else hi
    return y if y >= lo else lo


@njit(inline="always")
def sqrt(x: Any) -> Any:
    """Square root (a vector instruction; NaN below 0)."""
    return np.sqrt(x)


@njit(inline="always")
def sin(x: Any) -> Any:
    """Sine: numba calls libm here, so loops using it stay scalar."""
    return np.sin(x)


def finfo_max(x):
    """The largest finite value of ``x``'s float type (a compile-time constant)."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(finfo_max, inline="always")
def _finfo_max(x):
    top = float(np.finfo(np.float32 if x == types.float32 else np.float64).max)
    return lambda x: top


@njit(inline="always")
def cos(x: Any) -> Any:
    """Cosine (libm, as ``sin``)."""
    return np.cos(x)


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
# float32: e^r = 1 + r + r^2 q(r) with q the minimax polynomial of degree 4 for the
# relative error of e^r on |r| <= ln2 / 2 (Remez; 3.1e-9, below a float32 ulp / 20)
_EXP_Q32 = (
    0.49999993451708435,
    0.1666652068983302,
    0.04166838736126115,
    0.008368709824171195,
    0.0013814613260779772,
)


@njit(inline="always")
def _reduce(x, x_lo, lo, hi, ln2_hi, ln2_lo, magic):
    """(r, k) with x + x_lo = k ln2 + r, |r| <= ln2 / 2 (k an integer, read off t's bits).

    ``x_lo`` is the low part of a two-part argument (-0.0 for none: adding it is then
    no operation); k is that of the sum, and x - k ln2_hi is exact, so that x_lo keeps
    its bits. x is clamped to [lo, hi] (where exp is 0 / inf anyway, which keeps
    both halves of 2^k normal); the clamp lets NaN through, so that NaN reaches the
    result by arithmetic (no select needed at the end).
    """
    xs = hi if x > hi else x
    xs = lo if xs < lo else xs
    t = fma(xs + x_lo, c(x, _LOG2E), magic)
    k = t - magic
    r = fma(-k, ln2_hi, xs) + x_lo
    return fma(-k, ln2_lo, r), as_int(t) - as_int(magic)


@njit(inline="always")
def _exp_parts32(x, x_lo):
    r, ki = _reduce(
        x,
        x_lo,
        c(x, -110.0),
        c(x, 110.0),
        c(x, _LN2_HI_32),
        c(x, _LN2_LO_32),
        c(x, _MAGIC_32),
    )
    ki = np.int32(ki)
    r2 = r * r
    q = fma(c(r, _EXP_Q32[4]), r2, fma(c(r, _EXP_Q32[3]), r, c(r, _EXP_Q32[2])))
    q = fma(q, r2, fma(c(r, _EXP_Q32[1]), r, c(r, _EXP_Q32[0])))
    k1 = np.int32(ki >> 1)
    k2 = np.int32(ki - k1)
    s1 = as_float(np.int32((k1 + 127) << 23))
    s2 = as_float(np.int32((k2 + 127) << 23))
    return fma(r2, q, r), s1, s2


@njit(inline="always")
def _exp_parts64(x, x_lo):
    r, ki = _reduce(
        x,
        x_lo,
        c(x, -760.0),
        c(x, 760.0),
        c(x, _LN2_HI_64),
        c(x, _LN2_LO_64),
        c(x, _MAGIC_64),
    )
    # Estrin's scheme: the Horner chain of 12 dependent steps left the loop latency-bound
    r2 = r * r
    r4 = r2 * r2
    p0 = fma(
        fma(c(r, _INV_FACT[5]), r, c(r, _INV_FACT[4])),
        r2,
        fma(c(r, _INV_FACT[3]), r, c(r, _INV_FACT[2])),
    )
    p1 = fma(
        fma(c(r, _INV_FACT[9]), r, c(r, _INV_FACT[8])),
        r2,
        fma(c(r, _INV_FACT[7]), r, c(r, _INV_FACT[6])),
    )
    p2 = fma(
        fma(c(r, _INV_FACT[13]), r, c(r, _INV_FACT[12])),
        r2,
        fma(c(r, _INV_FACT[11]), r, c(r, _INV_FACT[10])),
    )
    q = fma(fma(p2, r4, p1), r4, p0)
    k1 = ki >> 1
    k2 = ki - k1
    s1 = as_float((k1 + 1023) << 52)
    s2 = as_float((k2 + 1023) << 52)
    return fma(r2, q, r), s1, s2


def _exp_parts(x, x_lo):
    """(exp(r) - 1, 2^(k//2), 2^(k - k//2)) with x + x_lo = k ln2 + r, |r| <= ln2 / 2.

    x is first clamped to where exp is 0 / inf anyway, which keeps both halves of 2^k
    normal numbers. The float32 and float64 versions are separate functions chosen by
    the argument's type at compile time, so every intermediate keeps x's type.
    """
    raise NotImplementedError("only callable from numba-compiled code")


@overload(_exp_parts)
def _exp_parts_impl(x, x_lo):
    if x == types.float32:
        return lambda x, x_lo: _exp_parts32(x, x_lo)
    return lambda x, x_lo: _exp_parts64(x, x_lo)


@njit(inline="always")
def exp(x: Any) -> Any:
    """e^x; +inf above the overflow threshold, 0 (gradually) below underflow. NaN -> NaN."""
    m, s1, s2 = _exp_parts(x, c(x, -0.0))
    return ((m + c(x, 1.0)) * s1) * s2  # NaN: m is NaN


@njit(inline="always")
def exp_expm1(x: Any) -> Any:
    """(e^x, e^x - 1) from one range reduction; expm1 accurate in relative terms near 0."""
    m, s1, s2 = _exp_parts(x, c(x, -0.0))
    e = ((m + c(x, 1.0)) * s1) * s2
    # (m + 1) 2^k - 1 = m 2^k + (2^k - 1): exact m when k = 0; for x > 1 there is no
    # cancellation in e - 1, and 2^k alone may overflow while e does not
    em1 = (m * s1) * s2 + (s1 * s2 - c(x, 1.0)) if x <= c(x, 1.0) else e - c(x, 1.0)
    if x != x:
        return x, x
    return e, em1


@njit(inline="always")
def exp2part(x: Any, x_lo: Any) -> Any:
    """e^(x + x_lo) for a two-part argument x + x_lo (x with at most 18 significant bits,
    |x_lo| <= 8), without the rounding of the sum: x - k ln2_hi is exact."""
    m, s1, s2 = _exp_parts(x, x_lo)
    return ((m + c(x, 1.0)) * s1) * s2


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
    q = fma(q, z, c(f, _INV_ODD[4]))
    q = fma(q, z, c(f, _INV_ODD[3]))
    q = fma(q, z, c(f, _INV_ODD[2]))
    q = fma(q, z, c(f, _INV_ODD[1]))
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
    # Estrin's scheme (a Horner chain of 11 steps left loops latency-bound)
    z2 = z * z
    z4 = z2 * z2
    q0 = fma(
        fma(c(f, _INV_ODD[4]), z, c(f, _INV_ODD[3])),
        z2,
        fma(c(f, _INV_ODD[2]), z, c(f, _INV_ODD[1])),
    )
    q1 = fma(
        fma(c(f, _INV_ODD[8]), z, c(f, _INV_ODD[7])),
        z2,
        fma(c(f, _INV_ODD[6]), z, c(f, _INV_ODD[5])),
    )
    q2 = fma(
        fma(c(f, _INV_ODD[12]), z, c(f, _INV_ODD[11])),
        z2,
        fma(c(f, _INV_ODD[10]), z, c(f, _INV_ODD[9])),
    )
    q = fma(fma(q2, z4, q1), z4, q0)
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
    inv = c(x, 1.0) / (c(x, 2.0) + em1)  # 1 / (1 + e): one division for both
    t = math.copysign(-em1 * inv, x)  # the sign of x, also of a zero (tanh(-0) = -0)
    s2 = (c(x, 4.0) * e) * (inv * inv)
    if x != x:
        return x, x
    return t, s2


@njit(inline="always")
def tanh(x: Any) -> Any:
    return tanh_sech2(x)[0]


# ---------------------------------------------------------------------------- erfc
@njit(inline="always")
def _erfc_parts(u: Any) -> Any:
    """(small, ratio, e) for finite u, from which erfc(u) follows with no further exp:

    |u| <= 0.46875 (small): erfc(u) = 1 - u ratio (ratio = erf(u) / u);
    otherwise erfc(|u|) = e ratio with e = exp(-u^2), ratio = exp(u^2) erfc(|u|).

    W. J. Cody's rational approximations (the coefficients of ``actloss._numerics``):
    x P(x^2) / Q(x^2) near 0, C(y) / D(y) on (0.46875, 4], and for y > 4 the tail
    (1/sqrt(pi) - z P(z) / Q(z)) / y with z = 1 / y^2, here multiplied out in w = y^2
    (reversed coefficients) into one fraction. All three are evaluated (a vector loop
    has no branches) but share one division: the numerator and denominator of the
    element's range are selected first.
    """
    y = abs(u)
    small = y <= c(u, 0.46875)
    # |u| <= 0.46875: erf(u) / u = P(u^2) / Q(u^2)
    us = u if small else c(u, 0.0)
    z = us * us
    ns = fma(c(u, _A[4]), z, c(u, _A[0]))
    ds = z + c(u, _B[0])
    ns = fma(ns, z, c(u, _A[1]))
    ds = fma(ds, z, c(u, _B[1]))
    ns = fma(ns, z, c(u, _A[2]))
    ds = fma(ds, z, c(u, _B[2]))
    ns = fma(ns, z, c(u, _A[3]))
    ds = fma(ds, z, c(u, _B[3]))
    # 0.46875 < y <= 4: C(y) / D(y)
    ym = clamp(y, c(u, 0.46875), c(u, 4.0))
    nm = fma(c(u, _C[8]), ym, c(u, _C[0]))
    dm = ym + c(u, _D[0])
    for i in range(1, 8):
        nm = fma(nm, ym, c(u, _C[i]))
        dm = fma(dm, ym, c(u, _D[i]))
    # y > 4: (w Q~(w) / sqrt(pi) - P~(w)) / (y w Q~(w)), P~, Q~ the reversed P, Q
    yt = clamp(y, c(u, 4.0), c(u, 30.0))
    w = yt * yt
    nt = fma(c(u, _P[4]), w, c(u, _P[3]))
    dt = fma(c(u, _Q[4]), w, c(u, _Q[3]))
    for i in range(2, -1, -1):
        nt = fma(nt, w, c(u, _P[i]))
        dt = fma(dt, w, c(u, _Q[i]))
    nt = fma(nt, w, c(u, _P[5]))
    dt = fma(dt, w, c(u, 1.0)) * w
    nt = fma(dt, c(u, INV_SQRT_PI), -nt)
    dt = dt * yt
    num = ns if small else (nm if y <= c(u, 4.0) else nt)
    den = ds if small else (dm if y <= c(u, 4.0) else dt)
    return small, num / den, _exp_neg_square(y)


# float32: exp(y^2) erfc(y) = t Q(t), t = 1 / (1 + y / 2), with Q of degree 8 fitted to
# the relative error on 0 <= y <= 10.5 (beyond, erfc(y) < 1e-49 is 0 in float32): 4.3e-8
# in exact arithmetic, 3.4e-7 (3 ulps) evaluated in float32. Near 0 erfc(y) is about
# 1, so erfc itself (not erf) keeps its relative accuracy there without a separate range.
_ERFCX_Q32 = (
    0.2820855738816998,
    0.2823900847563331,
    0.24299647352080578,
    0.2031105286584734,
    -0.027624971998928688,
    0.27951496660334046,
    -0.4884630610030638,
    0.2851839270134503,
    -0.05919356481473599,
)


@njit(inline="always")
def _exp_neg_square(y: Any) -> Any:
    """exp(-y^2) for 0 <= y, y^2 = y_hi^2 + (y - y_hi)(y + y_hi) with y_hi of 4 fraction
    bits (y_hi^2 exact, Cody's split) as a two-part argument: its rounding is not amplified."""
    yc = y if y < c(y, 30.0) else c(y, 30.0)  # exp(-900) is 0 in float64
    y_hi = np.floor(yc * c(y, 16.0)) * c(y, 0.0625)
    return exp2part(-(y_hi * y_hi), -((yc - y_hi) * (yc + y_hi)))


@njit(inline="always")
def _erfc_parts32(u: Any) -> Any:
    """(False, exp(u^2) erfc(|u|), exp(-u^2)) in float32 (see _ERFCX_Q32)."""
    y = abs(u)
    yc = y if y < c(u, 10.5) else c(u, 10.5)
    t = c(u, 1.0) / fma(yc, c(u, 0.5), c(u, 1.0))
    t2 = t * t
    q0 = fma(
        fma(c(u, _ERFCX_Q32[3]), t, c(u, _ERFCX_Q32[2])),
        t2,
        fma(c(u, _ERFCX_Q32[1]), t, c(u, _ERFCX_Q32[0])),
    )
    q1 = fma(
        fma(c(u, _ERFCX_Q32[7]), t, c(u, _ERFCX_Q32[6])),
        t2,
        fma(c(u, _ERFCX_Q32[5]), t, c(u, _ERFCX_Q32[4])),
    )
    q = fma(fma(c(u, _ERFCX_Q32[8]), t2 * t2, q1), t2 * t2, q0)
    return False, t * q, _exp_neg_square(y)


def _cdf_parts(u):
    """(small, ratio, e) as ``_erfc_parts`` (float64) or ``_erfc_parts32`` (float32)."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(_cdf_parts, inline="always")
def _cdf_parts_impl(u):
    if u == types.float32:
        return lambda u: _erfc_parts32(u)
    return lambda u: _erfc_parts(u)


@njit(inline="always")
def erfc(x: Any) -> Any:
    """Complementary error function: Cody's rational approximations in float64 (as
    _numerics), the fit ``_ERFCX_Q32`` in float32; exp(-x^2) by one two-part exp."""
    xf = clamp(x, c(x, -30.0), c(x, 30.0))  # +-inf: the tail (0 and 2 below)
    small, ratio, e = _cdf_parts(xf)
    big = e * ratio  # erfc(|x|)
    big = big if abs(x) < c(x, 30.0) else c(x, 0.0)  # erfc(30) < 1e-392: 0 in float64
    out = c(x, 1.0) - xf * ratio if small else (big if x >= c(x, 0.0) else c(x, 2.0) - big)
    return out if x == x else x


@njit(inline="always")
def normal_cdf_pdf(x: Any) -> Any:
    """(Phi(x), phi(x)) of the standard normal for finite x, from one exp and one division.

    Phi(x) = erfc(u) / 2 with u = -x / sqrt 2, phi(x) = exp(-u^2) / sqrt(2 pi); the
    rounding of u is a relative perturbation of x below one unit in the last place.
    """
    u = x * c(x, -_INV_SQRT2)
    small, ratio, e = _cdf_parts(u)
    half = c(x, 0.5) * (e * ratio)  # erfc(|u|) / 2
    big = half if u >= c(x, 0.0) else c(x, 1.0) - half
    cdf = c(x, 0.5) - c(x, 0.5) * (u * ratio) if small else big
    return cdf, e * c(x, _INV_SQRT_2PI)
