"""The atlas: one self-contained, offline HTML page generated from the catalog.

>>> from actloss.atlas import build, Section          # doctest: +SKIP
>>> build("atlas.html", sections=[Section("claims", "Claims", "<p>...</p>")])  # doctest: +SKIP

A card per function (formula and derivative as MathML, an interactive Plotly
plot of the function and its derivative with a slider per parameter, the
metadata), search and filters, a comparison view and the recommendation table.
Plotly's JavaScript and every curve (precomputed in Python on a grid of
parameter values) are inside the file.

Hook for later sections: pass ``sections=[Section(id, title, html), ...]`` to
``build`` (or ``render``); the lab and the claims add their results this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .page import Section, render

__all__ = ["Section", "build", "render"]


def build(path: str | Path, sections: Sequence[Section] = ()) -> Path:
    """Write the atlas to ``path`` and return it."""
    path = Path(path)
    path.write_text(render(sections), encoding="utf-8")
    return path
