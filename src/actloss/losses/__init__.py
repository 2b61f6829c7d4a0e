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
from .margin import (
    hinge_embedding,
    margin_ranking,
    multilabel_margin,
    multilabel_soft_margin,
    perceptron,
    soft_margin,
)
from .margin_softmax import arcface, cosface, large_margin_softmax
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

__all__ = [
    "arcface",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    "cosface",
    "cross_entropy",
    "focal",
    "gaussian_nll",
    "hinge",
    "hinge_embedding",
    "huber",
    "l1",
    "l2",
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
    "perceptron",
    "poisson_nll",
    "quantile",
    "smooth_l1",
    "soft_margin",
    "softmax_focal",
    "squared_hinge",
    "zero_one",
]
