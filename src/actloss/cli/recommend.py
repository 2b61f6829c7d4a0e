"""``actloss recommend``: output activation, loss and hidden activation for a task, with reasons."""

from __future__ import annotations

from typing import Annotated, Any

import typer

import actloss as al

from .. import recommend as rules
from .options import Framework, JsonOpt
from .output import CliError, Output

EXAMPLES = (
    "Examples: actloss recommend --task binary | "
    "actloss recommend --task regression --outliers --framework keras | "
    "actloss recommend --task multiclass --imbalanced --deep --json"
)


def in_catalog(name: str) -> bool:
    try:
        al.get(name)
    except al.UnknownNameError:
        return False
    return True


def recommend_command(
    task: Annotated[str, typer.Option("--task", "-t", help=f"One of: {', '.join(rules.TASKS)}.")],
    imbalanced: Annotated[bool, typer.Option("--imbalanced", help="Rare classes.")] = False,
    outliers: Annotated[bool, typer.Option("--outliers", help="Outliers in targets.")] = False,
    deep: Annotated[bool, typer.Option("--deep", help="A deep network.")] = False,
    framework: Annotated[
        Framework, typer.Option("--framework", "-f", help="Snippet for this framework.")
    ] = Framework.torch,
    as_json: JsonOpt = False,
) -> None:
    """Recommend the output activation, loss and hidden activation, with the reason for each."""
    if task not in rules.TASKS:
        raise CliError(f"unknown task {task!r}", "one of " + ", ".join(rules.TASKS))
    choices = rules.recommend(task, imbalanced=imbalanced, outliers=outliers, deep=deep)
    code = rules.snippet(choices, framework.value)
    conditions = [k for k, v in (("imbalanced", imbalanced), ("outliers", outliers),
                                 ("deep", deep)) if v]  # fmt: skip
    payload = {
        "task": task,
        "conditions": conditions,
        "choices": [{**c.to_dict(), "in_catalog": in_catalog(c.name)} for c in choices.values()],
        "framework": framework.value,
        "snippet": code,
    }

    def render(console: Any) -> None:
        from rich.syntax import Syntax
        from rich.table import Table

        title = f"task: {task}" + (f" ({', '.join(conditions)})" if conditions else "")
        table = Table(title=title, title_justify="left", show_lines=True)
        for col in ("slot", "use", "why", "evidence"):
            table.add_column(col, overflow="fold")
        for c in choices.values():
            args = ", ".join(f"{k}={v!r}" for k, v in c.params.items())
            use = f"[bold]{c.name}[/]" + (f"({args})" if args else "")
            if not in_catalog(c.name):
                use += " [red](not in the catalog yet)[/]"
            evidence = f"claim {c.evidence}" if c.evidence else "[dim]none yet[/]"
            table.add_row(c.slot, use, c.reason, evidence)
        console.print(table)
        console.print(Syntax(code, "python", theme="ansi_dark", background_color="default"))

    Output(as_json).emit(payload, render)


def register(app: typer.Typer) -> None:
    app.command("recommend", epilog=EXAMPLES)(recommend_command)
