"""The activation catalog, by family. Each entry is also an attribute of this module.

>>> import actloss as al
>>> al.activations.sigmoid is al.get("sigmoid")
True

Importing the family modules registers their entries (each ``define(...)`` call); the
attributes and ``__all__`` are read from the catalog, so adding an activation means one
``define`` call in its family module (and one row in the test's reference table).
"""

from __future__ import annotations

from .. import _catalog
from . import exponential, gated, linear, rectifiers, shrinkage, sigmoidal, smooth, softmax

FAMILIES = (sigmoidal, rectifiers, exponential, smooth, shrinkage, linear, softmax, gated)

# the entries as attributes (``softmax`` the function, not its family module)
globals().update({fn.info.name: fn for fn in _catalog.catalog(kind="activation")})
__all__ = sorted(fn.info.name for fn in _catalog.catalog(kind="activation"))
