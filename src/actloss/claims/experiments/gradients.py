"""Claims about gradients and activations inside the network: 1 (vanishing), 4 (dead ReLU),
6 (ELU's mean activation), each under the conditions of its registry entry."""

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

    Sigmoid and tanh are trained under each condition's initialization (``params["init"]``);
    ReLU, GELU and SELU with He initialization (ReLU is the reference, shared by every
    condition). The claim has two parts, sigmoid and tanh, decided separately under each
    initialization: per replicate, at the largest depth, ``ratio(relu) - ratio(f, init)`` in
    decades.
    """
    b = ctx.budget
    depths = [int(d) for d in b.sweep]
    inits = {k.name: str(k.get("init")) for k in ctx.conditions}
    ratio: dict[tuple[str, int], Values] = {}  # (label, depth) -> replicate -> ratio
    last: dict[tuple[str, int], Values] = {}  # the same ratio in the last epoch
    for depth in depths:
        common: dict[str, Any] = {
            "datasets": ["moons"],
            "pairs": ["binary_cross_entropy:sigmoid"],
            "widths": [b.width] * depth,
            "lrs": [b.lrs[0]],
        }
        runs = ctx.train(
            cover=ctx.conditions, hidden=list(NON_SATURATING), init="he_normal", **common
        )
        for k in ctx.conditions:
            runs += ctx.train(k, hidden=list(SATURATING), init=inits[k.name], **common)
        for epoch, out in ((1, ratio), (None, last)):
            norms = layer_stats(ctx, runs, "grad_norm", epoch=epoch)
            ratios = {r.run_id: _log_ratio(norms.get(r.run_id)) for r in runs}
            for label, values in collect(runs, ratios, _label).items():
                out[(label, depth)] = values
    deep = depths[-1]
    reference = ratio[("relu", deep)]
    parts = {
        (f, k.name): combine(lambda a, c: a - c, reference, ratio[(_part(f, inits[k.name]), deep)])
        for k in ctx.conditions
        for f in SATURATING
    }
    fig, ax = figure(
        "Claim 1: gradient of the first layer relative to the output layer (epoch 1)",
        "hidden layers (depth)",
        "log10 |grad W_1| / |grad W_out|",
    )
    labels = [_part(f, init) for init in inits.values() for f in SATURATING]
    labels += list(NON_SATURATING)
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
    table[f"depth {deep}, relu minus each part"] = summary(
        {f"{f}, {c}": v for (f, c), v in parts.items()}
    )
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


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

    Three hidden layers, under each condition's optimizer, the budget's learning rates
    times the condition's ``lr_factor``; PReLU's slope stays at its initial 0.25 (the lab
    does not learn activation parameters). Effect at the largest learning rate, per
    replicate and part: ``dead(relu) - dead(f)`` for f in Leaky ReLU, ELU, PReLU.
    """
    b = ctx.budget
    dead: dict[tuple[str, str, float], Values] = {}
    parts: dict[tuple[str, str], Values] = {}
    fig, ax = figure(
        "Claim 4: dead units after training",
        "learning rate (relative to the condition's smallest)",
        "fraction of hidden units never active",
    )
    table: dict[str, object] = {}
    for i, k in enumerate(ctx.conditions):
        lrs = [lr * float(k.get("lr_factor", 1.0)) for lr in b.sweep]
        for lr in lrs:
            runs = ctx.train(
                k,
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
                dead[(k.name, fn, lr)] = values
        top = lrs[-1]
        for f in DEAD_FNS[1:]:  # "Leaky ReLU, ELU and PReLU avoid it": each against ReLU
            parts[(f, k.name)] = combine(
                lambda relu, other: relu - other,
                dead[(k.name, "relu", top)],
                dead[(k.name, f, top)],
            )
        for j, fn in enumerate(DEAD_FNS):
            style = {"color": f"C{j}", "ls": "-" if i == 0 else "--"}
            band(ax, lrs, [dead[(k.name, fn, lr)] for lr in lrs], f"{fn}, {k.name}", **style)
        table.update(
            {
                f"{k.name}, lr {lr:g}": summary({fn: dead[(k.name, fn, lr)] for fn in DEAD_FNS})
                for lr in lrs
            }
        )
    ax.set_xscale("log")
    ax.legend(fontsize=7)
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def elu_mean_activation(ctx: Context) -> Measurement:
    """Claim 6: mean activation of the hidden layers, ELU vs ReLU.

    Each condition fixes the dataset, optimizer and learning rate (``params``) and the
    depth: the practitioners' condition sweeps the budget's depths, the source's trains
    ``params["depth"]`` hidden layers (capped at the budget's largest depth). Effect at the
    condition's largest depth, per replicate: mean over hidden layers of
    ``|mean activation(relu)| - |mean activation(elu)|`` after training.
    """
    b = ctx.budget
    means: dict[tuple[str, str, int], Values] = {}
    parts: dict[tuple[str, str], Values] = {}
    per_layer: dict[tuple[str, str], list[np.ndarray]] = {}
    deepest: dict[str, int] = {}
    for k in ctx.conditions:
        fixed = k.get("depth")
        depths = [int(d) for d in b.sweep] if fixed is None else [min(int(fixed), int(b.sweep[-1]))]
        dataset = str(k.get("dataset", "classification"))
        pair = "cross_entropy:identity" if dataset == "digits" else "binary_cross_entropy:sigmoid"
        for depth in depths:
            runs = ctx.train(
                k,
                datasets=[dataset],
                hidden=["relu", "elu"],
                pairs=[pair],
                widths=[b.width] * depth,
                lrs=[float(k.get("lr", b.lrs[0]))],
                init="he_normal",
            )
            act = layer_stats(ctx, runs, "mean_activation")
            for fn, values in collect(
                runs,
                {r.run_id: float(np.mean(np.abs(act[r.run_id][:-1]))) for r in runs},
                lambda r: name(r.hidden),
            ).items():
                means[(k.name, fn, depth)] = values
            if depth == depths[-1]:
                for r in runs:
                    per_layer.setdefault((k.name, name(r.hidden)), []).append(act[r.run_id][:-1])
        deep = deepest[k.name] = depths[-1]
        parts[("", k.name)] = combine(
            lambda relu, elu: relu - elu,
            means[(k.name, "relu", deep)],
            means[(k.name, "elu", deep)],
        )
    fig, ax = figure(
        "Claim 6: mean activation per hidden layer (deepest network of each condition)",
        "hidden layer",
        "mean activation over units and samples",
    )
    for i, ((cond, fn), arrays) in enumerate(per_layer.items()):
        layers = list(range(1, deepest[cond] + 1))
        style = {"color": f"C{i % 2}", "ls": "-" if cond == ctx.conditions[0].name else "--"}
        band(
            ax,
            layers,
            [dict(enumerate(col)) for col in np.array(arrays).T],
            f"{fn}, {cond}",
            **style,
        )
    ax.axhline(0.0, color="k", lw=0.8)
    ax.legend(fontsize=8)
    table = {
        f"{c}, depth {d}": summary({fn: means[(c, fn, d)] for fn in ("relu", "elu")})
        for (c, fn, d) in means
        if fn == "relu"
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))
