"""Linear maps: identity and affine (a learnable scale and shift)."""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._spec import Fused, Interval, Param, real
from ._define import define

INF = math.inf

identity = define(
    "identity",
    fused=Fused("identity"),
    aliases={"linear": {}},
    family="linear",
    summary="f(x) = x: the output activation for regression.",
    formula=r"f(x) = x",
    derivative=r"f'(x) = 1",
    second_derivative=r"f''(x) = 0",
    value=lambda xp, x: x,
    grad=lambda xp, x: xp.ones_like(x),
    grad2=lambda xp, x: xp.zeros_like(x),
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=True,
    smoothness="Cinf",
    pros=("Unbounded real outputs (regression)",),
    cons=("A stack of linear layers with it stays linear",),
    references=("Keras documentation, keras.activations.linear.",),
    torch_equivalent="torch.nn.Identity",
)


def _affine_input(xp: Any, x: Any, slope: Any) -> Any:
    """x, with 0 at +-inf where slope is 0 (the value is then intercept, not 0 * inf)."""
    return xp.where(xp.isinf(x) & (slope == 0), xp.zeros_like(x), x)


affine = define(
    "affine",
    fused=Fused("affine", params=("slope", "intercept")),
    family="linear",
    summary="slope * x + intercept, both learnable in the adapters.",
    formula=r"f(x) = a\,x + b",
    derivative=r"\frac{\partial f}{\partial x} = a,\quad \frac{\partial f}{\partial a} = x,"
    r"\quad \frac{\partial f}{\partial b} = 1",
    second_derivative=r"f''(x) = 0",
    params=(
        Param("slope", 1.0, "Scale a.", constraint=real(), learnable=True),
        Param(
            "intercept", 0.0, "Shift b.", constraint=real(), learnable=True, no_weight_decay=True
        ),
    ),
    # N.scale: a x beyond the float range is +-inf, without an overflow
    value=lambda xp, x, slope, intercept: (
        N.scale(xp, slope, _affine_input(xp, x, slope)) + intercept
    ),
    grad=lambda xp, x, slope, intercept: slope * xp.ones_like(x),
    grad2=lambda xp, x, slope, intercept: xp.zeros_like(x),
    param_grads={
        "slope": lambda xp, x, slope, intercept: x,
        "intercept": lambda xp, x, slope, intercept: xp.ones_like(x),
    },
    output_range=Interval(-INF, INF),
    monotonic=True,
    zero_centered=True,
    smoothness="Cinf",
    pros=("A learnable output scale and shift",),
    cons=("Linear",),
    notes=("Monotonic for slope >= 0; odd only for intercept = 0.",),
    references=("Keras documentation, keras.layers.Rescaling (a fixed affine map).",),
)
