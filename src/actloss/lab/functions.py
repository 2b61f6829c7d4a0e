"""Catalog functions as PyTorch callables: the one place the lab touches the adapters.

Every activation and loss the lab trains with is an ``actloss.torch`` module
built from the catalog (backward = the catalog's analytic derivative), never a
``torch.nn`` built-in. Losses are called in PyTorch order ``loss(input, target)``
with ``reduction="none"`` and return per-sample values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

import actloss as al

from .config import FnSpec

Act = Callable[[torch.Tensor], torch.Tensor]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _module(name: str, **params: Any) -> Any:
    from actloss.torch import module

    return module(name, **params)


def activation(spec: FnSpec) -> Act:
    """The activation ``spec`` as a module (learnable parameters stay fixed in the lab)."""
    name, params = spec
    fn = al.get(name)
    kw = dict(params)
    if any(p.learnable for p in fn.info.params):
        kw.setdefault("learnable", False)
    mod = _module(name, **kw)
    return mod


def loss(spec: FnSpec) -> LossFn:
    """The loss ``spec`` as a module returning per-sample losses: ``f(input, target)``."""
    name, params = spec
    fn = al.get(name)
    if fn.info.kind != "loss":
        raise ValueError(f"{name!r} is an activation, not a loss")
    return _module(name, reduction="none", **dict(params))


def penalty(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """A weight penalty from the catalog's losses: ``l1`` (sum |w|) or ``l2`` (sum w^2).

    Applied to stacked weights of shape (models, ...), it returns one value per model.
    """
    mod = _module(name, reduction="none")

    def per_model(w: torch.Tensor) -> torch.Tensor:
        elementwise = mod(w, torch.zeros_like(w))
        return elementwise.reshape(w.shape[0], -1).sum(dim=1)

    return per_model


def threshold(spec: FnSpec) -> float:
    """Decision threshold on an output activation's values: the midpoint of its range.

    0.5 for sigmoid (0, 1), 0 for tanh (-1, 1); 0 when the range is unbounded
    (identity outputs: logits or decision values).
    """
    rng = al.get(spec[0]).info.output_range
    if rng is not None and math.isfinite(rng.low) and math.isfinite(rng.high):
        return (rng.low + rng.high) / 2
    return 0.0


def changes_width(spec: FnSpec) -> bool:
    """True for activations whose output has another width than their input (GLU family)."""
    act = activation(spec)
    with torch.no_grad():
        y = act(torch.zeros(2, 4, dtype=torch.float64))
    return tuple(y.shape) != (2, 4)
