"""Reports: the comparison table (rich), training-curve plots (matplotlib) and the atlas section.

Curves show, per combination and epoch, the mean over seeds and a band that is
the 95% percentile-bootstrap confidence interval of that mean (``stats.bootstrap_ci``;
none with fewer than 3 seeds). All text from the catalog or the user (labels) is printed
as plain text, never as rich markup.

Atlas hook: ``atlas_section(folder)`` returns an ``actloss.atlas.Section`` with
the latest comparison stored in ``folder`` (a Plotly figure and the table), or
None when there is none; ``actloss atlas`` can pass it in ``sections=[...]``.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from .stats import TESTS_USE, Comparison, Row, bootstrap_ci, mean_ci
from .store import DEFAULT_FOLDER

SUMMARY_FILE = "actloss-compare.json"
TUNE_FILE = "actloss-tune.json"  # written by ``tune`` (tune.SUMMARY_FILE)


def _fmt(v: float | None, digits: int = 3) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def _ci(ci: tuple[float, float]) -> str:
    if not (math.isfinite(ci[0]) and math.isfinite(ci[1])):
        return "–"  # no interval (fewer than 3 seeds): the warning says why
    return f"[{_fmt(ci[0])}, {_fmt(ci[1])}]"


def table_data(rows: Sequence[Row], metric: str) -> list[dict[str, str]]:
    """The comparison table as strings, one dict per combination (best metric first).

    With data replicates the intervals are over splits, a column gives the test metric's
    standard deviation between splits and between seeds within a split (variance
    components), and the last column counts splits x seeds.
    """
    replicated = any(r.splits > 1 for r in rows)
    out = []
    for r in sorted(rows, key=lambda r: -r.metric_mean if math.isfinite(r.metric_mean) else 0):
        finished = r.n - r.diverged
        if r.epochs_to_target is None:
            to_target = f"– (0/{finished})"
        else:
            to_target = f"{r.epochs_to_target:g} ({r.reached}/{finished})"
        row = {
            "combination": r.label,
            f"test {metric}": f"{_fmt(r.metric_mean)} ± {_fmt(r.metric_std)}",
            "95% CI": _ci(r.metric_ci),
        }
        if replicated:
            row["sd split / seed"] = f"{_fmt(r.split_sd)} / {_fmt(r.seed_sd)}"
        row |= {
            "at best val epoch": f"{_fmt(r.best_metric_mean)} {_ci(r.best_metric_ci)}",
            "test loss": f"{_fmt(r.loss_mean)} ± {_fmt(r.loss_std)}",
            "loss 95% CI": _ci(r.loss_ci),
            "epochs to target": to_target,
        }
        diverged = f" ({r.diverged} diverged)" if r.diverged else ""
        if replicated:
            per = f"{r.n // r.splits}" if r.n % max(r.splits, 1) == 0 else "?"
            row["splits x seeds"] = f"{r.splits} x {per}{diverged}"
        else:
            row["seeds"] = f"{r.n}{diverged}"
        out.append(row)
    return out


def print_table(
    console: Any,
    rows: Sequence[Row],
    tests: Sequence[Comparison],
    metric: str,
    target: float,
    alpha: float = 0.05,
    tests_use: str = TESTS_USE,
) -> None:
    """The rich table and the list of significant differences (all text printed as is)."""
    from rich.table import Table
    from rich.text import Text

    data = table_data(rows, metric)
    title = f"Test {metric} over seeds: last epoch (mean ± std, 95% bootstrap CI of the mean)"
    if any(r.splits > 1 for r in rows):
        title = (
            f"Test {metric} over data splits and seeds: last epoch (mean ± std over runs, 95% "
            "t interval of the mean over splits)"
        )
    table = Table(title=Text(title))
    for col in data[0] if data else []:
        if col == "combination":
            table.add_column(Text(col), overflow="fold", min_width=20)
        else:
            table.add_column(Text(col), justify="right")
    for d in data:
        table.add_row(*(Text(v) for v in d.values()))
    console.print(table)
    notes = (
        f"at best val epoch: test {metric} of the weights at each seed's best validation "
        f"{metric} (early-stopping checkpoint), mean [95% CI]\n"
        f"epochs to target: median first epoch with validation {metric} >= {target:g} (seeds "
        "that reached it / seeds)"
    )
    console.print(Text(notes))
    console.print(Text(significance_text(tests, metric, alpha, tests_use)))


def significance_text(
    tests: Sequence[Comparison], metric: str, alpha: float = 0.05, tests_use: str = TESTS_USE
) -> str:
    splits = max((t.splits for t in tests), default=1)
    head = (
        f"Paired t-tests on the {tests_use} test {metric} across seeds, Holm-corrected over "
        f"{len(tests)} pair(s), alpha={alpha:g}:"
    )
    if splits > 1:
        method = tests[0].method
        why = "; Nadeau-Bengio: the splits share data" if method.startswith("corrected") else ""
        head = (
            f"Paired tests on the {tests_use} test {metric} across {splits} data splits, seeds "
            f"averaged within each split ({method}{why}), Holm-corrected over {len(tests)} "
            f"pair(s), alpha={alpha:g}; agree: splits with the sign of the mean difference; sd: "
            "the difference's standard deviation between splits / between seeds:"
        )
    lines = [head]
    for t in tests:
        if not math.isfinite(t.p_value):
            mark = "not testable (zero variance)"
        else:
            mark = "significant" if t.significant else "not significant"
        where = ""
        if t.splits > 1:
            agree = "–" if t.agree is None or not math.isfinite(t.agree) else f"{t.agree:g}"
            where = f" (agree {agree}/{t.splits}, sd {_fmt(t.split_sd)} / {_fmt(t.seed_sd)})"
        lines.append(
            f"  {t.a}  vs  {t.b}: diff {t.mean_diff:+.4f}{where}, p={_fmt(t.p_value, 4)}, "
            f"Holm p={_fmt(t.p_holm, 4)} -> {mark}"
        )
    if not tests:
        lines.append("  (only one combination)")
    return "\n".join(lines)


def curve_bands(
    curves: Mapping[str, Mapping[str, np.ndarray]],
    labels: Mapping[str, str],
    key: str,
    splits: Mapping[str, int | None] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """label -> (mean, low, high) over seeds per epoch of curve ``key`` (95% bootstrap CI).

    Per epoch, seeds with a non-finite value (diverged) are left out, as in the table.
    ``splits`` (run_id -> data replicate): with several, each split's seeds are averaged
    first and the band is the bootstrap interval over the split means (the split is the
    unit of replication, as in the tests).
    """
    per: dict[str, dict[int | None, list[np.ndarray]]] = {}
    for rid, c in curves.items():
        if key in c and rid in labels:
            split = (splits or {}).get(rid)
            per.setdefault(labels[rid], {}).setdefault(split, []).append(c[key])
    out = {}
    for label, groups in per.items():
        n = min(len(a) for arrs in groups.values() for a in arrs)
        if len(groups) > 1:  # one row per split: the mean of its seeds (NaN if one diverged)
            arrs = [np.stack([a[:n] for a in g]).mean(axis=0) for g in groups.values()]
        else:
            arrs = next(iter(groups.values()))
        stack = np.stack([a[:n] for a in arrs])
        if np.isfinite(stack).all():  # one bootstrap for every epoch at once
            mean = stack.mean(axis=0)
            low, high = bootstrap_ci(stack)
        else:
            stats = [mean_ci(stack[:, e].tolist()) for e in range(n)]
            mean = np.array([s[0] for s in stats])
            low = np.array([s[2][0] for s in stats])
            high = np.array([s[2][1] for s in stats])
        out[label] = (mean, low, high)
    return out


def plot_curves(
    path: Path,
    curves: Mapping[str, Mapping[str, np.ndarray]],
    labels: Mapping[str, str],
    metric: str,
    splits: Mapping[str, int | None] | None = None,
) -> Path:
    """A PNG with validation metric and training loss per epoch (mean, 95% CI band; over the
    split means when ``splits`` names several data replicates, see ``curve_bands``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), dpi=90)
    for ax, key, title in (
        (axes[0], "val_metric", f"validation {metric}"),
        (axes[1], "train_loss", "training loss (own loss each)"),
    ):
        for label, (mean, low, high) in curve_bands(curves, labels, key, splits).items():
            epochs = np.arange(1, len(mean) + 1)
            (line,) = ax.plot(epochs, mean, label=label, lw=1.5)
            ax.fill_between(epochs, low, high, color=line.get_color(), alpha=0.2, lw=0)
        ax.set_xlabel("epoch")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower right")
    title = "mean over seeds; band: 95% bootstrap confidence interval of the mean"
    if len({v for k, v in (splits or {}).items() if k in labels}) > 1:
        title = "mean over splits and seeds; band: 95% bootstrap confidence interval over splits"
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    try:
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def summary_payload(
    rows: Sequence[Row],
    tests: Sequence[Comparison],
    metric: str,
    target: float,
    curves: Mapping[str, Any],
) -> dict[str, Any]:
    """JSON-able summary (written next to the store; read by ``atlas_section``)."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, np.ndarray):
            return [clean(float(x)) for x in v]
        return v

    return {
        "metric": metric,
        "target": target,
        "rows": [{k: clean(v) for k, v in r.__dict__.items()} for r in rows],
        "tests": [{k: clean(v) for k, v in t.__dict__.items()} for t in tests],
        "curves": {
            label: {"mean": clean(m), "low": clean(lo), "high": clean(hi)}
            for label, (m, lo, hi) in curves.items()
        },
    }


def atlas_section(folder: str | Path = DEFAULT_FOLDER) -> Any:
    """The lab's section of the atlas page (``actloss.atlas.Section``), or None without results.

    Reads ``actloss-compare.json`` written by the latest ``actloss compare`` in ``folder``
    and ``actloss-tune.json`` written by the latest ``actloss tune`` there.
    """
    from actloss.atlas import Section

    path = Path(folder) / SUMMARY_FILE
    tune_path = Path(folder) / TUNE_FILE
    parts = []
    if path.exists():
        parts.append(section_html(json.loads(path.read_text(encoding="utf-8"))))
    if tune_path.exists():
        parts.append(tune_html(json.loads(tune_path.read_text(encoding="utf-8"))))
    if not parts:
        return None
    return Section("lab-results", "Lab results", "".join(parts))


def tune_html(data: Mapping[str, Any]) -> str:
    """HTML for ``actloss-tune.json``: the optimization history, the parameter importances
    and the best configuration's validation curve (Plotly), with the study's storage URL."""
    import plotly.graph_objects as go

    metric = data.get("metric", "metric")
    history = data.get("history", [])
    numbers = [h["number"] for h in history]
    values = [h["value"] for h in history]
    best = np.maximum.accumulate(values).tolist() if values else []
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=numbers, y=values, mode="markers", name="trial"))
    fig.add_trace(go.Scatter(x=numbers, y=best, name="best so far", line={"shape": "hv"}))
    fig.update_layout(
        title="tune: optimization history", xaxis_title="trial", yaxis_title=metric, height=360
    )
    out = [fig.to_html(full_html=False, include_plotlyjs=False)]
    importances = data.get("importances") or {}
    if importances:
        bars = go.Figure(go.Bar(x=list(importances.values()), y=list(importances), orientation="h"))
        bars.update_layout(title="tune: parameter importances (fANOVA)", height=300)
        out.append(bars.to_html(full_html=False, include_plotlyjs=False))
    curves = data.get("best_curves") or {}
    if curves:
        cfig = go.Figure()
        for label, c in curves.items():
            x = list(range(1, len(c["mean"]) + 1))
            cfig.add_trace(go.Scatter(x=x, y=c["mean"], name=label))
        cfig.update_layout(
            title=f"tune: the best configuration's validation {metric}",
            xaxis_title="epoch",
            height=360,
        )
        out.append(cfig.to_html(full_html=False, include_plotlyjs=False))
    text = (
        f"study {data.get('study')!r}: best {_fmt(data.get('best_value'), 4)} with "
        f"{data.get('best_params')}; objective: {data.get('objective')}; "
        f"optuna-dashboard {data.get('storage_url')}"
    )
    return "".join(out) + f"<pre>{html.escape(text)}</pre>"


def section_html(data: Mapping[str, Any]) -> str:
    """HTML for a stored summary: a Plotly figure of the curves and the table."""
    import plotly.graph_objects as go

    metric = data["metric"]
    fig = go.Figure()
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    for i, (label, c) in enumerate(data["curves"].items()):
        color = palette[i % len(palette)]
        x = list(range(1, len(c["mean"]) + 1))
        low = [v if v is not None else m for v, m in zip(c["low"], c["mean"], strict=True)]
        high = [v if v is not None else m for v, m in zip(c["high"], c["mean"], strict=True)]
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=high + low[::-1],
                fill="toself",
                fillcolor=color,
                opacity=0.2,
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(go.Scatter(x=x, y=c["mean"], name=label, line={"color": color}))
    fig.update_layout(
        title=f"validation {metric}: mean over seeds, band = 95% bootstrap CI",
        xaxis_title="epoch",
        yaxis_title=metric,
        height=420,
    )
    rows = table_data([_row(r) for r in _floats(data["rows"])], metric)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in (rows[0] if rows else {}))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r.values()) + "</tr>" for r in rows
    )
    tests = [Comparison(**t) for t in _floats(data["tests"])]
    sig = html.escape(significance_text(tests, metric))
    return (
        fig.to_html(full_html=False, include_plotlyjs=False)
        + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        + f"<pre>{sig}</pre>"
    )


def _row(d: Mapping[str, Any]) -> Row:
    """A stored row (intervals as JSON lists; fields added later may be absent)."""
    known = {f.name for f in fields(Row)}
    kw: dict[str, Any] = {k: tuple(v) if k.endswith("_ci") else v for k, v in d.items()}
    return Row(**{k: v for k, v in kw.items() if k in known})


def _floats(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """JSON None back to NaN for numeric fields."""
    out = []
    for it in items:
        d = dict(it)
        for k, v in d.items():
            if v is None and k not in ("epochs_to_target", "lr", "agree"):  # JSON null -> NaN
                d[k] = math.nan
            elif isinstance(v, list):
                d[k] = [math.nan if x is None else x for x in v]
        out.append(d)
    return out
