"""Vector-valued normalizers along an axis: softmax, log_softmax, softmin, sparsemax."""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._backend import constant
from .._backend import device as device_of
from .._spec import Fused, Interval, Param
from ._define import define

AXIS = Param("axis", -1, "The axis to normalize over.", kind="int")


def _nan_where_empty(xp: Any, s: Any, y: Any) -> Any:
    """NaN for rows whose exp-sum is 0 (rows of all -inf: softmax is undefined)."""
    return xp.where(s > 0, y, constant(xp, math.nan, y))


def _softmax(xp: Any, x: Any, axis: int) -> Any:
    e = xp.exp(N.shift_by_max(xp, x, axis))  # every exponent <= 0
    s = xp.sum(e, axis=axis, keepdims=True)
    return _nan_where_empty(xp, s, e / xp.where(s > 0, s, xp.ones_like(s)))


def _softmax_vjp(xp: Any, x: Any, ct: Any, axis: int) -> Any:
    y = _softmax(xp, x, axis)
    return y * (ct - xp.sum(ct * y, axis=axis, keepdims=True))


def _softmax_output_vjp(xp: Any, y: Any, ct: Any, axis: int) -> Any:
    """The softmax vjp from the output y (what the adapters save, as PyTorch does)."""
    return y * (ct - xp.sum(ct * y, axis=axis, keepdims=True))


def _log_softmax(xp: Any, x: Any, axis: int) -> Any:
    z = N.shift_by_max(xp, x, axis)
    s = xp.sum(xp.exp(z), axis=axis, keepdims=True)
    return _nan_where_empty(xp, s, z - N.log_of_positive(xp, xp.where(s > 0, s, xp.ones_like(s))))


def _log_softmax_vjp(xp: Any, x: Any, ct: Any, axis: int) -> Any:
    return ct - _softmax(xp, x, axis) * xp.sum(ct, axis=axis, keepdims=True)


VECTOR: dict[str, Any] = {
    "elementwise": False,
    "axis_semantics": "normalizes along `axis` (default -1)",
}

softmax = define(
    "softmax",
    fused=Fused("softmax"),
    family="softmax",
    summary="Normalized exponentials: turns logits into a probability distribution along axis.",
    formula=r"\operatorname{softmax}(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},\quad "
    r"m = \max_j x_j",
    derivative=r"\frac{\partial y_i}{\partial x_j} = y_i(\delta_{ij} - y_j),\qquad "
    r"\mathrm{vjp}(v) = y \odot (v - \langle v, y\rangle)",
    params=(AXIS,),
    value=_softmax,
    output_vjp=_softmax_output_vjp,
    vjp=_softmax_vjp,
    output_range=Interval(0.0, 1.0, True, True),
    monotonic=None,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Differentiable arg-max; pairs with cross-entropy (gradient p - y)",),
    cons=("Dense: never exactly zero", "Overconfident without calibration"),
    notes=(
        "Computed with the max shift, so exp never overflows. A common misprint writes the "
        "denominator as exp(sum x_j); it is the sum of exponentials, sum_j exp(x_j).",
        "A row of all -inf gives NaN (0/0); a row containing +inf puts its mass on the "
        "infinite entries (the limit).",
    ),
    references=(
        "J. S. Bridle, Probabilistic Interpretation of Feedforward Classification "
        "Network Outputs, 1990.",
    ),
    torch_equivalent="torch.softmax",
    **VECTOR,
)

log_softmax = define(
    "log_softmax",
    fused=Fused("log_softmax"),
    family="softmax",
    summary="log(softmax(x)) computed directly as x - logsumexp(x): never log(0).",
    formula=r"\operatorname{log\_softmax}(x)_i = x_i - \log\sum_j e^{x_j}",
    derivative=r"\frac{\partial y_i}{\partial x_j} = \delta_{ij} - \operatorname{softmax}(x)_j,"
    r"\qquad \mathrm{vjp}(v) = v - \operatorname{softmax}(x)\sum_i v_i",
    params=(AXIS,),
    value=_log_softmax,
    output_vjp=lambda xp, y, ct, axis: ct - xp.exp(y) * xp.sum(ct, axis=axis, keepdims=True),
    vjp=_log_softmax_vjp,
    output_range=Interval(-math.inf, 0.0, False, True),
    monotonic=None,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Stable input to NLL loss",),
    cons=("Not a probability itself",),
    notes=("Uses the log-sum-exp trick with the max shift.",),
    references=("PyTorch documentation, torch.nn.LogSoftmax.",),
    torch_equivalent="torch.log_softmax",
    **VECTOR,
)

softmin = define(
    "softmin",
    fused=Fused("softmax", constants=(-1.0,)),
    family="softmax",
    summary="softmax(-x): a probability distribution favouring the smallest entries.",
    formula=r"\operatorname{softmin}(x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
    derivative=r"\mathrm{vjp}(v) = -y \odot (v - \langle v, y\rangle),\quad y = "
    r"\operatorname{softmin}(x)",
    params=(AXIS,),
    value=lambda xp, x, axis: _softmax(xp, -x, axis),
    output_vjp=lambda xp, y, ct, axis: -_softmax_output_vjp(xp, y, ct, axis),
    vjp=lambda xp, x, ct, axis: -_softmax_vjp(xp, -x, ct, axis),
    output_range=Interval(0.0, 1.0, True, True),
    monotonic=None,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Soft arg-min (attention over distances)",),
    cons=("Same saturation as softmax",),
    references=("PyTorch documentation, torch.nn.Softmin.",),
    torch_equivalent="torch.nn.functional.softmin",
    **VECTOR,
)


# ---------------------------------------------------------------------------- sparsemax
def _sparsemax_parts(xp: Any, x: Any, axis: int) -> tuple[Any, Any]:
    """Sparsemax and a mask of rows containing NaN."""
    a = axis % x.ndim
    n = x.shape[a]
    z = N.shift_by_max(xp, x, a)  # sparsemax is shift-invariant; <= 0, finite or -inf
    # entries below -L (L = max / (4 n) > 1) are never in the support (tau >= -1 after the
    # shift); clamped there, the cumulative sums cannot overflow and the test below is unchanged
    big = float(xp.finfo(x.dtype).max) / (4.0 * max(n, 1))
    finite_low = (z < -big) & (z > -math.inf)  # -inf stays: it marks masked entries
    zs = xp.sort(xp.where(finite_low, constant(xp, -big, z), z), axis=a, descending=True)
    shape = [1] * x.ndim
    shape[a] = n
    k = xp.reshape(xp.arange(1, n + 1, dtype=x.dtype, device=device_of(x)), tuple(shape))
    cssv = xp.cumulative_sum(zs, axis=a)
    zs_finite = xp.where(zs == -math.inf, xp.zeros_like(zs), zs)  # 1 + k*(-inf) is fine, but
    in_support = (1.0 + k * zs_finite > cssv) & (zs > -math.inf)  # keep -inf out of sums
    count = xp.sum(xp.astype(in_support, x.dtype), axis=a, keepdims=True)
    top = xp.sum(xp.where(in_support, zs, xp.zeros_like(zs)), axis=a, keepdims=True)
    has_support = count > 0
    tau = (top - 1.0) / xp.where(has_support, count, xp.ones_like(count))
    p = N.relu(xp, z - tau)
    bad = xp.any(xp.isnan(x), axis=a, keepdims=True) | ~has_support
    return xp.where(bad, constant(xp, math.nan, p), p), bad


def _sparsemax(xp: Any, x: Any, axis: int) -> Any:
    return _sparsemax_parts(xp, x, axis)[0]


def _sparsemax_vjp(xp: Any, x: Any, ct: Any, axis: int) -> Any:
    p, bad = _sparsemax_parts(xp, x, axis)
    support = p > 0
    s = xp.astype(support, x.dtype)
    size = xp.sum(s, axis=axis, keepdims=True)
    mean = xp.sum(ct * s, axis=axis, keepdims=True) / xp.where(size > 0, size, xp.ones_like(size))
    g = s * (ct - mean)
    return xp.where(bad, constant(xp, math.nan, g), g)


sparsemax = define(
    "sparsemax",
    family="softmax",
    summary="Euclidean projection onto the probability simplex: a softmax with exact zeros.",
    formula=r"\operatorname{sparsemax}(x) = \arg\min_{p \in \Delta} \|p - x\|^2 = "
    r"\max(x - \tau(x), 0)",
    derivative=r"\mathrm{vjp}(v)_i = s_i\Bigl(v_i - \frac{\sum_j s_j v_j}{\sum_j s_j}\Bigr),"
    r"\quad s = [\operatorname{sparsemax}(x) > 0]",
    params=(AXIS,),
    value=_sparsemax,
    vjp=_sparsemax_vjp,
    output_range=Interval(0.0, 1.0, True, True),
    monotonic=None,
    zero_centered=False,
    smoothness="C0",
    pros=("Sparse outputs: exact zeros, interpretable attention",),
    cons=("Piecewise linear: zero gradient outside the support",),
    notes=("tau is found by sorting (O(n log n) per row).",),
    references=("A. F. T. Martins, R. F. Astudillo, From Softmax to Sparsemax, ICML 2016.",),
    **VECTOR,
)
