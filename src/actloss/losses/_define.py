"""``define``: one call builds a loss's Info and kernels and registers it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._catalog import register
from .._loss import Loss, LossKernels
from .._reduction import STANDARD_REDUCTIONS
from .._spec import Info

_KERNEL_KEYS = ("kernel", "inputs", "variadic", "has_grad", "check_params", "class_axis", "fused")


def define(
    name: str,
    *,
    kernel: Any,
    aliases: Mapping[str, Mapping[str, Any]] | None = None,
    default_reduction: str = "mean",
    **spec: Any,
) -> Loss:
    """Register the loss ``name`` from keyword fields of ``Info`` and the kernel options.

    ``kernel(xp, y_true, y_pred, **params) -> Parts``; ``inputs`` names the arrays
    when y_pred is a tuple; ``reductions`` defaults to the standard formulas.
    """
    kw = {k: spec.pop(k) for k in list(spec) if k in _KERNEL_KEYS}
    spec.setdefault("reductions", dict(STANDARD_REDUCTIONS))
    spec.setdefault("elementwise", False)
    info = Info(name=name, kind="loss", aliases=tuple(aliases or ()), **spec)
    fn = Loss(info, LossKernels(value=kernel, **kw), default_reduction=default_reduction)
    register(fn, aliases)
    return fn
