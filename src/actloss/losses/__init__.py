"""The loss catalog, by family. Each entry is also an attribute of this module.

>>> import actloss as al
>>> al.losses.mse is al.get("mse")
True
"""

from __future__ import annotations

from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    categorical_cross_entropy,
    cross_entropy,
    focal,
    hinge,
    multiclass_hinge,
    nll,
    softmax_focal,
    squared_hinge,
    zero_one,
)
from .combined import CombinedLoss, Term, combine, serial, term, weight_at
from .custom import register_loss
from .distribution import distillation, js_divergence, kl_divergence, wasserstein
from .margin import (
    hinge_embedding,
    margin_ranking,
    multilabel_margin,
    multilabel_soft_margin,
    perceptron,
    soft_margin,
)
from .margin_softmax import arcface, cosface, large_margin_softmax
from .metric import contrastive, cosine_embedding, cosine_similarity, ntxent, triplet_margin
from .regression import (
    gaussian_nll,
    huber,
    l1,
    l2,
    log_cosh,
    mae,
    mape,
    mse,
    msle,
    poisson_nll,
    quantile,
    smooth_l1,
)
from .regularizers import elastic_net, l1_penalty, l2_penalty
from .robust import generalized_cross_entropy, poly1_cross_entropy, sparsemax_loss
from .segmentation import dice, tversky

__all__ = [
    "CombinedLoss",
    "Term",
    "arcface",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    "combine",
    "contrastive",
    "cosface",
    "cosine_embedding",
    "cosine_similarity",
    "cross_entropy",
    "dice",
    "distillation",
    "elastic_net",
    "focal",
    "gaussian_nll",
    "generalized_cross_entropy",
    "hinge",
    "hinge_embedding",
    "huber",
    "js_divergence",
    "kl_divergence",
    "l1",
    "l1_penalty",
    "l2",
    "l2_penalty",
    "large_margin_softmax",
    "log_cosh",
    "mae",
    "mape",
    "margin_ranking",
    "mse",
    "msle",
    "multiclass_hinge",
    "multilabel_margin",
    "multilabel_soft_margin",
    "nll",
    "ntxent",
    "perceptron",
    "poisson_nll",
    "poly1_cross_entropy",
    "quantile",
    "register_loss",
    "serial",
    "smooth_l1",
    "soft_margin",
    "softmax_focal",
    "sparsemax_loss",
    "squared_hinge",
    "term",
    "triplet_margin",
    "tversky",
    "wasserstein",
    "weight_at",
    "zero_one",
]


def __getattr__(name: str) -> object:
    """``al.losses.<name>`` also finds losses registered later (``register_loss``)."""
    from .._catalog import _ENTRIES

    fn = _ENTRIES.get(name)
    if fn is not None and fn.info.kind == "loss":
        return fn
    raise AttributeError(f"module 'actloss.losses' has no attribute {name!r}")
