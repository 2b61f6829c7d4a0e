"""The loss catalog, by family. Each entry is also an attribute of this module.

>>> import actloss as al
>>> al.losses.mse is al.get("mse")
True
"""

from __future__ import annotations

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
    "gaussian_nll",
    "huber",
    "l1",
    "l2",
    "log_cosh",
    "mae",
    "mape",
    "mse",
    "msle",
    "poisson_nll",
    "quantile",
    "smooth_l1",
]
