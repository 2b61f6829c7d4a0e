"""``define``: one call builds an activation's Info and kernels and registers it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from .._catalog import register
from .._function import Activation, Kernels
from .._spec import Info

_KERNEL_FIELDS = {f.name for f in fields(Kernels)}


def define(
    name: str, *, aliases: Mapping[str, Mapping[str, Any]] | None = None, **spec: Any
) -> Activation:
    """Register the activation ``name`` from keyword fields of ``Info`` and ``Kernels``.

    ``aliases`` maps each alias to the parameters it presets (``{}`` for a plain alias).
    """
    kernel_kw = {k: spec.pop(k) for k in list(spec) if k in _KERNEL_FIELDS}
    info = Info(name=name, kind="activation", aliases=tuple(aliases or ()), **spec)
    fn = Activation(info, Kernels(**kernel_kw))
    register(fn, aliases)
    return fn
