"""Squashing functions: sigmoid, tanh, their hard and sparse variants, softsign, log-sigmoid."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _numerics as N
from .._backend import constant
from .._spec import Fused, Interval, Kink, Param, kink_at, real
from ._define import define

INF = math.inf


# ------------------------------------------------------------------------------ sigmoid
def _sigmoid_value_and_grad(xp: Any, x: Any) -> tuple[Any, Any]:
    e = xp.exp(-xp.abs(x))  # <= 1: no overflow in either branch
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), e / ((1.0 + e) * (1.0 + e))


sigmoid = define(
    "sigmoid",
    fused=Fused("sigmoid", output="sigmoid_from_output"),
    aliases={"logistic": {}},
    family="sigmoidal",
    summary="Logistic sigmoid: squashes to (0, 1); the classic output for probabilities.",
    formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    derivative=r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
    second_derivative=r"\sigma''(x) = \sigma'(x)\,\bigl(1 - 2\sigma(x)\bigr)",
    value=N.sigmoid,
    # f' from the output (saved by the adapters instead of x, as PyTorch does)
    output_grad=lambda xp, y: y * (1.0 - y),
    grad=N.sigmoid_prime,
    # 1 - 2 sigma(x) = -tanh(x/2): no cancellation near x = 0
    grad2=lambda xp, x: -N.sigmoid_prime(xp, x) * xp.tanh(0.5 * x),
    value_and_grad=_sigmoid_value_and_grad,
    output_range=Interval(0.0, 1.0),
    monotonic=True,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Output reads as a probability", "Smooth, monotonic, bounded"),
    cons=(
        "Saturates: sigma'(x) <= 1/4, so gradients shrink by at least 4x per layer",
        "Not zero-centred: all outputs positive",
    ),
    notes=("sigma'(x) is computed as e/(1+e)^2 with e = exp(-|x|), exact in both tails.",),
    references=("D. E. Rumelhart, G. E. Hinton, R. J. Williams, Nature 323 (1986) 533-536.",),
    torch_equivalent="torch.sigmoid",
)


# --------------------------------------------------------------------------------- tanh
tanh = define(
    "tanh",
    fused=Fused("tanh", output="tanh_from_output"),
    family="sigmoidal",
    summary="Hyperbolic tangent: a zero-centred sigmoid with range (-1, 1).",
    formula=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    derivative=r"\tanh'(x) = 1 - \tanh^2(x) = \operatorname{sech}^2(x)",
    second_derivative=r"\tanh''(x) = -2\tanh(x)\operatorname{sech}^2(x)",
    value=lambda xp, x: xp.tanh(x),
    output_grad=lambda xp, y: 1.0 - y * y,
    grad=N.sech2,
    grad2=lambda xp, x: -2.0 * xp.tanh(x) * N.sech2(xp, x),
    value_and_grad=lambda xp, x: (xp.tanh(x), N.sech2(xp, x)),
    output_range=Interval(-1.0, 1.0),
    monotonic=True,
    zero_centered=True,
    smoothness="Cinf",
    pros=("Zero-centred", "Steeper than sigmoid: tanh'(0) = 1"),
    cons=("Saturates for |x| > 3: vanishing gradients in deep stacks",),
    notes=(
        "sech^2 is computed as 4e/(1+e)^2 with e = exp(-2|x|) rather than 1 - tanh^2, "
        "which keeps its relative accuracy in the tails.",
        "tanh(x) = 2 sigmoid(2x) - 1.",
    ),
    references=("Y. LeCun, L. Bottou, G. Orr, K. Mueller, Efficient BackProp (1998).",),
    torch_equivalent="torch.tanh",
)


# ------------------------------------------------------------------------- hard_sigmoid
def _open_mask(xp: Any, x: Any, lo: float, hi: float) -> Any:
    return (x > lo) & (x < hi)


hard_sigmoid = define(
    "hard_sigmoid",
    class_name="Hardsigmoid",  # PyTorch's spelling
    fused=Fused("hard_sigmoid"),
    family="sigmoidal",
    summary="Piecewise-linear sigmoid: relu6(x + 3) / 6 (PyTorch, Keras 3, JAX).",
    formula=r"f(x) = \frac{\operatorname{relu6}(x + 3)}{6} = \min\!\bigl(\max(\tfrac{x}{6} + "
    r"\tfrac12, 0), 1\bigr)",
    derivative=r"f'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
    second_derivative=r"f''(x) = 0 \quad (x \neq \pm 3)",
    value=lambda xp, x: xp.clip(x / 6.0 + 0.5, 0.0, 1.0),
    grad=lambda xp, x: xp.where(
        _open_mask(xp, x, -3.0, 3.0), constant(xp, 1 / 6, x), xp.zeros_like(x)
    ),
    grad2=lambda xp, x: xp.zeros_like(x),
    output_range=Interval(0.0, 1.0, True, True),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(-3.0, "0 (as PyTorch)"), kink_at(3.0, "0 (as PyTorch)")),
    pros=("Cheap: no exp", "Used in MobileNetV3 gates"),
    cons=("Zero gradient outside (-3, 3)",),
    conventions=(
        "TensorFlow 2 / Keras 2 define hard_sigmoid as clip(0.2 x + 0.5, 0, 1) (slope 1/5, "
        "saturating at +-2.5); Keras 3, JAX and PyTorch use relu6(x + 3) / 6 as here.",
    ),
    references=("A. Howard et al., Searching for MobileNetV3, ICCV 2019.",),
    torch_equivalent="torch.nn.functional.hardsigmoid",
)


# ---------------------------------------------------------------------------- hard_tanh
def _check_hard_tanh(p: Mapping[str, Any]) -> None:
    if not p["max_val"] > p["min_val"]:
        raise ValueError(
            f"hard_tanh(): max_val must be greater than min_val, got min_val={p['min_val']}, "
            f"max_val={p['max_val']}"
        )


hard_tanh = define(
    "hard_tanh",
    class_name="Hardtanh",  # PyTorch's spelling
    fused=Fused("hard_tanh", params=("min_val", "max_val"), output="hard_tanh_from_output"),
    aliases={"hardtanh": {}},
    family="sigmoidal",
    summary="Clip to [min_val, max_val]: the piecewise-linear tanh.",
    formula=r"f(x) = \min\bigl(\max(x, \text{min\_val}), \text{max\_val}\bigr)",
    derivative=r"f'(x) = \begin{cases} 1 & \text{min\_val} < x < \text{max\_val} \\ 0 & "
    r"\text{otherwise} \end{cases}",
    second_derivative=r"f''(x) = 0",
    params=(
        Param("min_val", -1.0, "Lower clipping value.", constraint=real()),
        Param("max_val", 1.0, "Upper clipping value (> min_val).", constraint=real()),
    ),
    value=lambda xp, x, min_val, max_val: xp.clip(x, min_val, max_val),
    output_grad=lambda xp, y, min_val, max_val: xp.astype(
        _open_mask(xp, y, min_val, max_val), y.dtype
    ),
    grad=lambda xp, x, min_val, max_val: xp.astype(_open_mask(xp, x, min_val, max_val), x.dtype),
    grad2=lambda xp, x, min_val, max_val: xp.zeros_like(x),
    check_params=_check_hard_tanh,
    output_range=Interval(-1.0, 1.0, True, True),
    range_text="[min_val, max_val]",
    monotonic=True,
    zero_centered=True,
    smoothness="C0",
    kinks=(
        Kink("x = min_val", "0 (as PyTorch)", lambda p: p["min_val"]),
        Kink("x = max_val", "0 (as PyTorch)", lambda p: p["max_val"]),
    ),
    pros=("Cheap", "Bounded and zero-centred (for symmetric limits)"),
    cons=("Zero gradient outside the interval",),
    references=("R. Collobert, Large Scale Machine Learning, PhD thesis (2004).",),
    torch_equivalent="torch.nn.functional.hardtanh",
)


# ----------------------------------------------------------------------------- softsign
softsign = define(
    "softsign",
    fused=Fused("softsign"),
    family="sigmoidal",
    summary="x / (1 + |x|): a sigmoid-shaped squashing with polynomial (not exponential) tails.",
    formula=r"f(x) = \frac{x}{1 + |x|}",
    derivative=r"f'(x) = \frac{1}{(1 + |x|)^2}",
    second_derivative=r"f''(x) = \frac{-2\,\operatorname{sign}(x)}{(1 + |x|)^3}",
    value=lambda xp, x: N.with_limits(
        xp, x, (xf := N.finite_or_zero(xp, x)) / (1.0 + xp.abs(xf)), -1.0, 1.0
    ),
    grad=lambda xp, x: (r := 1.0 / (1.0 + xp.abs(x))) * r,  # 1/(1+|x|) first: no overflow
    grad2=lambda xp, x: -2.0 * xp.sign(x) * (r := 1.0 / (1.0 + xp.abs(x))) * r * r,
    output_range=Interval(-1.0, 1.0),
    monotonic=True,
    zero_centered=True,
    smoothness="C1",
    kinks=(kink_at(0.0, "f''(0) = 0 (the mean of the one-sided values +-2)", order=2),),
    pros=("Saturates polynomially, more slowly than tanh",),
    cons=("Still saturates; rarely better than tanh in practice",),
    notes=(
        "A common misprint writes f'(x) = 1/(1 + x)^2; the absolute value is required "
        "(the derivative is even).",
    ),
    references=(
        "J. Turian, J. Bergstra, Y. Bengio, Quadratic features and deep architectures "
        "for chunking, NAACL 2009.",
    ),
    torch_equivalent="torch.nn.functional.softsign",
)


# -------------------------------------------------------------------------- log_sigmoid
log_sigmoid = define(
    "log_sigmoid",
    fused=Fused("log_sigmoid"),
    aliases={"logsigmoid": {}},
    family="sigmoidal",
    summary="log(sigmoid(x)) = -softplus(-x), computed without overflow or log(0).",
    formula=r"f(x) = \log\sigma(x) = -\log(1 + e^{-x})",
    derivative=r"f'(x) = 1 - \sigma(x) = \sigma(-x)",
    second_derivative=r"f''(x) = -\sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
    value=N.log_sigmoid,
    grad=lambda xp, x: N.sigmoid(xp, -x),
    grad2=lambda xp, x: -N.sigmoid_prime(xp, x),
    output_range=Interval(-INF, 0.0),
    monotonic=True,
    zero_centered=False,
    smoothness="Cinf",
    pros=("The stable way to take log of a sigmoid (log-likelihoods)",),
    cons=("Unbounded below; rarely a hidden activation",),
    notes=("Computed as min(x, 0) - log1p(exp(-|x|)).",),
    references=("PyTorch documentation, torch.nn.LogSigmoid.",),
    torch_equivalent="torch.nn.functional.logsigmoid",
)


# ----------------------------------------------------------------------- sparse_sigmoid
sparse_sigmoid = define(
    "sparse_sigmoid",
    fused=Fused("sparse_sigmoid"),
    family="sigmoidal",
    summary="(x + 1) / 2 clipped to [0, 1]: the derivative of sparse_plus; exactly 0 or 1 "
    "outside [-1, 1].",
    formula=r"f(x) = \begin{cases} 0 & x \le -1 \\ \frac{x + 1}{2} & -1 < x < 1 \\ 1 & x \ge 1 "
    r"\end{cases}",
    derivative=r"f'(x) = \begin{cases} 1/2 & -1 < x < 1 \\ 0 & \text{otherwise} \end{cases}",
    second_derivative=r"f''(x) = 0",
    value=lambda xp, x: xp.clip(0.5 * (x + 1.0), 0.0, 1.0),
    grad=lambda xp, x: xp.where(
        _open_mask(xp, x, -1.0, 1.0), constant(xp, 0.5, x), xp.zeros_like(x)
    ),
    grad2=lambda xp, x: xp.zeros_like(x),
    output_range=Interval(0.0, 1.0, True, True),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(-1.0, "0"), kink_at(1.0, "0")),
    pros=("Exact zeros and ones: sparse probabilities",),
    cons=("Zero gradient outside [-1, 1]",),
    conventions=(
        "jax.nn.sparse_sigmoid; JAX's autodiff gives 1/4 at x = +-1 (the mean of the "
        "one-sided slopes of clip); actloss returns 0 there like hard_tanh.",
    ),
    references=(
        "M. Blondel, A. Martins, V. Niculae, Learning with Fenchel-Young Losses, JMLR 21 (2020).",
    ),
)
