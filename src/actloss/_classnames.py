"""Class names for the framework adapters, derived from catalog names.

``relu -> ReLU``, ``leaky_relu -> LeakyReLU``, ``focal -> FocalLoss``: each
``_``-separated word is capitalized, except the words spelled in ``SPELLINGS``
(PyTorch's spelling of acronyms: a rule for words, which any new name may use). An
entry whose class name is not made of its words declares it (``Info.class_name``,
e.g. ``hard_swish -> Hardswish``). Loss classes end in ``Loss`` (regularizers do not:
``L2Penalty``). Both adapters (PyTorch and Keras) use these names.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from . import _catalog
from ._function import Function

# How PyTorch spells words that are not simply capitalized (acronyms and compounds); a
# word of a name is looked up by its lower case: relu -> ReLU in leaky_relu -> LeakyReLU.
SPELLINGS = (
    *("ReLU", "ReLU6", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU"),
    *("GLU", "SwiGLU", "GEGLU", "ReGLU"),
    *("NLL", "MSE", "MAE", "MSLE", "MAPE", "KL", "JS", "L1", "L2"),
    *("NTXent", "CosFace", "ArcFace", "MultiLabel", "MultiClass"),
)
WORDS = {spelling.lower(): spelling for spelling in SPELLINGS}


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
