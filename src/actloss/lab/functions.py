"""Catalog functions as PyTorch callables: the one place the lab touches the adapters.

Every activation and loss the lab trains with is an ``actloss.torch`` module
built from the catalog (backward = the catalog's analytic derivative), never a
``torch.nn`` built-in. Losses are called in PyTorch order ``loss(input, target)``
with ``reduction="none"`` and return per-sample values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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


def penalty_name(name: str) -> str:
    """The catalog regularizer behind a penalty name (``l1`` for ``l1_penalty``, ``l2``,
    ``elastic_net``, ...): "l1"/"l2" alone are losses, so a short name means its penalty."""
    regularizers = [f.name for f in al.catalog("loss", "regularizer")]
    short = [n.removesuffix("_penalty") for n in regularizers if n.endswith("_penalty")]
    fn = al.get(f"{name}_penalty" if name in short else name)
    if fn.info.family != "regularizer":
        have = ", ".join([*short, *regularizers])
        raise ValueError(f"penalty must be a catalog regularizer ({have}), got {name!r}")
    return fn.info.name


def penalty(name: str, alpha: float) -> Callable[[Sequence[torch.Tensor]], torch.Tensor]:
    """A catalog regularizer (``l2_penalty``: alpha/2 sum w^2, ...) with strength ``alpha``.

    Called with the stacked weight matrices [(models, ...), ...] it returns one value per
    model: each model's weights are one parameter array of the regularizer, whose
    ``reduction="none"`` gives one value per array (biases are not penalized).
    """
    mod = _module(penalty_name(name), reduction="none", alpha=alpha)

    def per_model(weights: Sequence[torch.Tensor]) -> torch.Tensor:
        flat = torch.cat([w.reshape(w.shape[0], -1) for w in weights], dim=1)
        return mod(*flat.unbind(0))

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
