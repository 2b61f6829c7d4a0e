"""Classification losses: cross-entropies, focal losses, hinge losses, the 0-1 loss.

Class scores have the class axis last (shape (..., C)); integer labels have the
scores' shape without it. Logit losses work in log space (log-softmax with the max
shift, softplus), so they are exact at logits of +-1e4; probability losses clip
once, at the machine epsilon of the compute dtype.
"""

from __future__ import annotations

import math
from typing import Any

from .. import _numerics as N
from .._backend import constant
from .._reduction import Parts
from .._spec import Constraint, Fused, Interval, Param, in_interval, non_negative
from .._validation import check_class_weight as _check_weight
from .._validation import (
    check_probabilities,
    check_same_shape,
    clip_epsilon,
    fail,
    float_target,
    need_target,
    signed_labels,
    targets,
)
from ._common import (
    AXIS,
    ELEMENTWISE_REDUCTIONS,
    class_weight_of,
    gather_last,
    log_softmax,
    onehot_mask,
)
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)

CLASS_REDUCTIONS = {
    "none": r"s_i\,\ell_i \text{ (one value per sample; } \ell_i \text{ includes } w_{y_i})",
    "sum": r"\sum_i s_i\,\ell_i",
    "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i\,w_{y_i}\,[y_i \ne \text{ignore\_index}]}"
    r"\text{ (integer labels; PyTorch's convention)},\quad \frac{\sum_i s_i\,\ell_i}"
    r"{\sum_i s_i} \text{ (probability targets)}",
}

WEIGHT = Param(
    "weight",
    None,
    "Per-class weights, shape (C,), >= 0 (None: all 1).",
    kind="array",
    constraint=non_negative(),
)
IGNORE = Param(
    "ignore_index", -100, "A label value whose samples are ignored (integer labels).", kind="int"
)
SMOOTHING = Param(
    "label_smoothing",
    0.0,
    "Mix targets with the uniform distribution, in [0, 1].",
    constraint=in_interval(0.0, 1.0),
)


# --------------------------------------------------------------------- target weights
def _label_parts(xp: Any, t: Any, z: Any, weight: Any, ignore_index: int) -> tuple[Any, ...]:
    """(safe labels, valid mask, w_y with 0 for ignored samples)."""
    valid = t != ignore_index
    lab = xp.where(valid, t, xp.zeros_like(t))
    wy = class_weight_of(xp, weight, lab, z)
    return lab, valid, xp.where(valid, wy, xp.zeros_like(wy))


def _dense_coefficients(
    xp: Any, lab: Any, valid: Any, wy: Any, z: Any, weight: Any, eps: float
) -> Any:
    """a_ic with loss_i = -sum_c a_ic f_ic (for gradients: a boolean class mask is needed)."""
    c = z.shape[-1]
    mask = onehot_mask(xp, lab, c)
    a = (1.0 - eps) * xp.where(mask, xp.expand_dims(wy, axis=-1), xp.zeros_like(z))
    if eps > 0:
        w = xp.ones_like(z) if weight is None else xp.broadcast_to(weight, z.shape)
        a = a + (eps / c) * w * xp.expand_dims(xp.astype(valid, z.dtype), axis=-1)
    return a


def _soft_coefficients(xp: Any, t: Any, z: Any, weight: Any, eps: float) -> Any:
    c = z.shape[-1]
    q = (1.0 - eps) * t + eps / c if eps > 0 else t
    return q if weight is None else q * weight


def _rows(xp: Any, make: Any) -> Any:
    """A lazy row gradient: c -> c[..., None] * make() (NaN propagates through make())."""
    return lambda c: xp.expand_dims(c, axis=-1) * make()


def _xlogy(xp: Any, a: Any, logp: Any) -> Any:
    """a * logp with 0 where a == 0 (0 log 0 = 0)."""
    return a * xp.where(a == 0, xp.zeros_like(logp), logp)  # never 0 * -inf


# ------------------------------------------------------------------------ cross_entropy
def _cross_entropy(
    xp: Any, y_true: Any, z: Any, weight: Any, ignore_index: int, label_smoothing: float
) -> Parts:
    name = "cross_entropy"
    kind, t = targets(name, xp, y_true, z, ignore_index=ignore_index)
    _check_weight(name, weight, z.shape[-1])
    logp = log_softmax(xp, z)
    p = xp.exp(logp)
    eps = label_smoothing
    if kind == "soft":
        a = _soft_coefficients(xp, t, z, weight, eps)
        loss = -xp.sum(_xlogy(xp, a, logp), axis=-1)
        return Parts(loss, xp.sum(a, axis=-1, keepdims=True) * p - a)
    c = z.shape[-1]
    lab, valid, wy = _label_parts(xp, t, z, weight, ignore_index)
    # a gather, never a one-hot; an ignored sample (w = 0) adds 0 even at a masked class
    loss = -(1.0 - eps) * _xlogy(xp, wy, gather_last(xp, logp, lab))
    if eps > 0:
        wlogp = logp if weight is None else _xlogy(xp, weight, logp)
        smooth = xp.sum(wlogp, axis=-1)
        loss = loss - (eps / c) * xp.where(valid, smooth, xp.zeros_like(smooth))

    def grad() -> Any:  # the class mask is built only when a gradient is requested
        a = _dense_coefficients(xp, lab, valid, wy, z, weight, eps)
        return xp.sum(a, axis=-1, keepdims=True) * p - a

    return Parts(loss, _rows(xp, grad), wy)


CE_COMMON: dict[str, Any] = {
    "reductions": CLASS_REDUCTIONS,
    "output_range": NONNEG,
    "smoothness": "Cinf",
}

cross_entropy = define(
    "cross_entropy",
    fused=Fused("cross_entropy"),
    aliases={"softmax_cross_entropy": {}, "sparse_categorical_cross_entropy": {}},
    class_axis=True,
    kernel=_cross_entropy,
    params=(WEIGHT, IGNORE, SMOOTHING, AXIS),
    family="classification",
    summary="Softmax cross-entropy on logits, with integer labels or probability targets.",
    formula=r"\ell_i = -(1-\varepsilon)\,w_{y_i}\log p_{i y_i} - \frac{\varepsilon}{C}\sum_c "
    r"w_c \log p_{ic},\quad p_i = \operatorname{softmax}(z_i)",
    derivative=r"\partial\ell_i/\partial z_{ij} = \Bigl(\sum_c a_{ic}\Bigr) p_{ij} - a_{ij},\quad"
    r" a_{ic} = (1-\varepsilon) w_{y_i}[c = y_i] + \tfrac{\varepsilon}{C} w_c",
    notes=(
        "Probability targets (y_true of y_pred's shape): ell_i = -sum_c w_c q_ic log p_ic with "
        "q = (1 - eps) y + eps / C; 'mean' then divides by the number of samples.",
        "log p is computed as (z - max z) - log sum exp(z - max z): exact at logits of +-1e4.",
        "Label smoothing with integer labels gathers log p_y and sums log p; it never builds "
        "a one-hot target matrix.",
        "The class axis is the last axis (Keras, JAX); PyTorch puts it at axis 1.",
    ),
    pros=("The standard multi-class loss; gradient p - y",),
    cons=("Overconfident without label smoothing",),
    references=(
        "PyTorch documentation, torch.nn.CrossEntropyLoss.",
        "C. Szegedy et al., Rethinking the Inception Architecture, CVPR 2016 (label smoothing).",
    ),
    torch_equivalent="torch.nn.functional.cross_entropy",
    task=("multi-class classification",),
    y_pred_kind="logits",
    **CE_COMMON,
)


# ---------------------------------------------------------------------------------- nll
def _nll(xp: Any, y_true: Any, logp: Any, weight: Any, ignore_index: int) -> Parts:
    name = "nll"
    _, t = targets(name, xp, y_true, logp, ignore_index=ignore_index, allow_soft=False)
    _check_weight(name, weight, logp.shape[-1])
    lab, _, wy = _label_parts(xp, t, logp, weight, ignore_index)
    loss = -wy * gather_last(xp, logp, lab)
    mask = onehot_mask(xp, lab, logp.shape[-1])
    g = xp.where(mask, -xp.expand_dims(wy, axis=-1), xp.zeros_like(logp))
    return Parts(loss, g, wy)


nll = define(
    "nll",
    aliases={"nll_loss": {}, "negative_log_likelihood": {}},
    class_axis=True,
    kernel=_nll,
    params=(WEIGHT, IGNORE, AXIS),
    family="classification",
    summary="Negative log-likelihood of integer labels under given log-probabilities.",
    formula=r"\ell_i = -w_{y_i}\,\log p_{i y_i}",
    derivative=r"\partial\ell_i/\partial \log p_{ij} = -w_{y_i}[j = y_i]",
    notes=("y_pred holds log-probabilities (e.g. the output of log_softmax).",),
    pros=("Pairs with log_softmax; equals cross_entropy on logits",),
    cons=("Expects normalized log-probabilities; not checked",),
    references=("PyTorch documentation, torch.nn.NLLLoss.",),
    torch_equivalent="torch.nn.functional.nll_loss",
    task=("multi-class classification",),
    y_pred_kind="log_probabilities",
    reductions=CLASS_REDUCTIONS,
    output_range=Interval(-math.inf, math.inf),
    smoothness="Cinf",
)


# --------------------------------------------------------------- categorical (probabilities)
def _categorical_ce(xp: Any, y_true: Any, p: Any) -> Parts:
    name = "categorical_cross_entropy"
    kind, t = targets(name, xp, y_true, p)
    check_probabilities(name, xp, p, logits_variant="cross_entropy")
    eps = clip_epsilon(xp, p)
    pc = xp.clip(p, eps, 1.0 - eps)  # clip once, at the dtype's epsilon
    logp = xp.log(pc)
    if kind == "labels":
        loss = -gather_last(xp, logp, t)
        mask = onehot_mask(xp, t, p.shape[-1])
        return Parts(loss, xp.where(mask, -1.0 / pc, xp.zeros_like(p)))
    check_probabilities(name, xp, t, what="y_true")
    return Parts(-xp.sum(t * logp, axis=-1), -t / pc)


categorical_cross_entropy = define(
    "categorical_cross_entropy",
    params=(AXIS,),
    class_axis=True,
    kernel=_categorical_ce,
    family="classification",
    summary="Cross-entropy of probability predictions against one-hot or soft targets.",
    formula=r"\ell_i = -\sum_c y_{ic}\log \operatorname{clip}(p_{ic}, \epsilon, 1-\epsilon)",
    derivative=r"\partial\ell_i/\partial p_{ic} = -y_{ic}/\operatorname{clip}(p_{ic}, \epsilon,"
    r" 1-\epsilon)",
    notes=(
        "epsilon is the machine epsilon of the compute dtype (float32: 1.19e-7); the gradient "
        "is evaluated at the clipped probability, so it stays finite at p = 0.",
        "y_true may also be integer labels. Predictions are not renormalized.",
        "Given logits, prefer cross_entropy (exact in log space).",
    ),
    pros=("The textbook formula on softmax outputs",),
    cons=("Loses precision for saturated probabilities; use cross_entropy on logits",),
    references=("I. Goodfellow, Y. Bengio, A. Courville, Deep Learning (2016), sec. 6.2.2.3.",),
    task=("multi-class classification",),
    y_pred_kind="probabilities",
    reductions={
        "none": r"s_i\,\ell_i",
        "sum": r"\sum_i s_i\,\ell_i",
        "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}",
    },
    output_range=NONNEG,
    smoothness="Cinf",
)


# ------------------------------------------------------------------------- binary CE
def _bce(xp: Any, y_true: Any, p: Any) -> Parts:
    name = "binary_cross_entropy"
    t = float_target(name, xp, y_true, p)
    check_probabilities(name, xp, p, logits_variant="binary_cross_entropy_with_logits")
    check_probabilities(name, xp, t, what="y_true")
    eps = clip_epsilon(xp, p)
    pc = xp.clip(p, eps, 1.0 - eps)
    loss = -(t * xp.log(pc) + (1.0 - t) * xp.log1p(-pc))
    return Parts(loss, (pc - t) / (pc * (1.0 - pc)))


binary_cross_entropy = define(
    "binary_cross_entropy",
    class_name="BCELoss",  # PyTorch's name
    aliases={"bce": {}, "log_loss": {}},
    kernel=_bce,
    family="classification",
    summary="Binary cross-entropy of probabilities (e.g. sigmoid outputs) against targets "
    "in [0, 1].",
    formula=r"\ell = -\bigl(y\log \hat p + (1-y)\log(1-\hat p)\bigr),\quad \hat p = "
    r"\operatorname{clip}(p, \epsilon, 1-\epsilon)",
    derivative=r"\partial\ell/\partial p = \frac{\hat p - y}{\hat p(1 - \hat p)}",
    notes=(
        "epsilon is the machine epsilon of the compute dtype (scikit-learn's log_loss clips the "
        "same way); PyTorch clamps the logs at -100 instead.",
        "Values outside [0, 1] raise a ValueError naming binary_cross_entropy_with_logits, "
        "the stable form for logits.",
    ),
    pros=("Probabilistic output, proper scoring rule",),
    cons=("Needs probabilities; saturates in float32 — prefer the logits form",),
    references=("PyTorch documentation, torch.nn.BCELoss.",),
    torch_equivalent="torch.nn.functional.binary_cross_entropy",
    task=("binary classification", "multi-label classification"),
    y_pred_kind="probabilities",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="Cinf",
)


def _pos_weight(name: str, xp: Any, pos_weight: Any, x: Any) -> Any:
    if pos_weight is None:
        return None
    if pos_weight.ndim > 1 or (
        pos_weight.ndim == 1 and (x.ndim == 0 or pos_weight.shape[0] != x.shape[-1])
    ):
        raise fail(
            name,
            f"pos_weight must be a scalar or have shape ({x.shape[-1]},) (one per "
            f"class, last axis), got {tuple(pos_weight.shape)}",
        )
    return pos_weight


def _bce_logits(xp: Any, y_true: Any, x: Any, pos_weight: Any) -> Parts:
    name = "binary_cross_entropy_with_logits"
    t = float_target(name, xp, y_true, x)
    check_probabilities(name, xp, t, what="y_true")
    pw = _pos_weight(name, xp, pos_weight, x)
    # log sigma(x) = -softplus(-x), log(1 - sigma(x)) = -softplus(x): exact at +-1e4;
    # mul0: a term with weight 0 adds 0 at x = +-inf (a masked logit), not 0 * inf = NaN
    pos = N.mul0(xp, t, N.softplus(xp, -x))
    gpos = -t * N.sigmoid(xp, -x)
    if pw is not None:
        pos, gpos = N.mul0(xp, pw, pos), pw * gpos
    loss = pos + N.mul0(xp, 1.0 - t, N.softplus(xp, x))
    return Parts(loss, gpos + (1.0 - t) * N.sigmoid(xp, x))


binary_cross_entropy_with_logits = define(
    "binary_cross_entropy_with_logits",
    class_name="BCEWithLogitsLoss",  # PyTorch's name
    fused=Fused("bce_logits"),
    aliases={"sigmoid_cross_entropy": {}, "bce_with_logits": {}},
    kernel=_bce_logits,
    params=(
        Param(
            "pos_weight",
            None,
            "Weight of the positive term, a scalar or one per class (last axis), >= 0.",
            kind="array",
            constraint=non_negative(),
        ),
    ),
    family="classification",
    summary="Binary cross-entropy on logits (sigmoid built in), with a positive-class weight.",
    formula=r"\ell = \text{pos\_weight}\cdot y\,\operatorname{softplus}(-x) + (1-y)\,"
    r"\operatorname{softplus}(x)",
    derivative=r"\partial\ell/\partial x = -\text{pos\_weight}\cdot y\,\sigma(-x) + (1-y)\,"
    r"\sigma(x)",
    notes=("softplus(x) = max(x, 0) + log1p(exp(-|x|)): exact at logits of +-1e4.",),
    pros=("Stable: never takes log of a rounded probability",),
    cons=("Outputs logits, not probabilities",),
    references=("PyTorch documentation, torch.nn.BCEWithLogitsLoss.",),
    torch_equivalent="torch.nn.functional.binary_cross_entropy_with_logits",
    task=("binary classification", "multi-label classification"),
    y_pred_kind="logits",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="Cinf",
)


# ------------------------------------------------------------------------------- focal
def _focal(xp: Any, y_true: Any, x: Any, alpha: float, gamma: float) -> Parts:
    t = float_target("focal", xp, y_true, x)
    check_probabilities("focal", xp, t, what="y_true")
    s_pos, s_neg = N.sigmoid(xp, x), N.sigmoid(xp, -x)
    # mul0: 0 * softplus(+-inf) is 0 (the limit), not NaN
    ce = N.mul0(xp, t, N.softplus(xp, -x)) + N.mul0(xp, 1.0 - t, N.softplus(xp, x))
    m = t * s_neg + (1.0 - t) * s_pos  # 1 - p_t, without the cancellation of 1 - p
    mg = xp.pow(m, gamma) if gamma != 0 else xp.ones_like(m)
    dm = (1.0 - 2.0 * t) * N.sigmoid_prime(xp, x)
    pos = m > 0
    ratio = xp.where(pos, dm / xp.where(pos, m, xp.ones_like(m)), xp.zeros_like(m))  # dm / m
    loss = ce * mg
    # d(m^g)/dx = g m^g dm/m: finite at m -> 0; ce * ratio -> 0 as ce -> inf (|x| e^-|x|)
    g = (s_pos - t) * mg + gamma * N.mul0(xp, ce, ratio) * mg
    if alpha >= 0:
        at = alpha * t + (1.0 - alpha) * (1.0 - t)
        loss, g = at * loss, at * g
    return Parts(loss, g)


focal = define(
    "focal",
    fused=Fused("focal"),
    aliases={"sigmoid_focal": {}},
    kernel=_focal,
    params=(
        Param(
            "alpha",
            0.25,
            "Weight of the positive class in [0, 1]; -1 disables it.",
            constraint=Constraint("a number in [0, 1], or -1", lambda v: v == -1 or 0 <= v <= 1),
        ),
        Param(
            "gamma",
            2.0,
            "Focusing exponent (>= 0); 0 gives weighted BCE.",
            constraint=non_negative(),
        ),
    ),
    family="classification",
    summary="Sigmoid focal loss on logits (torchvision's sigmoid_focal_loss): down-weights "
    "easy examples.",
    formula=r"\ell = \alpha_t (1 - p_t)^\gamma\,\mathrm{BCE}(x, y),\quad p_t = py + (1-p)(1-y),"
    r"\ \alpha_t = \alpha y + (1-\alpha)(1-y),\ p = \sigma(x)",
    derivative=r"\partial\ell/\partial x = \alpha_t\Bigl[(p - y)(1-p_t)^\gamma + \gamma\,"
    r"\mathrm{BCE}\,(1-p_t)^{\gamma}\,\frac{(1-2y)\,p(1-p)}{1-p_t}\Bigr]",
    notes=(
        "1 - p_t is computed as y sigma(-x) + (1-y) sigma(x) (no cancellation), and "
        "p(1-p)/(1-p_t) stays bounded, so gradients are finite for every gamma >= 0, "
        "including 0 < gamma < 1, at logits of +-1e4.",
    ),
    pros=("Handles extreme foreground/background imbalance (dense detection)",),
    cons=("Two hyperparameters; alpha = 0.25 weights positives less, by design",),
    references=(
        "T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollar, Focal Loss for Dense "
        "Object Detection, ICCV 2017.",
    ),
    torch_equivalent="torchvision.ops.sigmoid_focal_loss",
    task=("binary classification", "multi-label classification", "detection"),
    y_pred_kind="logits",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C1",
)


def _softmax_focal(
    xp: Any,
    y_true: Any,
    z: Any,
    gamma: float,
    weight: Any,
    ignore_index: int,
    label_smoothing: float,
) -> Parts:
    if gamma == 0:  # exactly cross-entropy
        return _cross_entropy(xp, y_true, z, weight, ignore_index, label_smoothing)
    name = "softmax_focal"
    kind, t = targets(name, xp, y_true, z, ignore_index=ignore_index)
    _check_weight(name, weight, z.shape[-1])
    logp = log_softmax(xp, z)
    p = xp.exp(logp)
    m = -xp.expm1(logp)  # 1 - p without cancellation
    mg = xp.pow(m, gamma)
    f = mg * logp
    pos = m > 0
    q = xp.where(pos, logp / xp.where(pos, m, xp.ones_like(m)), -xp.ones_like(m))  # -> -1
    # d f_c / d z_j = (delta_cj - p_j) u_c; p q = p log p / (1 - p) -> 0 at p = 0 (z = -inf)
    u = mg * (1.0 - gamma * N.mul0(xp, p, q))
    eps = label_smoothing
    a = lab = valid = wy = None  # bound in both branches: grad() closes over them
    if kind == "soft":
        a = _soft_coefficients(xp, t, z, weight, eps)
        loss = -xp.sum(_xlogy(xp, a, f), axis=-1)
        norm = None
    else:
        c = z.shape[-1]
        lab, valid, wy = _label_parts(xp, t, z, weight, ignore_index)
        loss = -(1.0 - eps) * _xlogy(xp, wy, gather_last(xp, f, lab))
        if eps > 0:
            smooth = xp.sum(f if weight is None else _xlogy(xp, weight, f), axis=-1)
            loss = loss - (eps / c) * xp.where(valid, smooth, xp.zeros_like(smooth))
        norm = wy

    def grad() -> Any:  # the class mask is built only when a gradient is requested
        coef = a if kind == "soft" else _dense_coefficients(xp, lab, valid, wy, z, weight, eps)
        au = coef * u
        return p * xp.sum(au, axis=-1, keepdims=True) - au

    return Parts(loss, _rows(xp, grad), norm)


softmax_focal = define(
    "softmax_focal",
    fused=Fused("cross_entropy", when=lambda p: float(p["gamma"]) == 0.0),  # gamma 0: exactly CE
    aliases={"multiclass_focal": {}},
    class_axis=True,
    kernel=_softmax_focal,
    params=(
        Param(
            "gamma",
            2.0,
            "Focusing exponent (>= 0); 0 is exactly cross_entropy.",
            constraint=non_negative(),
        ),
        WEIGHT,
        IGNORE,
        SMOOTHING,
        AXIS,
    ),
    family="classification",
    summary="Multi-class focal loss on logits: cross-entropy with each class term scaled by "
    "(1 - p_c)^gamma.",
    formula=r"\ell_i = -\sum_c a_{ic}\,(1 - p_{ic})^\gamma \log p_{ic},\quad a_{ic} = "
    r"(1-\varepsilon) w_{y_i}[c = y_i] + \tfrac{\varepsilon}{C} w_c",
    derivative=r"\partial\ell_i/\partial z_{ij} = p_{ij}\sum_c a_{ic}u_{ic} - a_{ij}u_{ij},\quad"
    r" u_c = (1-p_c)^\gamma\Bigl(1 - \gamma\,\frac{p_c\log p_c}{1 - p_c}\Bigr)",
    notes=(
        "1 - p is computed as -expm1(log p) and p log p / (1 - p) -> -1 as p -> 1, so the "
        "gradient is finite for 0 < gamma < 1 and at logits of +-100 (and +-1e4).",
        "gamma = 0 runs the cross_entropy kernel: exactly cross-entropy.",
    ),
    pros=("Focal loss for multi-class problems; composes with weights and smoothing",),
    cons=("gamma must be tuned",),
    references=("T.-Y. Lin et al., Focal Loss for Dense Object Detection, ICCV 2017.",),
    task=("multi-class classification",),
    y_pred_kind="logits",
    **CE_COMMON,
)


# ------------------------------------------------------------------------------- hinge
def _binary_pair(name: str, xp: Any, y_true: Any, p: Any) -> Any:
    t = need_target(name, y_true)
    check_same_shape(name, t, p)
    return signed_labels(name, xp, t, p)


def _hinge(xp: Any, y_true: Any, p: Any) -> Parts:
    t = _binary_pair("hinge", xp, y_true, p)
    r = 1.0 - t * p
    return Parts(N.relu(xp, r), xp.where(r > 0, -t, xp.zeros_like(t)))


def _squared_hinge(xp: Any, y_true: Any, p: Any) -> Parts:
    t = _binary_pair("squared_hinge", xp, y_true, p)
    h = N.relu(xp, 1.0 - t * p)
    return Parts(h * h, -2.0 * t * h)


BINARY_LABELS = (
    "Labels in {-1, 1} or {0, 1} are detected (0 means -1); both encodings give the same "
    "loss. Mixed or other values raise a ValueError.",
)

hinge = define(
    "hinge",
    example={"y_true": [-1, 1, 1], "y_pred": [-0.5, 0.3, 2.0]},
    kernel=_hinge,
    family="classification",
    summary="Hinge loss of the SVM on decision values, with labels in {-1, 1} or {0, 1}.",
    formula=r"\ell = \max(0, 1 - y\,\hat y)",
    derivative=r"\partial\ell/\partial\hat y = -y\,[1 - y\hat y > 0]",
    notes=(*BINARY_LABELS, "At the hinge (y y_pred = 1) the subgradient 0 is used."),
    pros=("Margin maximizing; sparse (zero) loss for confident correct predictions",),
    cons=("Not differentiable at the margin; no probabilities",),
    references=("C. Cortes, V. Vapnik, Support-Vector Networks, Machine Learning 20 (1995).",),
    task=("binary classification",),
    y_pred_kind="values (decision function)",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C0",
)

squared_hinge = define(
    "squared_hinge",
    example={"y_true": [-1, 1, 1], "y_pred": [-0.5, 0.3, 2.0]},
    kernel=_squared_hinge,
    family="classification",
    summary="Squared hinge (L2-SVM) loss: differentiable, with labels in {-1, 1} or {0, 1}.",
    formula=r"\ell = \max(0, 1 - y\,\hat y)^2",
    derivative=r"\partial\ell/\partial\hat y = -2y\max(0, 1 - y\hat y)",
    notes=BINARY_LABELS,
    pros=("Differentiable everywhere",),
    cons=("Quadratic penalty: more sensitive to outliers than hinge",),
    references=("Y. Tang, Deep Learning using Linear Support Vector Machines, 2013.",),
    task=("binary classification",),
    y_pred_kind="values (decision function)",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=NONNEG,
    smoothness="C1",
)


def _multiclass_hinge(xp: Any, y_true: Any, s: Any, margin: float, variant: str) -> Parts:
    name = "multiclass_hinge"
    _, t = targets(name, xp, y_true, s, allow_soft=False)
    mask = onehot_mask(xp, t, s.shape[-1])
    s_y = xp.expand_dims(gather_last(xp, s, t), axis=-1)
    if variant == "weston_watkins":
        zero = xp.zeros_like(s)
        # the target's own entry is never a pair: kept out of s - s_y (-inf - -inf)
        r = margin + xp.where(mask, zero, s) - xp.where(mask, zero, s_y)
        act = (r > 0) & ~mask
        loss = xp.sum(xp.where(act, r, xp.zeros_like(r)), axis=-1)
        a = xp.astype(act, s.dtype)
        g = a - xp.where(mask, xp.sum(a, axis=-1, keepdims=True), xp.zeros_like(a))
        return Parts(loss, g)
    others = xp.where(mask, constant(xp, -math.inf, s), s)
    j = xp.argmax(others, axis=-1)  # the most violating other class (first on ties)
    r = (
        margin
        + xp.squeeze(xp.take_along_axis(others, xp.expand_dims(j, axis=-1), axis=-1), axis=-1)
        - xp.squeeze(s_y, axis=-1)
    )
    act = xp.expand_dims(xp.astype(r > 0, s.dtype), axis=-1)
    top = xp.astype(onehot_mask(xp, j, s.shape[-1]), s.dtype)
    return Parts(N.relu(xp, r), act * (top - xp.astype(mask, s.dtype)))


multiclass_hinge = define(
    "multiclass_hinge",
    example={"y_true": [0, 2], "y_pred": [[2.0, 0.5, -1.0], [0.1, 0.2, 1.5]]},
    class_axis=True,
    kernel=_multiclass_hinge,
    params=(
        Param(
            "margin",
            1.0,
            "The required margin between the true and the other scores.",
            constraint=non_negative(),
        ),
        Param(
            "variant",
            "crammer_singer",
            "crammer_singer (max over classes) or weston_watkins (sum over classes).",
            kind="choice",
            choices=("crammer_singer", "weston_watkins"),
        ),
        AXIS,
    ),
    family="classification",
    summary="Multi-class hinge loss on class scores (Crammer-Singer or Weston-Watkins).",
    formula=r"\ell_i = \max\bigl(0, m + \max_{j\ne y_i} s_{ij} - s_{iy_i}\bigr)\ \text{(CS)},"
    r"\quad \ell_i = \sum_{j\ne y_i}\max(0, m + s_{ij} - s_{iy_i})\ \text{(WW)}",
    derivative=r"\text{CS: } \partial\ell_i/\partial s = [\ell_i > 0](e_{j^*} - e_{y_i}),\ "
    r"j^* = \arg\max_{j\ne y_i} s_{ij};\quad \text{WW: } \partial\ell_i/\partial s_{ij} = "
    r"[r_{ij} > 0] - [j = y_i]\sum_k [r_{ik} > 0]",
    notes=(
        "PyTorch's multi_margin_loss is Weston-Watkins divided by C; scikit-learn's hinge_loss "
        "for several classes is Crammer-Singer with margin 1.",
        "Subgradients: 0 at the hinge; the first maximizing class on ties.",
    ),
    pros=("Multi-class SVM objective",),
    cons=("Not differentiable at the margin",),
    references=(
        "K. Crammer, Y. Singer, On the Algorithmic Implementation of Multiclass "
        "Kernel-based Vector Machines, JMLR 2 (2001).",
        "J. Weston, C. Watkins, Support Vector Machines for Multi-Class Pattern "
        "Recognition, ESANN 1999.",
    ),
    torch_equivalent="torch.nn.functional.multi_margin_loss (times C, weston_watkins)",
    task=("multi-class classification",),
    y_pred_kind="values (class scores)",
    output_range=NONNEG,
    smoothness="C0",
)


# ----------------------------------------------------------------------------- zero_one
def _zero_one(xp: Any, y_true: Any, s: Any) -> Parts:
    name = "zero_one"
    t = need_target(name, y_true)
    if s.ndim == t.ndim and tuple(s.shape) == tuple(t.shape):
        y = signed_labels(name, xp, t, s)  # binary decision values: predict sign(s)
        pred = xp.where(s > 0, xp.ones_like(s), -xp.ones_like(s))
        wrong = pred != y
    else:
        _, lab = targets(name, xp, t, s, allow_soft=False)
        wrong = xp.argmax(s, axis=-1) != lab
    loss = xp.astype(wrong, s.dtype)
    return Parts(loss, xp.zeros_like(s))


zero_one = define(
    "zero_one",
    example={"y_true": [0, 2], "y_pred": [[2.0, 0.5, -1.0], [0.1, 2.2, 1.5]]},
    aliases={"zero_one_loss": {}},
    kernel=_zero_one,
    has_grad=False,
    family="classification",
    summary="0-1 loss: the error rate of arg-max predictions (value only; it has no gradient).",
    formula=r"\ell_i = [\arg\max_c s_{ic} \ne y_i]\ \text{(class scores)},\quad "
    r"[\operatorname{sign}(\hat y_i) \ne y_i]\ \text{(binary decision values)}",
    derivative="",
    notes=(
        "y_pred is (..., C) class scores with integer labels, or decision values of "
        "y_true's shape with labels in {-1, 1} or {0, 1} (predicted positive iff y_pred > 0).",
        "grad and value_and_grad raise actloss.NoGradientError (a TypeError).",
    ),
    pros=("What accuracy measures",),
    cons=("Piecewise constant: no gradient signal",),
    references=("scikit-learn documentation, sklearn.metrics.zero_one_loss.",),
    task=("classification (evaluation)",),
    y_pred_kind="values (class scores or decision values)",
    output_range=Interval(0.0, 1.0, True, True),
    smoothness="discontinuous",
)
