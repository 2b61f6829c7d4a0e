"""Margin and ranking losses (PyTorch's set) and the perceptron criterion.

Binary labels may be given in {-1, 1} or {0, 1} (detected; 0 means -1).
"""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._backend import device as device_of
from .._reduction import Parts
from .._spec import Interval, Param, non_negative, real
from .._validation import check_class_weight as _check_weight
from .._validation import (
    check_labels,
    check_same_shape,
    class_logits,
    fail,
    float_target,
    need_target,
    signed_labels,
)
from ._common import ELEMENTWISE_REDUCTIONS, ROW_REDUCTIONS
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)
BINARY = "Labels in {-1, 1} or {0, 1} are detected (0 means -1); both give the same loss."


def _signed(name: str, xp: Any, y_true: Any, like: Any) -> Any:
    t = need_target(name, y_true)
    check_same_shape(name, t, like)
    return signed_labels(name, xp, t, like)


# --------------------------------------------------------------------------- soft_margin
def _soft_margin(xp: Any, y_true: Any, x: Any) -> Parts:
    t = _signed("soft_margin", xp, y_true, x)
    m = t * x
    return Parts(N.softplus(xp, -m), -t * N.sigmoid(xp, -m))


soft_margin = define(
    "soft_margin",
    kernel=_soft_margin,
    family="margin",
    summary="Logistic loss on margins y * x (two-class logistic regression).",
    formula=r"\ell = \log(1 + e^{-y x})",
    derivative=r"\partial\ell/\partial x = -y\,\sigma(-y x)",
    notes=(BINARY, "Computed as softplus(-y x): exact at +-1e4."),
    pros=("Smooth surrogate of the 0-1 loss; probabilistic",),
    cons=("Never exactly zero",),
    references=("PyTorch documentation, torch.nn.SoftMarginLoss.",),
    torch_equivalent="torch.nn.functional.soft_margin_loss",
    task=("binary classification",),
    y_pred_kind="logits",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="Cinf",
)


# ------------------------------------------------------------------ multilabel_soft_margin
def _ml_soft_margin(xp: Any, y_true: Any, x: Any, weight: Any) -> Parts:
    name = "multilabel_soft_margin"
    c = class_logits(name, xp, x)
    t = float_target(name, xp, y_true, x)
    _check_weight(name, weight, c)
    # mul0: a term with weight 0 adds 0 at x = +-inf (a masked logit), not 0 * inf = NaN
    per = N.mul0(xp, t, N.softplus(xp, -x)) + N.mul0(xp, 1.0 - t, N.softplus(xp, x))
    g = N.sigmoid(xp, x) - t
    if weight is not None:
        per, g = N.mul0(xp, weight, per), weight * g
    return Parts(xp.sum(per, axis=-1) / c, g / c)


multilabel_soft_margin = define(
    "multilabel_soft_margin",
    kernel=_ml_soft_margin,
    params=(
        Param(
            "weight",
            None,
            "Per-class weights, shape (C,) (None: all 1).",
            kind="array",
            constraint=non_negative(),
        ),
    ),
    family="margin",
    summary="Multi-label one-versus-all logistic loss, averaged over the C classes.",
    formula=r"\ell_i = \frac{1}{C}\sum_c w_c\bigl(y_{ic}\operatorname{softplus}(-x_{ic}) + "
    r"(1 - y_{ic})\operatorname{softplus}(x_{ic})\bigr)",
    derivative=r"\partial\ell_i/\partial x_{ic} = \frac{w_c}{C}\bigl(\sigma(x_{ic}) - y_{ic}\bigr)",
    notes=("y_true holds 0/1 (or soft) targets of y_pred's shape (N, C).",),
    pros=("Multi-label classification with logits",),
    cons=("Same as binary_cross_entropy_with_logits averaged per sample",),
    references=("PyTorch documentation, torch.nn.MultiLabelSoftMarginLoss.",),
    torch_equivalent="torch.nn.functional.multilabel_soft_margin_loss",
    task=("multi-label classification",),
    y_pred_kind="logits",
    reductions=ROW_REDUCTIONS,
    output_range=NONNEG,
    smoothness="Cinf",
)


# ----------------------------------------------------------------------- multilabel_margin
def _ml_margin(xp: Any, y_true: Any, x: Any) -> Parts:
    name = "multilabel_margin"
    c = class_logits(name, xp, x)
    y = need_target(name, y_true)
    if tuple(y.shape) != tuple(x.shape):
        raise fail(
            name,
            f"y_true must have y_pred's shape {tuple(x.shape)} (target class indices, "
            f"padded with -1), got {tuple(y.shape)}",
        )
    y = check_labels(name, xp, y, c, ignore_index=-1)
    # targets are the indices before the first -1 of each row
    before_end = xp.cumulative_sum(xp.astype(y == -1, xp.int32), axis=-1) == 0
    ar = xp.arange(c, dtype=y.dtype, device=device_of(y))
    hit = (xp.expand_dims(y, axis=-1) == ar) & xp.expand_dims(before_end, axis=-1)
    # n_j: how often class j is listed; a repeated target counts once per listing (PyTorch)
    n = xp.sum(xp.astype(hit, x.dtype), axis=-2)  # (..., C)
    is_t = n > 0
    pair = xp.expand_dims(is_t, axis=-1) & xp.expand_dims(~is_t, axis=-2)  # [j target, k not]
    zero = xp.zeros_like(pair, dtype=x.dtype)
    # 1 - (x_j - x_k) on pairs only: two masked (-inf) non-targets never meet in a difference
    xj = xp.where(pair, xp.expand_dims(x, axis=-1), zero)
    xk = xp.where(pair, xp.expand_dims(x, axis=-2), zero)
    r = 1.0 - xj + xk
    act = pair & (r > 0)  # [j, k]: j a target, k not, hinge active
    a = xp.where(act, xp.expand_dims(n, axis=-1), xp.zeros_like(r))  # n_j [active]
    loss = xp.sum(a * xp.where(act, r, xp.zeros_like(r)), axis=(-2, -1)) / c
    g = (xp.sum(a, axis=-2) - xp.sum(a, axis=-1)) / c
    return Parts(loss, g)


multilabel_margin = define(
    "multilabel_margin",
    example={"y_true": [[0, 2, -1]], "y_pred": [[2.0, 0.5, -1.0]]},
    kernel=_ml_margin,
    family="margin",
    summary="Multi-label hinge loss: every target class must beat every non-target by 1.",
    formula=r"\ell_i = \frac{1}{C}\sum_{j \in T_i}n_{ij}\sum_{k \notin T_i}\max\bigl(0, 1 - "
    r"(x_{ij} - x_{ik})\bigr)",
    derivative=r"\partial\ell_i/\partial x_{ic} = \frac{1}{C}\Bigl(\sum_{j\in T_i}n_{ij}a_{jc} - "
    r"n_{ic}\sum_{k\notin T_i}a_{ck}\Bigr),\ a_{jk} = [1 - x_{ij} + x_{ik} > 0]",
    notes=(
        "y_true has y_pred's shape and lists target class indices, ended by the first -1 "
        "(PyTorch's format); entries after it are ignored.",
        "n_ij is how often class j is listed: a repeated target index counts once per "
        "listing, as PyTorch (its own tests use targets like [0, 0, 4, 1, 4]).",
        "Subgradient 0 at the hinge.",
    ),
    pros=("Ranking-style multi-label objective",),
    cons=("O(C^2) per sample",),
    references=("PyTorch documentation, torch.nn.MultiLabelMarginLoss.",),
    torch_equivalent="torch.nn.functional.multilabel_margin_loss",
    task=("multi-label classification",),
    y_pred_kind="values (class scores)",
    reductions=ROW_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C0",
)


# ------------------------------------------------------------------------ hinge_embedding
def _hinge_embedding(xp: Any, y_true: Any, x: Any, margin: float) -> Parts:
    t = _signed("hinge_embedding", xp, y_true, x)
    r = margin - x
    pos = t > 0
    loss = xp.where(pos, x, N.relu(xp, r))
    g = xp.where(pos, xp.ones_like(x), xp.where(r > 0, -xp.ones_like(x), xp.zeros_like(x)))
    return Parts(loss, g)


hinge_embedding = define(
    "hinge_embedding",
    example={"y_true": [1, -1, -1], "y_pred": [0.5, 0.3, 1.5]},
    kernel=_hinge_embedding,
    params=(Param("margin", 1.0, "Margin for dissimilar pairs.", constraint=real()),),
    family="margin",
    summary="Loss on distances x: x for similar pairs (y = 1), max(0, margin - x) for "
    "dissimilar ones (y = -1).",
    formula=r"\ell = \begin{cases} x & y = 1 \\ \max(0, \Delta - x) & y = -1\end{cases}",
    derivative=r"\partial\ell/\partial x = \begin{cases} 1 & y = 1 \\ -[\Delta - x > 0] & "
    r"y = -1\end{cases}",
    notes=(BINARY, "Subgradient 0 at x = margin."),
    pros=("Simple metric learning / semi-supervised embedding loss",),
    cons=("Needs a distance as input",),
    references=("PyTorch documentation, torch.nn.HingeEmbeddingLoss.",),
    torch_equivalent="torch.nn.functional.hinge_embedding_loss",
    task=("metric learning",),
    y_pred_kind="distances",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=Interval(-math.inf, math.inf),
    smoothness="C0",
)


# ------------------------------------------------------------------------- margin_ranking
def _margin_ranking(xp: Any, y_true: Any, y_pred: Any, margin: float) -> Parts:
    x1, x2 = y_pred
    check_same_shape("margin_ranking", x1, x2, what="x2")
    t = _signed("margin_ranking", xp, y_true, x1)
    r = margin - t * (x1 - x2)
    act = xp.where(r > 0, t, xp.zeros_like(t))
    return Parts(N.relu(xp, r), (-act, act))


margin_ranking = define(
    "margin_ranking",
    example={"y_true": [1, -1, 1], "y_pred": ([0.5, 0.2, -1.0], [0.1, 0.4, 0.3])},
    kernel=_margin_ranking,
    inputs=("x1", "x2"),
    params=(Param("margin", 0.0, "Required gap between the two scores.", constraint=real()),),
    family="margin",
    summary="Pairwise ranking loss: f(y, (x1, x2)) wants x1 > x2 by margin when y = 1 "
    "(x2 > x1 when y = -1).",
    formula=r"\ell = \max\bigl(0, -y(x_1 - x_2) + \Delta\bigr)",
    derivative=r"\partial\ell/\partial x_1 = -y\,[\ell > 0],\quad \partial\ell/\partial x_2 = "
    r"y\,[\ell > 0]",
    notes=(BINARY, "y_pred is the pair (x1, x2); grad returns (d_x1, d_x2)."),
    pros=("Learning to rank from pairwise preferences",),
    cons=("Only pairwise order, no calibration",),
    references=("PyTorch documentation, torch.nn.MarginRankingLoss.",),
    torch_equivalent="torch.nn.functional.margin_ranking_loss",
    task=("ranking",),
    y_pred_kind="values (pair of scores)",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C0",
)


# ----------------------------------------------------------------------------- perceptron
def _perceptron(xp: Any, y_true: Any, p: Any) -> Parts:
    t = _signed("perceptron", xp, y_true, p)
    r = -t * p
    return Parts(N.relu(xp, r), xp.where(r > 0, -t, xp.zeros_like(t)))


perceptron = define(
    "perceptron",
    example={"y_true": [-1, 1, 1], "y_pred": [-0.5, -0.3, 2.0]},
    kernel=_perceptron,
    family="margin",
    summary="Perceptron criterion: the hinge at margin 0, non-zero only for mistakes.",
    formula=r"\ell = \max(0, -y\,\hat y)",
    derivative=r"\partial\ell/\partial\hat y = -y\,[-y\hat y > 0]",
    notes=(BINARY, "Subgradient 0 at y_pred = 0."),
    pros=("Rosenblatt's update rule as a loss",),
    cons=("No margin: any separating solution has zero loss",),
    references=("F. Rosenblatt, The Perceptron, Psychological Review 65 (1958) 386-408.",),
    task=("binary classification",),
    y_pred_kind="values (decision function)",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C0",
)
