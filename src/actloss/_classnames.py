"""Class names for the framework adapters, derived from catalog names.

``relu -> ReLU``, ``leaky_relu -> LeakyReLU``, ``focal -> FocalLoss``: each
``_``-separated word is capitalized, except the words in ``WORDS`` (PyTorch's
spelling of acronyms: a rule for words, which any new name may use). An entry whose
class name is not the capitalized words declares it (``Info.class_name``, e.g.
``hard_swish -> Hardswish``). Loss classes end in ``Loss`` (regularizers do not:
``L2Penalty``). Both adapters (PyTorch and Keras) use these names.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from . import _catalog
from ._function import Function

# One word of a catalog name -> its spelling in a class name (PyTorch's style).
WORDS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "prelu": "PReLU",
    "rrelu": "RReLU",
    "elu": "ELU",
    "selu": "SELU",
    "celu": "CELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "glu": "GLU",
    "swiglu": "SwiGLU",
    "geglu": "GEGLU",
    "reglu": "ReGLU",
    "nll": "NLL",
    "mse": "MSE",
    "mae": "MAE",
    "msle": "MSLE",
    "mape": "MAPE",
    "kl": "KL",
    "js": "JS",
    "l1": "L1",
    "l2": "L2",
    "ntxent": "NTXent",
    "cosface": "CosFace",
    "arcface": "ArcFace",
    "multilabel": "MultiLabel",
    "multiclass": "MultiClass",
}


def class_name(fn: Function) -> str:
    """The adapter class name of a catalog entry."""
    name = fn.info.name
    if fn.info.class_name:  # an irregular spelling, declared on the entry
        return fn.info.class_name
    words = "".join(WORDS.get(w, w[:1].upper() + w[1:]) for w in name.split("_"))
    loss = fn.info.kind == "loss" and fn.info.family != "regularizer"
    # "Loss" once: sparsemax_loss -> SparsemaxLoss (not SparsemaxLossLoss)
    return words + "Loss" if loss and not words.endswith("Loss") else words


def registered_entry(fn: Function) -> Function:
    """The registered entry behind ``fn`` (an alias's target); ``fn`` itself when it is not
    registered (e.g. a loss built with ``actloss.losses.combine``)."""
    try:
        entry = _catalog.get(fn.info.name)
    except _catalog.UnknownNameError:
        return fn
    return entry if type(entry) is type(fn) and entry.info is fn.info else fn


def export_classes(
    namespace: MutableMapping[str, Any], make: Callable[[Function], type]
) -> list[str]:
    """Put one adapter class per catalog entry into ``namespace``; return their names."""
    names = []
    for fn in _catalog.catalog():
        cls = make(fn)
        namespace[cls.__name__] = cls
        names.append(cls.__name__)
    return names
