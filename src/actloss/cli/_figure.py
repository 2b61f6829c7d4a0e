"""Matplotlib figures of catalog curves (``actloss plot``), without pyplot's global state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..curves import ORDER_NAMES, Curve

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008), black last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")  # fmt: skip
DASHES = ("-", "--", ":", "-.")


def draw(
    panels: Sequence[Sequence[Curve]],
    path: Path,
    *,
    overlay: bool = False,
    title: str = "",
) -> Path:
    """Write the curves to ``path`` (png, svg or pdf): one panel per derivative order,
    side by side, or all orders on one axes with ``overlay`` (line style = order)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = [[c for panel in panels for c in panel]] if overlay else list(panels)
    fig = Figure(figsize=(4.6 * len(groups) + 0.6, 4.0), layout="constrained")
    FigureCanvasAgg(fig)
    names = list(
        dict.fromkeys((c.name, tuple(sorted(c.params.items()))) for p in panels for c in p)
    )
    for i, group in enumerate(groups):
        ax = fig.add_subplot(1, len(groups), i + 1)
        for c in group:
            k = names.index((c.name, tuple(sorted(c.params.items()))))
            style = DASHES[c.order] if overlay else DASHES[(k // len(PALETTE)) % len(DASHES)]
            ax.plot(c.x, c.y, style, color=PALETTE[k % len(PALETTE)], lw=2.0, label=c.label)
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax.axvline(0.0, color="0.6", lw=0.8, zorder=0)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel(_common(c.xlabel for c in group))
        orders = sorted({c.order for c in group})
        ax.set_ylabel(" / ".join(_ylabel(group, o) for o in orders))
        if not overlay:
            ax.set_title(ORDER_NAMES[group[0].order].capitalize() if group else "")
        ax.legend(fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return path


def _ylabel(group: Sequence[Curve], order: int) -> str:
    return _common(c.ylabel for c in group if c.order == order)


def _common(labels: object) -> str:
    unique = list(dict.fromkeys(labels))  # type: ignore[call-overload]
    return unique[0] if len(unique) == 1 else " | ".join(unique[:3])
