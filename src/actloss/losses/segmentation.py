"""Overlap losses for segmentation: soft Dice and Tversky on predicted probabilities.

Inputs are (N, ...) masks: every axis after the first is summed over, one loss per
sample. An empty target with an empty prediction is a perfect match (loss 0).
"""

from __future__ import annotations

from typing import Any

from .._reduction import Parts
from .._spec import Interval, Param, non_negative
from .._validation import check_probabilities, fail, float_target
from ._define import define

SEG: dict[str, Any] = {
    "family": "segmentation",
    "task": ("segmentation",),
    "y_pred_kind": "probabilities",
    "reductions": {
        "none": r"s_i\,\ell_i \text{ (one value per sample: the first axis)}",
        "sum": r"\sum_i s_i\,\ell_i",
        "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}",
    },
    "output_range": Interval(0.0, 1.0, True, True),
    "smoothness": "Cinf",
}
SMOOTH = Param(
    "smooth", 1.0, "Added to numerator and denominator (>= 0).", constraint=non_negative()
)


def _masks(name: str, xp: Any, y_true: Any, p: Any) -> tuple[Any, tuple[int, ...]]:
    if p.ndim < 2:
        raise fail(
            name, f"y_pred must be (N, ...) masks with a batch axis, got shape {tuple(p.shape)}"
        )
    t = float_target(name, xp, y_true, p)
    check_probabilities(name, xp, p)
    check_probabilities(name, xp, t, what="y_true")
    return t, tuple(range(1, p.ndim))


def _expand(xp: Any, v: Any, ndim: int) -> Any:
    return xp.reshape(v, tuple(v.shape) + (1,) * (ndim - 1))


def _ratio(xp: Any, num: Any, den: Any) -> tuple[Any, Any, Any]:
    """(num / den with 1 where den == 0 (empty vs empty), the mask, a safe denominator)."""
    ok = den > 0
    safe = xp.where(ok, den, xp.ones_like(den))
    return xp.where(ok, num / safe, xp.ones_like(num)), ok, safe


def _dice(xp: Any, y_true: Any, p: Any, smooth: float) -> Parts:
    t, axes = _masks("dice", xp, y_true, p)
    inter = xp.sum(t * p, axis=axes)
    union = xp.sum(t, axis=axes) + xp.sum(p, axis=axes)
    num, den = 2.0 * inter + smooth, union + smooth
    r, ok, safe = _ratio(xp, num, den)
    # d r / d p_k = (2 t_k den - num) / den^2
    g = -(2.0 * t * _expand(xp, safe, p.ndim) - _expand(xp, num, p.ndim))
    g = g / _expand(xp, safe * safe, p.ndim)
    return Parts(1.0 - r, xp.where(_expand(xp, ok, p.ndim), g, xp.zeros_like(g)))


dice = define(
    "dice",
    example={"y_true": [[1.0, 0.0, 1.0, 1.0]], "y_pred": [[0.9, 0.2, 0.6, 0.7]]},
    aliases={"soft_dice": {}},
    kernel=_dice,
    params=(SMOOTH,),
    summary="Soft Dice loss: 1 - (2|A.B| + s) / (|A| + |B| + s) per sample.",
    formula=r"\ell_i = 1 - \frac{2\sum_k y_{ik}p_{ik} + s}{\sum_k y_{ik} + \sum_k p_{ik} + s}",
    derivative=r"\partial\ell_i/\partial p_{ik} = -\frac{2y_{ik}(U_i + s) - (2I_i + s)}"
    r"{(U_i + s)^2}",
    notes=(
        "Empty target and empty prediction give 0 (also for smooth = 0, where 0/0 is "
        "defined as a perfect match, with gradient 0).",
    ),
    pros=("Insensitive to class imbalance (foreground fraction)",),
    cons=("Noisy gradients for small structures",),
    references=("F. Milletari, N. Navab, S.-A. Ahmadi, V-Net, 3DV 2016.",),
    **SEG,
)


def _tversky(xp: Any, y_true: Any, p: Any, alpha: float, beta: float, smooth: float) -> Parts:
    t, axes = _masks("tversky", xp, y_true, p)
    tp = xp.sum(t * p, axis=axes)
    fp = xp.sum((1.0 - t) * p, axis=axes)
    fn = xp.sum(t * (1.0 - p), axis=axes)
    num = tp + smooth
    den = tp + alpha * fp + beta * fn + smooth
    r, ok, safe = _ratio(xp, num, den)
    dden = t + alpha * (1.0 - t) - beta * t  # d den / d p_k
    g = -(t * _expand(xp, safe, p.ndim) - _expand(xp, num, p.ndim) * dden)
    g = g / _expand(xp, safe * safe, p.ndim)
    return Parts(1.0 - r, xp.where(_expand(xp, ok, p.ndim), g, xp.zeros_like(g)))


tversky = define(
    "tversky",
    example={"y_true": [[1.0, 0.0, 1.0, 1.0]], "y_pred": [[0.9, 0.2, 0.6, 0.7]]},
    kernel=_tversky,
    params=(
        Param("alpha", 0.5, "Weight of false positives (>= 0).", constraint=non_negative()),
        Param("beta", 0.5, "Weight of false negatives (>= 0).", constraint=non_negative()),
        SMOOTH,
    ),
    summary="Tversky loss: Dice with separate weights for false positives and false negatives.",
    formula=r"\ell_i = 1 - \frac{TP_i + s}{TP_i + \alpha FP_i + \beta FN_i + s},\quad "
    r"TP = \sum y p,\ FP = \sum(1-y)p,\ FN = \sum y(1-p)",
    derivative=r"\partial\ell_i/\partial p_{ik} = -\frac{y_{ik}D_i - (TP_i + s)(y_{ik} + "
    r"\alpha(1-y_{ik}) - \beta y_{ik})}{D_i^2}",
    notes=(
        "alpha = beta = 1/2 is the Dice loss (with smooth doubled); beta > alpha favours recall.",
        "Empty target and empty prediction give 0.",
    ),
    pros=("Tunable precision/recall trade-off for imbalanced segmentation",),
    cons=("Two more hyperparameters",),
    references=(
        "S. S. M. Salehi, D. Erdogmus, A. Gholipour, Tversky loss function for image "
        "segmentation using 3D fully convolutional deep networks, MLMI 2017.",
    ),
    **SEG,
)
