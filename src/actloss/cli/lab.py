"""``actloss compare`` and ``actloss tune``: the lab's commands (extra ``lab``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .output import CliError, Output, jsonable

COMPARE_EXAMPLES = (
    "Examples: actloss compare | actloss compare --seeds 5 --epochs 20 | "
    "actloss compare --hidden relu --hidden gelu --hidden 'leaky_relu(negative_slope=0.1)' "
    "--pair cross_entropy:identity --dataset digits | "
    "actloss compare --lr 1e-3 --lr 1e-2 --config sweep.toml --jsonl"
)
TUNE_EXAMPLES = (
    "Examples: actloss tune --trials 20 | actloss tune --sampler random --hidden relu "
    "--hidden gelu --hidden tanh | actloss tune --sampler grid --lr 1e-3 --lr 1e-2"
)

Repeat = list[str] | None
HiddenOpt = Annotated[Repeat, typer.Option("--hidden", metavar="ACT",
    help="Hidden activation, e.g. relu or 'elu(alpha=0.5)' (repeat to compare).")]  # fmt: skip
PairOpt = Annotated[Repeat, typer.Option("--pair", metavar="LOSS:OUTPUT",
    help="Loss and output activation, e.g. hinge:tanh (repeat to compare).")]  # fmt: skip
DatasetOpt = Annotated[Repeat, typer.Option("--dataset", help="Dataset name (repeatable).")]
LR_HELP = "Learning rate (repeat: a sweep; each function keeps its best on validation)."
LrOpt = Annotated[list[float] | None, typer.Option("--lr", help=LR_HELP)]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c",
    help="TOML file with the same keys (options given here override it).")]  # fmt: skip
OutOpt = Annotated[Path, typer.Option("--out", "-o",
    help="Folder for the results store, plot and summary.")]  # fmt: skip
EpochsOpt = Annotated[int | None, typer.Option("--epochs", help="Epochs (default 50).")]
SeedsOpt = Annotated[int | None, typer.Option("--seeds", help="Seeds per combination (10).")]
WidthsOpt = Annotated[str | None, typer.Option("--widths", help="Hidden widths, e.g. 64,32.")]
OptimOpt = Annotated[str | None, typer.Option("--optimizer", help="torch.optim name (adam).")]
BatchOpt = Annotated[int | None, typer.Option("--batch-size", help="Mini-batch size (32).")]
ExecOpt = Annotated[str, typer.Option("--executor",
    help="inprocess (batched, default), process (a local pool, see --jobs) or ray.")]  # fmt: skip
JobsOpt = Annotated[int, typer.Option("--jobs", "-j",
    help="Worker processes (with more than 1, the process executor).")]  # fmt: skip
AddressOpt = Annotated[str | None, typer.Option("--address", help="Ray cluster address.")]
ThreadsOpt = Annotated[int | None, typer.Option("--threads",
    help="torch threads in this process (default 1: small matrices, no contention).")]  # fmt: skip
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl",
    help="JSON lines: progress events, then the summary.")]  # fmt: skip


def _config(config: Path | None, options: dict[str, Any]) -> Any:
    from ..lab import ConfigError, from_mapping, load_toml

    try:
        base = load_toml(config) if config is not None else None
        given = {k: v for k, v in options.items() if v not in (None, [], ())}
        if "widths" in given:
            try:
                given["widths"] = [int(w) for w in str(given["widths"]).split(",") if w.strip()]
            except ValueError:
                raise CliError(f"--widths must be integers like 64,32, got "
                               f"{options['widths']!r}") from None  # fmt: skip
        return from_mapping(given, base)
    except ConfigError as exc:
        raise CliError(str(exc), "actloss compare --help") from None


def _progress(quiet: bool, jsonl: bool) -> Any:
    from ..lab.progress import Bar, JsonLines, Progress

    if jsonl:
        return JsonLines()
    if quiet or not sys.stderr.isatty():
        return Progress()
    from rich.console import Console

    return Bar(Console(stderr=True))


def _threads(threads: int | None) -> None:
    import torch

    torch.set_num_threads(max(1, threads or 1))


def compare_command(
    config: ConfigOpt = None,
    hidden: HiddenOpt = None,
    pair: PairOpt = None,
    dataset: DatasetOpt = None,
    widths: WidthsOpt = None,
    optimizer: OptimOpt = None,
    lr: LrOpt = None,
    epochs: EpochsOpt = None,
    batch_size: BatchOpt = None,
    seeds: SeedsOpt = None,
    target: Annotated[float | None, typer.Option("--target",
        help="Validation metric counted as reached (default: 0.85 accuracy, 0.5 R2).")] = None,
    penalty: Annotated[str | None, typer.Option("--penalty",
        help="Weight penalty, a catalog regularizer: l1, l2 or elastic_net.")] = None,
    penalty_coef: Annotated[float | None, typer.Option("--penalty-coef",
        help="The regularizer's alpha (l2: alpha/2 sum w^2), added to each loss.")] = None,
    out: OutOpt = Path("."),
    executor: ExecOpt = "inprocess",
    jobs: JobsOpt = 1,
    address: AddressOpt = None,
    threads: ThreadsOpt = None,
    export: Annotated[Path | None, typer.Option("--export",
        help="Also write the runs table to this .csv or .parquet file.")] = None,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Skip the PNG plot.")] = False,
    quiet: QuietOpt = False,
    jsonl: JsonlOpt = False,
) -> None:  # fmt: skip
    """Train every (hidden activation, loss + output activation) combination over seeds and
    compare them: mean, std and 95% CI of test metric and loss, epochs to a target, paired
    significance tests; training-curve plot; results in a SQLite store (re-runs skip
    finished runs). With no options: the tutorials' BCE+sigmoid vs hinge+tanh vs MSE+sigmoid
    experiment, 10 seeds each."""
    from ..lab import ConfigError, compare, report

    cfg = _config(config, {
        "hidden": hidden, "pairs": pair, "datasets": dataset, "widths": widths,
        "optimizer": optimizer, "lrs": lr, "epochs": epochs, "batch_size": batch_size,
        "seeds": seeds, "target": target, "penalty": penalty, "penalty_coef": penalty_coef,
    })  # fmt: skip
    if executor == "inprocess" and jobs > 1:
        executor = "process"
    _threads(threads)
    try:
        outcome = compare(cfg, out, executor=executor, jobs=jobs, address=address,
                          progress=_progress(quiet, jsonl), plot=not no_plot)  # fmt: skip
    except (ConfigError, ValueError, TypeError, RuntimeError) as exc:
        # e.g. a loss that does not fit the task or the output activation's range
        raise CliError(str(exc), "actloss compare --help; actloss show LOSS") from None
    if export is not None:
        from ..lab import Store

        try:
            Store(out).export(export)
        except (ValueError, RuntimeError) as exc:
            raise CliError(str(exc)) from None
    payload = {
        "store": str(outcome.store), "plot": str(outcome.plot) if outcome.plot else None,
        "summary": str(outcome.summary), "runs": len(outcome.runs), "trained": outcome.trained,
        "metric": outcome.metric, "target": outcome.target,
        "rows": [r.__dict__ for r in outcome.rows], "tests": [t.__dict__ for t in outcome.tests],
    }  # fmt: skip
    if jsonl:
        import json

        sys.stdout.write(json.dumps(jsonable({"event": "summary", **payload})) + "\n")
        return
    if quiet:
        return

    def render(console: Any) -> None:
        report.print_table(console, outcome.rows, outcome.tests, outcome.metric, outcome.target)
        skipped = len(outcome.runs) - outcome.trained
        console.print(f"{len(outcome.runs)} runs ({outcome.trained} trained now, {skipped} "
                      f"already in the store {outcome.store})")  # fmt: skip
        if outcome.plot:
            console.print(f"training curves: {outcome.plot}")

    Output(False).emit(payload, render)


def tune_command(
    config: ConfigOpt = None,
    hidden: HiddenOpt = None,
    pair: PairOpt = None,
    dataset: DatasetOpt = None,
    lr: LrOpt = None,
    epochs: EpochsOpt = None,
    seeds: Annotated[int | None, typer.Option("--seeds",
        help="Seeds per trial (the objective is their mean validation metric; default 3).")] = None,
    trials: Annotated[int, typer.Option("--trials", "-n", help="Number of trials.")] = 20,
    sampler: Annotated[str, typer.Option("--sampler", help="tpe, random or grid.")] = "tpe",
    pruner: Annotated[str, typer.Option("--pruner", help="median or none.")] = "median",
    study: Annotated[str, typer.Option("--study", help="Optuna study name.")] = "actloss",
    out: OutOpt = Path("."),
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
    jsonl: JsonlOpt = False,
) -> None:  # fmt: skip
    """Search learning rate, width, depth and functions with Optuna (TPE, random or grid
    sampler, median pruning); trials and their runs go to the same SQLite store."""
    from ..lab import ConfigError
    from ..lab.tune import TuneError, tune

    cfg = _config(config, {"datasets": dataset, "epochs": epochs,
                           "seeds": seeds if seeds is not None else 3})  # fmt: skip
    _threads(threads)
    try:
        result = tune(cfg, out, trials=trials, sampler=sampler, pruner=pruner, study_name=study,
                      hidden=hidden, pairs=pair, lrs=lr, quiet=quiet or jsonl)  # fmt: skip
    except (ConfigError, TuneError, ValueError, TypeError, RuntimeError) as exc:
        raise CliError(str(exc), "actloss tune --help") from None
    if jsonl:
        import json

        sys.stdout.write(json.dumps(jsonable({"event": "summary", **result})) + "\n")
        return
    if quiet:
        return

    def render(console: Any) -> None:
        from rich.table import Table

        table = Table(title=f"study {study!r}: {result['complete']} complete, "
                      f"{result['pruned']} pruned (objective: mean validation metric)")  # fmt: skip
        for col in ("trial", "value", "params"):
            table.add_column(col)
        for t in result["top"]:
            table.add_row(str(t["number"]), f"{t['value']:.4f}", str(t["params"]))
        console.print(table)
        console.print(f"best: {result['best_params']} -> {result['best_value']:.4f}; "
                      f"store {result['store']}")  # fmt: skip

    Output(False).emit(result, render)


def register(app: typer.Typer) -> None:
    app.command("compare", epilog=COMPARE_EXAMPLES)(compare_command)
    app.command("tune", epilog=TUNE_EXAMPLES)(tune_command)
