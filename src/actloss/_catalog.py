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


def check_new_name(name: Any, what: str = "name") -> None:
    """The one rule for names and aliases, checked at registration: a lowercase ASCII
    identifier (what ``get`` can find: it lower-cases and maps '-' and ' ' to '_') that no
    entry or alias already has, compared as ``get`` compares them (case-insensitively)."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a string, got {type(name).__name__}")
    key = normalize(name)
    if key in _ENTRIES or key in _ALIASES:
        owner = "a catalog entry" if key in _ENTRIES else f"an alias of {_ALIASES[key][0]!r}"
        same = "" if key == name else f" (names are compared as get() does: {name!r} is {key!r})"
        raise ValueError(f"{what} {name!r} is taken: {key!r} is {owner}{same}")
    if not (name.isascii() and name.isidentifier() and name == key):
        hint = f"; use {key!r}" if key.isascii() and key.isidentifier() else ""
        raise ValueError(
            f"{what} must be a lowercase identifier (ASCII letters, digits and '_', not "
            f"starting with a digit, e.g. 'my_loss'), got {name!r}{hint}"
        )


def register(fn: Function, aliases: Mapping[str, Mapping[str, Any]] | None = None) -> Function:
    """Add ``fn`` to the catalog, with aliases that may preset parameters."""
    name = fn.info.name
    check_new_name(name)
    for alias in aliases or {}:
        check_new_name(alias, f"alias of {name!r}")
    if len({normalize(a) for a in aliases or {}} | {name}) != len(aliases or {}) + 1:
        raise ValueError(f"the aliases of {name!r} repeat a name: {sorted(aliases or {})}")
    _ENTRIES[name] = fn
    for alias, preset in (aliases or {}).items():
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
