"""A small character plot for terminals (``actloss show``): curves on a grid with axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def render(
    x: np.ndarray,
    series: Sequence[tuple[str, np.ndarray, str]],
    *,
    width: int = 64,
    height: int = 16,
) -> list[tuple[str, str]]:
    """Rows of ``(text, style)`` segments: each series drawn with its marker over the x range.

    ``series`` holds ``(marker, y, style)``; non-finite samples are left out. The
    y range covers every finite sample; the axes x = 0 and y = 0 are drawn when
    they fall inside the plot.
    """
    finite = [y[np.isfinite(y)] for _, y, _ in series]
    values = np.concatenate(finite) if finite else np.empty(0)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (-1.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
    x0, x1 = float(x[0]), float(x[-1])
    cells: list[list[tuple[str, str]]] = [[(" ", "")] * width for _ in range(height)]

    def row_of(v: float) -> int:
        return height - 1 - round((v - lo) / (hi - lo) * (height - 1))

    def col_of(v: float) -> int:
        return round((v - x0) / (x1 - x0) * (width - 1))

    if lo <= 0.0 <= hi:
        cells[row_of(0.0)] = [("─", "dim")] * width
    if x0 <= 0.0 <= x1:
        c = col_of(0.0)
        for r in range(height):
            cells[r][c] = ("┼" if cells[r][c][0] == "─" else "│", "dim")
    for marker, y, style in series:
        for xi, yi in zip(x, y, strict=True):
            if math.isfinite(float(yi)):
                cells[row_of(float(yi))][col_of(float(xi))] = (marker, style)
    label_w = max(len(f"{hi:.3g}"), len(f"{lo:.3g}"))
    rows = []
    for r, line in enumerate(cells):
        label = f"{hi:.3g}" if r == 0 else f"{lo:.3g}" if r == height - 1 else ""
        rows.append((label.rjust(label_w) + " ", ""))
        rows.extend(line)
        rows.append(("\n", ""))
    axis = f"{x0:g}".ljust(width // 2) + f"{x1:g}".rjust(width - width // 2)
    rows.append((" " * (label_w + 1) + axis, "dim"))
    return rows
