"""Regression losses on real-valued predictions (every element is a sample)."""

from __future__ import annotations

import math
from typing import Any

from .. import _checks
from .. import _numerics as N
from .._backend import constant, is_floating, is_integral
from .._numerics import unbroadcast
from .._reduction import Parts
from .._spec import Fused, Interval, Param, in_interval, non_negative, positive
from .._validation import fail, need_target, numel
from ._common import ELEMENTWISE_REDUCTIONS, elementwise
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)
REGRESSION: dict[str, Any] = {
    "task": ("regression",),
    "y_pred_kind": "values",
    "reductions": ELEMENTWISE_REDUCTIONS,
    "output_range": NONNEG,
}


# ------------------------------------------------------------------------- mse / l2
def _mse(xp: Any, t: Any, p: Any) -> tuple[Any, Any]:
    d = p - t
    return d * d, 2.0 * d


def _mae(xp: Any, t: Any, p: Any) -> tuple[Any, Any]:
    d = p - t
    return xp.abs(d), xp.sign(d)


MSE_DOC: dict[str, Any] = {
    "formula": r"\ell = (\hat y - y)^2",
    "derivative": r"\partial\ell/\partial\hat y = 2(\hat y - y)",
    "smoothness": "Cinf",
}
MAE_DOC: dict[str, Any] = {
    "formula": r"\ell = |\hat y - y|",
    "derivative": r"\partial\ell/\partial\hat y = \operatorname{sign}(\hat y - y)",
    "smoothness": "C0",
}

mse = define(
    "mse",
    fused=Fused("mse"),
    aliases={"mean_squared_error": {}},
    kernel=elementwise("mse", _mse),
    family="regression",
    summary="Mean squared error: the Gaussian negative log-likelihood up to constants.",
    pros=("Smooth; optimal for Gaussian noise; closed-form minimizer (the mean)",),
    cons=("Sensitive to outliers (quadratic growth)",),
    references=("C. M. Bishop, Pattern Recognition and Machine Learning (2006), sec. 1.5.5.",),
    torch_equivalent="torch.nn.functional.mse_loss",
    **MSE_DOC,
    **REGRESSION,
)

mae = define(
    "mae",
    class_name="L1Loss",  # torch.nn.L1Loss is the mean absolute error
    aliases={"mean_absolute_error": {}},
    kernel=elementwise("mae", _mae),
    family="regression",
    summary="Mean absolute error: the Laplace negative log-likelihood up to constants.",
    notes=("At y_pred = y_true the subgradient 0 is used (sign(0) = 0, as PyTorch).",),
    pros=("Robust to outliers; minimizer is the median",),
    cons=("Constant gradient magnitude: does not shrink near the optimum",),
    references=("P. J. Huber, Robust Statistics (1981).",),
    torch_equivalent="torch.nn.functional.l1_loss",
    **MAE_DOC,
    **REGRESSION,
)

l2 = define(
    "l2",
    class_name="L2SumLoss",  # the tutorials' sum (torch.nn.L1Loss is mae)
    fused=Fused("mse"),
    kernel=elementwise("l2", _mse),
    default_reduction="sum",
    family="regression",
    summary="L2 loss: the sum of squared errors (mse with reduction='sum' by default).",
    notes=("The same per-element loss as mse; only the default reduction differs.",),
    references=("C. M. Bishop, Pattern Recognition and Machine Learning (2006), eq. 1.2.",),
    torch_equivalent="torch.nn.functional.mse_loss(reduction='sum')",
    **MSE_DOC,
    **REGRESSION,
)

l1 = define(
    "l1",
    class_name="L1SumLoss",  # the tutorials' sum (torch.nn.L1Loss is mae)
    kernel=elementwise("l1", _mae),
    default_reduction="sum",
    family="regression",
    summary="L1 loss: the sum of absolute errors (mae with reduction='sum' by default).",
    notes=("The same per-element loss as mae; only the default reduction differs.",),
    references=("P. J. Huber, Robust Statistics (1981).",),
    torch_equivalent="torch.nn.functional.l1_loss(reduction='sum')",
    **MAE_DOC,
    **REGRESSION,
)


# ------------------------------------------------------------------ huber / smooth_l1
def _huber(xp: Any, t: Any, p: Any, delta: float) -> tuple[Any, Any]:
    d = p - t
    a = xp.abs(d)
    q = xp.minimum(a, constant(xp, delta, a))  # the minimum form: no branch overflows
    return 0.5 * q * q + delta * (a - q), xp.clip(d, -delta, delta)


def _smooth_l1(xp: Any, t: Any, p: Any, beta: float) -> tuple[Any, Any]:
    if beta == 0.0:  # the limit is exactly L1 (PyTorch does the same)
        return _mae(xp, t, p)
    d = p - t
    a = xp.abs(d)
    q = xp.minimum(a, constant(xp, beta, a))
    return 0.5 * q * q / beta + (a - q), xp.clip(d, -beta, beta) / beta


huber = define(
    "huber",
    fused=Fused("huber"),
    kernel=elementwise("huber", _huber),
    params=(
        Param(
            "delta",
            1.0,
            "Where the loss turns from quadratic to linear (> 0).",
            constraint=positive(),
        ),
    ),
    family="regression",
    summary="Huber loss: quadratic near zero, linear (slope delta) beyond |error| = delta.",
    formula=r"\ell = \begin{cases} \tfrac12 d^2 & |d| \le \delta \\ \delta(|d| - \tfrac12\delta)"
    r" & \text{otherwise}\end{cases},\quad d = \hat y - y",
    derivative=r"\partial\ell/\partial\hat y = \operatorname{clip}(d, -\delta, \delta)",
    smoothness="C1",
    notes=(
        "Computed in the minimum form 0.5 q^2 + delta (|d| - q), q = min(|d|, delta).",
        "huber(delta) = delta * smooth_l1(beta=delta).",
    ),
    pros=("Robust to outliers, smooth at the optimum",),
    cons=("One more hyperparameter (delta) in the units of the target",),
    references=(
        "P. J. Huber, Robust Estimation of a Location Parameter, Ann. Math. Stat. "
        "35 (1964) 73-101.",
    ),
    torch_equivalent="torch.nn.functional.huber_loss",
    **REGRESSION,
)

smooth_l1 = define(
    "smooth_l1",
    kernel=elementwise("smooth_l1", _smooth_l1),
    params=(
        Param(
            "beta",
            1.0,
            "Width of the quadratic zone (>= 0; 0 gives exactly L1).",
            constraint=non_negative(),
        ),
    ),
    family="regression",
    summary="Smooth L1 (Fast R-CNN): Huber divided by beta, so the linear part has slope 1.",
    formula=r"\ell = \begin{cases} \tfrac{1}{2\beta} d^2 & |d| < \beta \\ |d| - \tfrac12\beta"
    r" & \text{otherwise}\end{cases},\quad d = \hat y - y",
    derivative=r"\partial\ell/\partial\hat y = \operatorname{clip}(d, -\beta, \beta)/\beta "
    r"\;(\operatorname{sign}(d) \text{ at } \beta = 0)",
    smoothness="C1",
    notes=("beta = 0 is exactly the L1 loss, with the finite gradient sign(d).",),
    pros=("Bounded gradient (|g| <= 1), used for box regression",),
    cons=("Scale of the quadratic zone depends on beta",),
    references=("R. Girshick, Fast R-CNN, ICCV 2015.",),
    torch_equivalent="torch.nn.functional.smooth_l1_loss",
    **REGRESSION,
)


# ---------------------------------------------------------------------------- log_cosh
def _log_cosh(xp: Any, t: Any, p: Any) -> tuple[Any, Any]:
    d = p - t
    a = xp.abs(d)
    # log cosh d = |d| + log1p(exp(-2|d|)) - log 2: cosh never overflows
    return a + xp.log1p(xp.exp(-2.0 * a)) - math.log(2.0), xp.tanh(d)


log_cosh = define(
    "log_cosh",
    aliases={"logcosh": {}},
    kernel=elementwise("log_cosh", _log_cosh),
    family="regression",
    summary="log(cosh(error)): about d^2/2 for small errors and |d| - log 2 for large ones.",
    formula=r"\ell = \log\cosh(\hat y - y)",
    derivative=r"\partial\ell/\partial\hat y = \tanh(\hat y - y)",
    smoothness="Cinf",
    notes=("Computed as |d| + log1p(exp(-2|d|)) - log 2 (no overflow of cosh).",),
    pros=("Smooth everywhere, Huber-like robustness",),
    cons=("Slower to compute than Huber",),
    references=("Keras documentation, keras.losses.log_cosh.",),
    **REGRESSION,
)


# ---------------------------------------------------------------------------- quantile
def _quantile(xp: Any, t: Any, p: Any, q: float) -> tuple[Any, Any]:
    r = t - p
    loss = xp.maximum(q * r, (q - 1.0) * r)
    zero = xp.zeros_like(r)
    g = xp.where(r > 0, zero - q, xp.where(r < 0, zero + (1.0 - q), zero + (0.5 - q)))
    return loss, g


quantile = define(
    "quantile",
    aliases={"pinball": {}},
    kernel=elementwise("quantile", _quantile),
    params=(
        Param(
            "q",
            0.5,
            "The quantile level, in (0, 1).",
            constraint=in_interval(0.0, 1.0, closed="()"),
        ),
    ),
    family="regression",
    summary="Pinball (quantile) loss: its minimizer is the q-quantile of the target.",
    formula=r"\ell = \max\bigl(q\,(y - \hat y),\ (q - 1)(y - \hat y)\bigr)",
    derivative=r"\partial\ell/\partial\hat y = \begin{cases} -q & y > \hat y \\ 1 - q & "
    r"y < \hat y \\ \tfrac12 - q & y = \hat y \end{cases}",
    smoothness="C0",
    notes=(
        "At y_pred = y_true the mid subgradient 1/2 - q is used (0 for the median).",
        "q = 0.5 gives half the absolute error.",
    ),
    pros=("Predicts quantiles / prediction intervals",),
    cons=("Not differentiable at zero error",),
    references=("R. Koenker, G. Bassett, Regression Quantiles, Econometrica 46 (1978) 33-50.",),
    **REGRESSION,
)


# -------------------------------------------------------------------------------- msle
def _msle(xp: Any, t: Any, p: Any) -> tuple[Any, Any]:
    for what, arr in (("y_true", t), ("y_pred", p)):
        if numel(arr) and _checks.can_read(arr) and bool(xp.any(arr <= -1.0)):
            raise fail("msle", f"{what} must be > -1 (log1p is taken), got values <= -1")
    d = xp.log1p(p) - xp.log1p(t)
    return d * d, 2.0 * d / (1.0 + p)


msle = define(
    "msle",
    aliases={"mean_squared_logarithmic_error": {}},
    kernel=elementwise("msle", _msle),
    family="regression",
    summary="Mean squared logarithmic error: squared error of log1p values (relative errors).",
    formula=r"\ell = \bigl(\log(1 + \hat y) - \log(1 + y)\bigr)^2",
    derivative=r"\partial\ell/\partial\hat y = \frac{2(\log(1+\hat y) - \log(1+y))}{1 + \hat y}",
    smoothness="Cinf",
    notes=("Defined for y, y_pred > -1 (ValueError otherwise).",),
    pros=("Penalizes relative rather than absolute error",),
    cons=("Asymmetric: under-prediction costs more than over-prediction",),
    references=("scikit-learn documentation, sklearn.metrics.mean_squared_log_error.",),
    **REGRESSION,
)


# -------------------------------------------------------------------------------- mape
def _mape(xp: Any, t: Any, p: Any) -> tuple[Any, Any]:
    eps = float(xp.finfo(t.dtype).eps)
    den = xp.maximum(xp.abs(t), constant(xp, eps, t))
    d = p - t
    return xp.abs(d) / den, xp.sign(d) / den


mape = define(
    "mape",
    aliases={"mean_absolute_percentage_error": {}},
    kernel=elementwise("mape", _mape),
    family="regression",
    summary="Mean absolute percentage error, as a fraction (scikit-learn's convention).",
    formula=r"\ell = \frac{|\hat y - y|}{\max(|y|, \epsilon)}",
    derivative=r"\partial\ell/\partial\hat y = \frac{\operatorname{sign}(\hat y - y)}"
    r"{\max(|y|, \epsilon)}",
    smoothness="C0",
    notes=("epsilon is the machine epsilon of the compute dtype (scikit-learn uses float64's).",),
    conventions=("Keras multiplies by 100 (a percentage); scikit-learn and actloss do not.",),
    pros=("Scale-free",),
    cons=("Explodes for targets near 0; asymmetric",),
    references=("scikit-learn documentation, sklearn.metrics.mean_absolute_percentage_error.",),
    **REGRESSION,
)


# -------------------------------------------------------------------------- poisson_nll
def _poisson_nll(
    xp: Any, t: Any, p: Any, log_input: bool, full: bool, eps: float
) -> tuple[Any, Any]:
    if log_input:
        e = N.exp(xp, p)
        loss, g = e - t * p, e - t
    else:
        if numel(p) and _checks.can_read(p) and bool(xp.any(p < 0)):
            raise fail("poisson_nll", "y_pred must be a rate >= 0 when log_input=False")
        loss, g = p - t * xp.log(p + eps), 1.0 - t / (p + eps)
    if full:  # Stirling's approximation of log(y!), applied where y > 1 (as PyTorch)
        big = t > 1.0
        ts = xp.where(big, t, xp.ones_like(t))
        stirling = ts * xp.log(ts) - ts + 0.5 * xp.log(2.0 * math.pi * ts)
        loss = loss + xp.where(big, stirling, xp.zeros_like(t))
    return loss, g


poisson_nll = define(
    "poisson_nll",
    kernel=elementwise("poisson_nll", _poisson_nll),
    params=(
        Param("log_input", True, "y_pred is the log of the rate (True) or the rate.", kind="bool"),
        Param("full", False, "Add Stirling's approximation of log(y!).", kind="bool"),
        Param(
            "eps",
            1e-8,
            "Added to the rate inside the log when log_input=False.",
            constraint=positive(),
        ),
    ),
    family="regression",
    summary="Poisson negative log-likelihood for count targets (PyTorch's definition).",
    formula=r"\ell = e^{\hat y} - y\,\hat y \;(\text{log\_input}),\quad "
    r"\ell = \hat y - y\log(\hat y + \epsilon) \;(\text{otherwise})",
    derivative=r"\partial\ell/\partial\hat y = e^{\hat y} - y \;(\text{log\_input}),\quad "
    r"1 - \frac{y}{\hat y + \epsilon}",
    output_range=Interval(-math.inf, math.inf),
    smoothness="Cinf",
    notes=("Constant log(y!) is dropped unless full=True (then Stirling's term for y > 1).",),
    pros=("Right likelihood for counts",),
    cons=("Unbounded below as written (the dropped constant)",),
    references=("PyTorch documentation, torch.nn.PoissonNLLLoss.",),
    torch_equivalent="torch.nn.functional.poisson_nll_loss",
    task=("regression", "count regression"),
    y_pred_kind="values (log-rate or rate)",
    reductions=ELEMENTWISE_REDUCTIONS,
)


# ------------------------------------------------------------------------- gaussian_nll
def _one_size1_mismatch(shape: tuple[int, ...], of: tuple[int, ...]) -> bool:
    """``shape`` has ``of``'s length and differs in exactly one dimension, where it is 1."""
    if len(shape) != len(of):
        return False
    diff = [(a, b) for a, b in zip(shape, of, strict=True) if a != b]
    return len(diff) == 1 and diff[0][0] == 1


def _gaussian_nll_shapes(y_true: Any, mean: Any, var: Any) -> tuple[int, ...]:
    """Validate PyTorch's documented shapes; returns var's shape broadcastable to the mean."""
    ms, ts, vs = tuple(mean.shape), tuple(y_true.shape), tuple(var.shape)
    if ts != ms and not _one_size1_mismatch(ts, ms):
        raise fail(
            "gaussian_nll",
            f"y_true must have the mean's shape {ms}, or that shape with one dimension equal "
            f"to 1 (broadcast, as PyTorch), got {ts}",
        )
    if vs == ms or _one_size1_mismatch(vs, ms):
        return vs
    if vs == ms[:-1]:
        return (*vs, 1)  # one variance per sample (homoscedastic over the last axis)
    if vs == ():
        return (1,) * len(ms)  # one variance for everything (PyTorch: a float)
    raise fail(
        "gaussian_nll",
        f"var must have the mean's shape {ms}, that shape with one dimension equal to 1, "
        f"that shape without its last axis {ms[:-1]}, or be a scalar (as PyTorch), got {vs}",
    )


def _gaussian_nll(xp: Any, y_true: Any, y_pred: Any, full: bool, eps: float) -> Parts:
    mean, var = y_pred
    t = need_target("gaussian_nll", y_true)
    if not (is_floating(xp, t.dtype) or is_integral(xp, t.dtype)):
        raise TypeError(f"gaussian_nll(): y_true must be a real array, got dtype {t.dtype}")
    t = xp.astype(t, mean.dtype)
    bshape = _gaussian_nll_shapes(t, mean, var)
    if numel(var) and _checks.can_read(var) and bool(xp.any(var < 0)):
        raise fail("gaussian_nll", "var must be >= 0 (a variance), got negative entries")
    vshape = tuple(var.shape)
    v = xp.reshape(var, bshape)
    v = xp.broadcast_to(xp.maximum(v, constant(xp, eps, v)), mean.shape)  # clamp as PyTorch
    d = mean - t  # y_true broadcasts (one dimension of size 1)
    loss = 0.5 * (xp.log(v) + d * d / v)
    if full:
        loss = loss + 0.5 * math.log(2.0 * math.pi)
    g_mean = d / v
    g_var = 0.5 * (1.0 / v - d * d / (v * v))

    def vjp(c: Any) -> tuple[Any, Any]:
        gv = unbroadcast(xp, c * g_var, bshape)
        return c * g_mean, xp.reshape(gv, vshape)

    return Parts(loss, vjp)


gaussian_nll = define(
    "gaussian_nll",
    example={"y_true": [0.5, 1.0, 2.0], "y_pred": ([0.7, 0.4, 2.5], [0.5, 1.0, 2.0])},
    torch_order=("mean", "target", "var"),  # GaussianNLLLoss()(input, target, var)
    kernel=_gaussian_nll,
    inputs=("mean", "var"),
    params=(
        Param("full", False, "Add the constant 0.5 log(2 pi).", kind="bool"),
        Param("eps", 1e-6, "Lower clamp of the variance (as PyTorch).", constraint=positive()),
    ),
    family="regression",
    summary="Gaussian negative log-likelihood with a predicted variance: f(y_true, (mean, var)).",
    formula=r"\ell = \tfrac12\Bigl(\log\max(\sigma^2, \epsilon) + \frac{(\mu - y)^2}"
    r"{\max(\sigma^2, \epsilon)}\Bigr)",
    derivative=r"\partial\ell/\partial\mu = \frac{\mu - y}{\sigma^2},\quad "
    r"\partial\ell/\partial\sigma^2 = \tfrac12\Bigl(\frac{1}{\sigma^2} - "
    r"\frac{(\mu - y)^2}{\sigma^4}\Bigr)",
    output_range=Interval(-math.inf, math.inf),
    smoothness="Cinf",
    notes=(
        "Signature: f(y_true, (mean, var)); grad returns (d_mean, d_var).",
        "Shapes as PyTorch documents them: y_true has the mean's shape or that shape with one "
        "dimension equal to 1 (broadcast); var has the mean's shape, that shape with one "
        "dimension equal to 1, the mean's shape without its last axis (one value per sample), "
        "or is a scalar. Anything else raises a ValueError.",
        "The variance is clamped at eps; as in PyTorch the gradient is evaluated at the "
        "clamped value.",
    ),
    pros=("Learns heteroscedastic uncertainty",),
    cons=("Can collapse the variance; needs a positive-variance head",),
    references=(
        "D. A. Nix, A. S. Weigend, Estimating the mean and variance of the target "
        "probability distribution, ICNN 1994.",
    ),
    torch_equivalent="torch.nn.functional.gaussian_nll_loss",
    task=("regression", "uncertainty"),
    y_pred_kind="values (mean, variance)",
    reductions=ELEMENTWISE_REDUCTIONS,
)
