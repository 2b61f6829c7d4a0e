"""Claims about training speed and accuracy: 2 and 3 (ReLU vs sigmoid vs tanh), 5 (Leaky ReLU),
7 (Swish/GELU in deep networks), 10 (cross-entropy vs MSE), 11 (output-layer pairings)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...lab.runs import Run
from ._common import (
    NO_CONDITION,
    Context,
    Measurement,
    Values,
    band,
    best_lr,
    collect,
    combine,
    curve_mean,
    epochs_to_target,
    figure,
    mean_over,
    name,
    save,
    summary,
)

# dataset -> the recommended LOSS:OUTPUT pair for its task
SPEED_DATASETS = {"moons": "binary_cross_entropy:sigmoid", "digits": "cross_entropy:identity"}


def _speed(ctx: Context, hidden: list[str]) -> tuple[dict[tuple[str, str, str], Values], list[Run]]:
    """Epochs to the target validation accuracy per (condition, dataset, activation).

    Each condition fixes the optimizer (``config``), the depth (``params["depth"]``, default
    2) and scales the budget's learning rates by ``params["lr_factor"]``; the best rate per
    activation is chosen on validation accuracy.
    """
    b = ctx.budget
    out: dict[tuple[str, str, str], Values] = {}
    kept: list[Run] = []
    for k in ctx.conditions:
        lrs = [lr * float(k.get("lr_factor", 1.0)) for lr in b.sweep]
        for dataset, pair in SPEED_DATASETS.items():
            runs = ctx.train(
                k,
                datasets=[dataset],
                hidden=hidden,
                pairs=[pair],
                widths=[b.width] * int(k.get("depth", 2)),
                lrs=lrs,
            )
            rows = ctx.rows(runs)
            chosen = best_lr(runs, rows, lambda r: name(r.hidden))
            kept += chosen
            for fn, v in collect(
                chosen,
                {r.run_id: epochs_to_target(rows[r.run_id]) for r in chosen},
                lambda r: name(r.hidden),
            ).items():
                out[(k.name, dataset, fn)] = v
    return out, kept


def _curves_plot(ctx: Context, runs: list[Run], title: str) -> Any:
    """Validation accuracy per epoch (mean over replicates) per condition, dataset, activation."""
    curves = ctx.store.curves(r.run_id for r in runs)
    fig, ax = figure(title, "epoch", "validation accuracy")
    styles = {"moons": "-", "digits": "--"}
    groups: dict[tuple[str, str, str, float], list[np.ndarray]] = {}
    for r in runs:
        groups.setdefault((r.optimizer, r.dataset, name(r.hidden), r.lr), []).append(
            curves[r.run_id]["val_metric"]
        )
    for (opt, dataset, fn, lr), arrays in sorted(groups.items()):
        m = curve_mean(arrays)
        label = f"{opt}, {dataset}: {fn} (lr {lr:g})"
        ax.plot(range(1, len(m) + 1), m, styles.get(dataset, "-"), label=label)
    ax.legend(fontsize=6)
    return fig


def _saved(a: float, b: float) -> float:
    """Relative reduction in epochs of ``b`` against ``a``: (a - b) / a."""
    return (a - b) / a


def relu_faster(ctx: Context) -> Measurement:
    """Claim 2: epochs to the target validation accuracy, each activation at its best lr.

    Per condition and part f in {sigmoid, tanh}, per replicate averaged over the datasets:
    ``(E_f - E_relu) / E_f``, the fraction of epochs ReLU saves (runs that never reach the
    target count epochs + 1).
    """
    e, kept = _speed(ctx, ["relu", "sigmoid", "tanh"])
    fig = _curves_plot(ctx, kept, "Claims 2-3: validation accuracy (best lr per activation)")
    table = {
        f"{k.name}, {d}": summary({fn: e[(k.name, d, fn)] for fn in ("relu", "sigmoid", "tanh")})
        for k in ctx.conditions
        for d in SPEED_DATASETS
    }
    parts = {  # a compound claim: against sigmoid and against tanh, each decided on its own
        (f, k.name): mean_over(
            *(combine(_saved, e[(k.name, d, f)], e[(k.name, d, "relu")]) for d in SPEED_DATASETS)
        )
        for k in ctx.conditions
        for f in ("sigmoid", "tanh")
    }
    plot = save(fig, ctx.plot_path())
    return Measurement(parts=parts, table=table, plot=plot)


def tanh_faster(ctx: Context) -> Measurement:
    """Claim 3: the runs of claim 2; effect ``(E_sigmoid - E_tanh) / E_sigmoid`` per replicate."""
    e, kept = _speed(ctx, ["relu", "sigmoid", "tanh"])
    fig = _curves_plot(ctx, kept, "Claim 3: validation accuracy (best lr per activation)")
    table = {
        f"{k.name}, {d}": summary({fn: e[(k.name, d, fn)] for fn in ("sigmoid", "tanh")})
        for k in ctx.conditions
        for d in SPEED_DATASETS
    }
    parts = {
        ("", k.name): mean_over(
            *(
                combine(_saved, e[(k.name, d, "sigmoid")], e[(k.name, d, "tanh")])
                for d in SPEED_DATASETS
            )
        )
        for k in ctx.conditions
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


ACCURACY_DATASETS = {
    "moons": "binary_cross_entropy:sigmoid",
    "classification": "binary_cross_entropy:sigmoid",
    "digits": "cross_entropy:identity",
}


def leaky_not_better(ctx: Context) -> Measurement:
    """Claim 5: test accuracy of Leaky ReLU (slope 0.01) minus ReLU, averaged over 3 datasets.

    Per condition (optimizer, depth ``params["depth"]``, learning rate ``params["lr"]``).
    The effect is the gain of Leaky ReLU; the claim holds when no gain of the margin is seen.
    """
    b = ctx.budget
    acc: dict[tuple[str, str, str], Values] = {}
    parts: dict[tuple[str, str], Values] = {}
    per_ds: dict[tuple[str, str], Values] = {}
    for k in ctx.conditions:
        for dataset, pair in ACCURACY_DATASETS.items():
            runs = ctx.train(
                k,
                datasets=[dataset],
                hidden=["relu", "leaky_relu"],
                pairs=[pair],
                widths=[b.width] * int(k.get("depth", 2)),
                lrs=[float(k.get("lr", b.lrs[0]))],
                init="he_normal",
            )
            rows = ctx.rows(runs)
            for fn, v in collect(
                runs, {r.run_id: _metric(rows[r.run_id]) for r in runs}, lambda r: name(r.hidden)
            ).items():
                acc[(k.name, dataset, fn)] = v
            per_ds[(k.name, dataset)] = combine(
                lambda leaky, relu: leaky - relu,
                acc[(k.name, dataset, "leaky_relu")],
                acc[(k.name, dataset, "relu")],
            )
        parts[("", k.name)] = mean_over(*(per_ds[(k.name, d)] for d in ACCURACY_DATASETS))
    fig, ax = figure(
        "Claim 5: test accuracy gain of Leaky ReLU over ReLU (paired by seed)",
        "condition, dataset",
        "accuracy(leaky_relu) - accuracy(relu)",
    )
    band(ax, list(range(len(per_ds))), list(per_ds.values()), "gain, 95% CI")
    ax.set_xticks(range(len(per_ds)), [f"{c}\n{d}" for c, d in per_ds], fontsize=6)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    table = {
        f"{c}, {d}": summary({fn: acc[(c, d, fn)] for fn in ("relu", "leaky_relu")})
        for c, d in per_ds
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def _metric(row: dict[str, Any]) -> float:
    v = row["test_metric"] if row["status"] == "finished" else None
    return math.nan if v is None else float(v)


def smooth_deep(ctx: Context) -> Measurement:
    """Claim 7: test accuracy of GELU and SiLU (Swish) minus ReLU on digits, vs depth.

    He initialization for all three, Adam. The depths are the budget's sweep and each
    condition's ``params["depth"]``; per condition (a depth) and part f in {GELU, SiLU}, per
    replicate: ``acc(f) - acc(relu)``.
    """
    b = ctx.budget
    wanted = {k.name: int(k.get("depth", b.sweep[-1])) for k in ctx.conditions}
    depths = sorted({int(d) for d in b.sweep} | set(wanted.values()))
    fns = ("relu", "gelu", "silu")
    acc: dict[tuple[str, int], Values] = {}
    for depth in depths:
        cond = [k for k in ctx.conditions if wanted[k.name] == depth]
        runs = ctx.train(
            NO_CONDITION,
            cover=cond,
            datasets=["digits"],
            hidden=list(fns),
            pairs=["cross_entropy:identity"],
            widths=[b.width] * depth,
            lrs=[b.lrs[0]],
            init="he_normal",
        )
        rows = ctx.rows(runs)
        for fn, v in collect(
            runs, {r.run_id: _metric(rows[r.run_id]) for r in runs}, lambda r: name(r.hidden)
        ).items():
            acc[(fn, depth)] = v
    fig, ax = figure(
        "Claim 7: test accuracy on digits vs depth", "hidden layers (depth)", "test accuracy"
    )
    for fn in fns:
        band(ax, depths, [acc[(fn, d)] for d in depths], fn)
    ax.legend(fontsize=8)
    table = {f"depth {d}": summary({fn: acc[(fn, d)] for fn in fns}) for d in depths}
    parts = {  # GELU and SiLU (Swish) each against ReLU, at each condition's depth
        (f, k.name): combine(
            lambda relu, g: g - relu, acc[("relu", wanted[k.name])], acc[(f, wanted[k.name])]
        )
        for k in ctx.conditions
        for f in ("gelu", "silu")
    }
    plot = save(fig, ctx.plot_path())
    return Measurement(parts=parts, table=table, plot=plot)


def ce_faster_than_mse(ctx: Context) -> Measurement:
    """Claim 10: epochs to target with cross-entropy vs MSE on the same sigmoid/softmax output.

    Per condition: its optimizer (plain SGD, where the saturating gradient of MSE shows;
    Adam, which rescales it) and the budget's learning rates times ``params["lr_factor"]``,
    the best rate per pair chosen on validation accuracy. Effect per replicate, averaged
    over moons (sigmoid) and digits (softmax): ``(E_mse - E_ce) / E_mse``.
    """
    b = ctx.budget
    setups = {
        "moons": ("binary_cross_entropy:sigmoid", "mse:sigmoid"),
        "digits": ("categorical_cross_entropy:softmax", "mse:softmax"),
    }
    e: dict[tuple[str, str, str], Values] = {}
    kept: list[Run] = []
    for k in ctx.conditions:
        for dataset, pairs in setups.items():
            runs = ctx.train(
                k,
                datasets=[dataset],
                hidden=["relu"],
                pairs=list(pairs),
                widths=[b.width, b.width],
                lrs=[lr * float(k.get("lr_factor", 1.0)) for lr in b.sweep],
                init="he_normal",
            )
            rows = ctx.rows(runs)
            chosen = best_lr(runs, rows, lambda r: name(r.loss))
            kept += chosen
            for loss, v in collect(
                chosen,
                {r.run_id: epochs_to_target(rows[r.run_id]) for r in chosen},
                lambda r: "mse" if name(r.loss) == "mse" else "ce",
            ).items():
                e[(k.name, dataset, loss)] = v
    parts = {
        ("", k.name): mean_over(
            *(combine(_saved, e[(k.name, d, "mse")], e[(k.name, d, "ce")]) for d in setups)
        )
        for k in ctx.conditions
    }
    curves = ctx.store.curves(r.run_id for r in kept)
    fig, ax = figure(
        "Claim 10: validation accuracy, cross-entropy vs MSE (best lr)",
        "epoch",
        "validation accuracy",
    )
    groups: dict[tuple[str, str, str, float], list[np.ndarray]] = {}
    for r in kept:
        groups.setdefault((r.optimizer, r.dataset, name(r.loss), r.lr), []).append(
            curves[r.run_id]["val_metric"]
        )
    for (opt, dataset, loss, lr), arrays in sorted(groups.items()):
        m = curve_mean(arrays)
        ax.plot(
            range(1, len(m) + 1),
            m,
            "--" if loss == "mse" else "-",
            label=f"{opt}, {dataset}: {loss} (lr {lr:g})",
        )
    ax.legend(fontsize=6)
    table = {
        f"{k.name}, {d}": summary({x: e[(k.name, d, x)] for x in ("ce", "mse")})
        for k in ctx.conditions
        for d in setups
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


# task -> (dataset, recommended pair, mismatched pairs)
PAIRINGS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "binary": ("moons", "binary_cross_entropy:sigmoid", ("mse:identity", "mae:sigmoid")),
    "multiclass": (
        "digits",
        "cross_entropy:identity",
        ("binary_cross_entropy:sigmoid", "mse:identity"),
    ),
    "multilabel": (
        "multilabel",
        "binary_cross_entropy:sigmoid",
        ("binary_cross_entropy:softmax", "mse:identity"),
    ),
    "regression": ("diabetes", "mse:identity", ("mse:sigmoid", "mse:tanh")),
}


def pairing_rules(ctx: Context) -> Measurement:
    """Claim 11: the recommended (loss, output) pairing per task vs mismatched pairings.

    Test metric (accuracy, label accuracy, R^2 clipped to [0, 1]) of the recommended pair
    minus the mean of the mismatched pairs; per condition (optimizer, learning rate
    ``params["lr"]``), effect per replicate averaged over the four tasks.
    """
    b = ctx.budget
    gains: dict[tuple[str, str], Values] = {}
    means: dict[str, dict[str, float]] = {}
    for k in ctx.conditions:
        for task, (dataset, good, bad) in PAIRINGS.items():
            runs = ctx.train(
                k,
                datasets=[dataset],
                hidden=["relu"],
                pairs=[good, *bad],
                widths=[b.width, b.width],
                lrs=[float(k.get("lr", b.lrs[0]))],
            )
            rows = ctx.rows(runs)
            got = collect(
                runs,
                {r.run_id: min(max(_metric(rows[r.run_id]), 0.0), 1.0) for r in runs},
                lambda r: f"{name(r.loss)}:{name(r.output)}",
            )
            gains[(k.name, task)] = combine(
                lambda g, *m: g - float(np.mean(m)), got[good], *(got[p] for p in bad)
            )
            means[f"{k.name}, {task} ({dataset})"] = summary(got)
    parts = {
        ("", k.name): mean_over(*(gains[(k.name, t)] for t in PAIRINGS)) for k in ctx.conditions
    }
    fig, ax = figure(
        "Claim 11: recommended pairing minus mismatched pairings (test metric)",
        "condition, task",
        "gain of the recommended pairing",
    )
    band(ax, list(range(len(gains))), list(gains.values()), "gain, 95% CI")
    ax.set_xticks(range(len(gains)), [f"{c}\n{t}" for c, t in gains], fontsize=6)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    return Measurement(parts=parts, table=means, plot=save(fig, ctx.plot_path()))
