"""The activation catalog, by family. Each entry is also an attribute of this module.

>>> import actloss as al
>>> al.activations.sigmoid is al.get("sigmoid")
True
"""

from __future__ import annotations

from .exponential import celu, elu, exponential, selu
from .gated import geglu, glu, reglu, swiglu
from .linear import affine, identity
from .rectifiers import leaky_relu, prelu, relu, relu6, rrelu, threshold
from .shrinkage import hardshrink, softshrink, tanhshrink
from .sigmoidal import (
    hard_sigmoid,
    hard_tanh,
    log_sigmoid,
    sigmoid,
    softsign,
    sparse_sigmoid,
    tanh,
)
from .smooth import gelu, hard_swish, mish, silu, snake, softplus, sparse_plus, squareplus, swish
from .softmax import log_softmax, softmax, softmin, sparsemax

__all__ = [
    "affine",
    "celu",
    "elu",
    "exponential",
    "geglu",
    "gelu",
    "glu",
    "hard_sigmoid",
    "hard_swish",
    "hard_tanh",
    "hardshrink",
    "identity",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "prelu",
    "reglu",
    "relu",
    "relu6",
    "rrelu",
    "selu",
    "sigmoid",
    "silu",
    "snake",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swiglu",
    "swish",
    "tanh",
    "tanhshrink",
    "threshold",
]
