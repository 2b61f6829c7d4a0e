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
    finite_mean,
    mean_over,
    name,
    save,
    summary,
    unit,
)


def _metric(row: dict[str, Any]) -> float:
    v = row["test_metric"] if row["status"] == "finished" else None
    return math.nan if v is None else float(v)


ROBUST = ("mse", "mae", "huber")


def robust_regression(ctx: Context) -> Measurement:
    """Claim 8: R^2 on a *clean* test set after training on targets with injected outliers.

    ``regression_outliers`` with ``outlier_fraction`` of the training targets moved by
    +-10 standard deviations (the test set stays clean), Adam. Per condition the model:
    ``params["widths"]`` hidden ReLU layers (``[]``: a linear model, Huber's setting; the
    data are linear plus noise). Effect at the largest fraction, per replicate and part
    (MAE, Huber): ``R2(part) - R2(mse)``. The relative parameter error
    ``||w - coef|| / ||coef||`` against the data's true coefficients (linear model only) is
    shown next to it.
    """
    b = ctx.budget
    fractions = list(b.sweep)
    r2: dict[tuple[str, str, float], Values] = {}
    perr: dict[tuple[str, str, float], Values] = {}
    for k in ctx.conditions:
        widths = list(k.get("widths", []))
        for frac in fractions:
            runs = ctx.train(
                k,
                datasets=["regression_outliers"],
                hidden=["identity"] if not widths else ["relu"],
                pairs=[f"{loss}:identity" for loss in ROBUST],
                widths=widths,
                lrs=[b.lrs[0]],
                outlier_fraction=frac,
            )
            rows = ctx.rows(runs)
            for loss, v in collect(
                runs, {r.run_id: _metric(rows[r.run_id]) for r in runs}, lambda r: name(r.loss)
            ).items():
                r2[(k.name, loss, frac)] = v
            errors = extra(ctx, runs, "parameter_error")
            for loss, v in collect(runs, errors, lambda r: name(r.loss)).items():
                perr[(k.name, loss, frac)] = v
    top = fractions[-1]
    fig, ax = figure(
        "Claim 8: clean-test R^2 vs fraction of outliers in the training targets",
        "outlier fraction (training targets)",
        "R^2 on clean test data",
    )
    first = ctx.conditions[0].name
    for i, k in enumerate(ctx.conditions):
        for j, loss in enumerate(ROBUST):
            style = {"color": f"C{j}", "ls": "-" if i == 0 else ":"}
            per = [r2[(k.name, loss, f)] for f in fractions]
            band(ax, fractions, per, f"{loss}, {k.name}: R^2", **style)
    ax2 = ax.twinx()
    ax2.set_ylabel(f"relative parameter error, {first} (dashed)")
    for j, loss in enumerate(ROBUST):
        per = [perr[(first, loss, f)] for f in fractions]
        band(ax2, fractions, per, f"{loss}: parameter error", color=f"C{j}", ls="--")
    ax.legend(fontsize=7, loc="lower left")
    table = {
        f"{k.name}, outliers {f:g}": {
            **{f"R2 {loss}": summary({0: r2[(k.name, loss, f)]})["0"] for loss in ROBUST},
            **{
                f"parameter error {loss}": summary({0: perr[(k.name, loss, f)]})["0"]
                for loss in ROBUST
            },
        }
        for k in ctx.conditions
        for f in fractions
    }
    parts = {  # "MAE and Huber are robust": each against MSE
        (loss, k.name): combine(
            lambda mse, other: other - mse, r2[(k.name, "mse", top)], r2[(k.name, loss, top)]
        )
        for k in ctx.conditions
        for loss in ("mae", "huber")
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def _oscillation(curve: np.ndarray) -> float:
    """Mean |L_e - L_(e-1)| over the last quarter of epochs, relative to the mean loss there."""
    tail = curve[-max(3, len(curve) // 4) :]
    level = float(np.mean(tail))
    if not (math.isfinite(level) and level > 0):
        return math.nan
    return float(np.mean(np.abs(np.diff(tail)))) / level


def mae_needs_decay(ctx: Context) -> Measurement:
    """Claim 9: a linear model, fixed vs cosine-decayed rate, under each condition.

    The clean ``regression_outliers`` data (``outlier_fraction=0``), no hidden layer. The
    source's condition: gradient descent with the whole training set as one batch (so the
    only noise is MAE's own); the practitioners': mini-batches with Adam
    (``config``; ``params["lr"]``, ``params["epochs"]`` capped at the budget's). Oscillation
    of the training loss (``_oscillation``). Effect per replicate:
    ``[osc(MAE, fixed) - osc(MAE, decayed)] - [osc(MSE, fixed) - osc(MSE, decayed)]``.
    """
    b = ctx.budget
    osc: dict[tuple[str, str, str], Values] = {}
    curves_by: dict[tuple[str, str, str], list[np.ndarray]] = {}
    for k in ctx.conditions:
        for decay in (None, "cosine"):
            runs = ctx.train(
                k,
                datasets=["regression_outliers"],
                hidden=["identity"],
                pairs=["mse:identity", "mae:identity"],
                widths=[],
                lrs=[float(k.get("lr", b.lrs[0]))],
                epochs=min(b.epochs, int(k.get("epochs", b.epochs))),
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
                osc[(k.name, loss, label)] = v
            for r in runs:
                curves_by.setdefault((k.name, name(r.loss), label), []).append(
                    curves[r.run_id]["train_loss"]
                )
    parts = {
        ("", k.name): combine(
            lambda mf, md, sf, sd: (mf - md) - (sf - sd),
            osc[(k.name, "mae", "fixed")],
            osc[(k.name, "mae", "cosine decay")],
            osc[(k.name, "mse", "fixed")],
            osc[(k.name, "mse", "cosine decay")],
        )
        for k in ctx.conditions
    }
    fig, ax = figure(
        "Claim 9: training loss, fixed vs decaying rate",
        "epoch",
        "training loss / its final value",
    )
    for (cond, loss, label), arrays in sorted(curves_by.items()):
        m = curve_mean(arrays)
        final = m[-1] if np.isfinite(m[-1]) and m[-1] > 0 else 1.0
        ax.plot(
            range(1, len(m) + 1),
            m / final,
            "-" if label == "fixed" else "--",
            label=f"{cond}: {loss}, {label}",
        )
    ax.set_yscale("log")
    ax.legend(fontsize=6)
    table = {
        f"relative oscillation, {k.name}": summary(
            {f"{x[1]}, {x[2]}": v for x, v in osc.items() if x[0] == k.name}
        )
        for k in ctx.conditions
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def _kind(loss: Any) -> str:
    if loss[0] == "focal":
        return "focal"
    return "weighted bce" if dict(loss[1]).get("pos_weight") not in (None, 1.0) else "bce"


FOCAL_KINDS = ("bce", "weighted bce", "focal")


def focal_imbalance(ctx: Context) -> Measurement:
    """Claim 12: average precision on the minority class, under each condition's imbalance.

    ``rare`` data (``make_classification`` without label noise) with class 1 a
    ``1 / (1 + ratio)`` share, ``params["ratio"]`` per condition, and enough examples for
    ``params["minority"]`` of class 1 (times the budget's ``n_samples / 1000``: 1 at the full
    budget), half of them in the test set, batches of 1% of the data; logits output; BCE,
    class-weighted BCE (``pos_weight = ratio``) and focal loss (catalog defaults,
    alpha = 0.25, gamma = 2). Effect per replicate:
    ``AP(focal) - max(AP(bce), AP(weighted bce))``; minority recall is shown too.
    """
    b = ctx.budget
    ap: dict[tuple[str, str], Values] = {}
    recall: dict[tuple[str, str], Values] = {}
    parts: dict[tuple[str, str], Values] = {}
    for k in ctx.conditions:
        ratio = float(k.get("ratio", 10.0))
        scale = b.n_samples / 1000  # 1 at the full budget; smaller for smoke runs
        n = max(b.n_samples, round(float(k.get("minority", 40)) * scale * (ratio + 1)))
        pairs = [
            "binary_cross_entropy_with_logits:identity",
            "focal:identity",
            f"binary_cross_entropy_with_logits(pos_weight={ratio!r}):identity",
        ]
        runs = ctx.train(
            k,
            datasets=["rare"],
            hidden=["relu"],
            pairs=pairs,
            widths=[b.width, b.width],
            lrs=[float(k.get("lr", b.lrs[0]))],
            minority_fraction=1.0 / (1.0 + ratio),
            n_samples=n,
            batch_size=max(32, n // 100),
            test_size=0.5,  # half the data tests: ~20 of class 1 at 1:1000 with 40 of them
        )
        aps, recs = extra(ctx, runs, "average_precision"), extra(ctx, runs, "minority_recall")
        for kind, v in collect(runs, aps, lambda r: _kind(r.loss)).items():
            ap[(k.name, kind)] = v
        for kind, v in collect(runs, recs, lambda r: _kind(r.loss)).items():
            recall[(k.name, kind)] = v
        parts[("", k.name)] = combine(
            lambda f, bce, w: f - max(bce, w),
            ap[(k.name, "focal")],
            ap[(k.name, "bce")],
            ap[(k.name, "weighted bce")],
        )
    fig, ax = figure(
        "Claim 12: minority class per condition (solid: AP, dashed: recall)",
        "condition",
        "test average precision / recall",
    )
    xs = list(range(len(ctx.conditions)))
    for i, kind in enumerate(FOCAL_KINDS):
        color = f"C{i}"
        band(ax, xs, [ap[(k.name, kind)] for k in ctx.conditions], f"{kind}: AP", color=color)
        per = [recall[(k.name, kind)] for k in ctx.conditions]
        band(ax, xs, per, f"{kind}: recall", color=color, ls="--")
    ax.set_xticks(xs, [k.name for k in ctx.conditions], fontsize=6)
    ax.legend(fontsize=7)
    table = {
        k.name: {
            **{f"AP {kind}": summary({0: ap[(k.name, kind)]})["0"] for kind in FOCAL_KINDS},
            **{f"recall {kind}": summary({0: recall[(k.name, kind)]})["0"] for kind in FOCAL_KINDS},
        }
        for k in ctx.conditions
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def sparse_l1(ctx: Context) -> Measurement:
    """Claim 13: fraction of near-zero weights (|w| < 0.01) and weight norm vs the penalty.

    On ``classification``, Adam; per condition the model (``params["widths"]``: ``[]`` a
    logistic regression, the lasso's linear setting; ``[32]`` one hidden ReLU layer). The
    objective adds ``lambda * sum |w|`` (L1) or ``lambda / 2 * sum w^2`` (L2) over all
    weights (the catalog's ``l1_penalty`` and ``l2_penalty``). Effect per replicate, averaged
    over the lambdas: ``near_zero(L1) - near_zero(L2)``.
    """
    b = ctx.budget
    lambdas = list(b.sweep)
    nz: dict[tuple[str, str, float], Values] = {}
    norm: dict[tuple[str, str, float], Values] = {}
    for k in ctx.conditions:
        widths = [b.width if w is None else w for w in k.get("widths", [None])]
        for lam in lambdas:
            for penalty in ("l1", "l2"):
                runs = ctx.train(
                    k,
                    datasets=["classification"],
                    hidden=["relu"] if widths else ["identity"],
                    pairs=["binary_cross_entropy:sigmoid"],
                    widths=widths,
                    lrs=[b.lrs[0]],
                    penalty=penalty,
                    penalty_coef=lam,
                )
                zs = extra(ctx, runs, "near_zero_weights")
                ns = extra(ctx, runs, "weight_l2")
                nz[(k.name, penalty, lam)] = {unit(r): zs[r.run_id] for r in runs}
                norm[(k.name, penalty, lam)] = {unit(r): ns[r.run_id] for r in runs}
    parts = {
        ("", k.name): mean_over(
            *(
                combine(lambda l1, l2: l1 - l2, nz[(k.name, "l1", lam)], nz[(k.name, "l2", lam)])
                for lam in lambdas
            )
        )
        for k in ctx.conditions
    }
    fig, ax = figure(
        "Claim 13: weights after training with a penalty",
        "penalty coefficient lambda",
        "fraction of |w| < 0.01",
    )
    for i, k in enumerate(ctx.conditions):
        for j, penalty in enumerate(("l1", "l2")):
            band(
                ax,
                lambdas,
                [nz[(k.name, penalty, lam)] for lam in lambdas],
                f"{penalty}, {k.name}: near-zero",
                color=f"C{j}",
                ls="-" if i == 0 else "--",
            )
    ax.set_xscale("log")
    ax.legend(fontsize=7, loc="upper left")
    table = {
        f"{k.name}, lambda {lam:g}": {
            **{f"near-zero {p}": summary({p: nz[(k.name, p, lam)]})[p] for p in ("l1", "l2")},
            **{f"norm {p}": summary({p: norm[(k.name, p, lam)]})[p] for p in ("l1", "l2")},
        }
        for k in ctx.conditions
        for lam in lambdas
    }
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))


def label_smoothing(ctx: Context) -> Measurement:
    """Claim 14: entropy and calibration of predictions, label smoothing and distillation.

    Each condition is one part's setting (``params["part"]``). Label smoothing: digits,
    softmax cross-entropy on logits with ``label_smoothing = s`` (the budget's sweep);
    effect per replicate: mean predictive entropy (nats) at the largest ``s`` minus at
    ``s = 0``, the expected calibration error (10 bins) next to it. Distillation
    (``distillation.distill``): a teacher and students at temperature 1 and at
    ``params["temperature"]``; effect per seed: the student's test entropy at that
    temperature minus at 1.
    """
    from .distillation import distill

    b = ctx.budget
    factors = list(b.sweep)
    parts: dict[tuple[str, str], Values] = {}
    table: dict[str, Any] = {}
    fig, ax = figure(
        "Claim 14: predictions on digits: label smoothing (solid), distillation (dotted)",
        "label smoothing factor / distillation temperature",
        "mean predictive entropy (nats)",
    )
    temps = sorted(
        {1.0} | {float(k.get("temperature")) for k in ctx.conditions if k.get("temperature")}
    )
    kd_conditions = [k for k in ctx.conditions if k.get("part") == "distillation"]
    # distillation trains on the single split: as many seeds as the others' replicates
    kd_seeds = tuple(range(ctx.replicates_for(*kd_conditions))) if kd_conditions else ()
    kd = distill(ctx, temps, kd_seeds) if kd_seeds else {}
    for k in ctx.conditions:
        if k.get("part") == "distillation":
            t = float(k.get("temperature"))
            parts[("distillation", k.name)] = {
                int(s): v[f"T={t:g}"]["entropy"] - v["T=1"]["entropy"] for s, v in kd.items()
            }
            continue
        pairs = [f"cross_entropy(label_smoothing={float(s)!r}):identity" for s in factors]
        runs = ctx.train(
            k,
            datasets=["digits"],
            hidden=["relu"],
            pairs=pairs,
            widths=[b.width, b.width],
            lrs=[b.lrs[0]],
        )
        ent, ece = extra(ctx, runs, "entropy"), extra(ctx, runs, "ece")

        def factor(r: Any) -> float:
            return float(dict(r.loss[1]).get("label_smoothing", 0.0))

        e = collect(runs, ent, factor)
        c = collect(runs, ece, factor)
        parts[("label smoothing", k.name)] = combine(
            lambda hi, lo: hi - lo, e[max(factors)], e[min(factors)]
        )
        band(ax, factors, [e[s] for s in factors], "label smoothing: entropy", color="C0")
        band(ax, factors, [c[s] for s in factors], "label smoothing: ECE", color="C1", ls="--")
        table.update(
            {
                f"label smoothing s = {s:g}": {
                    "entropy": summary({0: e[s]})["0"],
                    "ece": summary({0: c[s]})["0"],
                }
                for s in factors
            }
        )
    if kd:
        for j, what in enumerate(("entropy", "ece")):
            per_t = [{int(s): v[f"T={t:g}"][what] for s, v in kd.items()} for t in temps]
            ls = ":" if j == 0 else "-."
            band(ax, temps, per_t, f"distilled student: {what}", color=f"C{2 + j}", ls=ls)
        for t in temps:
            table[f"distillation T = {t:g} (student)"] = {
                w: finite_mean(v[f"T={t:g}"][w] for v in kd.values())
                for w in ("entropy", "ece", "accuracy")
            }
        table["distillation teacher"] = {
            w: finite_mean(v["teacher"][w] for v in kd.values())
            for w in ("entropy", "ece", "accuracy")
        }
    ax.legend(fontsize=7)
    return Measurement(parts=parts, table=table, plot=save(fig, ctx.plot_path()))
