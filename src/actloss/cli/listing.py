"""``actloss list``: the catalog as a table (or JSON), filtered by kind and task."""

from __future__ import annotations

from typing import Annotated, Any

import typer

import actloss as al

from .options import JsonOpt, KindOpt, check_task
from .output import Output

EXAMPLES = (
    "Examples: actloss list | actloss list --kind loss --task regression | actloss list --json"
)


def properties(info: al.Info) -> list[str]:
    """Short property words for tables and badges, read from the spec."""
    return info.property_words()


def range_text(info: al.Info) -> str:
    return info.range_description()


def params_text(info: al.Info) -> str:
    return ", ".join(f"{p.name}={p.default!r}" for p in info.params)


def select(kind: str | None, task: str | None) -> list[al.Function]:
    fns = al.catalog(kind=kind)
    if task is not None:
        fns = [fn for fn in fns if task in fn.info.task]
    return fns


def list_command(
    kind: KindOpt = None,
    task: Annotated[
        str | None, typer.Option("--task", "-t", help="Only losses for this task.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the catalog: name, aliases, range, properties and parameters."""
    if task is not None:
        check_task(task)
    fns = select(kind.value if kind else None, task)
    payload = [fn.info.to_dict() for fn in fns]

    def render(console: Any) -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=f"actloss catalog ({len(fns)} entries)", title_justify="left")
        for col in ("name", "kind", "aliases", "range", "properties", "parameters"):
            table.add_column(col, overflow="fold")
        for fn in fns:
            info = fn.info
            extra = ", ".join(info.task) if info.kind == "loss" else ""
            # catalog text is printed as is: "[-1, 1]" is a range, not rich markup
            table.add_row(
                f"[bold]{escape(info.name)}[/]",
                info.kind + (f"\n[dim]{escape(extra)}[/]" if extra else ""),
                escape(", ".join(info.aliases)),
                escape(range_text(info)),
                escape(", ".join(properties(info))),
                escape(params_text(info)),
            )
        console.print(table)

    Output(as_json).emit(payload, render)


def register(app: typer.Typer) -> None:
    app.command("list", epilog=EXAMPLES)(list_command)
