"""The ``actloss`` command: a typer app whose errors are one line on stderr with exit status 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from .output import EXIT_USAGE, CliError

try:  # recent typer vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer depends on click
    from click.exceptions import ClickException  # type: ignore[no-redef,assignment,unused-ignore]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ActlossGroup(TyperGroup):
    """Runs a command; turns every failure into one line on stderr (never a traceback)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        code = 0
        try:
            rv = super().main(
                args, prog_name or "actloss", complete_var, False, windows_expand_args, **extra
            )
            code = rv if isinstance(rv, int) else 0
        except CliError as exc:
            if not exc.hint:
                words = [a for a in (sys.argv[1:] if args is None else args) if a[:1] != "-"]
                exc.hint = f"actloss {words[0] if words else ''} --help".replace("  ", " ")
            code = _fail(exc.line())
        except ClickException as exc:  # bad option, missing argument, unknown command
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                sys.stdout.write(ctx.get_help() + "\n")
                return _exit(0, standalone_mode)
            where = ctx.command_path if ctx is not None else "actloss"
            code = _fail(
                f"Error: {_one_line(exc.format_message())} (hint: {where} --help)", exc.exit_code
            )
        except typer.Abort:
            code = _fail("Aborted.", 1)
        except ModuleNotFoundError as exc:  # an extra's package, imported when a command runs
            if os.environ.get("ACTLOSS_DEBUG") or not exc.name:
                raise
            code = _fail(f"Error: {exc.name} is not installed (hint: {_install_hint(exc.name)})")
        except Exception as exc:
            if os.environ.get("ACTLOSS_DEBUG"):
                raise
            code = _fail(
                f"Error: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                "(hint: set ACTLOSS_DEBUG=1 for the traceback and report it)",
                1,
            )
        return _exit(code, standalone_mode)


CLI_PACKAGES = ("typer", "rich", "click", "matplotlib", "plotly", "pylatexenc", "latex2mathml")
LAB_PACKAGES = ("torch", "sklearn", "scipy", "optuna", "pandas")
EXTRAS = dict.fromkeys((*CLI_PACKAGES, "ziamath"), "cli") | dict.fromkeys(LAB_PACKAGES, "lab")
EXTRAS |= {"keras": "keras", "jax": "jax", "ray": "ray"}
"""Top-level package -> the extra that installs it (pyproject.toml's optional dependencies)."""


def _install_hint(module: str) -> str:
    extra = EXTRAS.get(module.split(".")[0])
    return f"pip install 'actloss[{extra}]'" if extra else f"pip install {module.split('.')[0]}"


def _exit(code: int, standalone_mode: bool) -> int:
    if standalone_mode:
        sys.exit(code)
    return code


def _fail(line: str, code: int = EXIT_USAGE) -> int:
    sys.stderr.write(line + "\n")
    return code


app = typer.Typer(
    name="actloss",
    cls=ActlossGroup,
    help="Browse, plot and choose activation and loss functions from the verified catalog.",
    epilog="Examples: actloss list --kind activation | actloss show gelu | "
    "actloss plot elu relu --derivative | actloss recommend --task binary --imbalanced | "
    "actloss atlas --out atlas.html",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _register() -> None:
    from . import atlas, claims, lab, listing, plot, recommend, show

    for module in (listing, show, plot, recommend, atlas, lab, claims):
        module.register(app)


_register()


def main() -> None:
    """Console-script entry point (``actloss``)."""
    app()
