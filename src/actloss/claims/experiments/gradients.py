"""Claims about gradients and activations inside the network: 1 (vanishing), 4 (dead ReLU),
6 (ELU's mean activation)."""

from __future__ import annotations

import math

import numpy as np

from ._common import (
    Context,
    Measurement,
    band,
    collect,
    combine,
    figure,
    layer_stats,
    name,
    save,
    summary,
)

SATURATING = ("sigmoid", "tanh")
NON_SATURATING = ("relu", "gelu", "selu")


def vanishing_gradients(ctx: Context) -> Measurement:
    """Claim 1: log10 of (first layer's / output layer's gradient norm) in epoch 1, vs depth.

    Sigmoid and tanh use Glorot initialization, ReLU, GELU and SELU He initialization (each
    the initialization it is usually paired with). Effect, at the largest depth and per seed:
    ``min over f in {sigmoid, tanh} of ratio(relu) - ratio(f)``, in decades.
    """
    b = ctx.budget
    depths = [int(d) for d in b.sweep]
    ratio: dict[tuple[str, int], dict[int, float]] = {}
    last: dict[tuple[str, int], dict[int, float]] = {}  # the same ratio in the last epoch
    for depth in depths:
        common = {"datasets": ["moons"], "pairs": ["binary_cross_entropy:sigmoid"],
                  "widths": [b.width] * depth, "lrs": [b.lrs[0]]}  # fmt: skip
        runs = ctx.train(hidden=list(SATURATING), init="glorot_uniform", **common)
        runs += ctx.train(hidden=list(NON_SATURATING), init="he_normal", **common)
        norms = layer_stats(ctx, runs, "grad_norm", epoch=1)
        ratios = {r.run_id: _log_ratio(norms.get(r.run_id)) for r in runs}
        for fn, values in collect(runs, ratios, lambda r: name(r.hidden)).items():
            ratio[(fn, depth)] = values
        late = layer_stats(ctx, runs, "grad_norm")
        late_ratios = {r.run_id: _log_ratio(late.get(r.run_id)) for r in runs}
        for fn, values in collect(runs, late_ratios, lambda r: name(r.hidden)).items():
            last[(fn, depth)] = values
    deep = depths[-1]
    diffs = combine(lambda relu, *sat: min(relu - s for s in sat), ratio[("relu", deep)],
                    *(ratio[(f, deep)] for f in SATURATING))  # fmt: skip
    fig, ax = figure("Claim 1: gradient of the first layer relative to the output layer (epoch 1)",
                     "hidden layers (depth)", "log10 |grad W_1| / |grad W_out|")  # fmt: skip
    for fn in (*SATURATING, *NON_SATURATING):
        band(ax, depths, [ratio[(fn, d)] for d in depths], fn)
    ax.plot(depths, [d * math.log10(0.25) for d in depths], "k--",
            label="0.25^depth (sigmoid' bound)")  # fmt: skip
    ax.legend(fontsize=8)
    fns = (*SATURATING, *NON_SATURATING)
    table: dict[str, object] = {f"depth {d}": summary({fn: ratio[(fn, d)] for fn in fns})
                                for d in depths}  # fmt: skip
    table[f"depth {deep}, last epoch"] = summary({fn: last[(fn, deep)] for fn in fns})
    table[f"depth {deep}, relu minus each"] = summary(
        {f: combine(lambda a, b: a - b, ratio[("relu", deep)], ratio[(f, deep)])
         for f in SATURATING})  # fmt: skip
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))


def _log_ratio(g: np.ndarray | None) -> float:
    """log10 of the first layer's over the last layer's gradient norm (NaN if not positive)."""
    if g is None or not (g[0] > 0 and g[-1] > 0):
        return math.nan
    return float(np.log10(g[0] / g[-1]))


DEAD_FNS = ("relu", "leaky_relu", "elu", "prelu")


def dead_relu(ctx: Context) -> Measurement:
    """Claim 4: fraction of hidden units that output 0 on every validation sample, vs lr.

    Three hidden layers, Adam; PReLU's slope stays at its initial 0.25 (the lab does not
    learn activation parameters). Effect at the largest learning rate, per seed:
    ``dead(relu) - max(dead(leaky_relu), dead(elu), dead(prelu))``.
    """
    b = ctx.budget
    lrs = list(b.sweep)
    dead: dict[tuple[str, float], dict[int, float]] = {}
    for lr in lrs:
        runs = ctx.train(datasets=["classification"], hidden=list(DEAD_FNS),
                         pairs=["binary_cross_entropy:sigmoid"], widths=[b.width] * 3,
                         lrs=[lr])  # fmt: skip
        frac = layer_stats(ctx, runs, "dead_fraction")
        for fn, values in collect(
            runs,
            {r.run_id: float(np.mean(frac[r.run_id][:-1])) for r in runs},
            lambda r: name(r.hidden),
        ).items():
            dead[(fn, lr)] = values
    top = lrs[-1]
    diffs = combine(lambda relu, *others: relu - max(others), dead[("relu", top)],
                    *(dead[(f, top)] for f in DEAD_FNS[1:]))  # fmt: skip
    fig, ax = figure("Claim 4: dead units after training", "learning rate (Adam)",
                     "fraction of hidden units never active")  # fmt: skip
    for fn in DEAD_FNS:
        band(ax, lrs, [dead[(fn, lr)] for lr in lrs], fn)
    ax.set_xscale("log")
    ax.legend(fontsize=8)
    table = {f"lr {lr:g}": summary({fn: dead[(fn, lr)] for fn in DEAD_FNS}) for lr in lrs}
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))


def elu_mean_activation(ctx: Context) -> Measurement:
    """Claim 6: mean activation of the hidden layers, ELU vs ReLU, vs depth.

    Effect at the largest depth, per seed: mean over hidden layers of
    ``|mean activation(relu)| - |mean activation(elu)|`` after training.
    """
    b = ctx.budget
    depths = [int(d) for d in b.sweep]
    means: dict[tuple[str, int], dict[int, float]] = {}
    per_layer: dict[str, list[np.ndarray]] = {}
    for depth in depths:
        runs = ctx.train(datasets=["classification"], hidden=["relu", "elu"],
                         pairs=["binary_cross_entropy:sigmoid"], widths=[b.width] * depth,
                         lrs=[b.lrs[0]], init="he_normal")  # fmt: skip
        act = layer_stats(ctx, runs, "mean_activation")
        for fn, values in collect(
            runs,
            {r.run_id: float(np.mean(np.abs(act[r.run_id][:-1]))) for r in runs},
            lambda r: name(r.hidden),
        ).items():
            means[(fn, depth)] = values
        if depth == depths[-1]:
            for r in runs:
                per_layer.setdefault(name(r.hidden), []).append(act[r.run_id][:-1])
    deep = depths[-1]
    diffs = combine(lambda relu, elu: relu - elu, means[("relu", deep)], means[("elu", deep)])
    fig, ax = figure(f"Claim 6: mean activation per hidden layer (depth {deep}, after training)",
                     "hidden layer", "mean activation over units and samples")  # fmt: skip
    for fn, arrays in per_layer.items():
        layers = list(range(1, deep + 1))
        band(ax, layers, [dict(enumerate(col)) for col in np.array(arrays).T], fn)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    table = {f"depth {d}": summary({fn: means[(fn, d)] for fn in ("relu", "elu")})
             for d in depths}  # fmt: skip
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))
