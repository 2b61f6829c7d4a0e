"""Matplotlib figures of catalog curves (``actloss plot``), without pyplot's global state.

Readable when curves overlap: each function gets its own colour, dash pattern and marker
(markers placed at offsets that differ per curve), and earlier curves are drawn wider, so a
curve hidden under another (relu under leaky_relu for x > 0) still shows between the dashes.
Curves whose x means different things (``Curve.axis``: an activation's input, a regression
loss's prediction, a classification loss's margin...) never share an axes: each kind gets its
own row of panels with its own x label.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from ..curves import AXES, ORDER_NAMES, Curve

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008), black last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
DASHES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
MARK_EVERY = 0.12  # one marker per 12% of the curve's length (in axes coordinates)


def style(k: int, n: int, order: int | None = None) -> dict[str, Any]:
    """Line style of the ``k``-th of ``n`` functions; with ``order`` (overlay) the dash pattern
    tells the derivative order and colour and marker the function."""
    return {
        "color": PALETTE[k % len(PALETTE)],
        "linestyle": DASHES[order if order is not None else k % len(DASHES)],
        "marker": MARKERS[k % len(MARKERS)],
        "markevery": (MARK_EVERY * k / max(n, 1), MARK_EVERY),
        "markersize": 5.0,
        "lw": max(1.2, 2.6 - 0.3 * k),
    }


def figure(
    panels: Sequence[Sequence[Curve]],
    *,
    overlay: bool = False,
    title: str = "",
    layout: Literal["constrained"] | None = "constrained",
) -> Any:
    """The matplotlib ``Figure`` of the curves: one column per derivative order (one column
    with ``overlay``), one row per kind of x (``Curve.axis``). ``layout=None`` leaves the
    margins to the caller (constrained layout draws the figure twice)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = [[c for panel in panels for c in panel]] if overlay else [list(p) for p in panels]
    axes_kinds = list(dict.fromkeys(c.axis for col in columns for c in col))
    rows = [[[c for c in col if c.axis == a] for col in columns] for a in axes_kinds]
    fig = Figure(figsize=(4.6 * len(columns) + 0.6, 4.0 * len(rows)), layout=layout)
    FigureCanvasAgg(fig)
    names = list(
        dict.fromkeys((c.name, tuple(sorted(c.params.items()))) for p in panels for c in p)
    )
    for r, (kind, row) in enumerate(zip(axes_kinds, rows, strict=True)):
        for col, group in enumerate(row):
            if not group:
                continue
            ax = fig.add_subplot(len(rows), len(columns), r * len(columns) + col + 1)
            for c in group:
                k = names.index((c.name, tuple(sorted(c.params.items()))))
                ax.plot(
                    c.x, c.y, label=c.label, **style(k, len(names), c.order if overlay else None)
                )
            ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
            ax.axvline(0.0, color="0.6", lw=0.8, zorder=0)
            ax.grid(True, alpha=0.3)
            ax.set_xlabel(_common(c.xlabel for c in group))
            orders = sorted({c.order for c in group})
            ax.set_ylabel(" / ".join(_ylabel(group, o) for o in orders))
            heading = [] if overlay else [ORDER_NAMES[group[0].order].capitalize()]
            if len(rows) > 1:
                heading.insert(0, AXES.get(kind, kind))
            ax.set_title(": ".join(heading), fontsize="medium")
            ax.legend(fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def draw(
    panels: Sequence[Sequence[Curve]],
    path: Path,
    *,
    overlay: bool = False,
    title: str = "",
) -> Path:
    """Write the curves to ``path`` (png, svg or pdf); see ``figure``."""
    figure(panels, overlay=overlay, title=title).savefig(path, dpi=110)
    return path


def _ylabel(group: Sequence[Curve], order: int) -> str:
    return _common(c.ylabel for c in group if c.order == order)


def _common(labels: object) -> str:
    unique = list(dict.fromkeys(labels))  # type: ignore[call-overload]
    return unique[0] if len(unique) == 1 else " | ".join(unique[:3])
