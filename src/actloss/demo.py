"""A plain-text tour of the catalog: ``python -m actloss.demo``.

Prints every activation with its range and properties, then a table of values and
derivatives at a few points. Uses only the core (NumPy), so it runs on a bare install.
"""

from __future__ import annotations

import numpy as np

from . import catalog

POINTS = (-3.0, -1.0, 0.0, 1.0, 3.0)


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def catalog_table() -> str:
    rows: list[tuple[str, ...]] = [("name", "range", "monotonic", "odd", "smooth", "params")]
    for fn in catalog(kind="activation"):
        info = fn.info
        params = ", ".join(f"{p.name}={p.default!r}" for p in info.params if p.name != "axis")
        rows.append(
            (
                info.name + ("" if info.elementwise else " (vector)"),
                info.range_text or str(info.output_range),
                _flag(info.monotonic),
                _flag(info.zero_centered),
                info.smoothness,
                params,
            )
        )
    return _format(rows)


def derivative_table() -> str:
    x = np.asarray(POINTS)
    header = ("name", *(f"f({p:g})" for p in POINTS), *(f"f'({p:g})" for p in POINTS))
    rows: list[tuple[str, ...]] = [header]
    for fn in catalog(kind="activation"):
        if not fn.info.elementwise:
            continue
        y, d = fn.value_and_grad(x)
        rows.append((fn.name, *(f"{v:.4f}" for v in y), *(f"{v:.4f}" for v in d)))
    return _format(rows)


def _format(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    activations = catalog(kind="activation")
    losses = catalog(kind="loss")
    print(f"actloss catalog: {len(activations)} activations, {len(losses)} losses\n")
    print(catalog_table())
    print("\nValues and derivatives (analytic, verified against PyTorch and finite differences):\n")
    print(derivative_table())


if __name__ == "__main__":
    main()
