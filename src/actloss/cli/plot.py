"""``actloss plot NAME [NAME ...]``: comparison plots of functions and their derivatives."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

import actloss as al

from .. import curves
from . import _figure
from .options import JsonOpt, NamesArg, ParamOpt, lookup, parse_params
from .output import CliError, Output

EXAMPLES = (
    "Examples: actloss plot relu gelu silu --derivative | "
    "actloss plot elu -p elu.alpha=0.5 -p elu.alpha=2 --out elu.svg | "
    "actloss plot mse mae huber hinge --target 1 --x-range -2 3"
)
FORMATS = (".png", ".svg", ".pdf")

# Where each kind of loss input is defined (open ends are kept just inside).
_DOMAINS = {
    "probabilities": (0.0, 1.0),
    "log_probabilities": (-math.inf, 0.0),
    "distances": (0.0, math.inf),
}


def default_path(names: list[str], derivative: bool, second: bool) -> Path:
    stem = "-".join(re.sub(r"[^\w.]+", "_", n) for n in names[:4])
    suffix = "-d2" if second else "-d" if derivative else ""
    return Path(f"actloss-{stem}{suffix}.png")


def x_grid(fn: al.Function, x_range: tuple[float, float] | None) -> np.ndarray:
    """The plotting grid: the requested range, cut to where the entry's input is defined."""
    lo, hi = x_range if x_range is not None else curves.default_range(fn)
    dlo, dhi = (
        _DOMAINS.get(curves.pred_kind(fn), (-math.inf, math.inf))
        if fn.info.kind == "loss"
        else (-math.inf, math.inf)
    )
    lo, hi = max(lo, dlo), min(hi, dhi)
    if not lo < hi:
        raise curves.NotPlottable(
            f"{fn.name}: its input ({fn.info.y_pred_kind}) is defined on "
            f"[{dlo:g}, {dhi:g}], outside the x range"
        )
    xs = np.linspace(lo, hi, 401)
    eps = 1e-3 * (hi - lo)
    return np.clip(
        xs, dlo + eps if math.isfinite(dlo) else lo, dhi - eps if math.isfinite(dhi) else hi
    )


def plot_command(
    names: NamesArg,
    derivative: Annotated[bool, typer.Option("--derivative", "-d", help="Also draw f'.")] = False,
    second_derivative: Annotated[
        bool, typer.Option("--second-derivative", help="Also draw f''.")
    ] = False,
    x_range: Annotated[
        tuple[float, float] | None,
        typer.Option("--x-range", metavar="LOW HIGH", help="x range (default: per entry)."),
    ] = None,
    param: ParamOpt = None,
    target: Annotated[
        float | None,
        typer.Option("--target", help="Fixed y_true for losses (default 1; 0 for regression)."),
    ] = None,
    overlay: Annotated[
        bool, typer.Option("--overlay", help="Draw derivatives on the same axes (dashed).")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file: .png, .svg or .pdf.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plot functions (and derivatives) side by side or overlaid; losses against the prediction."""
    fns = list(dict.fromkeys(lookup(n) for n in names))
    if len({fn.info.kind for fn in fns}) > 1:
        raise CliError(
            "cannot plot activations and losses on the same axes", "plot them in two commands"
        )
    if x_range is not None and not (all(map(math.isfinite, x_range)) and x_range[0] < x_range[1]):
        raise CliError(f"--x-range needs LOW < HIGH, got {x_range[0]:g} {x_range[1]:g}")
    path = out or default_path([fn.name for fn in fns], derivative, second_derivative)
    if path.suffix.lower() not in FORMATS:
        raise CliError(f"--out must end in {', '.join(FORMATS)}, got {str(path)!r}")
    orders = [0] + [1] * derivative + [2] * second_derivative
    sets = parse_params(param, fns)
    panels: list[list[curves.Curve]] = [[] for _ in orders]
    skipped: list[dict[str, str]] = []
    output = Output(as_json)
    for fn in fns:
        try:
            xs = x_grid(fn, x_range)
        except curves.NotPlottable as exc:
            skipped.append({"name": fn.name, "order": "all", "reason": str(exc)})
            continue
        for params in sets[fn.name]:
            for panel, order in zip(panels, orders, strict=True):
                try:
                    panel.append(curves.section(fn, order, x=xs, params=params, target=target))
                except curves.NotPlottable as exc:
                    skipped.append({"name": fn.name, "order": str(order), "reason": str(exc)})
                except (ValueError, TypeError) as exc:
                    raise CliError(str(exc), f"actloss show {fn.name}") from None
    for s in skipped:
        output.note(f"skipped {s['name']}: {s['reason']}")
    panels = [p for p in panels if p]
    if not panels:
        raise CliError("nothing to plot: every entry was skipped (reasons above)")
    try:
        _figure.draw(panels, path, overlay=overlay)
    except OSError as exc:
        raise CliError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    payload: dict[str, Any] = {
        "file": str(path),
        "bytes": path.stat().st_size,
        "curves": [
            {
                "name": c.name,
                "order": c.order,
                "params": dict(c.params),
                "xlabel": c.xlabel,
                "axis": c.axis,
                "note": c.note,
                "x_range": [float(c.x[0]), float(c.x[-1])],
            }
            for p in panels
            for c in p
        ],
        "skipped": skipped,
    }
    output.emit(payload, lambda console: console.print(f"wrote {path} ({payload['bytes']} bytes)"))


def register(app: typer.Typer) -> None:
    app.command("plot", epilog=EXAMPLES)(plot_command)
