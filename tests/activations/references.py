"""The reference table: one independent reference per activation in the catalog.

Each entry gives a float64 PyTorch callable: a PyTorch built-in where PyTorch has the
function (``source="PyTorch"``), otherwise a plain formula written here with torch
operations (``source="formula"``), so that torch autograd supplies the reference
derivatives of both. It also lists sample parameter sets (the first is always the
defaults), the parameters with a derivative, a few pinned values with their source,
and every tolerance override, skip and limit exception with its reason.

Elementwise references are called as ``fn(x, **params)``; vector ones as
``fn(x, axis, **params)``. ``params`` holds every parameter of the entry (defaults
filled in) except ``axis``; learnable ones may arrive as tensors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

INF = math.inf
NAN = math.nan
Tensor = torch.Tensor


@dataclass(frozen=True)
class Pinned:
    """A canonical value: ``f(x, **params) == value`` (to 1e-15 relative), with its source."""

    x: Any  # a float, or a row (list) for vector functions
    value: Any
    source: str
    params: Mapping[str, Any] = field(default_factory=dict)
    what: str = "value"  # "value" | "grad" | "grad2"


@dataclass(frozen=True)
class Tol:
    """A tolerance override ``|ours - ref| <= atol + rtol * scale`` with its reason."""

    rtol: float
    atol: float
    reason: str


@dataclass(frozen=True)
class Ref:
    fn: Callable[..., Tensor]
    source: str  # "PyTorch" (a built-in, named in `torch_name`) or "formula"
    params: tuple[Mapping[str, Any], ...] = ({},)  # sample sets; the first is the defaults
    # parameters with a derivative: name -> sample values (float, or nested lists for arrays)
    param_samples: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    # elementwise variant used for param_grad when `fn` cannot take a parameter of x's shape
    fn_elementwise_params: Callable[..., Tensor] | None = None
    tol: Mapping[str, Tol] = field(default_factory=dict)  # check name -> override
    skip: Mapping[str, str] = field(default_factory=dict)  # check name -> reason
    # (what, +-inf) -> (expected limit, reason), where the probe at +-1e300 is not the limit
    limits: Mapping[tuple[str, float], tuple[float, str]] = field(default_factory=dict)
    limit_probe: float = 1e300
    limit_probe_reason: str = ""
    # at kinks, derivative -> side (-1 left, +1 right) whose one-sided reference value the
    # catalog uses where PyTorch's autograd picks another branch; with the reason
    kink_sides: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    # vector functions: rows (first two entries) of the extreme-pairs test whose reference
    # is wrong, with the reason
    extreme_rows_skip: Mapping[tuple[float, float], str] = field(default_factory=dict)
    # elementwise: (what, x) points of the extreme matrix whose reference is wrong
    extreme_skip: Mapping[tuple[str, float], str] = field(default_factory=dict)
    pinned: tuple[Pinned, ...] = ()


def _as_t(value: Any, like: Tensor) -> Any:
    """A parameter as a float64 tensor (floats stay floats)."""
    if isinstance(value, (int, float)):
        return float(value)
    return torch.as_tensor(value, dtype=torch.float64)


def _prelu(x: Tensor, weight: Any) -> Tensor:
    w = torch.as_tensor(weight, dtype=torch.float64).reshape(-1)
    if x.ndim == 0:
        return F.prelu(x.reshape(1), w).reshape(())
    return F.prelu(x, w)


def _prelu_elementwise(x: Tensor, weight: Tensor) -> Tensor:
    """F.prelu with one 'channel' per element, so autograd gives d f_i / d w_i."""
    flat = x.reshape(1, -1)
    w = torch.broadcast_to(torch.as_tensor(weight, dtype=torch.float64), x.shape).reshape(-1)
    return F.prelu(flat, w).reshape(x.shape)


def _halves(x: Tensor, axis: int) -> tuple[Tensor, Tensor]:
    a, b = torch.chunk(x, 2, dim=axis)
    return a, b


def _sparsemax(x: Tensor, axis: int) -> Tensor:
    """Sparsemax by a plain per-row loop (Martins & Astudillo 2016, Algorithm 1)."""
    moved = torch.movedim(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = []
    for row in rows:
        row = row - torch.max(row).detach()  # sparsemax is shift-invariant; keeps 1 + j z exact
        # entries below -1 are never in the support; clamped at -1e300 the sums below cannot
        # overflow (rows holding -max and +max)
        row = torch.clamp(row, min=-1e300)
        z, _ = torch.sort(row, descending=True)
        zv = z.detach().tolist()
        k = 0
        for j in range(1, len(zv) + 1):  # the largest j with 1 + j z_j > sum_{i <= j} z_i
            if 1.0 + j * zv[j - 1] > math.fsum(zv[:j]):
                k = j
        tau = (torch.sum(z[:k]) - 1.0) / k
        # support = {p > 0}: zero gradient on its boundary, the catalog's convention
        out.append(torch.where(row > tau, row - tau, torch.zeros_like(row)))
    return torch.movedim(torch.stack(out).reshape(moved.shape), -1, axis)


def _squareplus(x: Tensor, b: float) -> Tensor:
    return 0.5 * (x + torch.sqrt(x * x + b))


def _sparse_plus(x: Tensor) -> Tensor:
    # the middle piece on x clipped to [-1, 1]: (x + 1)^2 overflows at the float maximum,
    # and torch.where's backward then gives 0 * inf = NaN for the branch not taken
    mid = 0.25 * (torch.clamp(x, -1.0, 1.0) + 1.0) ** 2
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x >= 1.0, x, mid))


def _sparse_sigmoid(x: Tensor) -> Tensor:
    # grad 0 at x = +-1: the convention the catalog declares (the outer branches)
    mid = 0.5 * (x + 1.0)
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x >= 1.0, x * 0.0 + 1.0, mid))


TORCH_LIMIT = "torch's backward evaluates inf * 0 at |x| = 1e300 (NaN); the limit is {}"


def cancels(formula: str, atol: float = 4e-16) -> Tol:
    """PyTorch's formula cancels in the tails; test_tails.py checks them against mpmath."""
    return Tol(
        1e-10,
        atol,
        f"PyTorch computes {formula}, which cancels in the tails (absolute "
        "error ~eps*max(1, |x|)); test_tails.py checks the tails against mpmath",
    )


SIGMOID_UNDERFLOW = (
    "torch.sigmoid(-710) underflows to 0 (1 / (1 + exp(710))), but the true value 4.5e-309 is "
    "a float64 subnormal, so inf * sigmoid(-710) = inf; the probe gives 0"
)
SIGMOID_710 = {("value", -710.0): SIGMOID_UNDERFLOW}

# +-sqrt(max) and +-max of float16, float32 and float64 as the extreme matrix holds them
_DTYPES = (np.float16, np.float32, np.float64)
MAX_X = tuple(s * float(np.finfo(d).max) for d in _DTYPES for s in (1.0, -1.0))
SQRT_MAX_X = tuple(
    s * float(np.asarray(math.sqrt(float(np.finfo(d).max)), dtype=d))
    for d in _DTYPES
    for s in (1.0, -1.0)
)
TORCH_OVERFLOW = (
    "torch's formula overflows an intermediate at the float maximum ({}), giving {}; the "
    "catalog's value is {} (tests/activations/test_extremes.py pins it)"
)
GATE_SKIP = {(math.inf, -710.0): SIGMOID_UNDERFLOW, (-math.inf, -710.0): SIGMOID_UNDERFLOW}
GELU_TAIL = (
    "torch's gelu(-11.1) cancels to 0 (1 + erf), the true value is -6.4e-28, so "
    "inf * gelu(-11.1) = -inf; the probe gives 0"
)

ELU_GRAD2_SIDE = (
    -1,
    "PyTorch's double backward takes the x > 0 branch (0) at the kink while "
    "its backward takes x <= 0; the catalog's f'' uses the same branch as f' "
    "(declared in info.kinks)",
)

REFERENCES: dict[str, Ref] = {
    # ------------------------------------------------------------------- linear
    "identity": Ref(lambda x: x * 1.0, "formula", pinned=(Pinned(-2.5, -2.5, "by hand"),)),
    "affine": Ref(
        lambda x, slope, intercept: _as_t(slope, x) * x + _as_t(intercept, x),
        "formula",
        params=({}, {"slope": -2.0, "intercept": 0.5}, {"slope": 0.0, "intercept": 1.5}),
        param_samples={"slope": (-2.0, 0.75), "intercept": (0.5,)},
        pinned=(Pinned(3.0, -5.5, "by hand", {"slope": -2.0, "intercept": 0.5}),),
    ),
    # --------------------------------------------------------------- rectifiers
    "relu": Ref(
        lambda x: F.relu(x),
        "PyTorch",
        pinned=(Pinned(-1.0, 0.0, "by hand"), Pinned(2.5, 2.5, "by hand")),
    ),
    "relu6": Ref(
        lambda x: F.relu6(x),
        "PyTorch",
        pinned=(Pinned(7.0, 6.0, "by hand"), Pinned(2.0, 1.0, "by hand", what="grad")),
    ),
    "leaky_relu": Ref(
        lambda x, negative_slope: F.leaky_relu(x, negative_slope),
        "PyTorch",
        params=({}, {"negative_slope": 0.2}, {"negative_slope": -0.5}),
        pinned=(Pinned(-3.0, -0.03, "by hand"),),
    ),
    "prelu": Ref(
        _prelu,
        "PyTorch",
        params=({}, {"weight": 0.1}),
        param_samples={"weight": (0.1, [0.1, -0.3, 0.7])},
        fn_elementwise_params=_prelu_elementwise,
        pinned=(Pinned(-2.0, -0.5, "by hand"),),
    ),
    "rrelu": Ref(
        lambda x, lower, upper: F.rrelu(x, lower, upper, training=False),
        "PyTorch",
        params=({}, {"lower": 0.1, "upper": 0.3}),
        pinned=(Pinned(-4.0, -0.4, "by hand", {"lower": 0.1, "upper": 0.1}),),
    ),
    "threshold": Ref(
        lambda x, threshold, value: F.threshold(x, threshold, value),
        "PyTorch",
        params=({}, {"threshold": 1.0, "value": -2.0}),
        pinned=(Pinned(0.5, -2.0, "by hand", {"threshold": 1.0, "value": -2.0}),),
    ),
    # --------------------------------------------------------------- sigmoidal
    "sigmoid": Ref(
        torch.sigmoid,
        "PyTorch",
        extreme_skip=SIGMOID_710,
        tol={"grad": cancels("sigma' = s (1 - s)"), "grad2": cancels("sigma'' = s'(1 - 2s)")},
        pinned=(
            Pinned(0.0, 0.5, "by hand"),
            Pinned(0.0, 0.25, "by hand", what="grad"),
            Pinned(2.0, 0.8807970779778823, "SciPy 1.17 scipy.special.expit"),
            Pinned(-40.0, 4.248354255291589e-18, "SciPy 1.17 scipy.special.expit"),
        ),
    ),
    "tanh": Ref(
        torch.tanh,
        "PyTorch",
        tol={"grad": cancels("tanh' = 1 - t^2"), "grad2": cancels("tanh'' from 1 - t^2")},
        pinned=(
            Pinned(0.5, 0.46211715726000974, "NumPy 2.4 np.tanh"),
            Pinned(0.0, 1.0, "by hand", what="grad"),
        ),
    ),
    "hard_sigmoid": Ref(
        lambda x: F.hardsigmoid(x),
        "PyTorch",
        tol={
            k: Tol(
                1e-7,
                0.0,
                "PyTorch 2.13's hardsigmoid backward uses the float32 constant "
                "1/6 = 0.16666667163... even in float64",
            )
            for k in ("grad", "kinks")
        },
        skip={"grad2_autograd": "PyTorch 2.13 has no double backward for hardsigmoid"},
        pinned=(Pinned(1.5, 0.75, "by hand"), Pinned(1.0, 1 / 6, "by hand", what="grad")),
    ),
    "hard_tanh": Ref(
        lambda x, min_val, max_val: F.hardtanh(x, min_val, max_val),
        "PyTorch",
        params=({}, {"min_val": -2.0, "max_val": 3.0}),
        pinned=(Pinned(-5.0, -1.0, "by hand"),),
    ),
    "softsign": Ref(
        lambda x: F.softsign(x),
        "PyTorch",
        extreme_skip={
            ("grad", x): "torch's autograd of x / (1 + |x|) cancels to 0 in float64 at 1.8e19 "
            "(1/(1+|x|) - |x|/(1+|x|)^2); the catalog's 1/(1+|x|)^2 = 2.9e-39 is exact"
            for x in SQRT_MAX_X
        },
        pinned=(Pinned(3.0, 0.75, "by hand"), Pinned(-3.0, 1 / 16, "by hand", what="grad")),
    ),
    "log_sigmoid": Ref(
        lambda x: F.logsigmoid(x),
        "PyTorch",
        tol={"grad2": cancels("-s (1 - s)")},
        pinned=(
            Pinned(0.0, -math.log(2.0), "by hand"),
            Pinned(-800.0, -800.0, "by hand (log sigmoid(x) = x - log1p(e^x))"),
        ),
    ),
    "sparse_sigmoid": Ref(
        _sparse_sigmoid,
        "formula",
        pinned=(Pinned(0.5, 0.75, "by hand"), Pinned(-2.0, 0.0, "by hand")),
    ),
    # ------------------------------------------------------------- exponential
    "elu": Ref(
        lambda x, alpha: F.elu(x, alpha),
        "PyTorch",
        params=({}, {"alpha": 0.7}),
        kink_sides={"grad2": ELU_GRAD2_SIDE},
        pinned=(Pinned(-1.0, math.expm1(-1.0), "by hand (expm1)"),),
    ),
    "selu": Ref(
        lambda x: F.selu(x),
        "PyTorch",
        kink_sides={"grad2": ELU_GRAD2_SIDE},
        pinned=(Pinned(1.0, 1.0507009873554805, "Klambauer et al. 2017, eq. 14 (scale)"),),
    ),
    "celu": Ref(
        lambda x, alpha: F.celu(x, alpha),
        "PyTorch",
        params=({}, {"alpha": 0.5}, {"alpha": 2.5}),
        kink_sides={"grad2": ELU_GRAD2_SIDE},
        pinned=(Pinned(-1.0, 0.5 * math.expm1(-2.0), "by hand", {"alpha": 0.5}),),
    ),
    "exponential": Ref(
        torch.exp,
        "formula",
        pinned=(Pinned(1.0, math.e, "by hand"),),
    ),
    # ------------------------------------------------------------------ smooth
    "gelu": Ref(
        lambda x, approximate: F.gelu(x, approximate=approximate),
        "PyTorch",
        extreme_skip={
            **{
                ("grad2", x): TORCH_OVERFLOW.format(
                    "x^2 in phi(x) (2 - x^2) and x^3 in the tanh form", "NaN", "0"
                )
                for x in (*MAX_X, *SQRT_MAX_X[4:])
            },
            **{
                ("grad", x): TORCH_OVERFLOW.format("x^3 (tanh form)", "NaN", "0 or 1")
                for x in MAX_X
            },
        },
        params=({}, {"approximate": "tanh"}),
        tol={
            "value": cancels("x (1 + erf(x / sqrt 2)) / 2 (and 0.5 x (1 + tanh u))", 4e-15),
            "grad": cancels("Phi from 1 + erf (and 1 + tanh u)", 4e-15),
            "grad2": cancels("the double backward from 1 + erf (and 1 - tanh^2 u)", 4e-15),
        },
        limits={
            ("grad", INF): (1.0, TORCH_LIMIT.format("1 (tanh form)")),
            ("grad", -INF): (0.0, TORCH_LIMIT.format("0 (tanh form)")),
            ("grad2", INF): (0.0, TORCH_LIMIT.format("0")),
            ("grad2", -INF): (0.0, TORCH_LIMIT.format("0")),
        },
        pinned=(
            Pinned(1.0, 0.8413447460685429, "SciPy 1.17: x * scipy.special.ndtr(x)"),
            Pinned(-10.0, -7.619853024160526e-23, "mpmath 1.3: x * ncdf(x) at 40 digits"),
            Pinned(
                1.0,
                0.8411919906082768,
                "PyTorch 2.13 F.gelu(approximate='tanh')",
                {"approximate": "tanh"},
            ),
        ),
    ),
    "silu": Ref(
        lambda x: F.silu(x),
        "PyTorch",
        extreme_skip=SIGMOID_710,
        tol={
            "grad": cancels("s (1 + x (1 - s))", 4e-15),
            "grad2": cancels("s' from s (1 - s)", 4e-15),
        },
        pinned=(Pinned(1.0, 0.7310585786300049, "SciPy 1.17: x * scipy.special.expit(x)"),),
    ),
    "swish": Ref(
        lambda x, beta: x * torch.sigmoid(_as_t(beta, x) * x),
        "formula",
        params=({}, {"beta": 1.7}, {"beta": -0.5}),
        extreme_skip={
            **SIGMOID_710,
            **{
                ("grad2", x): TORCH_OVERFLOW.format("beta x for beta = 1.7", "NaN", "0")
                for x in MAX_X
            },
        },
        tol={
            "param_grad": cancels("x^2 s (1 - s) for d/dbeta (error ~eps x^2)", 1e-12),
            "grad": cancels("autograd of sigmoid: s (1 - s)", 4e-15),
            "grad2": cancels("the double backward of sigmoid: s' (1 - 2 s)", 1e-14),
        },
        param_samples={"beta": (1.7, -0.5)},
        pinned=(Pinned(2.0, 2.0 * 0.9525741268224334, "SciPy 1.17: 2 * expit(3)", {"beta": 1.5}),),
    ),
    "mish": Ref(
        lambda x: F.mish(x),
        "PyTorch",
        extreme_skip={
            ("grad2", x): "torch's mish double backward gives NaN (inf * 0) at large x; "
            "the true value is about -x exp(-2x) -> -0"
            for x in (710.0, 10000.0, *SQRT_MAX_X[::2], *MAX_X[::2])
        },
        tol={
            "value": cancels("x tanh(softplus(x))", 4e-15),
            "grad": cancels("1 - tanh^2", 4e-15),
            "grad2": cancels("1 - tanh^2 and s (1 - s)", 4e-15),
        },
        limits={("grad2", INF): (0.0, TORCH_LIMIT.format("0"))},
        pinned=(Pinned(1.0, 0.8650983882673103, "by hand: tanh(log1p(e)) (NumPy 2.4)"),),
    ),
    "softplus": Ref(
        lambda x, beta, threshold: F.softplus(x, beta, threshold),
        "PyTorch",
        params=({}, {"beta": 2.0, "threshold": 10.0}),
        tol={"kinks": cancels("sigma'(z) as z / (1 + z)^2 from exp")},
        extreme_skip={
            ("grad2", -710.0): "torch computes sigma'(-710) from 1 / (1 + exp(710)) = 0; the "
            "true value 4.5e-309 is a subnormal"
        },
        kink_sides={
            "grad2": (
                -1,
                "PyTorch's double backward switches to the linear branch at "
                "beta x = threshold, its backward only above it; the catalog keeps "
                "f'' on the branch of f'",
            )
        },
        skip={
            "smoothness_kinks": "the kink at threshold / beta is PyTorch's numerical switch "
            "to the linear branch (a jump below 1e-8); the mathematical function is Cinf"
        },
        pinned=(
            Pinned(0.0, math.log(2.0), "by hand"),
            Pinned(-50.0, 1.9287498479639178e-22, "SciPy 1.17: np.logaddexp(0, -50)"),
        ),
    ),
    "squareplus": Ref(
        lambda x, b: _squareplus(x, b),
        "formula",
        params=({}, {"b": 1.0}),
        limit_probe=1e150,
        limit_probe_reason="the plain formula squares x, which overflows at 1e300",
        extreme_skip={
            **{
                ("value", x): TORCH_OVERFLOW.format("x^2", "inf", "x (x > 0), b / (4|x|) (x < 0)")
                for x in MAX_X
            },
            **{
                ("grad", x): TORCH_OVERFLOW.format("x^2", "x / inf = 0, so 1/2", "1 or 0")
                for x in MAX_X
            },
            **{("grad2", x): TORCH_OVERFLOW.format("x^2", "NaN", "b / (2 r^3) = 0") for x in MAX_X},
        },
        tol={
            "value": Tol(
                1e-10,
                1e-11,
                "x + sqrt(x^2 + b) in the reference cancels for x << 0 (absolute error "
                "eps |x|, 2e-12 at -1e4); the catalog uses b / (2 (sqrt(x^2 + b) - x))",
            ),
            "grad": cancels("the derivative of the formula, (1 + x / sqrt(x^2 + b)) / 2,"),
            "grad2": cancels("1 / r - x^2 / r^3 (r = sqrt(x^2 + b)) by autograd"),
        },
        pinned=(Pinned(0.0, 1.0, "by hand"), Pinned(0.0, 0.5, "by hand", what="grad")),
    ),
    "sparse_plus": Ref(
        _sparse_plus,
        "formula",
        pinned=(Pinned(0.0, 0.25, "by hand"), Pinned(2.0, 2.0, "by hand")),
    ),
    "hard_swish": Ref(
        lambda x: F.hardswish(x),
        "PyTorch",
        extreme_skip={
            ("value", x): TORCH_OVERFLOW.format("x relu6(x + 3)", "inf", "x (relu6(x + 3) / 6) = x")
            for x in MAX_X
        },
        pinned=(Pinned(1.0, 2 / 3, "by hand"), Pinned(-1.5, -0.375, "by hand (minimum)")),
    ),
    "snake": Ref(
        lambda x, a: x + torch.sin(_as_t(a, x) * x) ** 2 / _as_t(a, x),
        "formula",
        extreme_skip={
            **{
                ("value", x): TORCH_OVERFLOW.format("a x for a = 2.5", "sin(inf) = NaN", "x")
                for x in MAX_X
            },
            **{
                ("grad", x): "a x (a = 2.5) is beyond float32's range: the phase is not "
                "representable in the compute dtype, the catalog gives NaN (its notes); the "
                "reference is evaluated in float64"
                for x in MAX_X[2:4]
            },
            **{
                (what, x): "float32 rounds a x (a = 2.5) at |x| = 1.8e19 by far more than the "
                "period: the phase, and so sin(2ax), differs from the float64 reference's"
                for x in (*MAX_X[2:4], *SQRT_MAX_X[2:4])
                for what in ("grad", "grad2")
            },
        },
        params=({}, {"a": 0.6}, {"a": 2.5}),
        param_samples={"a": (0.6, 2.5)},
        limits={
            ("grad", INF): (NAN, "1 + sin(2ax) oscillates: no limit"),
            ("grad", -INF): (NAN, "1 + sin(2ax) oscillates: no limit"),
            ("grad2", INF): (NAN, "2a cos(2ax) oscillates: no limit"),
            ("grad2", -INF): (NAN, "2a cos(2ax) oscillates: no limit"),
        },
        pinned=(Pinned(math.pi / 2, math.pi / 2 + 1.0, "by hand"),),
    ),
    # --------------------------------------------------------------- shrinkage
    "tanhshrink": Ref(
        lambda x: F.tanhshrink(x),
        "PyTorch",
        tol={
            "value": cancels("x - tanh(x) (for small |x|)", 1e-17),
            "grad": cancels("1 - (1 - tanh^2)"),
            "grad2": cancels("2 t (1 - t^2)"),
        },
        pinned=(Pinned(1e-3, 3.3333320000005397e-10, "mpmath 1.3 at 50 digits"),),
    ),
    "softshrink": Ref(
        lambda x, lambd: F.softshrink(x, lambd),
        "PyTorch",
        params=({}, {"lambd": 0.25}, {"lambd": 0.0}),
        pinned=(Pinned(2.0, 1.5, "by hand"),),
    ),
    "hardshrink": Ref(
        lambda x, lambd: F.hardshrink(x, lambd),
        "PyTorch",
        params=({}, {"lambd": 1.5}),
        pinned=(Pinned(0.5, 0.0, "by hand"), Pinned(0.6, 0.6, "by hand")),
    ),
    # ----------------------------------------------------------------- vector
    "softmax": Ref(
        lambda x, axis: F.softmax(x, dim=axis),
        "PyTorch",
        pinned=(
            Pinned(
                [1.0, 2.0, 3.0],
                [0.09003057317038046, 0.24472847105479764, 0.6652409557748218],
                "SciPy 1.17 scipy.special.softmax",
            ),
        ),
    ),
    "log_softmax": Ref(
        lambda x, axis: F.log_softmax(x, dim=axis),
        "PyTorch",
        pinned=(
            Pinned(
                [1.0, 2.0, 3.0],
                [-2.4076059644443806, -1.4076059644443804, -0.4076059644443804],
                "SciPy 1.17 scipy.special.log_softmax",
            ),
        ),
    ),
    "softmin": Ref(
        lambda x, axis: F.softmin(x, dim=axis),
        "PyTorch",
        pinned=(
            Pinned(
                [1.0, 2.0, 3.0],
                [0.6652409557748218, 0.24472847105479764, 0.09003057317038046],
                "SciPy 1.17 scipy.special.softmax(-x)",
            ),
        ),
    ),
    "sparsemax": Ref(
        _sparsemax,
        "formula",
        pinned=(Pinned([1.0, 0.5, -1.0], [0.75, 0.25, 0.0], "by hand (tau = 0.25)"),),
    ),
    "glu": Ref(
        lambda x, axis: F.glu(x, dim=axis),
        "PyTorch",
        extreme_rows_skip=GATE_SKIP,
        pinned=(
            Pinned([0.0, 2.0, 0.0, 3.0], [0.0, 1.9051482536448667], "SciPy 1.17: 2 * expit(3)"),
        ),
    ),
    "swiglu": Ref(
        lambda x, axis: (h := _halves(x, axis))[0] * F.silu(h[1]),
        "formula",
        extreme_rows_skip=GATE_SKIP,
        pinned=(
            Pinned([1.0, 2.0, 0.0, 3.0], [0.0, 5.7154447609346], "SciPy 1.17: 2 * 3 * expit(3)"),
        ),
    ),
    "geglu": Ref(
        lambda x, axis, approximate: (
            (h := _halves(x, axis))[0] * F.gelu(h[1], approximate=approximate)
        ),
        "formula",
        params=({}, {"approximate": "tanh"}),
        extreme_rows_skip={(math.inf, -11.1): GELU_TAIL, (-math.inf, -11.1): GELU_TAIL},
        pinned=(
            Pinned([1.0, 2.0, 0.0, 3.0], [0.0, 5.99190061181022], "SciPy 1.17: 2 * 3 * ndtr(3)"),
        ),
    ),
    "reglu": Ref(
        lambda x, axis: (h := _halves(x, axis))[0] * F.relu(h[1]),
        "formula",
        pinned=(Pinned([1.0, 2.0, -1.0, 3.0], [0.0, 6.0], "by hand"),),
    ),
}
