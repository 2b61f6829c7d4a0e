"""Newer classification losses on logits: Poly-1 cross-entropy, generalized cross-entropy
(noisy labels), and the sparsemax loss."""

from __future__ import annotations

import math
from typing import Any

from .._reduction import Parts
from .._spec import Interval, Param, in_interval, real
from .._validation import targets
from ..activations.softmax import sparsemax as _sparsemax
from ._common import AXIS, ROW_REDUCTIONS, gather_last, log_softmax, onehot_mask
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)
COMMON: dict[str, Any] = {
    "family": "classification",
    "task": ("multi-class classification",),
    "y_pred_kind": "logits",
    "reductions": ROW_REDUCTIONS,
}


def _target_matrix(xp: Any, kind: str, t: Any, z: Any) -> Any:
    return t if kind == "soft" else xp.astype(onehot_mask(xp, t, z.shape[-1]), z.dtype)


# --------------------------------------------------------------------------------- poly1
def _poly1(xp: Any, y_true: Any, z: Any, epsilon: float) -> Parts:
    kind, t = targets("poly1_cross_entropy", xp, y_true, z)
    logp = log_softmax(xp, z)
    p = xp.exp(logp)
    if kind == "labels":
        ce = -gather_last(xp, logp, t)
        pt = gather_last(xp, p, t)
    else:
        ce = -xp.sum(t * xp.where(t == 0, xp.zeros_like(logp), logp), axis=-1)  # 0 log 0 = 0
        pt = xp.sum(t * p, axis=-1)
    y = _target_matrix(xp, kind, t, z)
    ysum = xp.sum(y, axis=-1, keepdims=True)
    # d pt / d z_j = y_j p_j - p_j pt
    g = ysum * p - y - epsilon * (y * p - p * xp.expand_dims(pt, axis=-1))
    return Parts(ce + epsilon * (1.0 - pt), g)


poly1_cross_entropy = define(
    "poly1_cross_entropy",
    aliases={"poly1": {}, "poly_loss": {}},
    class_axis=True,
    kernel=_poly1,
    params=(
        Param(
            "epsilon",
            2.0,
            "Weight of the first polynomial term (optax's default 2).",
            constraint=real(),
        ),
        AXIS,
    ),
    summary="Poly-1 loss: cross-entropy plus epsilon (1 - p_t), the leading term of its "
    "polynomial expansion.",
    formula=r"\ell_i = -\sum_c y_{ic}\log p_{ic} + \epsilon\Bigl(1 - \sum_c y_{ic}p_{ic}\Bigr)",
    derivative=r"\partial\ell_i/\partial z_{ij} = \Bigl(\sum_c y_{ic}\Bigr)p_{ij} - y_{ij} - "
    r"\epsilon\,(y_{ij}p_{ij} - p_{ij}\,p_t)",
    notes=("y_true: integer labels or probability targets of y_pred's shape.",),
    pros=("One extra hyperparameter over cross-entropy; often a small accuracy gain",),
    cons=("epsilon < -1 makes the loss non-monotonic in p_t",),
    references=(
        "Z. Leng et al., PolyLoss: A Polynomial Expansion Perspective of "
        "Classification Loss Functions, ICLR 2022.",
        "optax documentation, optax.losses.poly_loss_cross_entropy.",
    ),
    output_range=Interval(-math.inf, math.inf),
    smoothness="Cinf",
    **COMMON,
)


# --------------------------------------------------------------- generalized cross-entropy
def _gce(xp: Any, y_true: Any, z: Any, q: float) -> Parts:
    _, t = targets("generalized_cross_entropy", xp, y_true, z, allow_soft=False)
    logp = log_softmax(xp, z)
    p = xp.exp(logp)
    pq = xp.exp(q * gather_last(xp, logp, t))  # p_y^q from log p_y: no underflow of p_y first
    y = _target_matrix(xp, "labels", t, z)
    return Parts((1.0 - pq) / q, -xp.expand_dims(pq, axis=-1) * (y - p))


generalized_cross_entropy = define(
    "generalized_cross_entropy",
    aliases={"gce": {}},
    class_axis=True,
    kernel=_gce,
    params=(
        Param(
            "q",
            0.7,
            "Interpolates cross-entropy (q -> 0) and MAE (q = 1), in (0, 1].",
            constraint=in_interval(0.0, 1.0, closed="(]"),
        ),
        AXIS,
    ),
    summary="Generalized cross-entropy (L_q loss) for noisy labels: (1 - p_y^q) / q.",
    formula=r"\ell_i = \frac{1 - p_{iy_i}^{\,q}}{q},\quad p_i = \operatorname{softmax}(z_i)",
    derivative=r"\partial\ell_i/\partial z_{ij} = -p_{iy_i}^{\,q}\,([j = y_i] - p_{ij})",
    notes=("q -> 0 recovers cross-entropy; q = 1 is the (unhinged) MAE 1 - p_y.",),
    pros=("Robust to label noise (bounded loss)",),
    cons=("Slower convergence than cross-entropy on clean data",),
    references=(
        "Z. Zhang, M. R. Sabuncu, Generalized Cross Entropy Loss for Training Deep "
        "Neural Networks with Noisy Labels, NeurIPS 2018.",
    ),
    output_range=Interval(0.0, math.inf, True, False),
    smoothness="Cinf",
    **COMMON,
)


# ------------------------------------------------------------------------- sparsemax_loss
def _sparsemax_loss(xp: Any, y_true: Any, z: Any) -> Parts:
    kind, t = targets("sparsemax_loss", xp, y_true, z)
    p = _sparsemax(z, axis=-1)
    y = _target_matrix(xp, kind, t, z)
    # -<y, z> + 1/2 sum_{j in S}(z_j^2 - tau^2) + 1/2 |y|^2, written as <p, z> - |p|^2 / 2;
    # p * z and y * z are 0 where p (y) is 0: a masked class (z = -inf) adds nothing, not NaN
    zero = xp.zeros_like(z)
    pz = p * xp.where(p == 0, zero, z)
    yz = y * xp.where(y == 0, zero, z)
    loss = xp.sum(pz - 0.5 * p * p - yz + 0.5 * y * y, axis=-1)
    return Parts(loss, p - y)


sparsemax_loss = define(
    "sparsemax_loss",
    not_probability_logits="sparsemax scores are not softmax logits",
    params=(AXIS,),
    class_axis=True,
    kernel=_sparsemax_loss,
    summary="The sparsemax loss: the natural loss of sparsemax, as cross-entropy is of softmax.",
    formula=r"\ell_i = -y_i\cdot z_i + \tfrac12\sum_{j\in S(z_i)}(z_{ij}^2 - \tau(z_i)^2) + "
    r"\tfrac12\|y_i\|^2",
    derivative=r"\partial\ell_i/\partial z_i = \operatorname{sparsemax}(z_i) - y_i",
    notes=(
        "Computed as <p, z> - |p|^2/2 - <y, z> + |y|^2/2 with p = sparsemax(z) (the same "
        "value); y_true: integer labels (one-hot y) or probability targets.",
        "Zero exactly when sparsemax(z) = y; gradient p - y, like softmax cross-entropy.",
        "Logits of -inf (masked classes) give the limits: p_j z_j and y_j z_j are 0 where "
        "p_j (y_j) is 0, and a target class at -inf gives +inf.",
    ),
    pros=("Sparse probability outputs; a margin-like zero loss region",),
    cons=("Piecewise quadratic: zero gradient once the target is separated",),
    references=("A. F. T. Martins, R. F. Astudillo, From Softmax to Sparsemax, ICML 2016.",),
    output_range=NONNEG,
    smoothness="C1",
    **COMMON,
)
