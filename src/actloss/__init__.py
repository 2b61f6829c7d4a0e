"""actloss: a verified catalog of activation and loss functions.

>>> import actloss as al
>>> f = al.get("sigmoid")
>>> float(f(0.0)), float(f.grad(0.0))
(0.5, 0.25)
"""

from __future__ import annotations

from . import activations, losses
from ._catalog import UnknownNameError, catalog, get, register, unregister
from ._function import Activation, Function, ParameterError
from ._loss import Loss, NoGradientError
from ._spec import Info, Interval, Kink, Param

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "Function",
    "Info",
    "Interval",
    "Kink",
    "Loss",
    "NoGradientError",
    "Param",
    "ParameterError",
    "UnknownNameError",
    "__version__",
    "activations",
    "catalog",
    "get",
    "losses",
    "register",
    "unregister",
]
