"""Losses between distributions: KL, Jensen-Shannon, distillation, and the Wasserstein
critic loss.

Distribution-valued inputs have the class (event) axis last; the per-sample loss sums
over it and "mean" averages over samples (PyTorch's "batchmean", the true KL).
"""

from __future__ import annotations

import math
from typing import Any

from .._reduction import Parts
from .._spec import Fused, Interval, Param, positive
from .._validation import (
    check_probabilities,
    check_same_shape,
    clip_epsilon,
    float_target,
    need_target,
    signed_labels,
)
from ._common import AXIS, ELEMENTWISE_REDUCTIONS, ROW_REDUCTIONS, log_softmax
from ._define import define

NONNEG = Interval(0.0, math.inf, True, False)
DIST: dict[str, Any] = {
    "family": "distribution",
    "reductions": {
        **ROW_REDUCTIONS,
        "mean": r"\frac{\sum_i s_i\,\ell_i}{\sum_i s_i}\ \text{(PyTorch's 'batchmean': the "
        r"mean over samples of the per-sample divergence)}",
    },
    "output_range": NONNEG,
}


def _xlogy(xp: Any, x: Any, logy: Any) -> Any:
    """x * log y with 0 where x == 0 (0 log 0 = 0)."""
    return x * xp.where(x == 0, xp.zeros_like(logy), logy)  # never 0 * -inf


def _safe_log(xp: Any, x: Any) -> Any:
    """log x clipped at the dtype's epsilon (for probabilities that may be 0)."""
    return xp.log(xp.clip(x, clip_epsilon(xp, x), math.inf))


def _distributions(name: str, xp: Any, y_true: Any, q: Any, log_input: bool = False) -> Any:
    p = float_target(name, xp, y_true, q)
    check_probabilities(name, xp, p, what="y_true")
    if not log_input:
        check_probabilities(name, xp, q, logits_variant=None)
    return p


# ------------------------------------------------------------------------- kl_divergence
def _kl(xp: Any, y_true: Any, q: Any, log_input: bool) -> Parts:
    p = _distributions("kl_divergence", xp, y_true, q, log_input)
    logq = q if log_input else _safe_log(xp, q)
    plogp = _xlogy(xp, p, _safe_log(xp, p))
    loss = xp.sum(plogp - _xlogy(xp, p, logq), axis=-1)
    if log_input:
        return Parts(loss, -p)
    return Parts(loss, -p / xp.clip(q, clip_epsilon(xp, q), math.inf))


kl_divergence = define(
    "kl_divergence",
    class_name="KLDivLoss",  # PyTorch's name
    fused=Fused("kl_div"),
    aliases={"kl_div": {}, "kld": {}},
    class_axis=True,
    kernel=_kl,
    params=(
        Param(
            "log_input",
            False,
            "y_pred holds log-probabilities (True) or probabilities.",
            kind="bool",
        ),
        AXIS,
    ),
    summary="Kullback-Leibler divergence KL(y_true || y_pred) between distributions along the "
    "last axis.",
    formula=r"\ell_i = \sum_c p_{ic}\,(\log p_{ic} - \log q_{ic}),\quad p = y_{\text{true}},\ "
    r"q = y_{\text{pred}}",
    derivative=r"\partial\ell_i/\partial q_{ic} = -p_{ic}/q_{ic},\quad "
    r"\partial\ell_i/\partial\log q_{ic} = -p_{ic}\ (\text{log\_input})",
    notes=(
        "0 log 0 = 0. Probabilities are clipped at the dtype's machine epsilon inside the "
        "logs (and in the gradient's denominator).",
        "PyTorch's kl_div takes (log q, p) and its default 'mean' divides by every element; "
        "'batchmean' is the KL and is what 'mean' means here.",
    ),
    pros=("The information-theoretic divergence; variational inference, distillation",),
    cons=("Asymmetric; infinite where q = 0 < p",),
    references=(
        "S. Kullback, R. A. Leibler, On Information and Sufficiency, Ann. Math. Stat. "
        "22 (1951) 79-86.",
    ),
    torch_equivalent="torch.nn.functional.kl_div(reduction='batchmean')",
    task=("distribution matching",),
    y_pred_kind="probabilities (or log-probabilities)",
    smoothness="Cinf",
    **DIST,
)


# ------------------------------------------------------------------------- js_divergence
def _js(xp: Any, y_true: Any, q: Any) -> Parts:
    p = _distributions("js_divergence", xp, y_true, q)
    m = 0.5 * (p + q)
    logm = _safe_log(xp, m)
    terms = 0.5 * _xlogy(xp, p, _safe_log(xp, p)) + 0.5 * _xlogy(xp, q, _safe_log(xp, q))
    loss = xp.sum(terms - _xlogy(xp, m, logm), axis=-1)
    return Parts(loss, 0.5 * (_safe_log(xp, q) - logm))


js_divergence = define(
    "js_divergence",
    aliases={"jensen_shannon": {}},
    params=(AXIS,),
    class_axis=True,
    kernel=_js,
    summary="Jensen-Shannon divergence: the symmetrized, bounded KL to the mixture "
    "m = (p + q) / 2.",
    formula=r"\ell_i = \tfrac12\mathrm{KL}(p_i \| m_i) + \tfrac12\mathrm{KL}(q_i \| m_i),\quad "
    r"m = \tfrac12(p + q)",
    derivative=r"\partial\ell_i/\partial q_{ic} = \tfrac12\log\frac{q_{ic}}{m_{ic}}",
    notes=(
        "Natural log: the value lies in [0, log 2]. scipy.spatial.distance.jensenshannon is "
        "its square root.",
        "At q_c = 0 the derivative is -inf; the logs are clipped at the dtype's epsilon so "
        "the gradient stays finite.",
    ),
    pros=("Symmetric and bounded",),
    cons=("Vanishing gradient for distributions with disjoint support",),
    references=(
        "J. Lin, Divergence Measures Based on the Shannon Entropy, IEEE Trans. Inf. "
        "Theory 37 (1991) 145-151.",
    ),
    task=("distribution matching",),
    y_pred_kind="probabilities",
    smoothness="Cinf",
    **DIST,
)


# --------------------------------------------------------------------------- distillation
def _distillation(xp: Any, y_true: Any, s: Any, temperature: float) -> Parts:
    t = float_target("distillation", xp, y_true, s)
    tt = temperature
    logp = log_softmax(xp, t / tt)  # teacher
    logq = log_softmax(xp, s / tt)  # student
    p = xp.exp(logp)
    # a class the teacher masks (p = 0) adds 0, even where the student masks it too
    off = p == 0
    zero = xp.zeros_like(p)
    loss = (tt * tt) * xp.sum(p * (xp.where(off, zero, logp) - xp.where(off, zero, logq)), axis=-1)
    return Parts(loss, tt * (xp.exp(logq) - p))


distillation = define(
    "distillation",
    example={"y_true": [[2.0, 0.5, -1.0]], "y_pred": [[1.0, 1.0, -0.5]]},
    aliases={"knowledge_distillation": {}},
    class_axis=True,
    kernel=_distillation,
    params=(
        Param(
            "temperature",
            2.0,
            "Softmax temperature T (> 0) for teacher and student.",
            constraint=positive(),
        ),
        AXIS,
    ),
    summary="Knowledge distillation: T^2 KL(softmax(teacher/T) || softmax(student/T)); y_true is "
    "the teacher's logits.",
    formula=r"\ell_i = T^2\sum_c p_{ic}\bigl(\log p_{ic} - \log q_{ic}\bigr),\quad p = "
    r"\operatorname{softmax}(t/T),\ q = \operatorname{softmax}(z/T)",
    derivative=r"\partial\ell_i/\partial z_{ic} = T\,(q_{ic} - p_{ic})",
    notes=(
        "The T^2 factor keeps the gradient magnitude comparable across temperatures "
        "(Hinton et al.).",
        "Both softmaxes are computed in log space: exact at logits of +-1e4.",
    ),
    pros=("Transfers dark knowledge from a teacher",),
    cons=("Needs the teacher's logits at training time",),
    references=(
        "G. Hinton, O. Vinyals, J. Dean, Distilling the Knowledge in a Neural Network, 2015.",
    ),
    task=("distillation", "multi-class classification"),
    y_pred_kind="logits (student; y_true: teacher logits)",
    smoothness="Cinf",
    **DIST,
)


# ---------------------------------------------------------------------------- wasserstein
def _wasserstein(xp: Any, y_true: Any, d: Any) -> Parts:
    t = need_target("wasserstein", y_true)
    check_same_shape("wasserstein", t, d)
    y = signed_labels("wasserstein", xp, t, d)
    return Parts(-y * d, -y)


wasserstein = define(
    "wasserstein",
    example={"y_true": [-1, 1, 1], "y_pred": [-0.5, 0.3, 2.0]},
    aliases={"wgan_critic": {}},
    kernel=_wasserstein,
    family="distribution",
    summary="Wasserstein GAN critic loss: -y * critic(x) with y = 1 for real and -1 "
    "(or 0) for generated samples.",
    formula=r"\ell_i = -y_i\,D(x_i),\quad y_i \in \{-1, 1\}",
    derivative=r"\partial\ell_i/\partial D(x_i) = -y_i",
    notes=(
        "The mean over a batch with as many real as generated samples is half the critic's "
        "objective -(E[D(real)] - E[D(fake)]) (the Kantorovich-Rubinstein dual); the "
        "generator's loss is the same function with y = 1 on generated samples.",
        "Labels in {0, 1} are accepted (0 means generated). The Lipschitz constraint "
        "(clipping or a gradient penalty) is not part of this loss.",
    ),
    pros=("Meaningful loss curve; no saturation of the critic",),
    cons=("Needs a Lipschitz critic (weight clipping or gradient penalty)",),
    references=("M. Arjovsky, S. Chintala, L. Bottou, Wasserstein GAN, ICML 2017.",),
    task=("generative adversarial training",),
    y_pred_kind="values (critic scores)",
    reductions=ELEMENTWISE_REDUCTIONS,
    output_range=Interval(-math.inf, math.inf),
    smoothness="Cinf",
)
