"""Smooth rectifiers and self-gated units: GELU, SiLU/Swish, Mish, Softplus, Squareplus, ..."""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._backend import constant
from .._spec import Fused, Interval, Kink, Param, kink_at, positive, real
from ._define import define

INF = math.inf
GELU_C = N.GELU_C


# --------------------------------------------------------------------------------- gelu
# The tanh form is 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + c x^3).
# u is evaluated on x clipped to [-100, 100] (sigmoid(2u) is exactly 0 or 1 beyond), so
# x^3 never overflows.
def _gelu_tanh_parts(xp: Any, x: Any) -> tuple[Any, Any, Any, Any]:
    xc = xp.clip(x, -100.0, 100.0)
    u = N.SQRT_2_OVER_PI * (xc + GELU_C * xc * xc * xc)
    du = N.SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * xc * xc)
    return u, du, N.sigmoid(xp, 2.0 * u), N.sigmoid_prime(xp, 2.0 * u)


def _gelu(xp: Any, x: Any, approximate: str) -> Any:
    xf = N.finite_or_zero(xp, x)
    if approximate == "tanh":
        y = xf * _gelu_tanh_parts(xp, xf)[2]
    else:
        y = xf * N.normal_cdf(xp, xf)
    return N.with_limits(xp, x, y, 0.0, INF)


def _gelu_grad(xp: Any, x: Any, approximate: str) -> Any:
    xf = N.finite_or_zero(xp, x)
    if approximate == "tanh":
        _, du, s, ds = _gelu_tanh_parts(xp, xf)
        g = s + xf * (2.0 * du * ds)  # ds = 0 for |x| > 100: x * 0, never 2 x overflowing
    else:
        g = N.normal_cdf(xp, xf) + xf * N.normal_pdf(xp, xf)
    return N.with_limits(xp, x, g, 0.0, 1.0)


def _gelu_grad2(xp: Any, x: Any, approximate: str) -> Any:
    xf = N.finite_or_zero(xp, x)
    if approximate == "tanh":
        u, du, _, ds = _gelu_tanh_parts(xp, xf)
        xc = xp.clip(xf, -100.0, 100.0)  # ds = 0 beyond: x clipped there changes nothing
        d2u = N.SQRT_2_OVER_PI * 6.0 * GELU_C * xc
        # d/dx [s(2u) + 2 x u' s'(2u)], with s''(z) = -s'(z) tanh(z / 2)
        g2 = ds * (4.0 * du + 2.0 * xc * d2u - 4.0 * xc * du * du * xp.tanh(u))
    else:
        xc = xp.clip(xf, -40.0, 40.0)  # phi(x) = 0 beyond (as normal_pdf): x^2 never overflows
        g2 = N.normal_pdf(xp, xf) * (2.0 - xc * xc)
    return N.with_limits(xp, x, g2, 0.0, 0.0)


gelu = define(
    "gelu",
    fused=Fused("gelu", params=("approximate",), variants={("approximate", "tanh"): "gelu_tanh"}),
    aliases={"gelu_tanh": {"approximate": "tanh"}},
    family="smooth",
    summary="Gaussian error linear unit x Phi(x): the default in Transformers (BERT, GPT).",
    formula=r"\operatorname{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\Bigl(1 + "
    r"\operatorname{erf}\bigl(\tfrac{x}{\sqrt2}\bigr)\Bigr)",
    derivative=r"\operatorname{GELU}'(x) = \Phi(x) + x\,\varphi(x)",
    second_derivative=r"\operatorname{GELU}''(x) = \varphi(x)\,(2 - x^2)",
    params=(
        Param(
            "approximate",
            "none",
            "'none' for the exact erf form, 'tanh' for "
            "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).",
            kind="choice",
            choices=("none", "tanh"),
        ),
    ),
    value=_gelu,
    grad=_gelu_grad,
    grad2=_gelu_grad2,
    output_range=Interval(-0.16997120747990848, INF, True, False),
    range_text="[-0.16997..., inf) (exact); [-0.17004..., inf) (tanh)",
    monotonic=False,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Smooth, non-monotonic bump below 0 helps optimization in Transformers",),
    cons=("erf is costlier than ReLU; the tanh form differs by up to ~4.7e-4",),
    conventions=(
        "PyTorch and Keras 3 default to the exact form (approximate='none' / False); "
        "jax.nn.gelu defaults to approximate=True (the tanh form).",
    ),
    notes=(
        "Phi(x) is computed as erfc(-x/sqrt 2)/2 with W. J. Cody's rational erfc, accurate "
        "in the left tail where 1 + erf would cancel.",
        "The exact and tanh forms differ by at most 4.73e-4 (|x Phi(x) - tanh form| at "
        "x = +-2.70); approximate='tanh' is not a rounding of the exact form.",
    ),
    references=(
        "D. Hendrycks, K. Gimpel, Gaussian Error Linear Units (GELUs), arXiv:1606.08415 (2016).",
    ),
    torch_equivalent="torch.nn.functional.gelu",
)


# ---------------------------------------------------------------------------- swish/silu
def _swish_limits(xp: Any, x: Any, y: Any, beta: Any, what: str) -> Any:
    """Limits at x = +-inf of x sigmoid(beta x) and its derivatives (they depend on sign(beta))."""
    # sign of x at +-inf (0 elsewhere), by comparisons: xp.sign is not vmap-friendly in torch
    sign_inf = xp.where(
        x == INF, xp.ones_like(x), xp.where(x == -INF, -xp.ones_like(x), xp.zeros_like(x))
    )
    direction = beta * sign_inf
    if what == "value":
        lim = xp.where(direction >= 0, x, xp.zeros_like(x))
    elif what == "grad":
        lim = xp.where(
            direction > 0,
            xp.ones_like(x),
            xp.where(direction < 0, xp.zeros_like(x), constant(xp, 0.5, x)),
        )
    else:
        lim = xp.zeros_like(x)
    return xp.where(xp.isinf(x), lim, y)


def _beta_x(xp: Any, xf: Any, beta: Any) -> Any:
    """beta x on x clipped to +-max / (4 max(|beta|, 1)): finite (|z| <= max / 4, so z s'(z)
    is 0, not inf * 0) and far beyond where sigmoid saturates, unless |beta| < 1e-300."""
    top = float(xp.finfo(xf.dtype).max) / 4.0
    if isinstance(beta, (int, float)):
        return beta * N.clamp_abs(xp, xf, top / max(abs(beta), 1.0))
    lim = top / xp.maximum(xp.abs(beta), constant(xp, 1.0, xf))
    return beta * N.clamp_abs(xp, xf, lim)


def _swish(xp: Any, x: Any, beta: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    return _swish_limits(xp, x, xf * N.sigmoid(xp, _beta_x(xp, xf, beta)), beta, "value")


def _swish_grad(xp: Any, x: Any, beta: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    z = _beta_x(xp, xf, beta)
    g = N.sigmoid(xp, z) + z * N.sigmoid_prime(xp, z)
    return _swish_limits(xp, x, g, beta, "grad")


def _swish_grad2(xp: Any, x: Any, beta: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    z = _beta_x(xp, xf, beta)
    # d/dx [s(z) + z s'(z)] = beta s'(z) (2 + z (1 - 2 s(z))), 1 - 2 s(z) = -tanh(z / 2)
    g2 = beta * N.sigmoid_prime(xp, z) * (2.0 - z * xp.tanh(0.5 * z))
    return _swish_limits(xp, x, g2, beta, "grad2")


def _swish_dbeta(xp: Any, x: Any, beta: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    # x (x s'(beta x)): s' is 0 where x^2 would overflow, so x * 0 first, never inf * 0
    dz = xf * (xf * N.sigmoid_prime(xp, _beta_x(xp, xf, beta)))
    return _swish_limits(xp, x, dz, beta, "grad2")


SWISH_REFS = (
    "P. Ramachandran, B. Zoph, Q. V. Le, Searching for Activation Functions, arXiv:1710.05941.",
    "S. Elfwing, E. Uchibe, K. Doya, Sigmoid-Weighted Linear Units for Neural Network Function "
    "Approximation in Reinforcement Learning, Neural Networks 107 (2018).",
)
SILU_MIN = -0.2784645427610738

silu = define(
    "silu",
    fused=Fused("silu"),
    family="smooth",
    summary="Sigmoid-weighted linear unit x sigmoid(x) (Swish with beta = 1).",
    formula=r"\operatorname{SiLU}(x) = x\,\sigma(x)",
    derivative=r"\operatorname{SiLU}'(x) = \sigma(x)\bigl(1 + x(1 - \sigma(x))\bigr)",
    second_derivative=r"\operatorname{SiLU}''(x) = \sigma'(x)\bigl(2 + x(1 - 2\sigma(x))\bigr)",
    value=lambda xp, x: _swish(xp, x, 1.0),
    grad=lambda xp, x: _swish_grad(xp, x, 1.0),
    grad2=lambda xp, x: _swish_grad2(xp, x, 1.0),
    output_range=Interval(SILU_MIN, INF, True, False),
    monotonic=False,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Smooth, non-monotonic; often beats ReLU in deep nets",),
    cons=("Costs an exp per element",),
    notes=("silu(x) == swish(x, beta=1).",),
    references=SWISH_REFS,
    torch_equivalent="torch.nn.functional.silu",
)

swish = define(
    "swish",
    fused=Fused("swish", params=("beta",)),
    family="smooth",
    summary="x sigmoid(beta x) with a (learnable) beta: interpolates between x/2 and ReLU.",
    formula=r"\operatorname{swish}_\beta(x) = x\,\sigma(\beta x)",
    derivative=r"\frac{\partial f}{\partial x} = \sigma(\beta x) + \beta x\,\sigma'(\beta x),"
    r"\qquad \frac{\partial f}{\partial \beta} = x^2\,\sigma'(\beta x)",
    second_derivative=r"f''(x) = \beta\,\sigma'(\beta x)\bigl(2 + \beta x(1 - "
    r"2\sigma(\beta x))\bigr)",
    params=(
        Param(
            "beta",
            1.0,
            "Slope of the gate; learnable in the adapters.",
            constraint=real(),
            learnable=True,
            no_weight_decay=True,
        ),
    ),
    value=_swish,
    grad=_swish_grad,
    grad2=_swish_grad2,
    param_grads={"beta": _swish_dbeta},
    output_range=Interval(SILU_MIN, INF, True, False),
    range_text="[-0.2785 / beta, inf) for beta > 0",
    monotonic=False,
    zero_centered=False,
    smoothness="Cinf",
    pros=("beta -> inf gives ReLU, beta = 0 gives x/2: the network can choose",),
    cons=("One more parameter per layer (or channel) when learned",),
    conventions=("Keras 3 and jax.nn name x sigmoid(x) 'silu' (alias 'swish') without beta.",),
    references=SWISH_REFS,
)


# --------------------------------------------------------------------------------- mish
def _mish_parts(xp: Any, xf: Any) -> tuple[Any, Any, Any]:
    sp = N.softplus(xp, xf)
    return xp.tanh(sp), N.sech2(xp, sp), N.sigmoid(xp, xf)


def _mish(xp: Any, x: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    return N.with_limits(xp, x, xf * xp.tanh(N.softplus(xp, xf)), 0.0, INF)


def _mish_grad(xp: Any, x: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    t, s2, s = _mish_parts(xp, xf)
    xc = xp.clip(xf, -1e4, 1e4)  # S s = 0 beyond: x clipped there changes nothing
    return N.with_limits(xp, x, t + xc * s2 * s, 0.0, 1.0)


def _mish_grad2(xp: Any, x: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    t, s2, s = _mish_parts(xp, xf)
    # d/dx [t + x S s] with t' = S s, S' = -2 t S s, s' = s (1 - s); S s = 0 for |x| > 1e4,
    # so x is clipped there (x (...) would overflow to inf and give inf * 0)
    xc = xp.clip(xf, -1e4, 1e4)
    return N.with_limits(xp, x, s2 * s * (2.0 + xc * ((1.0 - s) - 2.0 * t * s)), 0.0, 0.0)


mish = define(
    "mish",
    fused=Fused("mish"),
    family="smooth",
    summary="x tanh(softplus(x)): a smooth, self-regularized non-monotonic rectifier.",
    formula=r"\operatorname{Mish}(x) = x\tanh\bigl(\operatorname{softplus}(x)\bigr)",
    derivative=r"\operatorname{Mish}'(x) = \tanh(\operatorname{sp}(x)) + "
    r"x\,\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)",
    second_derivative=r"\operatorname{Mish}''(x) = \operatorname{sech}^2(\operatorname{sp})"
    r"\,\sigma\,\bigl(2 + x(1 - \sigma - 2\tanh(\operatorname{sp})\,\sigma)\bigr)",
    value=_mish,
    grad=_mish_grad,
    grad2=_mish_grad2,
    output_range=Interval(-0.30884303967134234, INF, True, False),
    monotonic=False,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Smooth; strong results in YOLOv4-style CNNs",),
    cons=("The most expensive common activation (exp, log1p, tanh)",),
    references=(
        "D. Misra, Mish: A Self Regularized Non-Monotonic Activation Function, BMVC 2020.",
    ),
    torch_equivalent="torch.nn.functional.mish",
)


# ----------------------------------------------------------------------------- softplus
def _softplus_z(xp: Any, x: Any, beta: float) -> Any:
    """beta x on x clipped to +-max / (4 max(beta, 1)): finite, and beyond every threshold."""
    return beta * N.clamp_abs(xp, x, float(xp.finfo(x.dtype).max) / 4.0 / max(beta, 1.0))


def _softplus(xp: Any, x: Any, beta: float, threshold: float) -> Any:
    z = _softplus_z(xp, x, beta)
    return xp.where(z > threshold, x, N.softplus(xp, z) / beta)


softplus = define(
    "softplus",
    fused=Fused("softplus", params=("beta", "threshold")),
    family="smooth",
    summary="log(1 + e^{beta x}) / beta: a smooth ReLU; linear above beta x > threshold.",
    formula=r"f(x) = \frac{1}{\beta}\log\bigl(1 + e^{\beta x}\bigr)",
    derivative=r"f'(x) = \sigma(\beta x)",
    second_derivative=r"f''(x) = \beta\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
    params=(
        Param("beta", 1.0, "Sharpness (> 0).", constraint=positive()),
        Param(
            "threshold",
            20.0,
            "Above beta x > threshold the function is x (as PyTorch).",
            constraint=real(),
        ),
    ),
    value=_softplus,
    grad=lambda xp, x, beta, threshold: xp.where(
        (z := _softplus_z(xp, x, beta)) > threshold, xp.ones_like(x), N.sigmoid(xp, z)
    ),
    grad2=lambda xp, x, beta, threshold: xp.where(
        (z := _softplus_z(xp, x, beta)) > threshold,
        xp.zeros_like(x),
        beta * N.sigmoid_prime(xp, z),
    ),
    output_range=Interval(0.0, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="Cinf",
    kinks=(
        Kink(
            "x = threshold / beta",
            "1 (the linear branch; a numerical switch, jump < 1e-8 at the default threshold)",
            lambda p: p["threshold"] / p["beta"],
        ),
    ),
    pros=("Smooth everywhere, strictly positive (variances, rates)",),
    cons=("Never exactly zero: no sparsity",),
    conventions=("Keras and jax.nn softplus have no beta or threshold.",),
    notes=("Computed as max(z, 0) + log1p(exp(-|z|)), z = beta x.",),
    references=(
        "C. Dugas, Y. Bengio, F. Belisle, C. Nadeau, R. Garcia, Incorporating "
        "Second-Order Functional Knowledge for Better Option Pricing, NIPS 2000.",
    ),
    torch_equivalent="torch.nn.functional.softplus",
)


# --------------------------------------------------------------------------- squareplus
def _squareplus(xp: Any, x: Any, b: float) -> Any:
    xf = N.finite_or_zero(xp, x)
    r = xp.hypot(xf, constant(xp, math.sqrt(b), xf))  # sqrt(x^2 + b) without overflow
    # halves first: x + r would overflow at the float maximum
    pos = 0.5 * N.relu(xp, xf) + 0.5 * r
    # (x + r) / 2 rewritten as b / (2 (r - x)): no cancellation; = (b / 4) / ((r - x) / 2)
    neg = (0.25 * b) / (0.5 * r - 0.5 * N.neg_part(xp, xf))
    return N.with_limits(xp, x, xp.where(xf >= 0, pos, neg), 0.0, INF)


def _squareplus_grad(xp: Any, x: Any, b: float) -> Any:
    xf = N.finite_or_zero(xp, x)
    r = xp.hypot(xf, constant(xp, math.sqrt(b), xf))
    pos = 0.5 * (1.0 + N.relu(xp, xf) / r)
    # (r + x) / (2 r) for x < 0 as b / (2 r (r - x)), halved so that r - x cannot overflow
    neg = (0.25 * b / r) / (0.5 * r - 0.5 * N.neg_part(xp, xf))
    return N.with_limits(xp, x, xp.where(xf >= 0, pos, neg), 0.0, 1.0)


def _squareplus_grad2(xp: Any, x: Any, b: float) -> Any:
    xf = N.finite_or_zero(xp, x)
    r = xp.hypot(xf, constant(xp, math.sqrt(b), xf))
    return N.with_limits(xp, x, (0.5 * b / r) / r / r, 0.0, 0.0)


squareplus = define(
    "squareplus",
    fused=Fused("squareplus", params=("b",)),
    family="smooth",
    summary="(x + sqrt(x^2 + b)) / 2: a softplus-like curve using only a square root.",
    formula=r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}",
    derivative=r"f'(x) = \frac12\Bigl(1 + \frac{x}{\sqrt{x^2 + b}}\Bigr)",
    second_derivative=r"f''(x) = \frac{b}{2\,(x^2 + b)^{3/2}}",
    params=(
        Param("b", 4.0, "Curvature near 0 (> 0); b = 0 would be ReLU.", constraint=positive()),
    ),
    value=_squareplus,
    grad=_squareplus_grad,
    grad2=_squareplus_grad2,
    output_range=Interval(0.0, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="Cinf",
    pros=("No exp or log: cheap on every hardware",),
    cons=("Approaches 0 only polynomially (like b / (4|x|))",),
    notes=(
        "For x < 0 the value is evaluated as b / (2 (sqrt(x^2 + b) - x)), avoiding the "
        "cancellation of x + sqrt(x^2 + b).",
    ),
    references=(
        "J. T. Barron, Squareplus: A Softplus-Like Algebraic Rectifier, arXiv:2112.11687 (2021).",
    ),
)


# -------------------------------------------------------------------------- sparse_plus
def _sparse_plus_pieces(xp: Any, x: Any, low: Any, mid: Any, high: Any) -> Any:
    return xp.where(x <= -1.0, low, xp.where(x >= 1.0, high, mid))


sparse_plus = define(
    "sparse_plus",
    fused=Fused("sparse_plus"),
    family="smooth",
    summary="0 below -1, (x + 1)^2 / 4 on (-1, 1), x above 1: a C1 softplus with exact zeros.",
    formula=r"f(x) = \begin{cases} 0 & x \le -1 \\ \frac{(x + 1)^2}{4} & -1 < x < 1 \\ x & "
    r"x \ge 1 \end{cases}",
    derivative=r"f'(x) = \begin{cases} 0 & x \le -1 \\ \frac{x + 1}{2} & -1 < x < 1 \\ 1 & "
    r"x \ge 1 \end{cases}",
    second_derivative=r"f''(x) = \begin{cases} 1/2 & -1 < x < 1 \\ 0 & \text{otherwise} "
    r"\end{cases}",
    # the middle piece on x clipped to [-1, 1]: where() evaluates it everywhere, and
    # (x + 1)^2 would overflow for |x| > 1.3e154
    value=lambda xp, x: _sparse_plus_pieces(
        xp, x, xp.zeros_like(x), 0.25 * (xp.clip(x, -1.0, 1.0) + 1.0) ** 2, x
    ),
    grad=lambda xp, x: _sparse_plus_pieces(
        xp, x, xp.zeros_like(x), 0.5 * (x + 1.0), xp.ones_like(x)
    ),
    grad2=lambda xp, x: _sparse_plus_pieces(
        xp, x, xp.zeros_like(x), constant(xp, 0.5, x), xp.zeros_like(x)
    ),
    output_range=Interval(0.0, INF, True, False),
    monotonic=True,
    zero_centered=False,
    smoothness="C1",
    kinks=(kink_at(-1.0, "f''(-1) = 0", order=2), kink_at(1.0, "f''(1) = 0", order=2)),
    pros=("Exact zeros below -1 with a continuous derivative",),
    cons=("Less common; no PyTorch built-in",),
    references=(
        "M. Blondel, A. Martins, V. Niculae, Learning with Fenchel-Young Losses, "
        "JMLR 21 (2020); jax.nn.sparse_plus.",
    ),
)


# --------------------------------------------------------------------------- hard_swish
def _hard_swish(xp: Any, x: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    # x * (relu6(x + 3) / 6), not (x * relu6(x + 3)) / 6, which overflows for x > max / 6
    return N.with_limits(xp, x, xf * (xp.clip(xf + 3.0, 0.0, 6.0) / 6.0), 0.0, INF)


def _hard_swish_grad(xp: Any, x: Any) -> Any:
    # PyTorch 2.x: 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3
    return xp.where(x <= -3.0, xp.zeros_like(x), xp.where(x < 3.0, x / 3.0 + 0.5, xp.ones_like(x)))


hard_swish = define(
    "hard_swish",
    class_name="Hardswish",  # PyTorch's spelling
    fused=Fused("hard_swish"),
    aliases={"hardswish": {}, "hard_silu": {}},
    family="smooth",
    summary="x relu6(x + 3) / 6: a cheap piecewise-quadratic Swish (MobileNetV3).",
    formula=r"f(x) = x\,\frac{\operatorname{relu6}(x + 3)}{6}",
    derivative=r"f'(x) = \begin{cases} 0 & x \le -3 \\ \frac{x}{3} + \frac12 & -3 < x < 3 "
    r"\\ 1 & x \ge 3 \end{cases}",
    second_derivative=r"f''(x) = \begin{cases} 1/3 & -3 < x < 3 \\ 0 & "
    r"\text{otherwise} \end{cases}",
    value=_hard_swish,
    grad=_hard_swish_grad,
    grad2=lambda xp, x: xp.where(
        (x > -3.0) & (x < 3.0), constant(xp, 1.0 / 3.0, x), xp.zeros_like(x)
    ),
    output_range=Interval(-0.375, INF, True, False),
    monotonic=False,
    zero_centered=False,
    smoothness="C0",
    kinks=(
        kink_at(-3.0, "0 (the left branch, as PyTorch)"),
        kink_at(3.0, "1 (the right branch, as PyTorch)"),
    ),
    pros=("Swish-like accuracy at ReLU-like cost on mobile hardware",),
    cons=("Derivative jumps at x = +-3",),
    references=("A. Howard et al., Searching for MobileNetV3, ICCV 2019.",),
    torch_equivalent="torch.nn.functional.hardswish",
)


# -------------------------------------------------------------------------------- snake
def _snake_phase_beyond_range(xp: Any, xf: Any, a: Any) -> Any:
    """Where a x is beyond the float range (|x| > max / a, only for a > 1): the phase, and so
    sin(a x), is not representable. The value is x there (sin^2(a x) / a < ulp(x) / 2); the
    derivatives are NaN (as at +-inf: they oscillate)."""
    top = float(xp.finfo(xf.dtype).max)
    if isinstance(a, (int, float)):
        return xp.abs(xf) > top / max(a, 1.0)  # a <= 1: never
    return xp.abs(xf) > top / xp.maximum(a, constant(xp, 1.0, xf))


def _snake(xp: Any, x: Any, a: Any) -> Any:
    xf = N.finite_or_zero(xp, x)  # sin(inf) is undefined; the value still tends to +-inf
    s, _ = _snake_sc(xp, x, a)
    y = xp.where(_snake_phase_beyond_range(xp, xf, a), xf, xf + s * s / a)
    return N.with_limits(xp, x, y, -INF, INF)


def _no_limit(xp: Any, x: Any, a: Any, y: Any) -> Any:
    """Derivatives of snake oscillate forever: NaN at +-inf and where a x is beyond the float
    range."""
    xf = N.finite_or_zero(xp, x)
    none = xp.isinf(x) | _snake_phase_beyond_range(xp, xf, a)
    return xp.where(none, constant(xp, math.nan, y), y)


def _snake_sc(xp: Any, x: Any, a: Any) -> tuple[Any, Any]:
    """sin(a x), cos(a x). The double angles are formed from them, so 2 a x never overflows:
    sin(2ax) = 2 s c, 1 + sin(2ax) = (s + c)^2 (exactly >= 0), cos(2ax) = (c - s)(c + s)."""
    xf = N.finite_or_zero(xp, x)
    z = a * xp.where(_snake_phase_beyond_range(xp, xf, a), xp.zeros_like(xf), xf)
    return xp.sin(z), xp.cos(z)


def _snake_grad(xp: Any, x: Any, a: Any) -> Any:
    s, c = _snake_sc(xp, x, a)
    return _no_limit(xp, x, a, (s + c) * (s + c))


def _snake_grad2(xp: Any, x: Any, a: Any) -> Any:
    s, c = _snake_sc(xp, x, a)
    return _no_limit(xp, x, a, 2.0 * a * ((c - s) * (c + s)))


def _snake_da(xp: Any, x: Any, a: Any) -> Any:
    xf = N.finite_or_zero(xp, x)
    s, c = _snake_sc(xp, x, a)
    return _no_limit(xp, x, a, xf * (2.0 * s * c / a) - s * s / (a * a))


snake = define(
    "snake",
    fused=Fused("snake", params=("a",)),
    family="periodic",
    summary="x + sin^2(a x) / a: a monotonic activation with a periodic component.",
    formula=r"\operatorname{snake}_a(x) = x + \frac{\sin^2(a x)}{a}",
    derivative=r"\frac{\partial f}{\partial x} = 1 + \sin(2 a x),\qquad "
    r"\frac{\partial f}{\partial a} = \frac{x \sin(2 a x)}{a} - \frac{\sin^2(a x)}{a^2}",
    second_derivative=r"f''(x) = 2a\cos(2 a x)",
    params=(
        Param(
            "a",
            1.0,
            "Frequency (> 0); learnable in the adapters.",
            constraint=positive(),
            learnable=True,
            no_weight_decay=True,
        ),
    ),
    value=_snake,
    grad=_snake_grad,
    grad2=_snake_grad2,
    param_grads={"a": _snake_da},
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Extrapolates periodic signals where ReLU and tanh cannot",),
    cons=("The derivative touches 0 periodically",),
    notes=(
        "Derivatives at +-inf are NaN: 1 + sin(2ax) has no limit.",
        "Where a x is beyond the float range (|x| > max / a, a > 1) the phase is not "
        "representable: the value is x (exact to rounding), the derivatives NaN.",
    ),
    references=(
        "L. Ziyin, T. Hartwig, M. Ueda, Neural Networks Fail to Learn Periodic "
        "Functions and How to Fix It, NeurIPS 2020.",
    ),
)
