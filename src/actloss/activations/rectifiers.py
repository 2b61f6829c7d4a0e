"""Rectifiers: ReLU and its piecewise-linear relatives (ReLU6, Leaky, PReLU, RReLU, threshold)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _numerics as N
from .._backend import constant
from .._function import ParameterError
from .._spec import Fused, Interval, Kink, Param, in_interval, kink_at, real
from ._define import define

INF = math.inf


def _step(xp: Any, x: Any, at: float = 0.0) -> Any:
    """1 where x > at, else 0 (the subgradient 0 at the kink, as PyTorch)."""
    return xp.astype(x > at, x.dtype)


# --------------------------------------------------------------------------------- relu
relu = define(
    "relu",
    fused=Fused("relu", output="relu_from_output"),
    family="rectifier",
    summary="Rectified linear unit max(x, 0): the default hidden activation.",
    formula=r"f(x) = \max(x, 0)",
    derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
    second_derivative=r"f''(x) = 0 \quad (x \neq 0)",
    value=N.relu,
    output_grad=lambda xp, y: xp.astype(y > 0, y.dtype),
    grad=_step,
    grad2=lambda xp, x: xp.zeros_like(x),
    output_range=Interval(0.0, INF, True, False),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(0.0, "0 (as PyTorch, TensorFlow and JAX)"),),
    pros=(
        "Cheap",
        "No saturation for x > 0: gradients do not vanish through active units",
        "Sparse activations",
    ),
    cons=("Units whose input stays negative stop learning ('dying ReLU')", "Not zero-centred"),
    notes=("A common misprint writes f'(x) = max(0, 1); the derivative is the step function.",),
    references=(
        "V. Nair, G. E. Hinton, Rectified Linear Units Improve Restricted Boltzmann "
        "Machines, ICML 2010.",
        "X. Glorot, A. Bordes, Y. Bengio, Deep Sparse Rectifier Neural Networks, AISTATS 2011.",
    ),
    torch_equivalent="torch.relu",
)


# -------------------------------------------------------------------------------- relu6
relu6 = define(
    "relu6",
    fused=Fused("relu6", output="relu6_from_output"),
    family="rectifier",
    summary="ReLU capped at 6: min(max(x, 0), 6) (MobileNet).",
    formula=r"f(x) = \min(\max(x, 0), 6)",
    derivative=r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
    second_derivative=r"f''(x) = 0",
    value=lambda xp, x: xp.clip(x, 0.0, 6.0),
    output_grad=lambda xp, y: xp.astype((y > 0) & (y < 6), y.dtype),
    grad=lambda xp, x: xp.astype((x > 0) & (x < 6), x.dtype),
    grad2=lambda xp, x: xp.zeros_like(x),
    output_range=Interval(0.0, 6.0, True, True),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(0.0, "0 (as PyTorch)"), kink_at(6.0, "0 (as PyTorch)")),
    pros=("Bounded: robust for low-precision inference",),
    cons=("Zero gradient above 6 and below 0",),
    references=("A. Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10 (2010).",),
    torch_equivalent="torch.nn.functional.relu6",
)


# --------------------------------------------------------------------------- leaky_relu
leaky_relu = define(
    "leaky_relu",
    fused=Fused("leaky_relu", params=("negative_slope",)),
    family="rectifier",
    summary="ReLU with a small slope for negative inputs, so no unit dies completely.",
    formula=r"f(x) = \begin{cases} x & x > 0 \\ \text{negative\_slope}\cdot x & x \le 0 "
    r"\end{cases}",
    derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ \text{negative\_slope} & x \le 0 "
    r"\end{cases}",
    second_derivative=r"f''(x) = 0 \quad (x \neq 0)",
    params=(Param("negative_slope", 0.01, "Slope for x < 0.", constraint=real()),),
    value=lambda xp, x, negative_slope: xp.where(x > 0, x, negative_slope * x),
    grad=lambda xp, x, negative_slope: xp.where(
        x > 0, xp.ones_like(x), constant(xp, negative_slope, x)
    ),
    grad2=lambda xp, x, negative_slope: xp.zeros_like(x),
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(0.0, "negative_slope (as PyTorch)"),),
    pros=("No dead units: negative inputs still pass a gradient",),
    cons=("One more hyperparameter; gains over ReLU are not consistent",),
    conventions=(
        "Default negative_slope: PyTorch and jax.nn 0.01; keras.activations.leaky_relu 0.2; "
        "keras.layers.LeakyReLU 0.3; tf.nn.leaky_relu 0.2.",
    ),
    notes=("Monotonic for negative_slope >= 0.",),
    references=(
        "A. L. Maas, A. Y. Hannun, A. Y. Ng, Rectifier Nonlinearities Improve Neural "
        "Network Acoustic Models, ICML 2013.",
    ),
    torch_equivalent="torch.nn.functional.leaky_relu",
)


# -------------------------------------------------------------------------------- prelu
def _prelu_layout(x_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> tuple[int, ...]:
    """How PReLU's weight broadcasts: a per-channel weight lines up with axis 1 (as PyTorch)."""
    size = math.prod(w_shape)
    if size <= 1:
        return w_shape
    if len(w_shape) != 1 or len(x_shape) < 2 or x_shape[1] != size:
        raise ParameterError(
            f"prelu(): weight must be a scalar or a 1-d array with one slope per channel "
            f"(x.shape[1]); got weight of shape {w_shape} for x of shape {x_shape}"
        )
    return (1, size) + (1,) * (len(x_shape) - 2)


def _prelu_weight(xp: Any, x: Any, weight: Any) -> Any:
    if isinstance(weight, float):
        return weight
    return xp.reshape(weight, _prelu_layout(tuple(x.shape), tuple(weight.shape)))


prelu = define(
    "prelu",
    fused=Fused("leaky_relu", params=("weight",)),
    family="rectifier",
    summary="Parametric ReLU: a leaky ReLU whose negative slope is learned, per channel.",
    formula=r"f(x) = \begin{cases} x & x > 0 \\ a_c\,x & x \le 0 \end{cases}",
    derivative=r"\frac{\partial f}{\partial x} = \begin{cases} 1 & x > 0 \\ a_c & x \le 0 "
    r"\end{cases}, \qquad \frac{\partial f}{\partial a_c} = \begin{cases} 0 & x > 0 \\ x & "
    r"x \le 0 \end{cases}",
    second_derivative=r"f''(x) = 0 \quad (x \neq 0)",
    params=(
        Param(
            "weight",
            0.25,
            "Negative slope: a scalar or one per channel (axis 1 of x).",
            kind="array",
            learnable=True,
            no_weight_decay=True,
        ),
    ),
    value=lambda xp, x, weight: xp.where(x > 0, x, _prelu_weight(xp, x, weight) * x),
    grad=lambda xp, x, weight: xp.where(
        x > 0, xp.ones_like(x), _prelu_weight(xp, x, weight) * xp.ones_like(x)
    ),
    grad2=lambda xp, x, weight: xp.zeros_like(x),
    param_grads={"weight": lambda xp, x, weight: xp.where(x > 0, xp.zeros_like(x), x)},
    param_layouts={"weight": _prelu_layout},
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(0.0, "weight (as PyTorch)"),),
    pros=("Learns how much negative signal to pass", "Tiny parameter cost: one slope per channel"),
    cons=("Can overfit on small data", "Weight decay on the slope pushes it to ReLU: exclude it"),
    notes=(
        "vjp(x, cotangent, weight=w, with_params=True) returns (dx, {'weight': dw}); dw has "
        "the shape of w: the sum of cotangent * min(x, 0) over every axis except the channel "
        "axis 1 (over all axes for a scalar weight).",
    ),
    references=("K. He, X. Zhang, S. Ren, J. Sun, Delving Deep into Rectifiers, ICCV 2015.",),
    torch_equivalent="torch.nn.functional.prelu",
)


# -------------------------------------------------------------------------------- rrelu
def _check_rrelu(p: Mapping[str, Any]) -> None:
    if not p["lower"] <= p["upper"]:
        raise ParameterError(
            f"rrelu(): lower must be <= upper, got lower={p['lower']}, upper={p['upper']}"
        )


def _rrelu_slope(lower: float, upper: float) -> float:
    return (lower + upper) / 2.0


rrelu = define(
    "rrelu",
    training_slope=("lower", "upper"),  # random slopes in training mode
    fused=Fused("rrelu", params=("lower", "upper")),
    family="rectifier",
    summary="Randomized leaky ReLU at inference: the fixed slope (lower + upper) / 2.",
    formula=r"f(x) = \begin{cases} x & x \ge 0 \\ \frac{l + u}{2}\,x & x < 0 \end{cases}",
    derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ \frac{l + u}{2} & x \le 0 \end{cases}",
    second_derivative=r"f''(x) = 0 \quad (x \neq 0)",
    params=(
        Param(
            "lower",
            1.0 / 8.0,
            "Lower bound of the training-time slope.",
            constraint=in_interval(0.0, 1.0),
        ),
        Param(
            "upper",
            1.0 / 3.0,
            "Upper bound of the training-time slope.",
            constraint=in_interval(0.0, 1.0),
        ),
    ),
    value=lambda xp, x, lower, upper: xp.where(x >= 0, x, _rrelu_slope(lower, upper) * x),
    grad=lambda xp, x, lower, upper: xp.where(
        x > 0, xp.ones_like(x), constant(xp, _rrelu_slope(lower, upper), x)
    ),
    grad2=lambda xp, x, lower, upper: xp.zeros_like(x),
    check_params=_check_rrelu,
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(0.0, "(lower + upper) / 2 (as PyTorch in evaluation mode)"),),
    pros=("Random slopes during training act as a regularizer",),
    cons=("Stochastic in training: results depend on the random slopes",),
    notes=(
        "The catalog function is deterministic (evaluation mode). During training PyTorch "
        "draws each slope uniformly from [lower, upper]; the PyTorch adapter does so in "
        "training mode.",
    ),
    references=(
        "B. Xu, N. Wang, T. Chen, M. Li, Empirical Evaluation of Rectified "
        "Activations in Convolutional Network, arXiv:1505.00853 (2015).",
    ),
    torch_equivalent="torch.nn.functional.rrelu (training=False)",
)


# ---------------------------------------------------------------------------- threshold
threshold = define(
    "threshold",
    fused=Fused("threshold", params=("threshold", "value")),
    family="rectifier",
    summary="x where x > threshold, a constant value elsewhere (PyTorch's Threshold).",
    formula=r"f(x) = \begin{cases} x & x > \text{threshold} \\ \text{value} & \text{otherwise} "
    r"\end{cases}",
    derivative=r"f'(x) = \begin{cases} 1 & x > \text{threshold} \\ 0 & \text{otherwise} "
    r"\end{cases}",
    second_derivative=r"f''(x) = 0",
    params=(
        Param("threshold", 0.0, "Inputs at or below it are replaced.", constraint=real()),
        Param("value", 0.0, "The replacement value.", constraint=real()),
    ),
    value=lambda xp, x, threshold, value: xp.where(x > threshold, x, constant(xp, value, x)),
    grad=lambda xp, x, threshold, value: _step(xp, x, threshold),
    grad2=lambda xp, x, threshold, value: xp.zeros_like(x),
    output_range=Interval(0.0, INF, True, False),
    range_text="{value} U (threshold, inf)",
    monotonic=True,
    zero_centered=False,
    smoothness="discontinuous",
    kinks=(Kink("x = threshold", "0 (as PyTorch)", lambda p: p["threshold"], continuous=False),),
    pros=("Generalizes ReLU (threshold = value = 0)",),
    cons=("Discontinuous unless value == threshold",),
    conventions=("PyTorch requires both arguments; actloss defaults them to 0 (ReLU).",),
    notes=("Monotonic when value <= threshold; continuous only when value == threshold.",),
    references=("PyTorch documentation, torch.nn.Threshold.",),
    torch_equivalent="torch.nn.functional.threshold",
)
