"""Option definitions shared by the commands, and the parsers behind them."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any

import typer

import actloss as al

from .output import CliError


class Kind(str, Enum):
    activation = "activation"
    loss = "loss"


class Framework(str, Enum):
    torch = "torch"
    keras = "keras"


JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON (one object per entry) instead of tables.")
]
KindOpt = Annotated[Kind | None, typer.Option("--kind", "-k", help="Only this kind.")]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="NAME.PARAM=VALUE",
        help="Set a parameter, e.g. elu.alpha=0.5 (repeat it to compare values; "
        "'alpha=0.5' applies to every entry that has alpha).",
    ),
]
ShowParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="PARAM=VALUE",
        help="Set a parameter, e.g. alpha=0.5 (repeat for other parameters, one value each; "
        "`actloss plot` compares values).",
    ),
]
NamesArg = Annotated[
    list[str], typer.Argument(help="Catalog names or aliases.", show_default=False)
]
NameArg = Annotated[str, typer.Argument(help="A catalog name or alias.", show_default=False)]


def lookup(name: str) -> al.Function:
    """``al.get`` with the catalog's close-match message turned into a CLI error."""
    try:
        return al.get(name)
    except al.UnknownNameError as exc:
        raise CliError(str(exc).split(" (`actloss list`")[0], "actloss list") from None


def task_names() -> list[str]:
    """Every task named by a catalog entry or by the recommendation rules."""
    from .. import recommend

    tasks = {t for fn in al.catalog() for t in fn.info.task}
    return sorted(tasks | set(recommend.TASKS))


def check_task(task: str) -> str:
    valid = task_names()
    if task not in valid:
        close = difflib.get_close_matches(task, valid, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "one of " + ", ".join(valid)
        raise CliError(f"unknown task {task!r}", hint)
    return task


def parse_value(text: str) -> Any:
    """A parameter value from the command line: a number, true/false, or a word."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        number = float(text)
    except ValueError:
        return text.strip()
    return int(number) if low.lstrip("+-").isdigit() else number


def parse_params(
    specs: Sequence[str] | None, fns: Sequence[al.Function]
) -> dict[str, list[dict[str, Any]]]:
    """``NAME.PARAM=VALUE`` options -> for each entry, the parameter sets to draw.

    A parameter given several times yields one set per value (their product
    across parameters). Names are checked against each entry's parameters.
    """
    values: dict[str, dict[str, list[Any]]] = {fn.name: {} for fn in fns}
    for spec in specs or ():
        target, sep, raw = spec.partition("=")
        if not sep or not target.strip():
            raise CliError(f"--param expects NAME.PARAM=VALUE, got {spec!r}", "e.g. elu.alpha=0.5")
        entry, dot, pname = target.strip().rpartition(".")
        owners = [lookup(entry)] if dot else [fn for fn in fns if _has(fn, pname)]
        if dot and owners[0].name not in values:
            raise CliError(f"--param {spec!r} names {entry!r}, which is not being drawn")
        if not owners:
            raise CliError(f"no entry being drawn has a parameter {pname!r}", "NAME.PARAM=VALUE")
        for fn in owners:
            try:
                fn._check_names({pname: None})
            except TypeError as exc:
                raise CliError(str(exc), f"actloss show {fn.name}") from None
            values[fn.name].setdefault(pname, []).append(parse_value(raw))
    out = {}
    for name, per in values.items():
        keys = list(per)
        out[name] = [
            dict(zip(keys, combo, strict=True)) for combo in itertools.product(*per.values())
        ]
    return out


def _has(fn: al.Function, pname: str) -> bool:
    return any(p.name == pname for p in fn.info.params)
