"""Shrinkage functions: tanhshrink, softshrink, hardshrink (sparse coding, denoising)."""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._spec import Fused, Interval, Kink, Param, non_negative
from ._define import define

INF = math.inf


def _tanhshrink(xp: Any, x: Any) -> Any:
    small = xp.abs(x) < 0.5
    xs = xp.where(small, x, xp.zeros_like(x))
    series = xs * xs * xs * N.polyval(N.TANHSHRINK_SERIES, xs * xs)
    return xp.where(small, series, x - xp.tanh(x))


tanhshrink = define(
    "tanhshrink",
    fused=Fused("tanhshrink"),
    family="shrinkage",
    summary="x - tanh(x): near-zero (cubic) for small inputs, linear for large ones.",
    formula=r"f(x) = x - \tanh(x)",
    derivative=r"f'(x) = \tanh^2(x)",
    second_derivative=r"f''(x) = 2\tanh(x)\operatorname{sech}^2(x)",
    value=_tanhshrink,
    grad=lambda xp, x: xp.tanh(x) * xp.tanh(x),
    grad2=lambda xp, x: 2.0 * xp.tanh(x) * N.sech2(xp, x),
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=True,
    smoothness="Cinf",
    pros=("Suppresses small inputs smoothly",),
    cons=("Rare as a hidden activation",),
    notes=("For |x| < 0.5 a Taylor series replaces x - tanh(x), which would cancel.",),
    references=("PyTorch documentation, torch.nn.Tanhshrink.",),
    torch_equivalent="torch.nn.functional.tanhshrink",
)

LAMBD = Param(
    "lambd", 0.5, "Half-width of the zeroed band [-lambd, lambd] (>= 0).", constraint=non_negative()
)


def _band_kinks(subgradient: str, continuous: bool) -> tuple[Kink, Kink]:
    return (
        Kink("x = -lambd", subgradient, lambda p: -p["lambd"], continuous),
        Kink("x = lambd", subgradient, lambda p: p["lambd"], continuous),
    )


def _outside(xp: Any, x: Any, lambd: float) -> Any:
    return xp.astype((x > lambd) | (x < -lambd), x.dtype)


softshrink = define(
    "softshrink",
    fused=Fused("softshrink", params=("lambd",)),
    family="shrinkage",
    summary="Soft thresholding: shrink toward 0 by lambd, zero inside [-lambd, lambd].",
    formula=r"f(x) = \begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\ "
    r"0 & \text{otherwise} \end{cases}",
    derivative=r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
    second_derivative=r"f''(x) = 0 \quad (|x| \neq \lambda)",
    params=(LAMBD,),
    value=lambda xp, x, lambd: xp.where(
        x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, xp.zeros_like(x))
    ),
    grad=lambda xp, x, lambd: _outside(xp, x, lambd),
    grad2=lambda xp, x, lambd: xp.zeros_like(x),
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=True,
    smoothness="C0",
    kinks=_band_kinks("0 (as PyTorch)", continuous=True),
    pros=("The proximal operator of the L1 norm (ISTA, LISTA)",),
    cons=("Zero gradient inside the band",),
    references=(
        "D. L. Donoho, De-noising by soft-thresholding, IEEE Trans. Inf. Theory 41 (1995).",
    ),
    torch_equivalent="torch.nn.functional.softshrink",
)

hardshrink = define(
    "hardshrink",
    fused=Fused("hardshrink", params=("lambd",)),
    family="shrinkage",
    summary="Hard thresholding: x outside [-lambd, lambd], 0 inside.",
    formula=r"f(x) = \begin{cases} x & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
    derivative=r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
    second_derivative=r"f''(x) = 0 \quad (|x| \neq \lambda)",
    params=(LAMBD,),
    value=lambda xp, x, lambd: xp.where(xp.abs(x) > lambd, x, xp.zeros_like(x)),
    grad=lambda xp, x, lambd: _outside(xp, x, lambd),
    grad2=lambda xp, x, lambd: xp.zeros_like(x),
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=True,
    smoothness="discontinuous",
    kinks=_band_kinks("0 (as PyTorch)", continuous=False),
    pros=("Keeps large values unbiased (unlike softshrink)",),
    cons=("Discontinuous at +-lambd",),
    references=(
        "D. L. Donoho, I. M. Johnstone, Ideal spatial adaptation by wavelet "
        "shrinkage, Biometrika 81 (1994).",
    ),
    torch_equivalent="torch.nn.functional.hardshrink",
)
