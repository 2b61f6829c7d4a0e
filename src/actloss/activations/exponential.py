"""Exponential-linear units (ELU, SELU, CELU) and the plain exponential."""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._spec import Fused, Interval, Param, kink_at, non_negative, positive
from ._define import define

INF = math.inf

SELU_ALPHA, SELU_SCALE = N.SELU_ALPHA, N.SELU_SCALE


def _expm1_neg(xp: Any, x: Any, inv_alpha: float = 1.0) -> Any:
    """expm1(min(x, 0) / alpha): the negative branch, never overflowing for large x
    (N.scale: x / alpha below the float range is -inf, quietly)."""
    return xp.expm1(N.scale(xp, inv_alpha, N.neg_part(xp, x)))


def _exp_neg(xp: Any, x: Any, inv_alpha: float = 1.0) -> Any:
    return xp.exp(N.scale(xp, inv_alpha, N.neg_part(xp, x)))


def _elu(xp: Any, x: Any, alpha: float, scale: float = 1.0) -> Any:
    # N.scale: SELU's lambda x beyond the float range is inf, without an overflow
    return N.scale(xp, scale, xp.where(x > 0, x, alpha * _expm1_neg(xp, x)))


def _elu_grad(xp: Any, x: Any, alpha: float, scale: float = 1.0) -> Any:
    return scale * xp.where(x > 0, xp.ones_like(x), alpha * _exp_neg(xp, x))


def _elu_grad2(xp: Any, x: Any, alpha: float, scale: float = 1.0) -> Any:
    return scale * xp.where(x > 0, xp.zeros_like(x), alpha * _exp_neg(xp, x))


ELU_PROS = ("Negative outputs push mean activations toward zero", "No dead units")
ELU_REF = (
    "D.-A. Clevert, T. Unterthiner, S. Hochreiter, Fast and Accurate Deep Network "
    "Learning by Exponential Linear Units (ELUs), ICLR 2016.",
)

elu = define(
    "elu",
    fused=Fused("elu", params=("alpha",), output="elu_from_output"),
    family="exponential",
    summary="Exponential linear unit: identity for x > 0, alpha (e^x - 1) below.",
    formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
    derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
    second_derivative=r"f''(x) = \begin{cases} 0 & x > 0 \\ \alpha\,e^{x} & x \le 0 "
    r"\end{cases}",
    params=(
        Param("alpha", 1.0, "Saturation value -alpha for x -> -inf.", constraint=non_negative()),
    ),
    value=_elu,
    output_grad=lambda xp, y, alpha: xp.where(y > 0, xp.ones_like(y), y + alpha),
    grad=_elu_grad,
    grad2=_elu_grad2,
    output_range=Interval(-1.0, INF),
    range_text="(-alpha, inf)",
    monotonic=True,
    zero_centered=False,
    smoothness="C1",
    kinks=(
        kink_at(
            0.0, "f'(0) = alpha (the x <= 0 branch, as PyTorch); C1 only for alpha = 1", order=2
        ),
    ),
    pros=ELU_PROS,
    cons=("exp on the negative side costs more than ReLU",),
    notes=("The negative branch is expm1(min(x, 0)): exact near 0 and never overflowing.",),
    references=ELU_REF,
    torch_equivalent="torch.nn.functional.elu",
)

selu = define(
    "selu",
    fused=Fused("selu", output="selu_from_output"),
    family="exponential",
    summary="Scaled ELU with the constants that make activations self-normalizing.",
    formula=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 "
    r"\end{cases},\ \alpha \approx 1.6733,\ \lambda \approx 1.0507",
    derivative=r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 "
    r"\end{cases}",
    second_derivative=r"f''(x) = \lambda \begin{cases} 0 & x > 0 \\ \alpha\,e^{x} & x \le 0 "
    r"\end{cases}",
    value=lambda xp, x: _elu(xp, x, SELU_ALPHA, SELU_SCALE),
    output_grad=lambda xp, y: xp.where(
        y > 0, SELU_SCALE * xp.ones_like(y), y + SELU_SCALE * SELU_ALPHA
    ),
    grad=lambda xp, x: _elu_grad(xp, x, SELU_ALPHA, SELU_SCALE),
    grad2=lambda xp, x: _elu_grad2(xp, x, SELU_ALPHA, SELU_SCALE),
    output_range=Interval(-SELU_SCALE * SELU_ALPHA, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="C0",
    kinks=(kink_at(0.0, "lambda * alpha ~ 1.7581 (the x <= 0 branch, as PyTorch)"),),
    pros=("Self-normalizing with LeCun-normal init: no batch norm needed in MLPs",),
    cons=("Needs lecun_normal init and alpha-dropout to keep its guarantees",),
    notes=(f"alpha = {SELU_ALPHA!r}, scale = {SELU_SCALE!r} (Klambauer et al., eq. 14).",),
    references=(
        "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, Self-Normalizing "
        "Neural Networks, NeurIPS 2017.",
    ),
    torch_equivalent="torch.nn.functional.selu",
)

celu = define(
    "celu",
    fused=Fused("celu", params=("alpha",), output="celu_from_output"),
    family="exponential",
    summary="Continuously differentiable ELU: alpha (e^{x/alpha} - 1) below 0, C1 for any alpha.",
    formula=r"f(x) = \max(0, x) + \min\bigl(0, \alpha\,(e^{x/\alpha} - 1)\bigr)",
    derivative=r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
    second_derivative=r"f''(x) = \begin{cases} 0 & x > 0 \\ e^{x/\alpha}/\alpha & x \le 0 "
    r"\end{cases}",
    params=(Param("alpha", 1.0, "Scale of the negative branch (> 0).", constraint=positive()),),
    value=lambda xp, x, alpha: xp.where(x > 0, x, alpha * _expm1_neg(xp, x, 1.0 / alpha)),
    output_grad=lambda xp, y, alpha: xp.where(y > 0, xp.ones_like(y), y / alpha + 1.0),
    grad=lambda xp, x, alpha: xp.where(x > 0, xp.ones_like(x), _exp_neg(xp, x, 1.0 / alpha)),
    grad2=lambda xp, x, alpha: xp.where(
        x > 0, xp.zeros_like(x), _exp_neg(xp, x, 1.0 / alpha) / alpha
    ),
    output_range=Interval(-1.0, INF),
    range_text="(-alpha, inf)",
    monotonic=True,
    zero_centered=False,
    smoothness="C1",
    kinks=(kink_at(0.0, "f''(0) = 1/alpha (the x <= 0 branch)", order=2),),
    pros=(*ELU_PROS, "C1 for every alpha"),
    cons=("exp on the negative side",),
    references=(
        "J. T. Barron, Continuously Differentiable Exponential Linear Units, "
        "arXiv:1704.07483 (2017).",
    ),
    torch_equivalent="torch.nn.functional.celu",
)

exponential = define(
    "exponential",
    fused=Fused("exponential", output="exponential_from_output"),
    family="exponential",
    summary="e^x (Keras's 'exponential'): positive outputs, e.g. for rates.",
    formula=r"f(x) = e^{x}",
    derivative=r"f'(x) = e^{x}",
    second_derivative=r"f''(x) = e^{x}",
    value=N.exp,
    output_grad=lambda xp, y: y,
    grad=N.exp,
    grad2=N.exp,
    output_range=Interval(0.0, INF),
    monotonic=True,
    zero_centered=False,
    smoothness="Cinf",
    pros=("Strictly positive output (rates, scales)",),
    cons=("Overflows to inf for x > log(max float) (about 88.7 in float32)",),
    notes=("Returns +inf past the dtype's range without a floating-point warning.",),
    references=("Keras documentation, keras.activations.exponential.",),
)
