"""Claims about losses and penalties: 8 (robust regression), 9 (MAE and a decaying rate),
12 (focal loss), 13 (L1 vs L2 penalties), 14 (label smoothing)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._common import (
    Context,
    Measurement,
    Values,
    band,
    collect,
    combine,
    curve_mean,
    extra,
    figure,
    name,
    save,
    summary,
)


def _metric(row: dict[str, Any]) -> float:
    v = row["test_metric"] if row["status"] == "finished" else None
    return math.nan if v is None else float(v)


ROBUST = ("mse", "mae", "huber")


def robust_regression(ctx: Context) -> Measurement:
    """Claim 8: R^2 on a *clean* test set after training on targets with injected outliers.

    ``regression_outliers`` with ``outlier_fraction`` of the training targets moved by
    +-10 standard deviations (the test set stays clean); a linear model (the data are linear
    plus noise; a hidden layer would also memorize the outliers), Adam.
    Effect at the largest fraction, per seed: ``min(R2(mae), R2(huber)) - R2(mse)``. The
    relative parameter error ``||w - coef|| / ||coef||`` against the data's true coefficients
    is shown next to it.
    """
    b = ctx.budget
    fractions = list(b.sweep)
    r2: dict[tuple[str, float], Values] = {}
    perr: dict[tuple[str, float], Values] = {}
    for frac in fractions:
        runs = ctx.train(
            datasets=["regression_outliers"],
            hidden=["identity"],
            pairs=[f"{loss}:identity" for loss in ROBUST],
            widths=[],
            lrs=[b.lrs[0]],
            outlier_fraction=frac,
        )
        rows = ctx.rows(runs)
        for loss, v in collect(
            runs, {r.run_id: _metric(rows[r.run_id]) for r in runs}, lambda r: name(r.loss)
        ).items():
            r2[(loss, frac)] = v
        errors = extra(ctx, runs, "parameter_error")
        for loss, v in collect(runs, errors, lambda r: name(r.loss)).items():
            perr[(loss, frac)] = v
    top = fractions[-1]
    diffs = combine(
        lambda mse, mae, hub: min(mae, hub) - mse,
        r2[("mse", top)],
        r2[("mae", top)],
        r2[("huber", top)],
    )
    fig, ax = figure(
        "Claim 8: clean-test R^2 vs fraction of outliers in the training targets",
        "outlier fraction (training targets)",
        "R^2 on clean test data",
    )
    ax2 = ax.twinx()
    ax2.set_ylabel("relative parameter error (dashed)")
    for i, loss in enumerate(ROBUST):
        band(ax, fractions, [r2[(loss, f)] for f in fractions], f"{loss}: R^2", color=f"C{i}")
        band(
            ax2,
            fractions,
            [perr[(loss, f)] for f in fractions],
            f"{loss}: parameter error",
            color=f"C{i}",
            ls="--",
        )
    ax.legend(fontsize=8, loc="lower left")
    table = {
        f"outliers {f:g}": {
            **{f"R2 {loss}": summary({0: r2[(loss, f)]})["0"] for loss in ROBUST},
            **{f"parameter error {loss}": summary({0: perr[(loss, f)]})["0"] for loss in ROBUST},
        }
        for f in fractions
    }
    parts = {  # "MAE and Huber are robust": each against MSE
        loss: combine(lambda mse, other: other - mse, r2[("mse", top)], r2[(loss, top)])
        for loss in ("mae", "huber")
    }
    return Measurement(diffs, parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def _oscillation(curve: np.ndarray) -> float:
    """Mean |L_e - L_(e-1)| over the last quarter of epochs, relative to the mean loss there."""
    tail = curve[-max(3, len(curve) // 4) :]
    level = float(np.mean(tail))
    if not (math.isfinite(level) and level > 0):
        return math.nan
    return float(np.mean(np.abs(np.diff(tail)))) / level


def mae_needs_decay(ctx: Context) -> Measurement:
    """Claim 9: full-batch gradient descent on a linear model, fixed vs cosine-decayed rate.

    The clean ``regression_outliers`` data (``outlier_fraction=0``), no hidden layer, SGD
    with the whole training set as one batch, so the only noise is MAE's own. Oscillation
    of the training loss (``_oscillation``). Effect per seed:
    ``[osc(MAE, fixed) - osc(MAE, decayed)] - [osc(MSE, fixed) - osc(MSE, decayed)]``.
    """
    b = ctx.budget
    osc: dict[tuple[str, str], Values] = {}
    curves_by: dict[tuple[str, str], list[np.ndarray]] = {}
    for decay in (None, "cosine"):
        runs = ctx.train(
            datasets=["regression_outliers"],
            hidden=["identity"],
            pairs=["mse:identity", "mae:identity"],
            widths=[],
            lrs=[b.lrs[0]],
            optimizer="sgd",
            batch_size=10**6,
            outlier_fraction=0.0,
            lr_decay=decay,
        )
        curves = ctx.store.curves(r.run_id for r in runs)
        label = "fixed" if decay is None else "cosine decay"
        for loss, v in collect(
            runs,
            {r.run_id: _oscillation(curves[r.run_id]["train_loss"]) for r in runs},
            lambda r: name(r.loss),
        ).items():
            osc[(loss, label)] = v
        for r in runs:
            curves_by.setdefault((name(r.loss), label), []).append(curves[r.run_id]["train_loss"])
    diffs = combine(
        lambda mf, md, sf, sd: (mf - md) - (sf - sd),
        osc[("mae", "fixed")],
        osc[("mae", "cosine decay")],
        osc[("mse", "fixed")],
        osc[("mse", "cosine decay")],
    )
    fig, ax = figure(
        "Claim 9: training loss, full-batch GD, fixed vs decaying rate",
        "epoch",
        "training loss / its final value",
    )
    for (loss, label), arrays in sorted(curves_by.items()):
        m = curve_mean(arrays)
        final = m[-1] if np.isfinite(m[-1]) and m[-1] > 0 else 1.0
        ax.plot(
            range(1, len(m) + 1),
            m / final,
            "-" if label == "fixed" else "--",
            label=f"{loss}, {label}",
        )
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    table = {"relative oscillation": summary({f"{k[0]}, {k[1]}": v for k, v in osc.items()})}
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))


def focal_imbalance(ctx: Context) -> Measurement:
    """Claim 12: average precision on the minority class vs the imbalance ratio.

    ``imbalanced`` data with class 1 a ``1 / (1 + ratio)`` share; logits output;
    BCE, class-weighted BCE (``pos_weight = ratio``) and focal loss (catalog defaults,
    alpha = 0.25, gamma = 2). Effect at the largest ratio, per seed:
    ``AP(focal) - max(AP(bce), AP(weighted bce))``; minority recall is shown too.
    """
    b = ctx.budget
    ratios = list(b.sweep)
    ap: dict[tuple[str, float], Values] = {}
    recall: dict[tuple[str, float], Values] = {}

    def kind(loss: Any) -> str:
        if loss[0] == "focal":
            return "focal"
        return "weighted bce" if dict(loss[1]).get("pos_weight") not in (None, 1.0) else "bce"

    for ratio in ratios:
        pairs = [
            "binary_cross_entropy_with_logits:identity",
            "focal:identity",
            f"binary_cross_entropy_with_logits(pos_weight={float(ratio)!r}):identity",
        ]
        if ratio == 1:
            pairs = pairs[:2]
        runs = ctx.train(
            datasets=["imbalanced"],
            hidden=["relu"],
            pairs=pairs,
            widths=[b.width, b.width],
            lrs=[b.lrs[0]],
            minority_fraction=1.0 / (1.0 + ratio),
        )
        aps, recs = extra(ctx, runs, "average_precision"), extra(ctx, runs, "minority_recall")
        for k, v in collect(runs, aps, lambda r: kind(r.loss)).items():
            ap[(k, ratio)] = v
        for k, v in collect(runs, recs, lambda r: kind(r.loss)).items():
            recall[(k, ratio)] = v
        if ratio == 1:  # weighting by 1 is plain BCE
            ap[("weighted bce", ratio)], recall[("weighted bce", ratio)] = (
                ap[("bce", ratio)],
                recall[("bce", ratio)],
            )
    top = ratios[-1]
    diffs = combine(
        lambda f, bce, w: f - max(bce, w),
        ap[("focal", top)],
        ap[("bce", top)],
        ap[("weighted bce", top)],
    )
    fig, ax = figure(
        "Claim 12: minority class vs imbalance (solid: AP, dashed: recall)",
        "majority : minority ratio",
        "test average precision / recall",
    )
    kinds = ("bce", "weighted bce", "focal")
    for i, k in enumerate(kinds):
        color = f"C{i}"
        band(ax, ratios, [ap[(k, r)] for r in ratios], f"{k}: AP", color=color)
        band(ax, ratios, [recall[(k, r)] for r in ratios], f"{k}: recall", color=color, ls="--")
    ax.set_xscale("log")
    ax.legend(fontsize=7)
    table = {
        f"1:{r:g}": {
            **{f"AP {k}": summary({k: ap[(k, r)]})[k] for k in kinds},
            **{f"recall {k}": summary({k: recall[(k, r)]})[k] for k in kinds},
        }
        for r in ratios
    }
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))


def sparse_l1(ctx: Context) -> Measurement:
    """Claim 13: fraction of near-zero weights (|w| < 0.01) and weight norm vs the penalty.

    One hidden ReLU layer on ``classification``, Adam; the objective adds ``lambda * sum |w|``
    (L1) or ``lambda / 2 * sum w^2`` (L2) over all weights (the catalog's ``l1_penalty`` and
    ``l2_penalty``). Effect per seed, averaged over the lambdas:
    ``near_zero(L1) - near_zero(L2)``.
    """
    b = ctx.budget
    lambdas = list(b.sweep)
    nz: dict[tuple[str, float], Values] = {}
    norm: dict[tuple[str, float], Values] = {}
    for lam in lambdas:
        for penalty in ("l1", "l2"):
            runs = ctx.train(
                datasets=["classification"],
                hidden=["relu"],
                pairs=["binary_cross_entropy:sigmoid"],
                widths=[b.width],
                lrs=[b.lrs[0]],
                penalty=penalty,
                penalty_coef=lam,
            )
            zs = extra(ctx, runs, "near_zero_weights")
            ns = extra(ctx, runs, "weight_l2")
            nz[(penalty, lam)] = {r.seed: zs[r.run_id] for r in runs}
            norm[(penalty, lam)] = {r.seed: ns[r.run_id] for r in runs}
    per_lam = [combine(lambda l1, l2: l1 - l2, nz[("l1", lam)], nz[("l2", lam)]) for lam in lambdas]
    diffs = combine(lambda *v: float(np.mean(v)), *per_lam)
    fig, ax = figure(
        "Claim 13: weights after training with a penalty",
        "penalty coefficient lambda",
        "fraction of |w| < 0.01",
    )
    ax2 = ax.twinx()
    ax2.set_ylabel("weight L2 norm (dashed)")
    for i, penalty in enumerate(("l1", "l2")):
        band(
            ax,
            lambdas,
            [nz[(penalty, lam)] for lam in lambdas],
            f"{penalty}: near-zero",
            color=f"C{i}",
        )
        band(
            ax2,
            lambdas,
            [norm[(penalty, lam)] for lam in lambdas],
            f"{penalty}: norm",
            color=f"C{i}",
            ls="--",
        )
    ax.set_xscale("log")
    ax.legend(fontsize=8, loc="upper left")
    table = {
        f"lambda {lam:g}": {
            **{f"near-zero {p}": summary({p: nz[(p, lam)]})[p] for p in ("l1", "l2")},
            **{f"norm {p}": summary({p: norm[(p, lam)]})[p] for p in ("l1", "l2")},
        }
        for lam in lambdas
    }
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))


def label_smoothing(ctx: Context) -> Measurement:
    """Claim 14: entropy and calibration of predictions vs the label-smoothing factor.

    Digits, softmax cross-entropy on logits with ``label_smoothing = s``. Effect per seed:
    mean predictive entropy (nats) at the largest ``s`` minus at ``s = 0``; the expected
    calibration error (10 bins) is shown next to it. (Distillation temperature is not
    trained: the lab has no teacher models.)
    """
    b = ctx.budget
    factors = list(b.sweep)
    pairs = [f"cross_entropy(label_smoothing={float(s)!r}):identity" for s in factors]
    runs = ctx.train(
        datasets=["digits"], hidden=["relu"], pairs=pairs, widths=[b.width, b.width], lrs=[b.lrs[0]]
    )
    ent, ece = extra(ctx, runs, "entropy"), extra(ctx, runs, "ece")

    def factor(r: Any) -> float:
        return float(dict(r.loss[1]).get("label_smoothing", 0.0))

    e = collect(runs, ent, factor)
    c = collect(runs, ece, factor)
    diffs = combine(lambda hi, lo: hi - lo, e[max(factors)], e[min(factors)])
    fig, ax = figure(
        "Claim 14: predictions on digits vs label smoothing",
        "label smoothing factor",
        "mean predictive entropy (nats)",
    )
    band(ax, factors, [e[s] for s in factors], "entropy", color="C0")
    ax2 = ax.twinx()
    ax2.set_ylabel("expected calibration error (dashed)")
    band(ax2, factors, [c[s] for s in factors], "ECE", color="C1", ls="--")
    ax.legend(fontsize=8, loc="upper left")
    ax2.legend(fontsize=8, loc="upper right")
    table = {
        f"s = {s:g}": {"entropy": summary({0: e[s]})["0"], "ece": summary({0: c[s]})["0"]}
        for s in factors
    }
    return Measurement(diffs, table=table, plot=save(fig, ctx.plot_path()))
