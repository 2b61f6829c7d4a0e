"""Claims about gradients and activations inside the network: 1 (vanishing), 4 (dead ReLU),
6 (ELU's mean activation)."""

from __future__ import annotations

import math

import numpy as np

from ...lab.runs import Run
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


INITS = ("glorot_uniform", "normal")
"""Claim 1's condition: the saturating functions' initialization (Glorot's scaled uniform,
and a plain N(0, 1) without fan scaling)."""


def vanishing_gradients(ctx: Context) -> Measurement:
    """Claim 1: log10 of (first layer's / output layer's gradient norm) in epoch 1, vs depth.

    Sigmoid and tanh are trained under each initialization of ``INITS``; ReLU, GELU and SELU
    with He initialization (ReLU is the reference). The claim has two parts, sigmoid and tanh,
    decided separately under each initialization: per seed, at the largest depth,
    ``ratio(relu) - ratio(f, init)`` in decades.
    """
    b = ctx.budget
    depths = [int(d) for d in b.sweep]
    ratio: dict[tuple[str, int], dict[int, float]] = {}  # (label, depth) -> seed -> ratio
    last: dict[tuple[str, int], dict[int, float]] = {}  # the same ratio in the last epoch
    for depth in depths:
        common = {
            "datasets": ["moons"],
            "pairs": ["binary_cross_entropy:sigmoid"],
            "widths": [b.width] * depth,
            "lrs": [b.lrs[0]],
        }
        runs = ctx.train(hidden=list(NON_SATURATING), init="he_normal", **common)
        for init in INITS:
            runs += ctx.train(hidden=list(SATURATING), init=init, **common)
        for epoch, out in ((1, ratio), (None, last)):
            norms = layer_stats(ctx, runs, "grad_norm", epoch=epoch)
            ratios = {r.run_id: _log_ratio(norms.get(r.run_id)) for r in runs}
            for label, values in collect(runs, ratios, _label).items():
                out[(label, depth)] = values
    deep = depths[-1]
    reference = ratio[("relu", deep)]
    parts = {
        f"{f}, {init} init": combine(lambda a, c: a - c, reference, ratio[(_part(f, init), deep)])
        for init in INITS
        for f in SATURATING
    }
    fig, ax = figure(
        "Claim 1: gradient of the first layer relative to the output layer (epoch 1)",
        "hidden layers (depth)",
        "log10 |grad W_1| / |grad W_out|",
    )
    labels = [_part(f, init) for init in INITS for f in SATURATING] + list(NON_SATURATING)
    for label in labels:
        style = {"ls": "--"} if label.endswith("(normal)") else {}
        band(ax, depths, [ratio[(label, d)] for d in depths], label, **style)
    ax.plot(
        depths, [d * math.log10(0.25) for d in depths], "k:", label="0.25^depth (sigmoid' bound)"
    )
    ax.legend(fontsize=8)
    table: dict[str, object] = {
        f"depth {d}": summary({k: ratio[(k, d)] for k in labels}) for d in depths
    }
    table[f"depth {deep}, last epoch"] = summary({k: last[(k, deep)] for k in labels})
    table[f"depth {deep}, relu minus each part"] = summary(parts)
    first = next(iter(parts.values()))
    return Measurement(first, parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def _part(fn: str, init: str) -> str:
    """The label of a saturating function under an initialization: ``tanh (normal)``."""
    return f"{fn} ({init})"


def _label(run: Run) -> str:
    """ReLU, GELU, SELU by name; sigmoid and tanh with their initialization."""
    fn = name(run.hidden)
    return _part(fn, run.init) if fn in SATURATING else fn


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
        runs = ctx.train(
            datasets=["classification"],
            hidden=list(DEAD_FNS),
            pairs=["binary_cross_entropy:sigmoid"],
            widths=[b.width] * 3,
            lrs=[lr],
        )
        frac = layer_stats(ctx, runs, "dead_fraction")
        for fn, values in collect(
            runs,
            {r.run_id: float(np.mean(frac[r.run_id][:-1])) for r in runs},
            lambda r: name(r.hidden),
        ).items():
            dead[(fn, lr)] = values
    top = lrs[-1]
    diffs = combine(
        lambda relu, *others: relu - max(others),
        dead[("relu", top)],
        *(dead[(f, top)] for f in DEAD_FNS[1:]),
    )
    fig, ax = figure(
        "Claim 4: dead units after training",
        "learning rate (Adam)",
        "fraction of hidden units never active",
    )
    for fn in DEAD_FNS:
        band(ax, lrs, [dead[(fn, lr)] for lr in lrs], fn)
    ax.set_xscale("log")
    ax.legend(fontsize=8)
    table = {f"lr {lr:g}": summary({fn: dead[(fn, lr)] for fn in DEAD_FNS}) for lr in lrs}
    parts = {  # "Leaky ReLU, ELU and PReLU avoid it": each against ReLU
        f: combine(lambda relu, other: relu - other, dead[("relu", top)], dead[(f, top)])
        for f in DEAD_FNS[1:]
    }
    return Measurement(diffs, parts=parts, table=table, plot=save(fig, ctx.plot_path()))


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
        runs = ctx.train(
            datasets=["classification"],
            hidden=["relu", "elu"],
            pairs=["binary_cross_entropy:sigmoid"],
            widths=[b.width] * depth,
            lrs=[b.lrs[0]],
            init="he_normal",
        )
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
    fig, ax = figure(
        f"Claim 6: mean activation per hidden layer (depth {deep}, after training)",
        "hidden layer",
        "mean activation over units and samples",
    )
    for fn, arrays in per_layer.items():
        layers = list(range(1, deep + 1))
        band(ax, layers, [dict(enumerate(col)) for col in np.array(arrays).T], fn)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    table = {f"depth {d}": summary({fn: means[(fn, d)] for fn in ("relu", "elu")}) for d in depths}
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))
