"""``actloss atlas``: write the interactive, offline HTML atlas of the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .options import JsonOpt
from .output import CliError, Output

EXAMPLES = (
    "Examples: actloss atlas | actloss atlas --out docs/atlas.html --json | "
    "actloss atlas --results actloss-results --claims actloss-claims"
)


def atlas_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path(
        "atlas.html"
    ),
    claims: Annotated[
        Path,
        typer.Option(
            "--claims",
            help="Folder of `actloss claims` results for the Claims section (errata always).",
        ),
    ] = Path("actloss-claims"),
    results: Annotated[
        Path,
        typer.Option(
            "--results", help="Folder of `actloss compare` results for the Lab results section."
        ),
    ] = Path("actloss-results"),
    as_json: JsonOpt = False,
) -> None:
    """Write the atlas: one self-contained HTML page with every function, plots and sliders."""
    from ..atlas import build

    sections = []
    try:
        from ..claims.atlas import atlas_section
    except ImportError:  # the claims section needs the lab extra
        pass
    else:
        sections.append(atlas_section(claims))
    try:
        from ..lab import atlas_section as lab_section
    except ImportError:  # the lab section needs the lab extra
        pass
    else:
        lab = lab_section(results)
        if lab is not None:
            sections.insert(0, lab)

    if out.suffix.lower() not in (".html", ".htm"):
        raise CliError(f"--out must be an .html file, got {str(out)!r}")
    try:
        path = build(out, sections)
    except OSError as exc:
        raise CliError(f"cannot write {str(out)!r}: {exc.strerror or exc}") from None
    size = path.stat().st_size
    payload = {"file": str(path), "bytes": size}

    def render(console: Any) -> None:
        console.print(
            f"wrote {path} ({size / 1e6:.1f} MB); open it in a browser, no network needed"
        )

    Output(as_json).emit(payload, render)


def register(app: typer.Typer) -> None:
    app.command("atlas", epilog=EXAMPLES)(atlas_command)
