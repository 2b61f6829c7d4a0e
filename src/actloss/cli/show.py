"""``actloss show NAME``: one entry's card: math, parameters, properties, values, a plot."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer

import actloss as al

from .. import curves
from .._mathtext import latex_to_text
from . import _termplot
from .listing import params_text, properties, range_text
from .options import JsonOpt, NameArg, ShowParamOpt, lookup, parse_params
from .output import CliError, Output

EXAMPLES = (
    "Examples: actloss show gelu | actloss show elu --param alpha=0.5 --at=-1,0,1 | "
    "actloss show huber --json"
)
DEFAULT_POINTS = "-2,-1,0,1,2"


def parse_points(text: str) -> np.ndarray:
    try:
        pts = [float(t) for t in text.replace(" ", ",").split(",") if t.strip()]
    except ValueError:
        raise CliError(
            f"--at expects numbers separated by commas, got {text!r}", "e.g. --at=-1,0,1"
        ) from None
    if not pts or not all(np.isfinite(pts)):
        raise CliError(f"--at expects finite numbers, got {text!r}", "e.g. --at=-1,0,1")
    return np.asarray(pts)


def value_table(fn: al.Function, xs: np.ndarray, params: dict[str, Any]) -> dict[str, Any]:
    """f, f' and f'' at ``xs`` (the orders the entry has), or the reason there is none."""
    table: dict[str, Any] = {"x": xs.tolist(), "skipped": {}}
    for order, key in enumerate(("value", "derivative", "second_derivative")):
        try:
            c = curves.section(fn, order, x=xs, params=params)
            xs = c.x  # a loss keeps only the points where its input is defined
            table["x"] = xs.tolist()
        except curves.NotPlottable as exc:
            table["skipped"][key] = str(exc)
            continue
        except (ValueError, TypeError) as exc:
            raise CliError(str(exc), f"actloss show {fn.name} lists the parameters") from None
        table[key] = c.y.tolist()
        table["xlabel"], table["note"] = c.xlabel, c.note
    return table


def _at_option() -> Any:
    return typer.Option("--at", help="Points for the value table, comma-separated.")


def show_command(
    name: NameArg,
    at: Annotated[str, _at_option()] = DEFAULT_POINTS,
    param: ShowParamOpt = None,
    plot: Annotated[bool, typer.Option("--plot/--no-plot", help="Draw a terminal plot.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Show one function: formula and derivative, parameters, properties, values and a plot."""
    fn = lookup(name)
    sets = parse_params(param, [fn])[fn.name]
    if len(sets) > 1:
        twice = sorted(k for k in sets[0] if len({str(s[k]) for s in sets}) > 1)
        raise CliError(
            f"show takes one value per parameter; {', '.join(twice)} got several",
            f"actloss plot {fn.name} --param ... compares values",
        )
    params = sets[0]
    info = fn.info
    text = {
        k: latex_to_text(getattr(info, k)) for k in ("formula", "derivative", "second_derivative")
    }
    table = value_table(fn, parse_points(at), params)
    payload = {
        "name": info.name,
        "info": info.to_dict(),
        "text": text,
        "params": params,
        "properties": properties(info),
        "table": table,
    }

    def render(console: Any) -> None:
        _render(console, fn, text, table, params, plot)

    Output(as_json).emit(payload, render)


def _render(
    console: Any,
    fn: al.Function,
    text: dict[str, str],
    table: dict[str, Any],
    params: dict[str, Any],
    plot: bool,
) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    # Catalog text is printed as is (escaped or as Text): "[-1, 1]" is a range, not markup.
    info = fn.info
    head = f"[bold]{escape(info.name)}[/]  [dim]{escape(info.kind)} · {escape(info.family)}[/]"
    if info.aliases:
        head += f"  [dim]aliases: {escape(', '.join(info.aliases))}[/]"
    console.print(head)
    console.print(Text(info.summary))
    for key, label in (
        ("formula", "formula"),
        ("derivative", "derivative"),
        ("second_derivative", "2nd derivative"),
    ):
        latex = getattr(info, key)
        if latex:
            console.print(f"\n[bold]{label}[/]  {escape(text[key])}")
            console.print(Text(f"  LaTeX: {latex}", style="dim"))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    rows = [
        ("defaults", params_text(info) or "no parameters"),
        ("range", range_text(info)),
        ("properties", ", ".join(properties(info))),
        ("kinks", "; ".join(f"{k.where} (grad there: {k.subgradient})" for k in info.kinks)),
        ("task", ", ".join(info.task)),
        ("y_pred", info.y_pred_kind),
        ("PyTorch", info.torch_equivalent),
    ]
    for label, value in rows:
        if value:
            facts.add_row(label, Text(value))
    console.print()
    console.print(facts)
    for p in info.params:
        console.print(Text(f"  {p.name}: {p.doc} ({p.describe_expected()})", style="dim"))
    for title, items in (
        ("pros", info.pros),
        ("cons", info.cons),
        ("conventions", info.conventions),
        ("notes", info.notes),
        ("references", info.references),
    ):
        if items:
            console.print(f"\n[bold]{title}[/]")
            for item in items:
                console.print(Text(f"  - {item}"))
    _render_table(console, table, params)
    if plot and "value" in table:
        _render_plot(console, fn, params)


def _render_table(console: Any, table: dict[str, Any], params: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    cols = [k for k in ("value", "derivative", "second_derivative") if k in table]
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    out = Table(title=Text("values" + (f" ({shown})" if shown else "")), title_justify="left")
    out.add_column(Text(table.get("xlabel", "x")))
    for c in cols:
        out.add_column(c.replace("_", " "), justify="right")
    for i, x in enumerate(table["x"]):
        out.add_row(f"{x:g}", *(f"{table[c][i]:.6g}" for c in cols))
    console.print()
    if cols:
        console.print(out)
    if table.get("note"):
        console.print(Text(table["note"], style="dim"))
    for key, reason in table["skipped"].items():
        console.print(Text(f"no {key.replace('_', ' ')}: {reason}", style="dim"))


def _render_plot(console: Any, fn: al.Function, params: dict[str, Any]) -> None:
    from rich.text import Text

    series = []
    for order, (marker, style) in enumerate((("●", "blue"), ("·", "dark_orange"))):
        try:
            c = curves.section(fn, order, x=curves.grid(fn, num=129), params=params)
        except curves.NotPlottable:
            continue
        series.append((marker, c.y, style))
        x = c.x
    if not series:
        return
    console.print()
    console.print(Text.assemble(*_termplot.render(x, series)))
    console.print(
        Text.assemble(("● ", "blue"), ("value  ", ""), ("· ", "dark_orange"), ("derivative", ""))
    )


def register(app: typer.Typer) -> None:
    app.command("show", epilog=EXAMPLES)(show_command)
