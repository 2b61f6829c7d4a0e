"""Metric-learning losses: contrastive, triplet margin, cosine embedding, cosine similarity
and NT-Xent (SimCLR / InfoNCE). Embeddings have the feature axis last."""

from __future__ import annotations

import math
from typing import Any

from .. import _checks
from .. import _numerics as N
from .._backend import constant
from .._backend import device as device_of
from .._reduction import Parts
from .._spec import Interval, Param, in_interval, non_negative, positive, real
from .._validation import (
    check_same_shape,
    fail,
    float_target,
    need_target,
    signed_labels,
    value_range,
)
from ._common import ELEMENTWISE_REDUCTIONS, ROW_REDUCTIONS, log_softmax
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)
METRIC: dict[str, Any] = {"family": "metric", "task": ("metric learning",)}


def _tiny(xp: Any, x: Any) -> float:
    return float(xp.finfo(x.dtype).smallest_normal)


def _no_target(name: str, y_true: Any) -> None:
    if y_true is not None:
        raise TypeError(f"{name}() takes no targets: pass y_true=None")


# ---------------------------------------------------------------------------- contrastive
def _contrastive(xp: Any, y_true: Any, d: Any, margin: float) -> Parts:
    y = float_target("contrastive", xp, y_true, d)
    if _checks.can_read(y) and not bool(xp.all((y == 0) | (y == 1))):
        lo, hi = value_range(xp, y)
        raise fail(
            "contrastive",
            f"y_true must hold 0 (dissimilar) or 1 (similar), got values in [{lo:g}, {hi:g}]",
        )
    h = N.relu(xp, margin - d)
    return Parts(y * d * d + (1.0 - y) * h * h, 2.0 * y * d - 2.0 * (1.0 - y) * h)


contrastive = define(
    "contrastive",
    example={"y_true": [1, 0, 0], "y_pred": [0.5, 0.3, 1.5]},
    kernel=_contrastive,
    params=(
        Param(
            "margin",
            1.0,
            "Distance beyond which dissimilar pairs cost nothing.",
            constraint=non_negative(),
        ),
    ),
    summary="Contrastive loss on pair distances: pull similar pairs (y = 1) together, push "
    "dissimilar ones (y = 0) beyond the margin.",
    formula=r"\ell = y\,d^2 + (1 - y)\max(\Delta - d, 0)^2",
    derivative=r"\partial\ell/\partial d = 2y\,d - 2(1-y)\max(\Delta - d, 0)",
    notes=(
        "Hadsell, Chopra and LeCun (2006) write each term with a factor 1/2; this is the "
        "common tutorial form without it (twice theirs).",
        "y_pred holds distances d >= 0 (e.g. Euclidean distances of embedding pairs).",
    ),
    pros=("Simple siamese-network objective",),
    cons=("Needs pair mining; margin in distance units",),
    references=(
        "R. Hadsell, S. Chopra, Y. LeCun, Dimensionality Reduction by Learning an "
        "Invariant Mapping, CVPR 2006.",
    ),
    y_pred_kind="distances",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C1",
    **METRIC,
)


# ------------------------------------------------------------------------ triplet_margin
def _pnorm(xp: Any, v: Any, p: float) -> tuple[Any, Any]:
    """(|v|_p along the last axis, its gradient sign(v)|v|^(p-1) / |v|_p^(p-1))."""
    a = xp.abs(v)
    if p == 2.0:
        n = xp.sqrt(xp.sum(v * v, axis=-1, keepdims=True))
        g = v / xp.where(n > 0, n, xp.ones_like(n))
    elif p == 1.0:
        n = xp.sum(a, axis=-1, keepdims=True)
        g = xp.sign(v)
    else:
        n = xp.pow(xp.sum(xp.pow(a, p), axis=-1, keepdims=True), 1.0 / p)
        g = xp.sign(v) * xp.pow(a, p - 1.0) / xp.where(n > 0, xp.pow(n, p - 1.0), xp.ones_like(n))
    return xp.squeeze(n, axis=-1), g


def _triplet(
    xp: Any, y_true: Any, y_pred: Any, margin: float, p: float, swap: bool, eps: float
) -> Parts:
    name = "triplet_margin"
    _no_target(name, y_true)
    a, pos, neg = y_pred
    check_same_shape(name, a, pos, what="positive")
    check_same_shape(name, a, neg, what="negative")
    if a.ndim < 1:
        raise fail(name, "embeddings need a feature axis (last)")
    d_ap, g_ap = _pnorm(xp, a - pos + eps, p)  # PyTorch's pairwise_distance adds eps
    d_an, g_an = _pnorm(xp, a - neg + eps, p)
    if swap:
        d_pn, g_pn = _pnorm(xp, pos - neg + eps, p)
        use_pn = d_pn < d_an
        d_neg = xp.where(use_pn, d_pn, d_an)
    else:
        d_neg = d_an
    r = d_ap - d_neg + margin
    act = xp.expand_dims(xp.astype(r > 0, a.dtype), axis=-1)
    if swap:
        u = xp.expand_dims(xp.astype(use_pn, a.dtype), axis=-1)
        ga = g_ap - (1.0 - u) * g_an
        gp = -g_ap - u * g_pn
        gn = (1.0 - u) * g_an + u * g_pn
    else:
        ga, gp, gn = g_ap - g_an, -g_ap, g_an
    return Parts(N.relu(xp, r), (act * ga, act * gp, act * gn))


triplet_margin = define(
    "triplet_margin",
    example={"y_true": None, "y_pred": ([[1.0, 0.5]], [[0.8, 0.6]], [[-0.5, 1.0]])},
    aliases={"triplet": {}},
    kernel=_triplet,
    inputs=("anchor", "positive", "negative"),
    params=(
        Param("margin", 1.0, "Required gap between the two distances.", constraint=real()),
        Param(
            "p", 2.0, "The norm degree (>= 1).", constraint=in_interval(1.0, math.inf, closed="[)")
        ),
        Param("swap", False, "Use min(d(a, n), d(p, n)) (the distance swap).", kind="bool"),
        Param(
            "eps",
            1e-6,
            "Added to differences before the norm (as PyTorch).",
            constraint=non_negative(),
        ),
    ),
    summary="Triplet margin loss: the anchor must be closer to the positive than to the "
    "negative by a margin; f(None, (anchor, positive, negative)).",
    formula=r"\ell_i = \max\bigl(\|a_i - p_i\|_p - \|a_i - n_i\|_p + \Delta, 0\bigr)",
    derivative=r"\partial\ell_i/\partial a_i = [\ell_i > 0]\bigl(\nabla\|v_{ap}\| - "
    r"\nabla\|v_{an}\|\bigr),\quad \nabla\|v\|_p = \frac{\operatorname{sign}(v)|v|^{p-1}}"
    r"{\|v\|_p^{p-1}}",
    notes=("y_true must be None; grad returns (d_anchor, d_positive, d_negative).",),
    pros=("Learns relative distances; the FaceNet objective",),
    cons=("Needs triplet mining; many triplets are inactive",),
    references=(
        "F. Schroff, D. Kalenichenko, J. Philbin, FaceNet, CVPR 2015.",
        "V. Balntas et al., Learning local feature descriptors with triplets and "
        "shallow convolutional neural networks, BMVC 2016 (swap).",
    ),
    torch_equivalent="torch.nn.functional.triplet_margin_loss",
    y_pred_kind="values (embeddings: anchor, positive, negative)",
    reductions=ROW_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C0",
    **METRIC,
)


# ---------------------------------------------------------------------- cosine helpers
def _cos_parts(xp: Any, x1: Any, x2: Any) -> tuple[Any, Any, Any]:
    """cos along the last axis with |x|^2 + tiny (as PyTorch's cosine_embedding_loss, with
    the dtype's smallest normal number), and d cos / d x1, d cos / d x2."""
    tiny = _tiny(xp, x1)
    s = xp.sum(x1 * x2, axis=-1, keepdims=True)
    a = xp.sum(x1 * x1, axis=-1, keepdims=True) + tiny
    b = xp.sum(x2 * x2, axis=-1, keepdims=True) + tiny
    r = xp.sqrt(a) * xp.sqrt(b)  # a * b would underflow to 0 for two zero vectors
    cos = s / r
    return xp.squeeze(cos, axis=-1), x2 / r - cos * x1 / a, x1 / r - cos * x2 / b


# ---------------------------------------------------------------------- cosine_embedding
def _cosine_embedding(xp: Any, y_true: Any, y_pred: Any, margin: float) -> Parts:
    name = "cosine_embedding"
    x1, x2 = y_pred
    check_same_shape(name, x1, x2, what="x2")
    if x1.ndim < 1:
        raise fail(name, "embeddings need a feature axis (last)")
    t = need_target(name, y_true)
    if tuple(t.shape) != tuple(x1.shape[:-1]):
        raise fail(
            name,
            f"y_true must have shape {tuple(x1.shape[:-1])} (one label per pair), "
            f"got {tuple(t.shape)}",
        )
    y = signed_labels(name, xp, t, x1)
    cos, g1, g2 = _cos_parts(xp, x1, x2)
    pos = y > 0
    loss = xp.where(pos, 1.0 - cos, N.relu(xp, cos - margin))
    s = xp.where(pos, -xp.ones_like(cos), xp.astype(cos - margin > 0, cos.dtype))
    s = xp.expand_dims(s, axis=-1)
    return Parts(loss, (s * g1, s * g2))


cosine_embedding = define(
    "cosine_embedding",
    example={"y_true": [1, -1], "y_pred": ([[1.0, 0.5], [0.2, 1.0]], [[0.8, 0.6], [1.0, 0.1]])},
    kernel=_cosine_embedding,
    inputs=("x1", "x2"),
    params=(
        Param(
            "margin",
            0.0,
            "Cosine above which dissimilar pairs are penalized.",
            constraint=in_interval(-1.0, 1.0),
        ),
    ),
    summary="Cosine embedding loss: 1 - cos for similar pairs (y = 1), max(0, cos - margin) "
    "for dissimilar ones (y = -1).",
    formula=r"\ell_i = \begin{cases} 1 - \cos(x_{1i}, x_{2i}) & y_i = 1 \\ \max(0, "
    r"\cos(x_{1i}, x_{2i}) - \Delta) & y_i = -1\end{cases}",
    derivative=r"\frac{\partial\cos}{\partial x_1} = \frac{x_2}{|x_1||x_2|} - \cos\,"
    r"\frac{x_1}{|x_1|^2}",
    notes=(
        "Labels in {-1, 1} or {0, 1} (detected). grad returns (d_x1, d_x2).",
        "Squared norms get the dtype's smallest normal number added (PyTorch adds 1e-12), "
        "so zero vectors give cos = 0.",
    ),
    pros=("Scale-invariant similarity learning",),
    cons=("Ignores embedding norms",),
    references=("PyTorch documentation, torch.nn.CosineEmbeddingLoss.",),
    torch_equivalent="torch.nn.functional.cosine_embedding_loss",
    y_pred_kind="values (pair of embeddings)",
    reductions=ROW_REDUCTIONS,
    output_range=Interval(0.0, 2.0, True, True),
    smoothness="C0",
    **METRIC,
)


# ---------------------------------------------------------------------- cosine_similarity
def _cosine_similarity(xp: Any, y_true: Any, p: Any) -> Parts:
    t = float_target("cosine_similarity", xp, y_true, p)
    if p.ndim < 1:
        raise fail("cosine_similarity", "y_pred needs a feature axis (last)")
    cos, _, g = _cos_parts(xp, t, p)
    return Parts(-cos, -g)


cosine_similarity = define(
    "cosine_similarity",
    kernel=_cosine_similarity,
    summary="Negative cosine similarity between target and predicted vectors (Keras's "
    "CosineSimilarity loss): -1 is a perfect match.",
    formula=r"\ell_i = -\frac{y_i\cdot\hat y_i}{|y_i|\,|\hat y_i|}",
    derivative=r"\partial\ell_i/\partial\hat y_i = -\Bigl(\frac{y_i}{|y_i||\hat y_i|} - "
    r"\cos_i\,\frac{\hat y_i}{|\hat y_i|^2}\Bigr)",
    notes=(
        "Keras's convention (range [-1, 1]); optax's cosine_distance is 1 + this value.",
        "Squared norms get the dtype's smallest normal number added, so a zero vector gives 0.",
    ),
    pros=("Direction-only regression target",),
    cons=("Ignores magnitude",),
    references=("Keras documentation, keras.losses.CosineSimilarity.",),
    task=("regression (directions)", "metric learning"),
    family="metric",
    y_pred_kind="values (vectors)",
    reductions=ROW_REDUCTIONS,
    output_range=Interval(-1.0, 1.0, True, True),
    smoothness="Cinf",
)


# -------------------------------------------------------------------------------- ntxent
def _ntxent(xp: Any, y_true: Any, y_pred: Any, temperature: float) -> Parts:
    name = "ntxent"
    _no_target(name, y_true)
    z1, z2 = y_pred
    check_same_shape(name, z1, z2, what="z2")
    if z1.ndim != 2:
        raise fail(name, f"views must be (N, D) batches, got shape {tuple(z1.shape)}")
    n = z1.shape[0]
    z = xp.concat([z1, z2], axis=0)
    # |z|^2 + tiny, as cosine_similarity and cosine_embedding: a zero vector has cos = 0
    # with every other embedding (optax's ntxent likewise)
    r = xp.sqrt(xp.sum(z * z, axis=-1, keepdims=True) + _tiny(xp, z))
    zh = z / r
    sim = xp.matmul(zh, zh.T) / temperature
    ar = xp.arange(2 * n, device=device_of(z))
    diag = xp.expand_dims(ar, axis=1) == xp.expand_dims(ar, axis=0)
    pos = xp.expand_dims(ar, axis=0) == xp.expand_dims((ar + n) % (2 * n), axis=1)
    logits = xp.where(diag, constant(xp, -math.inf, sim), sim)  # a sample is not its own pair
    logp = log_softmax(xp, logits)
    loss = -xp.sum(xp.where(pos, logp, xp.zeros_like(logp)), axis=-1)
    dlogits = xp.exp(logp) - xp.astype(pos, z.dtype)

    def vjp(c: Any) -> tuple[Any, Any]:
        g = xp.expand_dims(c, axis=-1) * dlogits  # d / d sim (diagonal: exp(-inf) = 0)
        dzh = xp.matmul(g + g.T, zh) / temperature
        dz = (dzh - xp.sum(dzh * zh, axis=-1, keepdims=True) * zh) / r
        return dz[:n, ...], dz[n:, ...]

    return Parts(loss, vjp)


ntxent = define(
    "ntxent",
    example={"y_true": None, "y_pred": ([[1.0, 0.5], [-0.5, 1.0]], [[0.8, 0.6], [-0.2, 1.0]])},
    aliases={"nt_xent": {}, "info_nce": {}, "simclr": {}},
    kernel=_ntxent,
    inputs=("z1", "z2"),
    params=(Param("temperature", 0.5, "Softmax temperature tau (> 0).", constraint=positive()),),
    summary="NT-Xent (SimCLR, InfoNCE): each embedding must pick its other view among the "
    "2N - 1 others; f(None, (z1, z2)).",
    formula=r"\ell_i = -\log\frac{\exp(s_{i,j(i)}/\tau)}{\sum_{k\ne i}\exp(s_{ik}/\tau)},\quad "
    r"s_{ik} = \frac{z_i\cdot z_k}{|z_i||z_k|}",
    derivative=r"\frac{\partial L}{\partial \hat Z} = \frac{(G + G^\top)\hat Z}{\tau},\ "
    r"G_{ik} = c_i\bigl(P_{ik} - [k = j(i)]\bigr)",
    notes=(
        "z1 and z2 are (N, D) batches of two views; the per-sample losses are the 2N anchors "
        "(z1 rows, then z2 rows), and 'mean' averages them (SimCLR's loss).",
        "The samples are coupled: grad is a vector-Jacobian product over the whole batch.",
        "Squared norms get the dtype's smallest normal number added, as in cosine_similarity "
        "and cosine_embedding, so a zero embedding has cos = 0 with every other one (optax's "
        "ntxent gives the same value; its batched test with a zero embedding expects 9.2889).",
    ),
    pros=("Self-supervised representation learning without labels",),
    cons=("Needs large batches (many negatives)",),
    references=(
        "T. Chen, S. Kornblith, M. Norouzi, G. Hinton, A Simple Framework for "
        "Contrastive Learning of Visual Representations, ICML 2020.",
        "A. van den Oord, Y. Li, O. Vinyals, Representation Learning with Contrastive "
        "Predictive Coding, 2018 (InfoNCE).",
    ),
    task=("self-supervised learning", "metric learning"),
    family="metric",
    y_pred_kind="values (two views of embeddings)",
    reductions={
        "none": r"s_i\,\ell_i\ (2N \text{ values})",
        "sum": r"\sum_i s_i\,\ell_i",
        "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}\ (\text{over the } 2N \text{ anchors})",
    },
    output_range=NONNEG,
    smoothness="Cinf",
)
