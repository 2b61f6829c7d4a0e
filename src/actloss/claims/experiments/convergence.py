"""Claims about training speed and accuracy: 2 and 3 (ReLU vs sigmoid vs tanh), 5 (Leaky ReLU),
7 (Swish/GELU in deep networks), 10 (cross-entropy vs MSE), 11 (output-layer pairings)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...lab.runs import Run
from ._common import (
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


def _speed(ctx: Context, hidden: list[str]) -> tuple[dict[tuple[str, str], Values], list[Run]]:
    """Epochs to the target validation accuracy per (dataset, activation), best lr each."""
    b = ctx.budget
    out: dict[tuple[str, str], Values] = {}
    kept: list[Run] = []
    for dataset, pair in SPEED_DATASETS.items():
        runs = ctx.train(
            datasets=[dataset],
            hidden=hidden,
            pairs=[pair],
            widths=[b.width, b.width],
            lrs=list(b.sweep),
        )
        rows = ctx.rows(runs)
        chosen = best_lr(runs, rows, lambda r: name(r.hidden))
        kept += chosen
        for fn, v in collect(
            chosen,
            {r.run_id: epochs_to_target(rows[r.run_id]) for r in chosen},
            lambda r: name(r.hidden),
        ).items():
            out[(dataset, fn)] = v
    return out, kept


def _curves_plot(ctx: Context, runs: list[Run], title: str) -> Any:
    """Validation accuracy per epoch (mean over seeds) for each dataset and activation."""
    curves = ctx.store.curves(r.run_id for r in runs)
    fig, ax = figure(title, "epoch", "validation accuracy")
    styles = {"moons": "-", "digits": "--"}
    groups: dict[tuple[str, str, float], list[np.ndarray]] = {}
    for r in runs:
        groups.setdefault((r.dataset, name(r.hidden), r.lr), []).append(
            curves[r.run_id]["val_metric"]
        )
    for (dataset, fn, lr), arrays in sorted(groups.items()):
        m = curve_mean(arrays)
        ax.plot(
            range(1, len(m) + 1), m, styles.get(dataset, "-"), label=f"{dataset}: {fn} (lr {lr:g})"
        )
    ax.legend(fontsize=7)
    return fig


def _saved(a: float, b: float) -> float:
    """Relative reduction in epochs of ``b`` against ``a``: (a - b) / a."""
    return (a - b) / a


def relu_faster(ctx: Context) -> Measurement:
    """Claim 2: epochs to the target validation accuracy, each activation at its best lr.

    Effect per seed, averaged over the datasets: ``min over f in {sigmoid, tanh} of
    (E_f - E_relu) / E_f``, the fraction of epochs ReLU saves (runs that never reach the
    target count epochs + 1).
    """
    e, kept = _speed(ctx, ["relu", "sigmoid", "tanh"])
    per_ds = [
        combine(
            lambda relu, sig, tanh: min(_saved(sig, relu), _saved(tanh, relu)),
            e[(d, "relu")],
            e[(d, "sigmoid")],
            e[(d, "tanh")],
        )
        for d in SPEED_DATASETS
    ]
    fig = _curves_plot(ctx, kept, "Claims 2-3: validation accuracy (best lr per activation)")
    table = {
        d: summary({fn: e[(d, fn)] for fn in ("relu", "sigmoid", "tanh")}) for d in SPEED_DATASETS
    }
    parts = {  # a compound claim: against sigmoid and against tanh, each decided on its own
        f: mean_over(*(combine(_saved, e[(d, f)], e[(d, "relu")]) for d in SPEED_DATASETS))
        for f in ("sigmoid", "tanh")
    }
    plot = save(fig, ctx.plot_path())
    return Measurement(mean_over(*per_ds), parts=parts, table=table, plot=plot)


def tanh_faster(ctx: Context) -> Measurement:
    """Claim 3: the runs of claim 2; effect ``(E_sigmoid - E_tanh) / E_sigmoid`` per seed."""
    e, kept = _speed(ctx, ["relu", "sigmoid", "tanh"])
    per_ds = [combine(_saved, e[(d, "sigmoid")], e[(d, "tanh")]) for d in SPEED_DATASETS]
    fig = _curves_plot(ctx, kept, "Claim 3: validation accuracy (best lr per activation)")
    table = {d: summary({fn: e[(d, fn)] for fn in ("sigmoid", "tanh")}) for d in SPEED_DATASETS}
    return Measurement(mean_over(*per_ds), table=table, plot=save(fig, ctx.plot_path()))


ACCURACY_DATASETS = {
    "moons": "binary_cross_entropy:sigmoid",
    "classification": "binary_cross_entropy:sigmoid",
    "digits": "cross_entropy:identity",
}


def leaky_not_better(ctx: Context) -> Measurement:
    """Claim 5: test accuracy of Leaky ReLU (slope 0.01) minus ReLU, averaged over 3 datasets.

    The effect is the gain of Leaky ReLU; the claim holds when no gain of the margin is seen.
    """
    b = ctx.budget
    acc: dict[tuple[str, str], Values] = {}
    for dataset, pair in ACCURACY_DATASETS.items():
        runs = ctx.train(
            datasets=[dataset],
            hidden=["relu", "leaky_relu"],
            pairs=[pair],
            widths=[b.width, b.width],
            lrs=[b.lrs[0]],
            init="he_normal",
        )
        rows = ctx.rows(runs)
        for fn, v in collect(
            runs, {r.run_id: _metric(rows[r.run_id]) for r in runs}, lambda r: name(r.hidden)
        ).items():
            acc[(dataset, fn)] = v
    per_ds = {
        d: combine(lambda leaky, relu: leaky - relu, acc[(d, "leaky_relu")], acc[(d, "relu")])
        for d in ACCURACY_DATASETS
    }
    fig, ax = figure(
        "Claim 5: test accuracy gain of Leaky ReLU over ReLU (paired by seed)",
        "dataset",
        "accuracy(leaky_relu) - accuracy(relu)",
    )
    band(ax, list(range(len(per_ds))), list(per_ds.values()), "gain, 95% CI")
    ax.set_xticks(range(len(per_ds)), list(per_ds))
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    table = {
        d: summary({fn: acc[(d, fn)] for fn in ("relu", "leaky_relu")}) for d in ACCURACY_DATASETS
    }
    return Measurement(mean_over(*per_ds.values()), table=table, plot=save(fig, ctx.plot_path()))


def _metric(row: dict[str, Any]) -> float:
    v = row["test_metric"] if row["status"] == "finished" else None
    return math.nan if v is None else float(v)


def smooth_deep(ctx: Context) -> Measurement:
    """Claim 7: test accuracy of GELU and SiLU (Swish) minus ReLU on digits, vs depth.

    He initialization for all three. Effect at the largest depth, per seed:
    ``mean(acc(gelu), acc(silu)) - acc(relu)``.
    """
    b = ctx.budget
    depths = [int(d) for d in b.sweep]
    fns = ("relu", "gelu", "silu")
    acc: dict[tuple[str, int], Values] = {}
    for depth in depths:
        runs = ctx.train(
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
    gain = {
        d: combine(
            lambda relu, gelu, silu: (gelu + silu) / 2 - relu,
            acc[("relu", d)],
            acc[("gelu", d)],
            acc[("silu", d)],
        )
        for d in depths
    }
    fig, ax = figure(
        "Claim 7: test accuracy on digits vs depth", "hidden layers (depth)", "test accuracy"
    )
    for fn in fns:
        band(ax, depths, [acc[(fn, d)] for d in depths], fn)
    ax.legend(fontsize=8)
    table = {f"depth {d}": summary({fn: acc[(fn, d)] for fn in fns}) for d in depths}
    deep = depths[-1]
    parts = {  # GELU and SiLU (Swish) each against ReLU, decided on their own
        f: combine(lambda relu, g: g - relu, acc[("relu", deep)], acc[(f, deep)])
        for f in ("gelu", "silu")
    }
    plot = save(fig, ctx.plot_path())
    return Measurement(gain[deep], parts=parts, table=table, plot=plot)


def ce_faster_than_mse(ctx: Context) -> Measurement:
    """Claim 10: epochs to target with cross-entropy vs MSE on the same sigmoid/softmax output.

    Plain SGD (where the saturating gradient of MSE shows; Adam rescales it), a
    learning-rate sweep with the best rate per pair chosen on validation accuracy.
    Effect per seed, averaged over moons (sigmoid) and digits (softmax):
    ``(E_mse - E_ce) / E_mse``.
    """
    b = ctx.budget
    setups = {
        "moons": ("binary_cross_entropy:sigmoid", "mse:sigmoid"),
        "digits": ("categorical_cross_entropy:softmax", "mse:softmax"),
    }
    e: dict[tuple[str, str], Values] = {}
    kept: list[Run] = []
    for dataset, pairs in setups.items():
        runs = ctx.train(
            datasets=[dataset],
            hidden=["relu"],
            pairs=list(pairs),
            widths=[b.width, b.width],
            lrs=list(b.sweep),
            optimizer="sgd",
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
            e[(dataset, loss)] = v
    per_ds = [combine(_saved, e[(d, "mse")], e[(d, "ce")]) for d in setups]
    curves = ctx.store.curves(r.run_id for r in kept)
    fig, ax = figure(
        "Claim 10: validation accuracy, cross-entropy vs MSE (SGD, best lr)",
        "epoch",
        "validation accuracy",
    )
    groups: dict[tuple[str, str, float], list[np.ndarray]] = {}
    for r in kept:
        groups.setdefault((r.dataset, name(r.loss), r.lr), []).append(
            curves[r.run_id]["val_metric"]
        )
    for (dataset, loss, lr), arrays in sorted(groups.items()):
        m = curve_mean(arrays)
        ax.plot(
            range(1, len(m) + 1),
            m,
            "--" if loss == "mse" else "-",
            label=f"{dataset}: {loss} (lr {lr:g})",
        )
    ax.legend(fontsize=7)
    table = {d: summary({k: e[(d, k)] for k in ("ce", "mse")}) for d in setups}
    return Measurement(mean_over(*per_ds), table=table, plot=save(fig, ctx.plot_path()))


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
    minus the mean of the mismatched pairs; effect per seed averaged over the four tasks.
    """
    b = ctx.budget
    gains: dict[str, Values] = {}
    means: dict[str, dict[str, float]] = {}
    for task, (dataset, good, bad) in PAIRINGS.items():
        runs = ctx.train(
            datasets=[dataset],
            hidden=["relu"],
            pairs=[good, *bad],
            widths=[b.width, b.width],
            lrs=[b.lrs[0]],
        )
        rows = ctx.rows(runs)
        got = collect(
            runs,
            {r.run_id: min(max(_metric(rows[r.run_id]), 0.0), 1.0) for r in runs},
            lambda r: f"{name(r.loss)}:{name(r.output)}",
        )
        gains[task] = combine(
            lambda g, *m: g - float(np.mean(m)), got[good], *(got[p] for p in bad)
        )
        means[f"{task} ({dataset})"] = summary(got)
    fig, ax = figure(
        "Claim 11: recommended pairing minus mismatched pairings (test metric)",
        "task",
        "gain of the recommended pairing",
    )
    band(ax, list(range(len(gains))), list(gains.values()), "gain, 95% CI")
    ax.set_xticks(range(len(gains)), list(gains))
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    return Measurement(mean_over(*gains.values()), table=means, plot=save(fig, ctx.plot_path()))
