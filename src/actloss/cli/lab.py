"""``actloss compare`` and ``actloss tune``: the lab's commands (extra ``lab``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..lab.store import DEFAULT_FOLDER
from .output import CliError, Output, jsonable

COMPARE_EXAMPLES = (
    "Examples: actloss compare | actloss compare --splits 10 --seeds 1 --epochs 20 | "
    "actloss compare --splits 1 --seeds 10 (the tutorials' single split) | "
    "actloss compare --hidden relu --hidden gelu --hidden 'leaky_relu(negative_slope=0.1)' "
    "--pair cross_entropy:identity --dataset digits | "
    "actloss compare --lr 1e-3 --lr 1e-2 --config sweep.toml --jsonl | "
    "actloss compare --data my.csv --target-column label --model mypkg.nets:cnn --device auto"
)
TUNE_EXAMPLES = (
    "Examples: actloss tune --trials 20 (again: 20 more trials) | actloss tune --study-name "
    "wide --splits 5 -v | actloss tune --sampler random --hidden relu "
    "--hidden gelu --hidden tanh | actloss tune --sampler grid --lr 1e-3 --lr 1e-2"
)

Repeat = list[str] | None
HIDDEN_HELP = "Hidden activation, e.g. relu or 'elu(alpha=0.5)' (repeat to compare)."
PAIR_HELP = "Loss and output activation, e.g. hinge:tanh (repeat to compare)."
LR_HELP = "Learning rate (repeat: a sweep; each function keeps its best on validation)."
CONFIG_HELP = "TOML file with the same keys (options given here override it)."
OUT_HELP = "Folder for the results store, plot and summary (the atlas reads it too)."
EXEC_HELP = "inprocess (batched, default), process (a local pool, see --jobs) or ray."
THREADS_HELP = "torch threads in this process (default 1: small matrices, no contention)."
TARGET_HELP = "Validation metric counted as reached (default: 0.85 accuracy, 0.5 R2)."
PENALTY_HELP = "Weight penalty, a catalog regularizer: l1, l2 or elastic_net."
COEF_HELP = "The regularizer's alpha (l2: alpha/2 sum w^2), added to each loss."
EXPORT_HELP = "Also write the runs table to this .csv or .parquet file."
TUNE_SEEDS_HELP = "Seeds per split and trial (default 1)."
TUNE_SPLITS_HELP = (
    "Data splits per trial (default 3): the objective is the mean over splits of the mean "
    "validation metric."
)
STUDY_HELP = "Optuna study name; a re-run with the same name continues the study."
VERBOSE_HELP = "Show Optuna's log lines (on stderr)."
SPLITS_HELP = (
    "Data replicates: train/validation/test splits, each with every seed (default 5; "
    "1: the single split of the tutorials)."
)
RESAMPLE_HELP = (
    "What a replicate varies: split (one dataset, a new split), redraw (generated datasets: "
    "a new draw) or auto (redraw where generated; default)."
)

HiddenOpt = Annotated[Repeat, typer.Option("--hidden", metavar="ACT", help=HIDDEN_HELP)]
PairOpt = Annotated[Repeat, typer.Option("--pair", metavar="LOSS:OUTPUT", help=PAIR_HELP)]
DatasetOpt = Annotated[Repeat, typer.Option("--dataset", help="Dataset name (repeatable).")]
LrOpt = Annotated[list[float] | None, typer.Option("--lr", help=LR_HELP)]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help=CONFIG_HELP)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)]
EpochsOpt = Annotated[int | None, typer.Option("--epochs", help="Epochs (default 50).")]
SeedsOpt = Annotated[int | None, typer.Option("--seeds", help="Seeds per split (2).")]
SplitsOpt = Annotated[int | None, typer.Option("--splits", help=SPLITS_HELP)]
ResampleOpt = Annotated[str | None, typer.Option("--resample", help=RESAMPLE_HELP)]
WidthsOpt = Annotated[str | None, typer.Option("--widths", help="Hidden widths, e.g. 64,32.")]
OptimOpt = Annotated[str | None, typer.Option("--optimizer", help="torch.optim name (adam).")]
BatchOpt = Annotated[int | None, typer.Option("--batch-size", help="Mini-batch size (32).")]
ExecOpt = Annotated[str, typer.Option("--executor", help=EXEC_HELP)]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (>= 1).")]
AddressOpt = Annotated[str | None, typer.Option("--address", help="Ray cluster address.")]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", help=THREADS_HELP)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="JSON lines: progress, then summary.")]
TargetOpt = Annotated[float | None, typer.Option("--target", help=TARGET_HELP)]
PenaltyOpt = Annotated[str | None, typer.Option("--penalty", help=PENALTY_HELP)]
CoefOpt = Annotated[float | None, typer.Option("--penalty-coef", help=COEF_HELP)]
ExportOpt = Annotated[Path | None, typer.Option("--export", help=EXPORT_HELP)]
NoPlotOpt = Annotated[bool, typer.Option("--no-plot", help="Skip the PNG plot.")]
DATA_HELP = "Your data: a .csv, .parquet or .npz file (arrays X, y) in place of --dataset."
TARGET_COLUMN_HELP = "The target column of a --data CSV/Parquet file (an .npz array's name)."
TASK_HELP = "binary, multiclass, multilabel or regression (default: inferred from the target)."
MODEL_HELP = (
    "Your model: package.module:function, called as function(activation, n_inputs, "
    "n_outputs) -> torch.nn.Module (raw outputs; the pair's output activation is applied)."
)
DEVICE_HELP = "cpu, cuda or auto (default: cuda when torch sees a GPU)."
DataOpt = Annotated[Path | None, typer.Option("--data", help=DATA_HELP)]
TargetColumnOpt = Annotated[str | None, typer.Option("--target-column", help=TARGET_COLUMN_HELP)]
TaskOpt = Annotated[str | None, typer.Option("--task", help=TASK_HELP)]
ModelOpt = Annotated[
    str | None, typer.Option("--model", metavar="MODULE:FUNCTION", help=MODEL_HELP)
]
DeviceOpt = Annotated[str, typer.Option("--device", help=DEVICE_HELP)]
TuneSeedsOpt = Annotated[int | None, typer.Option("--seeds", help=TUNE_SEEDS_HELP)]
TrialsOpt = Annotated[int, typer.Option("--trials", "-n", help="Number of trials.")]
SamplerOpt = Annotated[str, typer.Option("--sampler", help="tpe, random or grid.")]
PrunerOpt = Annotated[str, typer.Option("--pruner", help="median or none.")]
StudyOpt = Annotated[str, typer.Option("--study-name", "--study", help=STUDY_HELP)]
TuneSplitsOpt = Annotated[int | None, typer.Option("--splits", help=TUNE_SPLITS_HELP)]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help=VERBOSE_HELP)]


def _config(config: Path | None, options: dict[str, Any]) -> Any:
    from ..lab import ConfigError, from_mapping, load_toml

    try:
        base = load_toml(config) if config is not None else None
        given = {k: v for k, v in options.items() if v not in (None, [], ())}
        if "widths" in given:
            given["widths"] = _widths(given["widths"])
        return from_mapping(given, base)
    except ConfigError as exc:
        raise CliError(str(exc), "actloss compare --help") from None


def _widths(text: str) -> list[int]:
    """``--widths 64,32`` -> [64, 32]; at least one width (a linear model: ``widths = []``)."""
    parts = [w.strip() for w in str(text).split(",")]
    if not all(p.isdigit() for p in parts):
        raise CliError(
            f"--widths must be integers like 64,32, got {text!r}",
            "for a linear model (no hidden layer) put widths = [] in a --config file",
        )
    return [int(p) for p in parts]


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

    if threads is not None and threads < 1:
        raise CliError(f"--threads must be >= 1, got {threads}")
    torch.set_num_threads(threads or 1)


def _store_errors(hint: str) -> Any:
    """The lab's errors as one-line CLI errors (exit 2): configuration, store, files."""
    from contextlib import contextmanager

    from ..lab import ConfigError
    from ..lab.store import StoreError

    @contextmanager
    def guard() -> Any:
        try:
            yield
        except StoreError as exc:
            raise CliError(str(exc), "another --out folder, or move the file away") from None
        except (ConfigError, ValueError, TypeError, RuntimeError) as exc:
            # e.g. a loss that does not fit the task or the output activation's range
            raise CliError(str(exc), hint) from None
        except OSError as exc:  # the plot or the summary next to the store
            where = f" {str(exc.filename)!r}" if exc.filename else ""
            raise CliError(f"cannot write{where}: {exc.strerror or exc}") from None

    return guard()


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
    splits: SplitsOpt = None,
    resample: ResampleOpt = None,
    target: TargetOpt = None,
    penalty: PenaltyOpt = None,
    penalty_coef: CoefOpt = None,
    out: OutOpt = DEFAULT_FOLDER,
    executor: ExecOpt = "inprocess",
    jobs: JobsOpt = 1,
    address: AddressOpt = None,
    threads: ThreadsOpt = None,
    export: ExportOpt = None,
    no_plot: NoPlotOpt = False,
    quiet: QuietOpt = False,
    jsonl: JsonlOpt = False,
    data: DataOpt = None,
    target_column: TargetColumnOpt = None,
    task: TaskOpt = None,
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
) -> None:
    """Train every (hidden activation, loss + output activation) combination over seeds and
    compare them: mean, std and 95% CI of test metric and loss, epochs to a target, paired
    significance tests; training-curve plot; results in a SQLite store (re-runs skip
    finished runs). With no options: the tutorials' BCE+sigmoid vs hinge+tanh vs MSE+sigmoid
    experiment on 5 data splits (new draws of the generated dataset) x 2 seeds each, tested
    across splits; --splits 1 --seeds 10 is the tutorials' single split."""
    from ..lab import compare, report
    from ..lab.store import Store, check_export_path

    options: dict[str, Any] = {"hidden": hidden, "pairs": pair, "datasets": dataset}
    options |= {"widths": widths}
    options |= {"optimizer": optimizer, "lrs": lr, "epochs": epochs, "batch_size": batch_size}
    options |= {"seeds": seeds, "target": target, "penalty": penalty, "penalty_coef": penalty_coef}
    options |= {"splits": splits, "resample": resample}
    cfg = _config(config, options)
    if jobs < 1:
        raise CliError(f"--jobs must be >= 1, got {jobs}")
    if executor not in ("inprocess", "process", "ray"):
        raise CliError(f"--executor must be inprocess, process or ray, got {executor!r}")
    if export is not None:
        try:
            check_export_path(export)
        except ValueError as exc:
            raise CliError(f"--export: {exc}") from None
    if executor == "inprocess" and jobs > 1:
        executor = "process"
    user, factory = _user_inputs(data, target_column, task, model, device, dataset)
    _threads(threads)
    with _store_errors("actloss compare --help; actloss show LOSS"):
        outcome = compare(
            cfg,
            out,
            executor=executor,
            jobs=jobs,
            address=address,
            progress=_progress(quiet, jsonl),
            plot=not no_plot,
            data=user,
            model=factory,
            device=device,
        )
        if export is not None:
            Store(out).export(export)
    payload = {
        "store": str(outcome.store),
        "plot": str(outcome.plot) if outcome.plot else None,
        "summary": str(outcome.summary) if outcome.summary else None,
        "runs": len(outcome.runs),
        "trained": outcome.trained,
        "metric": outcome.metric,
        "target": outcome.target,
        "tests_use": outcome.tests_use,
        "task": outcome.task,
        "task_how": outcome.task_how,
        "data": repr(user) if user is not None else None,
        "failed": outcome.failed,
        "notes": outcome.notes,
        "warnings": outcome.warnings,
        "rows": [r.__dict__ for r in outcome.rows],
        "tests": [t.__dict__ for t in outcome.tests],
    }
    for warning in outcome.warnings:
        Output(False).note(f"warning: {warning}")
    for note in outcome.notes:
        Output(False).note(f"note: {note}")
    if jsonl:
        import json

        sys.stdout.write(json.dumps(jsonable({"event": "summary", **payload})) + "\n")
        return
    if quiet:
        return

    def render(console: Any) -> None:
        if user is not None:
            n, d = user.x.shape
            console.print(
                f"data: {user.label} ({n} rows x {d} features), task {outcome.task} "
                f"({outcome.task_how})",
                markup=False,
            )
        report.print_table(
            console,
            outcome.rows,
            outcome.tests,
            outcome.metric,
            outcome.target,
            tests_use=outcome.tests_use,
        )
        failed = f"{len(outcome.failed)} failed, " if outcome.failed else ""
        skipped = len(outcome.runs) - outcome.trained - len(outcome.failed)
        console.print(
            f"{len(outcome.runs)} runs ({outcome.trained} trained now, {failed}{skipped} "
            f"already in the store {outcome.store})",
            markup=False,
        )
        if outcome.plot:
            console.print(f"training curves: {outcome.plot}", markup=False)

    Output(False).emit(payload, render)


def _user_inputs(
    data: Path | None,
    target_column: str | None,
    task: str | None,
    model: str | None,
    device: str,
    dataset: list[str] | None,
) -> tuple[Any, Any]:
    """``--data``/``--task``/``--model``/``--device`` read and checked before anything trains."""
    from ..lab.training import check_device

    try:
        check_device(device)
    except ValueError as exc:
        raise CliError(f"--device: {exc}") from None
    if data is None and (target_column is not None or task is not None):
        raise CliError("--target-column and --task go with --data FILE")
    if data is not None and dataset:
        raise CliError("give --data FILE or --dataset NAME, not both")
    user = factory = None
    if data is not None:
        from ..lab.userdata import DataError, read

        try:
            user = read(data, target_column, task)
        except DataError as exc:
            raise CliError(str(exc), "actloss compare --help") from None
    if model is not None:
        from ..lab.models import FactoryError, load_factory

        try:
            factory = load_factory(model)
        except FactoryError as exc:
            raise CliError(str(exc), "actloss compare --help") from None
    return user, factory


def tune_command(
    config: ConfigOpt = None,
    hidden: HiddenOpt = None,
    pair: PairOpt = None,
    dataset: DatasetOpt = None,
    lr: LrOpt = None,
    epochs: EpochsOpt = None,
    seeds: TuneSeedsOpt = None,
    splits: TuneSplitsOpt = None,
    trials: TrialsOpt = 20,
    sampler: SamplerOpt = "tpe",
    pruner: PrunerOpt = "median",
    study: StudyOpt = "actloss",
    out: OutOpt = DEFAULT_FOLDER,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
    jsonl: JsonlOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Search learning rate, width, depth and functions with Optuna (TPE, random or grid
    sampler, median pruning); the study and the trials' runs go to the same SQLite store, a
    re-run continues the study (a new sampler seed each time), and the optimization history,
    parameter importances and the best configuration's curves are written as PNG files."""
    from ..lab.tune import TuneError, tune

    options = {"datasets": dataset, "epochs": epochs, "seeds": 1 if seeds is None else seeds}
    options |= {"splits": 3 if splits is None else splits}
    cfg = _config(config, options)
    _threads(threads)
    with _store_errors("actloss tune --help"):
        try:
            result = tune(
                cfg,
                out,
                trials=trials,
                sampler=sampler,
                pruner=pruner,
                study_name=study,
                hidden=hidden,
                pairs=pair,
                lrs=lr,
                verbose=verbose,
                log=Output(False).note,
            )
        except TuneError as exc:
            raise CliError(str(exc), "actloss tune --help") from None
    if jsonl:
        import json

        sys.stdout.write(json.dumps(jsonable({"event": "summary", **result})) + "\n")
        return
    if quiet:
        return

    def render(console: Any) -> None:
        from rich.markup import escape
        from rich.table import Table

        title = (
            f"study {study!r}: {result['trials']} trials, {result['complete']} complete, "
            f"{result['pruned']} pruned (objective: {result['objective']})"
        )
        table = Table(title=escape(title))
        for col in ("trial", "value", "params"):
            table.add_column(col)
        for t in result["top"]:
            table.add_row(str(t["number"]), f"{t['value']:.4f}", escape(str(t["params"])))
        console.print(table)
        best = (
            f"best: {result['best_params']} -> {result['best_value']:.4f} (trial "
            f"{result['best_trial']}); {result['new_trials']} new trial(s), sampler seed "
            f"{result['sampler_seed']}; store {result['store']}"
        )
        console.print(best, markup=False)
        for kind, path in result["plots"].items():
            console.print(f"{kind}: {path}", markup=False)
        url = f"dashboard: optuna-dashboard '{result['storage_url']}'"
        console.print(url, markup=False, soft_wrap=True)  # one line, to copy

    Output(False).emit(result, render)


def register(app: typer.Typer) -> None:
    app.command("compare", epilog=COMPARE_EXAMPLES)(compare_command)
    app.command("tune", epilog=TUNE_EXAMPLES)(tune_command)
