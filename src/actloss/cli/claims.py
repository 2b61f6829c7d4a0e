"""``actloss claims``: put the textbook claims to their experiments and print the verdicts."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from .options import JsonOpt
from .output import CliError, Output

EXAMPLES = (
    "Examples: actloss claims | actloss claims 8 --budget full | "
    "actloss claims --json --out results/claims"
)
VERDICT_STYLE = {
    "supported": "green",
    "refuted": "red",
    "inconclusive": "yellow",
    "mixed": "magenta",
}


class BudgetName(str, Enum):
    quick = "quick"
    full = "full"


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None or v != v:  # no number (JSON null) or NaN: not applicable
        return "–"
    return f"{v:.{digits}g}"


def _cell_label(p: dict[str, Any]) -> str:
    """A cell's label, the source's condition marked with its citation."""
    label = p.get("label") or p["part"]
    return f"{label} [source: {p['source']}]" if p.get("source") else label


def _verdict_text(d: dict[str, Any]) -> str:
    """The verdict, and each cell's own (part x condition)."""
    parts = [f"{_cell_label(p)}: {p['verdict']}" for p in d.get("parts", [])]
    return d["verdict"] + "".join(f"\n{p}" for p in parts)


def _effect_text(d: dict[str, Any]) -> str:
    parts = d.get("parts", [])
    if parts:
        return "\n".join(
            f"{p.get('label') or p['part']}: {_effect_text({**d, **p, 'parts': []})}" for p in parts
        )
    if d["ci"] is None:
        return f"max error {_fmt(d['effect'])}"
    low, high = d["ci"]
    unit = f" {d['unit']}" if d["unit"] else ""
    reps = f"n={d['n']}"
    if d.get("splits", 1) > 1:
        reps += f", {d['agree']}/{d['splits']} splits agree"
    return f"{_fmt(d['effect'])} [{_fmt(low)}, {_fmt(high)}]{unit} ({reps})"


def _claim_text(d: dict[str, Any]) -> str:
    """The statement, where it was made, and the overall line."""
    text = d["statement"]
    if d.get("source_setting"):
        text += f"\nsource: {d['source_setting']}"
    return text + f"\noverall: {d.get('overall', d['verdict'])}"


def claims_command(
    claim: Annotated[
        int | None,
        typer.Argument(help="A claim number (1-15); every claim when omitted.", show_default=False),
    ] = None,
    budget: Annotated[
        BudgetName,
        typer.Option(
            "--budget", "-b", help="quick (all claims in minutes on 2 cores) or full (thorough)."
        ),
    ] = BudgetName.quick,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder for the results store, the plots and claims.json."
        ),
    ] = Path("actloss-claims"),
    as_json: JsonOpt = False,
) -> None:
    """Run the claims' experiments (resumable) and print each verdict with its effect and CI.

    Every verdict is computed from the measured effect by the decision rule printed next to
    it; the errata (wrong formulas printed in tutorials) follow with their numeric checks.
    """
    try:
        from ..claims.errata import check_all
        from ..claims.registry import CLAIMS, get_claim
        from ..claims.runner import run_claim
        from ..lab.store import StoreError
    except ImportError as exc:
        raise CliError(
            f"actloss claims needs the lab extra ({exc.name} is missing)",
            "pip install 'actloss[lab]'",
        ) from None
    try:
        chosen = [get_claim(claim)] if claim is not None else list(CLAIMS)
    except ValueError as exc:
        raise CliError(str(exc), "actloss claims --help") from None
    sink = Output(as_json)
    results = []
    for c in chosen:
        sink.note(f"claim {c.id}: {c.statement} ...")
        try:
            results.append(run_claim(c, budget.value, out).to_dict())
        except StoreError as exc:  # a corrupt or foreign store in --out: named, left alone
            raise CliError(str(exc), "another --out folder, or move the file away") from None
        except OSError as exc:
            raise CliError(f"cannot write to {str(out)!r}: {exc.strerror or exc}") from None
    errata = [e.to_dict() for e in check_all()]
    payload = [{"kind": "claim", **r} for r in results]
    payload += [{"kind": "erratum", **e} for e in errata]

    def render(console: Any) -> None:
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=f"Claims ({budget.value} budget; effect = mean of paired differences over "
            "the replicates, 95% t-interval)"
        )
        table.add_column("#", justify="right")
        table.add_column("claim", overflow="fold", ratio=3)
        table.add_column("verdict")
        table.add_column("effect [95% CI]", overflow="fold", ratio=2)
        table.add_column("supported if", overflow="fold", ratio=2)
        for r in results:
            style = VERDICT_STYLE[r["verdict"]]
            verdict = f"[{style}]{escape(_verdict_text(r))}[/]"
            cells = (str(r["id"]), Text(_claim_text(r)), verdict)
            rule = f"{r['rule_short']}\n{r.get('seed_rule', '')}".strip()
            table.add_row(*cells, Text(_effect_text(r)), Text(rule))
        console.print(table)
        console.print(
            "Verdicts are computed by each claim's rule (short form above, in full with "
            "--json), per condition (the source's setting, marked, and where practitioners "
            "apply the claim) and per part. For an effect: supported when its 95% CI excludes "
            "0 in the claimed direction and its mean reaches the threshold; refuted when the "
            "CI excludes 0 the other way or lies inside +-threshold; inconclusive otherwise. "
            "With data splits the seeds of a split are averaged and the CI is taken over the "
            "splits. A close verdict (inconclusive, its CI reaching 0 or the threshold) gets "
            "its seeds doubled while it stays close, up to the stated number of models per "
            "cell; the CI is not corrected for these extra looks."
        )
        seconds = sum(r["seconds"] for r in results)
        plural = "s" if len(results) != 1 else ""
        console.print(Text(f"{len(results)} claim{plural} in {seconds:.0f} s"))
        trained = sum(r["trained"] for r in results)
        console.print(Text(f"trained {trained} runs now; store, plots and claims.json in {out}/"))
        et = Table(title="Errata: formulas printed wrongly in tutorials, checked numerically")
        for col in (
            "function",
            "printed (wrong)",
            "right",
            "max |wrong - right|",
            "catalog vs finite difference",
        ):
            et.add_column(col, overflow="fold")
        for e in errata:
            texts = (e["function"], e["wrong"], e["right"], _fmt(e["max_difference"]))
            et.add_row(*(Text(str(t)) for t in texts), _fmt(e["catalog_vs_finite_difference"]))
        console.print(et)

    sink.emit(payload, render)


def register(app: typer.Typer) -> None:
    app.command("claims", epilog=EXAMPLES)(claims_command)
