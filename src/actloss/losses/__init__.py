"""The loss catalog, by family. Each entry is also an attribute of this module.

Importing the family modules registers their entries; the attributes and ``__all__`` are
read from the catalog, so adding a loss means one ``define`` call in its family module
(and one row in the test's reference table).

>>> import actloss as al
>>> al.losses.mse is al.get("mse")
True
"""

from __future__ import annotations

from .. import _catalog
from . import (
    classification,
    distribution,
    margin,
    margin_softmax,
    metric,
    regression,
    regularizers,
    robust,
    segmentation,
)
from .combined import CombinedLoss as CombinedLoss
from .combined import Term as Term
from .combined import combine as combine
from .combined import serial as serial
from .combined import term as term
from .combined import weight_at as weight_at
from .custom import register_loss as register_loss

FAMILIES = (
    regression,
    classification,
    margin,
    margin_softmax,
    distribution,
    metric,
    segmentation,
    robust,
    regularizers,
)

# the built-in entries as attributes; losses registered later are found by __getattr__
globals().update({fn.info.name: fn for fn in _catalog.catalog(kind="loss")})
__all__ = sorted(
    [
        *(fn.info.name for fn in _catalog.catalog(kind="loss")),
        "CombinedLoss",
        "Term",
        "combine",
        "register_loss",
        "serial",
        "term",
        "weight_at",
    ]
)


def __getattr__(name: str) -> object:
    """``al.losses.<name>`` also finds losses registered later (``register_loss``)."""
    from .._catalog import _ENTRIES

    fn = _ENTRIES.get(name)
    if fn is not None and fn.info.kind == "loss":
        return fn
    raise AttributeError(f"module 'actloss.losses' has no attribute {name!r}")
