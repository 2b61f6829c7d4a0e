"""Stable numerical building blocks, written with Array API calls only.

Each helper takes the namespace ``xp`` first. ``where`` evaluates both
branches, so every branch here is written to be finite (or a quiet inf) for
every input: the branch not taken must not overflow or divide by zero.
"""

from __future__ import annotations

import math
from typing import Any

from ._backend import constant

SQRT_2 = math.sqrt(2.0)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
INV_SQRT_PI = 1.0 / math.sqrt(math.pi)

# Klambauer et al. (2017), eq. (14): the fixed point of the self-normalizing map (SELU).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# the cubic coefficient of the tanh approximation of GELU (Hendrycks & Gimpel, 2016)
GELU_C = 0.044715

# x - tanh(x) = x^3 (1/3 - 2 x^2/15 + ...): Taylor coefficients of x - tanh(x), divided by
# x^3, in powers of x^2 (from the tanh series; computed with mpmath at 40 digits). Used for
# |x| < 0.5, where x - tanh(x) would lose up to half its digits to cancellation.
TANHSHRINK_SERIES = (
    0.3333333333333333,
    -0.13333333333333333,
    0.05396825396825397,
    -0.021869488536155203,
    0.008863235529902197,
    -0.003592128036572481,
    0.0014558343870513183,
    -0.000590027440945586,
    0.00023912911424355248,
    -9.691537956929451e-05,
    3.927832388331683e-05,
    -1.5918905069328964e-05,
    6.451689215655431e-06,
    -2.6147711512907546e-06,
    1.0597268320104654e-06,
    -4.294911078273806e-07,
    1.7406618963571648e-07,
)


def zeros(xp: Any, like: Any) -> Any:
    return xp.zeros_like(like)


def ones(xp: Any, like: Any) -> Any:
    return xp.ones_like(like)


def full(xp: Any, like: Any, value: float) -> Any:
    return xp.full_like(like, value)


def relu(xp: Any, x: Any) -> Any:
    return xp.maximum(x, constant(xp, 0.0, x))


def neg_part(xp: Any, x: Any) -> Any:
    """min(x, 0)."""
    return xp.minimum(x, constant(xp, 0.0, x))


def sigmoid(xp: Any, x: Any) -> Any:
    """1 / (1 + exp(-x)) without overflow: both branches use exp(-|x|) <= 1."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(xp: Any, x: Any) -> Any:
    """s (1 - s) as exp(-|x|) / (1 + exp(-|x|))^2: exact in both tails, no 1 - s cancellation."""
    e = xp.exp(-xp.abs(x))
    return e / ((1.0 + e) * (1.0 + e))


def softplus(xp: Any, x: Any) -> Any:
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))."""
    return relu(xp, x) + xp.log1p(xp.exp(-xp.abs(x)))


def log_sigmoid(xp: Any, x: Any) -> Any:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))."""
    return neg_part(xp, x) - xp.log1p(xp.exp(-xp.abs(x)))


def sech2(xp: Any, x: Any) -> Any:
    """sech(x)^2 = 4 e / (1 + e)^2 with e = exp(-2|x|): cosh never overflows."""
    e = xp.exp(-2.0 * xp.clip(xp.abs(x), 0.0, 1e4))  # exp(-2e4) == 0; 2|x| never overflows
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def exp(xp: Any, x: Any) -> Any:
    """exp(x) that returns +inf past the dtype's range without an overflow warning."""
    fi = xp.finfo(x.dtype)
    # log(max) shaved by two ulps, so that exp at the limit itself cannot round past max
    limit = math.log(float(fi.max)) * (1.0 - 2.0 * float(fi.eps))
    safe = xp.minimum(x, constant(xp, limit, x))  # the branch not taken stays finite
    return xp.where(x > limit, constant(xp, math.inf, x), xp.exp(safe))


def scale(xp: Any, k: Any, x: Any) -> Any:
    """k * x, with +-inf (and no overflow warning) where the product exceeds the dtype's range.

    ``k`` is a number or an array broadcasting against ``x``; ``x`` may hold +-inf and NaN.
    """
    top = float(xp.finfo(x.dtype).max)
    if isinstance(k, (int, float)):
        if abs(k) <= 1.0:
            return k * x
        lim = top / abs(k)
    else:
        lim = top / xp.maximum(xp.abs(k), constant(xp, 1.0, x))
    over = xp.abs(x) > lim
    safe = k * xp.where(over, xp.zeros_like(x), x)  # the branch not taken stays finite
    sign = xp.where((x > 0) == (k > 0), constant(xp, math.inf, x), constant(xp, -math.inf, x))
    return xp.where(over & (k != 0), sign, safe)


def clamp_abs(xp: Any, x: Any, limit: Any) -> Any:
    """x clipped to [-limit, limit] (``limit`` a number or an array; NaN stays NaN)."""
    if isinstance(limit, (int, float)):
        return xp.clip(x, -limit, limit)
    return xp.where(x > limit, limit, xp.where(x < -limit, -limit, x))


def finite_or_zero(xp: Any, x: Any) -> Any:
    """x where finite, 0 at +-inf and NaN (for branches that must not see inf)."""
    return xp.where(xp.isfinite(x), x, constant(xp, 0.0, x))


def safe_divide(xp: Any, num: Any, den: Any, mask: Any) -> Any:
    """num / den where ``mask``; 0 elsewhere, without evaluating a division by 0."""
    den = xp.where(mask, den, xp.ones_like(den))
    return xp.where(mask, num / den, xp.zeros_like(num / den))


# ----------------------------------------------------------------------------- erfc
# W. J. Cody, "Rational Chebyshev approximations for the error function",
# Math. Comp. 23 (1969) 631-637: the coefficient sets of SPECFUN's CALERF,
# accurate to about 1e-16 relative in float64 over the whole real line.
ERFC_A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
ERFC_B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
ERFC_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
ERFC_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
ERFC_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
ERFC_Q = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)


def _erf_small(xp: Any, x: Any) -> Any:
    """erf(x) for |x| <= 0.46875."""
    z = x * x
    num = ERFC_A[4] * z
    den = z
    for i in range(3):
        num = (num + ERFC_A[i]) * z
        den = (den + ERFC_B[i]) * z
    return x * (num + ERFC_A[3]) / (den + ERFC_B[3])


def _erfcx_mid(xp: Any, y: Any) -> Any:
    """exp(y^2) erfc(y) for 0.46875 <= y <= 4."""
    num = ERFC_C[8] * y
    den = y
    for i in range(7):
        num = (num + ERFC_C[i]) * y
        den = (den + ERFC_D[i]) * y
    return (num + ERFC_C[7]) / (den + ERFC_D[7])


def _erfcx_tail(xp: Any, y: Any) -> Any:
    """exp(y^2) erfc(y) for y >= 4."""
    z = 1.0 / (y * y)
    num = ERFC_P[5] * z
    den = z
    for i in range(4):
        num = (num + ERFC_P[i]) * z
        den = (den + ERFC_Q[i]) * z
    return (INV_SQRT_PI - z * (num + ERFC_P[4]) / (den + ERFC_Q[4])) / y


def _exp_neg_square(xp: Any, y: Any) -> Any:
    """exp(-y^2) with y^2 split so that its rounding error is not amplified (Cody's trick)."""
    y_hi = xp.floor(y * 16.0) / 16.0
    return xp.exp(-y_hi * y_hi) * xp.exp(-(y - y_hi) * (y + y_hi))


def erfc(xp: Any, x: Any) -> Any:
    """Complementary error function, accurate in relative terms for large positive x."""
    y = xp.abs(x)
    small = y <= 0.46875
    # Each branch gets an input clamped into its own interval, so none overflows.
    ys = xp.where(small, x, constant(xp, 0.0, x))
    ym = xp.clip(y, 0.46875, 4.0)
    yt = xp.clip(y, 4.0, 1e18)  # erfc is 0 long before; 1 / y^2 must not overflow
    scaled = xp.where(y <= 4.0, _erfcx_mid(xp, ym), _erfcx_tail(xp, yt))
    e = _exp_neg_square(xp, xp.clip(y, 0.0, 30.0))  # exp(-900) == 0: y^2 never overflows
    tail = xp.where(xp.isfinite(y), e * scaled, constant(xp, 0.0, y))  # erfc(|x|)
    large = xp.where(x < 0, 2.0 - tail, tail)
    out = xp.where(small, 1.0 - _erf_small(xp, ys), large)
    return xp.where(xp.isnan(x), x, out)


def normal_cdf(xp: Any, x: Any) -> Any:
    """Phi(x) = erfc(-x / sqrt 2) / 2: accurate in the left tail."""
    return 0.5 * erfc(xp, -x / SQRT_2)


def normal_pdf(xp: Any, x: Any) -> Any:
    """phi(x) = exp(-x^2 / 2) / sqrt(2 pi)."""
    xs = xp.clip(x, -40.0, 40.0)  # exp(-800) == 0: x^2 never overflows
    return xp.where(xp.isfinite(x), INV_SQRT_2PI * xp.exp(-0.5 * xs * xs), constant(xp, 0.0, x))


# --------------------------------------------------------------------------- reductions
def shift_by_max(xp: Any, x: Any, axis: int) -> Any:
    """x - max(x) along ``axis`` (every entry <= 0), so that exp never overflows.

    A row whose maximum is +inf keeps 0 at its infinite entries and -inf elsewhere
    (the limit of softmax); a row of all -inf stays -inf; NaN propagates.
    """
    if x.shape[axis] == 0:  # an empty row: nothing to shift (max of nothing is undefined)
        return x
    m = xp.max(x, axis=axis, keepdims=True)
    m_safe = xp.where(xp.isfinite(m), m, xp.zeros_like(m))  # never inf - inf
    neg_inf = constant(xp, -math.inf, x)
    # x - m below the float range (x < 0 < m, e.g. -max - max) is -inf, without an overflow
    top = float(xp.finfo(x.dtype).max)
    far = (x < 0) & (m_safe > 0) & (x < -(top - m_safe))
    z = xp.where(far, neg_inf, xp.where(far, m_safe, x) - m_safe)
    at_top = xp.where(x == math.inf, xp.zeros_like(x), neg_inf)
    # a row holding NaN becomes all NaN here, so that exp never sees its large finite entries
    return xp.where(xp.isnan(m), m, xp.where(m == math.inf, at_top, z))


def log_of_positive(xp: Any, s: Any) -> Any:
    """log(s) for s >= 0 that gives -inf at 0 without a divide-by-zero warning."""
    pos = s > 0
    return xp.where(pos, xp.log(xp.where(pos, s, xp.ones_like(s))), constant(xp, -math.inf, s))


def logsumexp(xp: Any, x: Any, axis: int, keepdims: bool = False) -> Any:
    """log(sum(exp(x))) along ``axis`` with the max shift (a row of -inf gives -inf; an
    empty row log(0) = -inf)."""
    if x.shape[axis] == 0:
        out = log_of_positive(xp, xp.sum(xp.exp(x), axis=axis, keepdims=True))
        return out if keepdims else xp.squeeze(out, axis=axis)
    m = xp.max(x, axis=axis, keepdims=True)
    m_safe = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    z = shift_by_max(xp, x, axis)
    out = log_of_positive(xp, xp.sum(xp.exp(z), axis=axis, keepdims=True))
    out = xp.where(m == math.inf, m, out + m_safe)
    return out if keepdims else xp.squeeze(out, axis=axis)


def unbroadcast(xp: Any, g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` down to ``shape`` (the inverse of broadcasting), for parameter gradients."""
    extra = g.ndim - len(shape)
    if extra > 0:
        g = xp.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    return xp.reshape(g, shape)


# ------------------------------------------------------------------------- infinities
def with_limits(xp: Any, x: Any, y: Any, at_neg_inf: Any, at_pos_inf: Any) -> Any:
    """``y`` with its entries at x = -inf / +inf replaced by the function's limits there.

    Kernels compute ``y`` on ``finite_or_zero(x)`` (so that no inf * 0 or inf - inf is
    ever evaluated) and state the limits here.
    """
    y = xp.where(
        x == math.inf,
        at_pos_inf if not isinstance(at_pos_inf, float) else constant(xp, at_pos_inf, y),
        y,
    )
    return xp.where(
        x == -math.inf,
        at_neg_inf if not isinstance(at_neg_inf, float) else constant(xp, at_neg_inf, y),
        y,
    )


def mul0(xp: Any, a: Any, b: Any) -> Any:
    """a * b, with 0 where one factor is 0 and the other infinite (a closed gate, or a zero
    input through an open one: the product is 0 for every value of the other factor).
    NaN still propagates."""
    zero = ((b == 0) & xp.isinf(a)) | ((a == 0) & xp.isinf(b))
    return mul(xp, xp.where(zero, xp.zeros_like(a), a), xp.where(zero, xp.zeros_like(b), b))


def mul(xp: Any, a: Any, b: Any) -> Any:
    """a * b (arrays of one dtype), +-inf without an overflow warning where the product is
    beyond the dtype's range (e.g. max * sqrt(max) through a gate)."""
    top = float(xp.finfo(a.dtype).max)
    over = (xp.abs(a) > top / xp.maximum(xp.abs(b), constant(xp, 1.0, b))) & (b != 0)
    inf = constant(xp, math.inf, a)
    sign = xp.where((a > 0) == (b > 0), inf, -inf)
    zero = xp.zeros_like(a)
    return xp.where(over, sign, xp.where(over, zero, a) * xp.where(over, zero, b))


def polyval(coefficients: tuple[float, ...], z: Any) -> Any:
    """c0 + c1 z + c2 z^2 + ... by Horner's rule."""
    acc = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        acc = acc * z + c
    return acc
