"""PyTorch adapters: every catalog entry as an ``nn.Module`` and a functional form.

Generated from the catalog (``actloss.catalog()``), never written by hand: one
class per entry, named in PyTorch's style (``ReLU``, ``LeakyReLU``, ``GELU``,
``Swish``, ``Softmax``, ``FocalLoss``, ``MSELoss``; see ``actloss._classnames``).
The backward pass of each is the catalog's analytic derivative inside a
``torch.autograd.Function``.

>>> import torch, actloss.torch as alt
>>> act = alt.Swish(beta=1.0, learnable=True)
>>> y = act(torch.linspace(-2.0, 2.0, 5))
>>> [name for name, _ in act.named_parameters()]
['beta']
>>> alt.module("leaky_relu", negative_slope=0.2)
LeakyReLU(negative_slope=0.2)

Requires the ``torch`` extra (``pip install 'actloss[torch]'``).
"""

from __future__ import annotations

from typing import Any

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "actloss.torch needs PyTorch; install it with: pip install 'actloss[torch]'"
    ) from exc

from .. import _catalog
from .._classnames import export_classes, registered_entry
from .._function import Activation, Function
from .._loss import Loss
from . import functional
from ._autograd import FusedActivation, TracedActivation, apply_activation, force_traced
from ._losses import LossModule, make_loss_class
from ._modules import ActivationModule, make_activation_class

_CLASSES: dict[str, tuple[Function, type[nn.Module]]] = {}


def module_class(name: str | Function) -> type[nn.Module]:
    """The module class of a catalog entry (built on first use for entries registered later)."""
    fn = _catalog.get(name)
    entry = registered_entry(fn)  # the registered entry behind an alias
    cached = _CLASSES.get(entry.info.name)
    if cached is None or cached[0] is not entry:
        cls: type[nn.Module]
        if isinstance(entry, Activation):
            cls = make_activation_class(entry)
        else:
            assert isinstance(entry, Loss)
            cls = make_loss_class(entry)
        cached = _CLASSES[entry.info.name] = (entry, cls)
    return cached[1]


def module(name: str | Function, **params: Any) -> nn.Module:
    """Build any catalog entry (activation or loss, by name or alias) as a module.

    ``params`` are the class's constructor arguments; the catalog's ``axis`` is
    accepted for ``dim``, and an alias's presets apply
    (``module("gelu_tanh")`` is ``GELU(approximate="tanh")``).

    >>> import actloss.torch as alt
    >>> alt.module("gelu_tanh")
    GELU(approximate='tanh')
    >>> alt.module("softmax", axis=1)
    Softmax(dim=1)
    """
    fn = _catalog.get(name)
    kwargs = {**_torch_names(fn, fn.preset), **_torch_names(fn, params)}
    return module_class(fn)(**kwargs)


def _torch_names(fn: Function, params: dict[str, Any]) -> dict[str, Any]:
    """Catalog parameter names -> the module's: ``axis`` -> ``dim``; a learnable array
    (PReLU's ``weight``) -> ``init`` (with ``num_parameters`` from its length)."""
    out = dict(params)
    if "axis" in out and isinstance(fn, Activation):  # loss modules keep the catalog's axis
        if "dim" in out:
            raise TypeError(f"{fn.name}: pass dim or axis, not both")
        out["dim"] = out.pop("axis")
    if isinstance(fn, Activation):
        for p in fn.info.params:
            if p.kind == "array" and p.learnable and p.name in out:
                if "init" in out:
                    raise TypeError(f"{fn.name}: pass {p.name} or init, not both")
                value = out.pop(p.name)
                size = int(torch.as_tensor(value).numel())
                if size > 1:
                    out.setdefault("num_parameters", size)
                out["init"] = value
    return out


_GENERATED = export_classes(globals(), module_class)

__all__ = [
    "FusedActivation",
    "TracedActivation",
    "ActivationModule",
    "LossModule",
    "apply_activation",
    "force_traced",
    "functional",
    "module",
    "module_class",
    *_GENERATED,
]
