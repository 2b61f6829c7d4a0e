"""Margin-based softmax losses over (features, class weights): L-Softmax, CosFace, ArcFace.

Signature ``f(labels, (features, weights))`` with features of shape (N, D) and class
weights of shape (C, D); the logits are built from the angles between them, a margin
is applied to the target class, and the loss is the softmax cross-entropy of those
logits. ``grad`` returns ``(d_features, d_weights)``.

All three write the logits as z_ij = h(a_i, b_j, c_ij) with a = |x_i|, b = |W_j| and
c_ij = cos(theta_ij); the gradient back-propagates dL/dz through h and then through
the normalizations (d c_ij / d x_i = (w_j/b_j - c_ij x_i/a_i) / a_i).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import _numerics as N
from .._reduction import Parts
from .._spec import Interval, Param, in_interval, non_negative, positive
from .._validation import check_labels, fail, need_target
from ._common import ROW_REDUCTIONS, log_softmax, onehot_mask
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)

# h(a, b, c, target mask) -> (z, dz/dc, dz/da, dz/db); dz/da, dz/db are None when z
# does not depend on the norms (normalized losses).
Head = Callable[[Any, Any, Any, Any, Any], tuple[Any, Any, Any, Any]]


def _margin_softmax(name: str, xp: Any, y_true: Any, y_pred: Any, head: Head) -> Parts:
    x, w = y_pred
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[1]:
        raise fail(
            name,
            "y_pred must be (features (N, D), class weights (C, D)) with the same D, got "
            f"shapes {tuple(x.shape)} and {tuple(w.shape)}",
        )
    y = need_target(name, y_true)
    if tuple(y.shape) != (x.shape[0],):
        raise fail(name, f"y_true must hold {x.shape[0]} class labels, got {tuple(y.shape)}")
    lab = check_labels(name, xp, y, w.shape[0])
    # squared norms + the dtype's smallest normal, as cosine_similarity, cosine_embedding and
    # ntxent: a zero feature or class weight has cos = 0 (angle pi/2) with everything
    tiny = float(xp.finfo(x.dtype).smallest_normal)
    a = xp.sqrt(xp.sum(x * x, axis=-1, keepdims=True) + tiny)  # (N, 1)
    b = xp.sqrt(xp.sum(w * w, axis=-1, keepdims=True) + tiny)  # (C, 1)
    xh, wh = x / a, w / b
    c = xp.clip(xp.matmul(xh, wh.T), -1.0, 1.0)  # (N, C) cosines
    mask = onehot_mask(xp, lab, w.shape[0])
    z, dz_dc, dz_da, dz_db = head(xp, a, b.T, c, mask)
    logp = log_softmax(xp, z)
    loss = -xp.sum(xp.where(mask, logp, xp.zeros_like(logp)), axis=-1)
    dz = xp.exp(logp) - xp.astype(mask, z.dtype)  # d CE / d z

    def vjp(ct: Any) -> tuple[Any, Any]:
        g = xp.expand_dims(ct, axis=-1) * dz  # (N, C)
        hc = g * dz_dc
        dx = (xp.matmul(hc, wh) - xp.sum(hc * c, axis=-1, keepdims=True) * xh) / a
        dw = (xp.matmul(hc.T, xh) - xp.expand_dims(xp.sum(hc * c, axis=0), axis=-1) * wh) / b
        if dz_da is not None:
            dx = dx + xp.sum(g * dz_da, axis=-1, keepdims=True) * xh
            dw = dw + xp.expand_dims(xp.sum(g * dz_db, axis=0), axis=-1) * wh
        return dx, dw

    return Parts(loss, vjp)


COMMON: dict[str, Any] = {
    "inputs": ("features", "weights"),
    "family": "margin_softmax",
    "task": ("face recognition", "metric learning", "multi-class classification"),
    "y_pred_kind": "values (features, class weights)",
    "reductions": ROW_REDUCTIONS,
    "output_range": NONNEG,
    "smoothness": "C1",
}
SIGNATURE = (
    "Signature: f(labels, (features, weights)) with features (N, D) and class weights "
    "(C, D); grad returns (d_features, d_weights). Squared norms get the dtype's smallest "
    "normal number added (as cosine_similarity and ntxent), so a zero feature or weight has "
    "cos = 0 (angle pi/2) with everything."
)


# ------------------------------------------------------------------------------- cosface
def _cosface(xp: Any, y_true: Any, y_pred: Any, scale: float, margin: float) -> Parts:
    def head(xp: Any, a: Any, b: Any, c: Any, mask: Any) -> tuple[Any, Any, Any, Any]:
        z = scale * xp.where(mask, c - margin, c)
        return z, xp.full_like(c, scale), None, None

    return _margin_softmax("cosface", xp, y_true, y_pred, head)


SCALE = Param(
    "scale", 64.0, "The logit scale s (radius of the hypersphere).", constraint=positive()
)

cosface = define(
    "cosface",
    example={
        "y_true": [0, 2],
        "y_pred": ([[1.0, 0.5], [-0.5, 1.0]], [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]),
    },
    aliases={"am_softmax": {}, "additive_cosine_margin": {}},
    kernel=_cosface,
    params=(
        SCALE,
        Param("margin", 0.35, "Additive cosine margin m.", constraint=in_interval(0.0, 2.0)),
    ),
    summary="CosFace / AM-Softmax: cross-entropy on s (cos theta - m [j = y]) of normalized "
    "features and weights.",
    formula=r"\ell_i = -\log\frac{e^{s(\cos\theta_{iy_i} - m)}}{e^{s(\cos\theta_{iy_i} - m)} + "
    r"\sum_{j\ne y_i} e^{s\cos\theta_{ij}}},\quad \cos\theta_{ij} = \frac{x_i\cdot W_j}"
    r"{|x_i||W_j|}",
    derivative=r"\partial\ell_i/\partial\cos\theta_{ij} = s\,(p_{ij} - [j = y_i]),\quad "
    r"\frac{\partial\cos\theta_{ij}}{\partial x_i} = \frac{\hat W_j - \cos\theta_{ij}\hat x_i}"
    r"{|x_i|}",
    notes=(SIGNATURE,),
    pros=("Large inter-class angular margins; simple additive form",),
    cons=("Two hyperparameters (s, m) to tune",),
    references=(
        "H. Wang et al., CosFace: Large Margin Cosine Loss for Deep Face Recognition, CVPR 2018.",
    ),
    **COMMON,
)


# ------------------------------------------------------------------------------- arcface
def _arcface(xp: Any, y_true: Any, y_pred: Any, scale: float, margin: float) -> Parts:
    cos_m, sin_m = math.cos(margin), math.sin(margin)
    th = math.cos(math.pi - margin)  # beyond theta + m = pi, fall back to a linear penalty
    mm = math.sin(math.pi - margin) * margin

    def head(xp: Any, a: Any, b: Any, c: Any, mask: Any) -> tuple[Any, Any, Any, Any]:
        sin = xp.sqrt(xp.clip(1.0 - c * c, 0.0, 1.0))
        phi = xp.where(c > th, c * cos_m - sin * sin_m, c - mm)  # cos(theta + m)
        tiny = float(xp.finfo(c.dtype).smallest_normal)
        dphi = xp.where(
            c > th, cos_m + c * sin_m / xp.maximum(sin, N.full(xp, sin, tiny)), xp.ones_like(c)
        )
        z = scale * xp.where(mask, phi, c)
        return z, scale * xp.where(mask, dphi, xp.ones_like(c)), None, None

    return _margin_softmax("arcface", xp, y_true, y_pred, head)


arcface = define(
    "arcface",
    example={
        "y_true": [0, 2],
        "y_pred": ([[1.0, 0.5], [-0.5, 1.0]], [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]),
    },
    aliases={"additive_angular_margin": {}},
    kernel=_arcface,
    params=(
        SCALE,
        Param(
            "margin",
            0.5,
            "Additive angular margin m (radians).",
            constraint=in_interval(0.0, math.pi / 2),
        ),
    ),
    summary="ArcFace: cross-entropy on s cos(theta + m) for the target class of normalized "
    "features and weights.",
    formula=r"\ell_i = -\log\frac{e^{s\cos(\theta_{iy_i} + m)}}{e^{s\cos(\theta_{iy_i} + m)} + "
    r"\sum_{j\ne y_i} e^{s\cos\theta_{ij}}}",
    derivative=r"\frac{d\cos(\theta + m)}{d\cos\theta} = \cos m + \frac{\cos\theta\,\sin m}"
    r"{\sin\theta}\ \ (\theta + m < \pi;\ 1 \text{ beyond})",
    notes=(
        SIGNATURE,
        "Where theta + m > pi the target logit is s (cos theta - m sin m) (InsightFace's "
        "fallback), which keeps it monotonic in theta.",
        "The derivative has sin(theta) in the denominator (bounded below by the dtype's "
        "tiny); it is large only for features aligned with their class weight.",
    ),
    pros=("Geodesic margin on the hypersphere; state of the art for face recognition",),
    cons=("Unstable early in training without the fallback or warm-up",),
    references=(
        "J. Deng, J. Guo, N. Xue, S. Zafeiriou, ArcFace: Additive Angular Margin Loss "
        "for Deep Face Recognition, CVPR 2019.",
    ),
    **COMMON,
)


# ------------------------------------------------------------------ large_margin_softmax
def _chebyshev(c: Any, m: int) -> tuple[Any, Any]:
    """(T_m(c), T_m'(c)) = (cos(m theta), m U_{m-1}(c)) by the three-term recurrences."""
    t_prev, t = c * 0.0 + 1.0, c
    u_prev, u = c * 0.0, c * 0.0 + 1.0  # U_{-1} = 0, U_0 = 1
    for _ in range(1, m):
        t_prev, t = t, 2.0 * c * t - t_prev
        u_prev, u = u, 2.0 * c * u - u_prev
    return t, m * u


def _lsoftmax(xp: Any, y_true: Any, y_pred: Any, margin: int, beta: float) -> Parts:
    def head(xp: Any, a: Any, b: Any, c: Any, mask: Any) -> tuple[Any, Any, Any, Any]:
        # k = floor(m theta / pi): the number of thresholds cos(j pi / m) above c
        k = c * 0.0
        for j in range(1, margin):
            k = k + xp.astype(c < math.cos(j * math.pi / margin), c.dtype)
        sign = 1.0 - 2.0 * xp.remainder(k, 2.0)  # (-1)^k
        t, dt = _chebyshev(c, margin)
        psi = (beta * c + sign * t - 2.0 * k) / (1.0 + beta)
        dpsi = (beta + sign * dt) / (1.0 + beta)
        f = xp.where(mask, psi, c)
        ab = a * b
        return ab * f, ab * xp.where(mask, dpsi, xp.ones_like(c)), b * f, a * f

    return _margin_softmax("large_margin_softmax", xp, y_true, y_pred, head)


large_margin_softmax = define(
    "large_margin_softmax",
    example={
        "y_true": [0, 2],
        "y_pred": ([[1.0, 0.5], [-0.5, 1.0]], [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]),
    },
    aliases={"l_softmax": {}, "lsoftmax": {}},
    kernel=_lsoftmax,
    params=(
        Param(
            "margin",
            2,
            "The integer angular margin m >= 1 (1 is plain softmax).",
            kind="int",
            constraint=positive(),
        ),
        Param(
            "beta",
            0.0,
            "The paper's lambda: target logit (beta cos + psi) / (1 + beta), "
            "annealed towards 0 during training.",
            constraint=non_negative(),
        ),
    ),
    summary="L-Softmax (Liu et al. 2016): the target logit |W||x| cos(theta) becomes "
    "|W||x| psi(theta) with psi(theta) = (-1)^k cos(m theta) - 2k.",
    formula=r"z_{ij} = |W_j||x_i|\cos\theta_{ij}\ (j \ne y_i),\quad z_{iy_i} = |W_{y_i}||x_i|"
    r"\,\psi(\theta_{iy_i}),\quad \psi(\theta) = (-1)^k\cos(m\theta) - 2k,\ "
    r"\theta\in[\tfrac{k\pi}{m}, \tfrac{(k+1)\pi}{m}];\quad \ell_i = -\log\operatorname"
    r"{softmax}(z_i)_{y_i}",
    derivative=r"\psi'(\cos\theta) = (-1)^k\,m\,U_{m-1}(\cos\theta),\quad \frac{\partial z}"
    r"{\partial x_i} \text{ through } |x_i| \text{ and } \cos\theta_{ij}",
    notes=(
        SIGNATURE,
        "cos(m theta) is the Chebyshev polynomial T_m(cos theta); its derivative m U_{m-1} is "
        "bounded, so no arccos is differentiated.",
        "Logits keep the feature and weight norms (unlike CosFace and ArcFace).",
    ),
    pros=("Angular margin with a monotonic psi; the original large-margin softmax",),
    cons=("Hard to train from scratch without annealing beta",),
    references=(
        "W. Liu, Y. Wen, Z. Yu, M. Yang, Large-Margin Softmax Loss for Convolutional "
        "Neural Networks, ICML 2016.",
    ),
    **COMMON,
)
