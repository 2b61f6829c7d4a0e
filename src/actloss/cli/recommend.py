"""``actloss recommend``: output activation, loss and hidden activation for a task, with reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

import actloss as al

from .. import recommend as rules
from .options import Framework, JsonOpt
from .output import CliError, Output

CLAIMS_FOLDER = Path("actloss-claims")  # as `actloss claims --out`
CLAIMS_HELP = "Folder of `actloss claims` results: each rule's claim with its latest verdict."
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
    claims: Annotated[Path, typer.Option("--claims", help=CLAIMS_HELP)] = CLAIMS_FOLDER,
    as_json: JsonOpt = False,
) -> None:
    """Recommend the output activation, loss and hidden activation, with the reason for each."""
    if task not in rules.TASKS:
        raise CliError(f"unknown task {task!r}", "one of " + ", ".join(rules.TASKS))
    choices = rules.recommend(task, imbalanced=imbalanced, outliers=outliers, deep=deep)
    code = rules.snippet(choices, framework.value)
    flags = {"imbalanced": imbalanced, "outliers": outliers, "deep": deep}
    conditions = [k for k, v in flags.items() if v]
    verdicts = _verdicts(claims)
    found = {slot: rules.evidence(c, verdicts) for slot, c in choices.items()}
    payload = {
        "task": task,
        "conditions": conditions,
        "choices": [
            {**c.to_dict(), "in_catalog": in_catalog(c.name), "evidence_status": found[slot]}
            for slot, c in choices.items()
        ],
        "framework": framework.value,
        "snippet": code,
    }

    def render(console: Any) -> None:
        from rich.markup import escape
        from rich.syntax import Syntax
        from rich.table import Table

        title = f"task: {task}" + (f" ({', '.join(conditions)})" if conditions else "")
        table = Table(title=escape(title), title_justify="left", show_lines=True)
        for col in ("slot", "use", "why", "evidence"):
            table.add_column(col, overflow="fold")
        weak = []
        for slot, c in choices.items():
            args = ", ".join(f"{k}={v!r}" for k, v in c.params.items())
            use = f"[bold]{escape(c.name)}[/]" + escape(f"({args})" if args else "")
            if not in_catalog(c.name):
                use += " [red](not in the catalog yet)[/]"
            table.add_row(slot, use, escape(c.reason), _evidence_cell(found[slot]))
            if found[slot]["claim"] and not found[slot]["supports"]:
                holds = found[slot].get("holds_under") or []
                partly = f"; holds only under {', '.join(holds)}" if holds else ""
                weak.append(
                    f"{slot} {c.name} (claim {found[slot]['claim']}: "
                    f"{found[slot]['status']}{partly})"
                )
        console.print(table)
        if weak:
            console.print(
                escape(
                    "The evidence does not (yet) support: " + "; ".join(weak) + ". The rule is the "
                    f"textbook's; run `actloss claims N --out {claims}` to test it."
                )
            )
        console.print(Syntax(code, "python", theme="ansi_dark", background_color="default"))

    Output(as_json).emit(payload, render)


def _verdicts(folder: Path) -> dict[str, Any]:
    """claims.json of ``folder`` (claim id -> latest result), or {} when there is none."""
    import json

    path = folder / "claims.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {str(path)!r}: {exc}", "--claims FOLDER") from None
    return data if isinstance(data, dict) else {}


def _evidence_cell(found: dict[str, Any]) -> str:
    from rich.markup import escape

    if found["claim"] is None:
        return "[dim]no claim yet[/]"
    style = {"supported": "green", "refuted": "red", "mixed": "magenta"}.get(found["status"])
    status = escape(found["status"])
    shown = f"[{style}]{status}[/]" if style else f"[yellow]{status}[/]"
    budget = f" ({found['budget']} budget)" if found["budget"] else ""
    where = f"\n{found['overall']}" if found.get("overall") and found["status"] == "mixed" else ""
    return f"claim {found['claim']}: {shown}{escape(budget + where)}"


def register(app: typer.Typer) -> None:
    app.command("recommend", epilog=EXAMPLES)(recommend_command)
