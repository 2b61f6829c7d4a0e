"""The registry: one entry per function, looked up by name or alias."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._function import Function

_ENTRIES: dict[str, Function] = {}
_ALIASES: dict[str, tuple[str, dict[str, Any]]] = {}


class UnknownNameError(ValueError, LookupError):
    """Raised for a name that is not in the catalog; the message lists the closest names."""


def normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def register(fn: Function, aliases: Mapping[str, Mapping[str, Any]] | None = None) -> Function:
    """Add ``fn`` to the catalog, with aliases that may preset parameters."""
    name = fn.info.name
    if name in _ENTRIES or name in _ALIASES:
        raise ValueError(f"{name!r} is already registered")
    _ENTRIES[name] = fn
    for alias, preset in (aliases or {}).items():
        if alias in _ENTRIES or alias in _ALIASES:
            raise ValueError(f"alias {alias!r} of {name!r} is already taken")
        _ALIASES[alias] = (name, dict(preset))
    return fn


def unregister(name: str) -> None:
    """Remove a (user-registered) entry and its aliases."""
    _ENTRIES.pop(name, None)
    for alias in [a for a, (target, _) in _ALIASES.items() if target == name]:
        del _ALIASES[alias]


def all_names() -> list[str]:
    return sorted([*_ENTRIES, *_ALIASES])


def get(name: str | Function) -> Function:
    """Look up a catalog entry by name or alias (case-insensitive, '-' or '_').

    >>> import actloss as al
    >>> al.get("logistic").name
    'sigmoid'
    """
    from ._function import Function

    if isinstance(name, Function):
        return name
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    key = normalize(name)
    if key in _ENTRIES:
        return _ENTRIES[key]
    if key in _ALIASES:
        target, preset = _ALIASES[key]
        fn = _ENTRIES[target]
        return fn.partial(_alias=key, **preset) if preset else fn
    close = difflib.get_close_matches(key, all_names(), n=5, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownNameError(
        f"unknown function {name!r}.{hint} (`actloss list` or actloss.catalog() shows all)"
    )


def catalog(kind: str | None = None, family: str | None = None) -> list[Function]:
    """Every registered entry (optionally of one kind or family), sorted by name."""
    if kind not in (None, "activation", "loss"):
        raise ValueError(f"kind must be 'activation', 'loss' or None, got {kind!r}")
    out = [
        fn
        for fn in _ENTRIES.values()
        if (kind is None or fn.info.kind == kind) and (family is None or fn.info.family == family)
    ]
    return sorted(out, key=lambda f: f.info.name)
