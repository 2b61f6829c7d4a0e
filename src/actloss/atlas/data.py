"""The atlas's data, computed in Python from the catalog: metadata, math, precomputed curves.

For every entry the curves of the value and the first derivative are sampled
on a grid of parameter values (every combination of the sweepable numeric
parameters and the choice parameters), so the page only looks curves up when
a slider moves: it does no math of its own.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import actloss as al

from .. import curves
from .. import recommend as rules

POINTS = 121
# Values per parameter, by the number of parameters (keeps every entry under ~64 curves).
_PER_PARAM = {1: 11, 2: 7}
_PER_PARAM_MORE = 4


@dataclass(frozen=True)
class Family:
    """A group of cards: the catalog's ``info.family`` with a title and one line of text."""

    kind: str
    name: str
    title: str
    blurb: str

    @property
    def id(self) -> str:
        return f"family-{self.kind}-{self.name}"


# The order in which people meet them: activations from the classic squashing functions to the
# recent smooth ones, then losses by task. Families the catalog gains later (or a user
# registers) follow their kind's known ones, titled by their name.
FAMILIES = (
    Family(
        "activation",
        "sigmoidal",
        "Sigmoidal",
        "S-shaped squashing functions and their hard and log forms: the first activations, "
        "and the output of a binary classifier.",
    ),
    Family(
        "activation",
        "rectifier",
        "Rectifiers",
        "Piecewise-linear units from ReLU on: cheap, and no saturation for x > 0.",
    ),
    Family(
        "activation",
        "exponential",
        "Exponential",
        "ELU and its relatives (an exponential negative part that keeps the mean near 0), "
        "and exp itself.",
    ),
    Family(
        "activation",
        "smooth",
        "Smooth",
        "Smooth relatives of ReLU: softplus, GELU, SiLU (swish), Mish and others.",
    ),
    Family("activation", "gated", "Gated", "GLU variants: one half of the input gates the other."),
    Family(
        "activation",
        "softmax",
        "Softmax family",
        "Vector-valued normalizers along an axis: the output layer of a multi-class model.",
    ),
    Family("activation", "shrinkage", "Shrinkage", "Small inputs set to (or towards) zero."),
    Family("activation", "linear", "Linear", "The identity and affine maps."),
    Family(
        "activation",
        "periodic",
        "Periodic",
        "Snake: a periodic term added to x, for periodic data.",
    ),
    Family(
        "loss",
        "regression",
        "Regression losses",
        "Against the prediction for a fixed target: squared, absolute and robust losses.",
    ),
    Family(
        "loss",
        "classification",
        "Classification losses",
        "Cross-entropy and its variants on probabilities or logits, hinge and focal losses.",
    ),
    Family(
        "loss", "margin", "Margin and ranking losses", "Losses on a margin or on pairs of scores."
    ),
    Family(
        "loss",
        "margin_softmax",
        "Margin-based softmax losses",
        "Angular-margin softmax losses for face recognition and metric learning.",
    ),
    Family(
        "loss",
        "distribution",
        "Distribution losses",
        "Divergences between distributions, distillation, the Wasserstein critic.",
    ),
    Family(
        "loss",
        "metric",
        "Metric-learning losses",
        "Losses on distances and similarities of embeddings.",
    ),
    Family("loss", "segmentation", "Segmentation losses", "Overlap losses on masks."),
    Family("loss", "regularizer", "Regularizers", "Penalties on a list of parameter arrays."),
)


# Within a family, the ones people meet first lead (the rest in catalog order).
FIRST = (
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "softplus",
    "gelu",
    "silu",
    "glu",
    "softmax",
    "log_softmax",
    "mse",
    "mae",
    "huber",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "kl_divergence",
    "identity",
)


def grouped(fns: Sequence[al.Function]) -> list[tuple[Family, list[al.Function]]]:
    """``fns`` grouped by family in ``FAMILIES`` order; within a family the names of ``FIRST``
    lead, in its order, and the rest follow in catalog order."""
    known = {(f.kind, f.name): f for f in FAMILIES}
    order = list(FAMILIES)
    for fn in fns:
        key = (fn.info.kind, fn.info.family)
        if key not in known:
            known[key] = Family(fn.info.kind, fn.info.family, fn.info.family.capitalize(), "")
            last = max((i for i, f in enumerate(order) if f.kind == fn.info.kind), default=-1)
            order.insert(last + 1, known[key])

    def rank(fn: al.Function) -> int:
        return FIRST.index(fn.name) if fn.name in FIRST else len(FIRST)

    groups = [
        (
            f,
            sorted(
                (fn for fn in fns if (fn.info.kind, fn.info.family) == (f.kind, f.name)), key=rank
            ),
        )
        for f in order
    ]
    return [(f, members) for f, members in groups if members]


def _round(values: np.ndarray) -> list[float | None]:
    """4 significant digits; non-finite samples become null (a gap in the plot)."""
    return [float(f"{v:.4g}") if math.isfinite(v) else None for v in values.tolist()]


def sliders(fn: al.Function) -> list[dict[str, Any]]:
    """One control per parameter the page can vary: numeric ones and choices."""
    numeric = curves.sweepable(fn)
    choice = [p.name for p in fn.info.params if p.kind == "choice"]
    size = _PER_PARAM.get(len(numeric) + len(choice), _PER_PARAM_MORE)
    out = []
    for p in fn.info.params:
        if p.name in numeric:
            values: list[Any] = curves.param_grid(fn, p.name, size)
            out.append(
                {
                    "name": p.name,
                    "kind": "range",
                    "values": values,
                    "default": values.index(float(p.default)),
                }
            )
        elif p.name in choice:
            out.append(
                {
                    "name": p.name,
                    "kind": "choice",
                    "values": list(p.choices),
                    "default": list(p.choices).index(p.default),
                }
            )
    return out


def entry_curves(fn: al.Function, controls: list[dict[str, Any]]) -> dict[str, Any]:
    """x, and for each parameter combination (mixed-radix index) [value, derivative] or null."""
    xs = curves.section(fn, 0, x=curves.grid(fn, num=POINTS)).x  # cut to the domain
    combos = list(itertools.product(*(c["values"] for c in controls)))
    table: list[Any] = []
    skipped: dict[str, str] = {}
    for combo in combos:
        params = {c["name"]: v for c, v in zip(controls, combo, strict=True)}
        row: list[Any] = []
        for order in (0, 1):
            try:
                row.append(_round(curves.section(fn, order, x=xs, params=params).y))
            except curves.NotPlottable as exc:
                skipped[str(order)] = str(exc)
                row.append(None)
            except (ValueError, TypeError):  # an invalid combination, e.g. lower > upper
                row.append(None)
        table.append(row)
    return {"x": _round(xs), "curves": table, "skipped": skipped, "yrange": y_range(table)}


def y_range(table: list[Any]) -> list[float] | None:
    """A y range that shows every value curve whole and the derivatives' middle 90%.

    A derivative that blows up at the edge of the domain (BCE's -1/p as p -> 0)
    would otherwise flatten everything else into a line.
    """
    lows, highs = [], []
    for row in table:
        for order, curve in enumerate(row):
            if curve is None:
                continue
            y = np.asarray([v for v in curve if v is not None], dtype=np.float64)
            if y.size == 0:
                continue
            lo, hi = (y.min(), y.max()) if order == 0 else np.percentile(y, [5, 95])
            lows.append(float(lo))
            highs.append(float(hi))
    if not lows:
        return None
    lo, hi = min(lows), max(highs)
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    return [lo - pad, hi + pad]


def entry(fn: al.Function) -> dict[str, Any]:
    """Everything the page shows about one entry (its section may raise NotPlottable)."""
    info = fn.info
    controls = sliders(fn)
    probe_x = curves.grid(fn, num=POINTS)
    data: dict[str, Any] = {
        "name": info.name,
        "kind": info.kind,
        "family": info.family,
        "properties": info.property_words(),
        "task": list(info.task),
        "controls": controls,
        "xlabel": "x",
        "axis": "x",
        "ylabel": ["f(x)", "f'(x)"],
        "note": "",
        "plot": None,
        "reason": "",
    }
    try:
        c = curves.section(fn, 0, x=probe_x)
    except curves.NotPlottable as exc:
        data["reason"] = str(exc)
        return data
    data["xlabel"], data["note"], data["axis"] = c.xlabel, c.note, c.axis
    if info.kind == "loss":
        try:
            data["ylabel"] = ["loss", curves.section(fn, 1, x=probe_x).ylabel]
        except curves.NotPlottable:
            data["ylabel"] = ["loss", "no gradient"]
    data["plot"] = entry_curves(fn, controls)
    data["range"] = info.range_description()
    return data


def recommendation_rows() -> list[dict[str, Any]]:
    """The recommendation for every task, plain and under each condition that changes it."""
    rows = []
    for task in rules.TASKS:
        base = None
        for cond in ((), *((c,) for c in rules.CONDITIONS)):
            flags = {c: True for c in cond}
            choices = rules.recommend(task, **flags)
            names = tuple(ch.name for ch in choices.values())
            if cond and names == base:
                continue
            base = names if not cond else base
            rows.append(
                {
                    "task": task,
                    "when": ", ".join(cond) or "default",
                    "choices": [ch.to_dict() for ch in choices.values()],
                }
            )
    return rows
