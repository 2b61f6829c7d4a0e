"""Weight penalties over a list of parameter arrays: L1, L2 (weight decay), elastic net.

Signature ``f(None, [w1, w2, ...])``; the per-"sample" values are the penalties of the
individual arrays, the default reduction is their sum, and ``grad`` returns a list with
one gradient per array.
"""

from __future__ import annotations

import math
from typing import Any

from .._reduction import Parts
from .._spec import Interval, Param, in_interval, non_negative
from ._define import define

ALPHA = Param("alpha", 0.01, "Penalty strength (>= 0).", constraint=non_negative())
REG: dict[str, Any] = {
    "family": "regularizer",
    "task": ("regularization",),
    "y_pred_kind": "parameters (a list of weight arrays)",
    "variadic": True,
    "default_reduction": "sum",
    "output_range": Interval(0.0, math.inf, True, False),
    "reductions": {
        "none": r"s_k\,R(w_k) \text{ (one value per parameter array)}",
        "sum": r"\sum_k s_k\,R(w_k) \text{ (the default)}",
        "mean": r"\frac{\sum_k s_k\,R(w_k)}{\sum_k s_k} \text{ (mean over the arrays)}",
    },
}


def _penalty(name: str, per_array: Any) -> Any:
    def kernel(xp: Any, y_true: Any, ws: list[Any], **params: Any) -> Parts:
        if y_true is not None:
            raise TypeError(f"{name}() takes no targets: call it as {name}(None, [w1, w2, ...])")
        values, grads = zip(*(per_array(xp, w, **params) for w in ws), strict=True)
        loss = xp.stack([xp.reshape(v, ()) for v in values])

        def vjp(c: Any) -> list[Any]:
            return [c[k] * g for k, g in enumerate(grads)]

        return Parts(loss, vjp)

    return kernel


def _l1(xp: Any, w: Any, alpha: float) -> tuple[Any, Any]:
    return alpha * xp.sum(xp.abs(w)), alpha * xp.sign(w)


def _l2(xp: Any, w: Any, alpha: float) -> tuple[Any, Any]:
    return 0.5 * alpha * xp.sum(w * w), alpha * w


def _elastic(xp: Any, w: Any, alpha: float, l1_ratio: float) -> tuple[Any, Any]:
    v = alpha * (l1_ratio * xp.sum(xp.abs(w)) + 0.5 * (1.0 - l1_ratio) * xp.sum(w * w))
    return v, alpha * (l1_ratio * xp.sign(w) + (1.0 - l1_ratio) * w)


l1_penalty = define(
    "l1_penalty",
    example={"y_true": None, "y_pred": ([[0.5, -1.0], [0.0, 2.0]], [0.1, -0.3])},
    aliases={"lasso": {}},
    kernel=_penalty("l1_penalty", _l1),
    params=(ALPHA,),
    summary="L1 (lasso) penalty alpha * sum |w| over a list of parameter arrays.",
    formula=r"R(w) = \alpha\sum_j |w_j|",
    derivative=r"\partial R/\partial w_j = \alpha\operatorname{sign}(w_j)",
    notes=("Subgradient 0 at w = 0.",),
    pros=("Drives weights to exactly zero (sparsity)",),
    cons=("Not differentiable at 0",),
    references=(
        "R. Tibshirani, Regression Shrinkage and Selection via the Lasso, J. R. Stat. "
        "Soc. B 58 (1996) 267-288.",
    ),
    smoothness="C0",
    **REG,
)

l2_penalty = define(
    "l2_penalty",
    example={"y_true": None, "y_pred": ([[0.5, -1.0], [0.0, 2.0]], [0.1, -0.3])},
    aliases={"weight_decay": {}, "ridge": {}},
    kernel=_penalty("l2_penalty", _l2),
    params=(ALPHA,),
    summary="L2 penalty (weight decay) alpha/2 * sum w^2 over a list of parameter arrays.",
    formula=r"R(w) = \frac{\alpha}{2}\sum_j w_j^2",
    derivative=r"\partial R/\partial w_j = \alpha\,w_j",
    notes=(
        "The 1/2 makes the gradient alpha * w (SGD weight decay with rate alpha); Keras's "
        "L2 regularizer has no 1/2.",
    ),
    pros=("Smooth shrinkage; equivalent to a Gaussian prior",),
    cons=("Does not produce sparsity",),
    references=("A. E. Hoerl, R. W. Kennard, Ridge Regression, Technometrics 12 (1970) 55-67.",),
    smoothness="Cinf",
    **REG,
)

elastic_net = define(
    "elastic_net",
    example={"y_true": None, "y_pred": ([[0.5, -1.0], [0.0, 2.0]], [0.1, -0.3])},
    kernel=_penalty("elastic_net", _elastic),
    params=(
        ALPHA,
        Param(
            "l1_ratio",
            0.5,
            "Mix of L1 (1) and L2 (0), in [0, 1].",
            constraint=in_interval(0.0, 1.0),
        ),
    ),
    summary="Elastic-net penalty: alpha (l1_ratio |w|_1 + (1 - l1_ratio)/2 |w|_2^2), "
    "scikit-learn's parametrization.",
    formula=r"R(w) = \alpha\Bigl(\rho\sum_j|w_j| + \frac{1-\rho}{2}\sum_j w_j^2\Bigr)",
    derivative=r"\partial R/\partial w_j = \alpha\bigl(\rho\operatorname{sign}(w_j) + "
    r"(1-\rho)w_j\bigr)",
    notes=("Subgradient 0 for the L1 part at w = 0.",),
    pros=("Sparsity with grouped selection of correlated weights",),
    cons=("Two hyperparameters",),
    references=(
        "H. Zou, T. Hastie, Regularization and variable selection via the elastic "
        "net, J. R. Stat. Soc. B 67 (2005) 301-320.",
    ),
    smoothness="C0",
    **REG,
)
