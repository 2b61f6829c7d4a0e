"""Gated linear units: the input is split in halves a, b along ``axis`` and f = a * act(b).

The gate is applied to the SECOND half, as ``torch.nn.functional.glu`` does. Many
Transformer code bases (``x1, x2 = x.chunk(2); silu(x1) * x2``) gate the FIRST half
instead; swap the halves of the projection to convert.
"""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._function import Activation, ParameterError
from .._spec import Interval, Param
from ._define import define
from .rectifiers import relu
from .sigmoidal import sigmoid
from .smooth import gelu, silu

AXIS = Param("axis", -1, "The axis split into halves (its size must be even).", kind="int")
GATE_NOTE = (
    "x is split in halves a (first) and b (second) along axis and the gate act(b) multiplies "
    "a, as torch.nn.functional.glu; implementations that gate the first half "
    "(x1, x2 = x.chunk(2); act(x1) * x2) differ by swapping the halves."
)


def _halves(name: str, xp: Any, x: Any, axis: int) -> tuple[Any, Any]:
    a = axis % x.ndim
    n = x.shape[a]
    if n % 2:
        raise ParameterError(f"{name}(): the size of axis {axis} must be even, got {n}")
    first = [slice(None)] * x.ndim
    second = [slice(None)] * x.ndim
    first[a] = slice(0, n // 2)
    second[a] = slice(n // 2, n)
    return x[tuple(first)], x[tuple(second)]


def _keep_nan(xp: Any, b: Any, y: Any) -> Any:
    """The gate's kernels may map NaN to a finite value (the public wrapper restores NaN)."""
    return xp.where(xp.isnan(b), b, y)


def _gated(
    name: str,
    gate: Activation,
    formula: str,
    derivative: str,
    summary: str,
    references: tuple[str, ...],
    extra_params: tuple[Param, ...] = (),
    **info: Any,
) -> Activation:
    """Register ``name`` as a * gate(b), with the gate's own kernels and derivative."""
    g = gate.kernels
    assert g.grad is not None
    grad = g.grad

    def value(xp: Any, x: Any, axis: int, **p: Any) -> Any:
        a, b = _halves(name, xp, x, axis)
        return N.mul0(xp, a, _keep_nan(xp, b, g.value(xp, b, **p)))  # 0 * inf := 0

    def vjp(xp: Any, x: Any, ct: Any, axis: int, **p: Any) -> Any:
        a, b = _halves(name, xp, x, axis)
        da = N.mul0(xp, ct, _keep_nan(xp, b, g.value(xp, b, **p)))
        # ct a g'(b) with a multiplied by the smaller of |ct|, |g'| first: at a near the float
        # maximum either order alone can overflow where the product is finite
        gp = _keep_nan(xp, b, grad(xp, b, **p))
        small_ct = xp.abs(ct) <= xp.abs(gp)
        first, second = xp.where(small_ct, ct, gp), xp.where(small_ct, gp, ct)
        db = N.mul0(xp, N.mul0(xp, a, first), second)
        return xp.concat((da, db), axis=axis)

    return define(
        name,
        family="gated",
        summary=summary,
        formula=formula,
        derivative=derivative,
        params=(AXIS, *extra_params),
        value=value,
        vjp=vjp,
        elementwise=False,
        axis_semantics="splits `axis` into halves a, b; the output has half the size there",
        output_range=Interval(-math.inf, math.inf),
        monotonic=False,
        zero_centered=False,
        notes=(GATE_NOTE,),
        references=references,
        **info,
    )


SHAZEER = "N. Shazeer, GLU Variants Improve Transformer, arXiv:2002.05202 (2020)."
GLU_DERIV = (
    r"\frac{\partial f}{\partial a} = g(b),\quad \frac{\partial f}{\partial b} = "
    r"a\,g'(b)"
)

glu = _gated(
    "glu",
    sigmoid,
    formula=r"\operatorname{GLU}(a, b) = a \odot \sigma(b)",
    derivative=GLU_DERIV.replace("g(b)", r"\sigma(b)").replace("g'(b)", r"\sigma'(b)"),
    summary="Gated linear unit a * sigmoid(b) over the two halves of x.",
    references=(
        "Y. N. Dauphin, A. Fan, M. Auli, D. Grangier, Language Modeling with Gated "
        "Convolutional Networks, ICML 2017.",
    ),
    pros=("Learned multiplicative gating",),
    cons=("Halves the feature size: the projection before it must be twice as wide",),
    smoothness="Cinf",
    torch_equivalent="torch.nn.functional.glu",
)

swiglu = _gated(
    "swiglu",
    silu,
    formula=r"\operatorname{SwiGLU}(a, b) = a \odot \operatorname{SiLU}(b)",
    derivative=GLU_DERIV.replace("g(b)", r"\operatorname{SiLU}(b)").replace(
        "g'(b)", r"\operatorname{SiLU}'(b)"
    ),
    summary="a * silu(b): the feed-forward gate of LLaMA/PaLM-style Transformers.",
    references=(SHAZEER,),
    pros=("Best of the GLU variants in Shazeer's Transformer experiments",),
    cons=("Halves the feature size",),
    smoothness="Cinf",
)

geglu = _gated(
    "geglu",
    gelu,
    formula=r"\operatorname{GEGLU}(a, b) = a \odot \operatorname{GELU}(b)",
    derivative=GLU_DERIV.replace("g(b)", r"\operatorname{GELU}(b)").replace(
        "g'(b)", r"\operatorname{GELU}'(b)"
    ),
    summary="a * gelu(b) (exact or tanh GELU).",
    references=(SHAZEER,),
    extra_params=(gelu.info.param("approximate"),),
    pros=("Strong Transformer FFN gate",),
    cons=("Halves the feature size",),
    smoothness="Cinf",
)

reglu = _gated(
    "reglu",
    relu,
    formula=r"\operatorname{ReGLU}(a, b) = a \odot \max(b, 0)",
    derivative=GLU_DERIV.replace("g(b)", r"\max(b, 0)").replace("g'(b)", r"[b > 0]"),
    summary="a * relu(b).",
    references=(SHAZEER,),
    pros=("Cheapest GLU variant",),
    cons=("Halves the feature size", "Dead gates like ReLU"),
    smoothness="C0",
)
