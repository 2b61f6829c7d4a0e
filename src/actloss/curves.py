"""One-dimensional sections of catalog entries: what the CLI plots and the atlas draws.

``section(fn, order)`` samples a catalog entry along one axis, generically from
its metadata, never from a list of names:

* elementwise activations: ``f(x)``, ``f'(x)``, ``f''(x)``;
* vector-valued activations (softmax, GLU families): the first output for the
  input ``(x, 0)`` along ``axis``, and its derivative through ``vjp``;
* losses: the per-sample loss as a function of the prediction for a fixed
  target, read from ``info.y_pred_kind``: the prediction itself for values and
  probabilities, the margin ``y * f(x)`` (logit of the true class, the other
  class's logit at 0) for logits. The input layout (one column with a label,
  two classes with an integer label, two classes with a one-hot target) is
  found by trying each on the loss itself; an entry that accepts none of them
  raises ``NotPlottable`` with the reason.

Each curve names its ``axis`` (a key of ``AXES``): what its x is. Plots draw
curves of different axes in separate panels, so that a regression loss (x = the
prediction) never shares an x-axis with a classification loss (x = a margin, a
score or a probability).

``param_grid(param)`` gives the values a slider sweeps for a numeric parameter.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._function import Function

ORDER_NAMES = ("value", "derivative", "second derivative")


class NotPlottable(ValueError):
    """A catalog entry (or derivative order) that has no generic 1-d section."""


@dataclass(frozen=True)
class Curve:
    """Samples ``y`` of one entry along ``x``, with axis labels for plots."""

    name: str
    order: int  # 0 value, 1 first derivative, 2 second derivative
    x: np.ndarray
    y: np.ndarray
    xlabel: str
    ylabel: str
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""  # how the section was taken (vector inputs, loss layout)
    axis: str = "x"  # what x is (AXES): curves share an x-axis only when their axes are equal

    @property
    def label(self) -> str:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        mark = "'" * self.order
        return f"{self.name}{mark}" + (f" ({shown})" if shown else "")


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


# ------------------------------------------------------------------------ x ranges
_LOSS_RANGES = {
    "probabilities": (0.001, 0.999),
    "log_probabilities": (-6.0, -0.001),
    "distances": (0.0, 3.0),
    "logits": (-4.0, 4.0),
}


# What x means on a section, by Curve.axis: the title of a panel of such curves.
AXES = {
    "x": "activations",
    "values": "regression losses (x = prediction)",
    "scores": "classification losses on scores (x = decision value)",
    "logits": "classification losses on logits (x = margin)",
    "probabilities": "losses on probabilities",
    "log_probabilities": "losses on log-probabilities",
    "distances": "losses on distances",
}


def pred_kind(fn: Function) -> str:
    """The first word of ``info.y_pred_kind`` ("probabilities (or log-...)" -> "probabilities")."""
    words = fn.info.y_pred_kind.split()
    return words[0] if words else ""


def default_range(fn: Function) -> tuple[float, float]:
    """The x range a plot of ``fn`` uses unless told otherwise."""
    if fn.info.kind == "loss":
        return _LOSS_RANGES.get(pred_kind(fn), (-3.0, 3.0))
    return (-5.0, 5.0)


def default_target(fn: Function) -> float:
    """The fixed target of a loss section: the positive label, or 0 for regression values."""
    return 0.0 if pred_kind(fn) in ("values", "") else 1.0


def grid(fn: Function, x_range: tuple[float, float] | None = None, num: int = 201) -> np.ndarray:
    lo, hi = x_range if x_range is not None else default_range(fn)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"x range must be two finite numbers with low < high, got {lo}, {hi}")
    return np.linspace(lo, hi, num)


# ------------------------------------------------------------------------ sections
def section(
    fn: Any,
    order: int = 0,
    *,
    x: np.ndarray | None = None,
    params: Mapping[str, Any] | None = None,
    target: float | None = None,
) -> Curve:
    """Sample ``fn`` (``order`` 0, 1 or 2) along ``x`` (default: ``grid(fn)``).

    Raises ``NotPlottable`` when the entry or that derivative has no generic
    section, and the catalog's own ``ValueError``/``TypeError`` for invalid
    parameters.
    """
    if order not in (0, 1, 2):
        raise ValueError(f"order must be 0, 1 or 2, got {order!r}")
    xs = grid(fn) if x is None else np.asarray(x, dtype=np.float64)
    p = dict(params or {})
    if fn.info.kind == "loss":
        return _loss_section(fn, order, xs, p, default_target(fn) if target is None else target)
    if fn.info.elementwise:
        method = fn if order == 0 else getattr(fn, ("grad", "grad2")[order - 1])
        y = np.asarray(method(xs, **p), dtype=np.float64)
        return Curve(fn.name, order, xs, y, "x", _ylabel(order), p)
    return _vector_section(fn, order, xs, p)


def _ylabel(order: int) -> str:
    return ("f(x)", "f'(x)", "f''(x)")[order]


def _vector_section(fn: Any, order: int, xs: np.ndarray, p: dict[str, Any]) -> Curve:
    if order == 2:
        raise NotPlottable(
            f"{fn.name} is vector-valued: the catalog gives its Jacobian through vjp, "
            "not an elementwise second derivative"
        )
    # Normalizers (output as long as the input): vary the first entry of (x, 0).
    # Gated units (output half the input, a * g(b)): vary the gate of (a, b) = (1, x).
    probe = np.asarray(fn(np.zeros((1, 2)), **p))
    gated = probe.shape[-1] == 1
    col = 1 if gated else 0
    inputs = np.stack([np.ones_like(xs), xs] if gated else [xs, np.zeros_like(xs)], axis=-1)
    shown = "(1, x)" if gated else "(x, 0)"
    note = f"first output of {fn.name}({shown}) along the last axis"
    xlabel = f"x (input {shown})"
    out = np.asarray(fn(inputs, **p), dtype=np.float64)
    if order == 0:
        return Curve(fn.name, 0, xs, out[:, 0], xlabel, f"f{shown}[0]", p, note)
    cotangent = np.zeros_like(out)
    cotangent[:, 0] = 1.0
    dx = np.asarray(fn.vjp(inputs, cotangent, **p), dtype=np.float64)
    return Curve(fn.name, 1, xs, dx[:, col], xlabel, f"d f{shown}[0] / dx", p, note)


# ------------------------------------------------------------------------ losses
@dataclass(frozen=True)
class _Layout:
    """One way to lay out (y_true, y_pred) for a 1-d loss section."""

    description: str
    build: Callable[[np.ndarray, float, str], tuple[np.ndarray, np.ndarray]]


def _column(xs: np.ndarray, target: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    return np.full_like(xs, target), xs


def _two_classes(xs: np.ndarray, kind: str) -> np.ndarray:
    if kind == "probabilities":
        other = 1.0 - xs
    elif kind == "log_probabilities":
        if not np.all(xs < 0):
            raise ValueError("log-probabilities must be < 0 for two classes")
        other = np.log(-np.expm1(xs))  # log(1 - e^x), exact for x near 0
    else:
        other = np.zeros_like(xs)
    return np.stack([xs, other], axis=-1)


def direction(xs: np.ndarray, y_pred: np.ndarray, kind: str) -> np.ndarray:
    """d y_pred / dx along a section: the plotted derivative is grad · direction."""
    if y_pred.ndim == 1:
        return np.ones_like(y_pred)
    if kind == "probabilities":
        other = -np.ones_like(xs)  # (x, 1 - x)
    elif kind == "log_probabilities":
        other = np.exp(xs) / np.expm1(xs)  # d/dx log(1 - e^x)
    else:
        other = np.zeros_like(xs)  # (x, 0)
    return np.stack([np.ones_like(xs), other], axis=-1)


def _class_index(xs: np.ndarray, target: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    label = 0 if target >= 0.5 else 1  # the plotted column is the true class when target = 1
    return np.full(xs.shape, label, dtype=np.int64), _two_classes(xs, kind)


def _one_hot(xs: np.ndarray, target: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _class_index(xs, target, kind)
    return np.eye(2)[y_true], y_pred


_COLUMN = _Layout("one prediction per sample, y_true = target", _column)
_INDEX = _Layout("two classes, integer label", _class_index)
_ONE_HOT = _Layout("two classes, one-hot target", _one_hot)


def _layouts(fn: Function) -> Sequence[_Layout]:
    multiclass = "multiclass" in fn.info.task and "binary" not in fn.info.task
    if multiclass or pred_kind(fn) == "log_probabilities":
        return (_INDEX, _ONE_HOT, _COLUMN)
    return (_COLUMN, _INDEX, _ONE_HOT)


def loss_axis(fn: Function) -> str:
    """The ``AXES`` key of a loss's sections: its kind of prediction, with "values" split
    into regression values and classification scores (hinge's decision value)."""
    kind = pred_kind(fn)
    if kind == "values" and any("classification" in t for t in fn.info.task):
        return "scores"
    return kind if kind in AXES else "values"


def loss_xlabel(fn: Function, target: float) -> str:
    kind = pred_kind(fn)
    if loss_axis(fn) == "scores":
        return f"decision value f(x) (y_true = {target:g})"
    if kind == "logits":
        return "margin y·f(x) (logit of the true class)"
    if kind == "probabilities":
        return "predicted probability of the true class"
    if kind == "log_probabilities":
        return "log-probability of the true class"
    if kind == "distances":
        return f"distance (y_true = {target:g})"
    return f"prediction (y_true = {target:g})"


def _loss_section(fn: Any, order: int, xs: np.ndarray, p: dict[str, Any], target: float) -> Curve:
    if order == 2:
        raise NotPlottable(f"{fn.name}: losses have no second derivative in the catalog")
    inputs = getattr(fn.kernels, "inputs", ("y_pred",))
    if len(inputs) != 1 or getattr(fn.kernels, "variadic", False):
        raise NotPlottable(
            f"{fn.name} takes {'a list of' if len(inputs) == 1 else len(inputs)} prediction "
            f"arrays ({', '.join(inputs)}): no single prediction axis to plot along"
        )
    tried = []
    # Try each layout on the whole range, then on x >= 0 and x > 0 (losses such as
    # MSLE or Poisson are defined for non-negative predictions only).
    domains = [
        ("", xs),
        (", x >= 0", xs[xs >= 0]),
        (", x > 0", xs[xs > 0]),
        (", x < 0", xs[xs < 0]),
        (", 0 < x < 1", xs[(xs > 0) & (xs < 1)]),
    ]
    for (where, xs_try), layout in itertools.product(domains, _layouts(fn)):
        if xs_try.size == 0 or (where and xs_try.size == xs.size):
            continue
        try:
            y_true, y_pred = layout.build(xs_try, target, pred_kind(fn))
            values = np.asarray(fn(y_true, y_pred, reduction="none", **p), dtype=np.float64)
        except (ValueError, TypeError, ArithmeticError, IndexError) as exc:
            tried.append(f"{layout.description}{where}: {exc}")
            continue
        if values.shape != xs_try.shape:
            tried.append(f"{layout.description}: per-sample loss has shape {values.shape}")
            continue
        xs = xs_try
        break
    else:
        raise NotPlottable(
            f"{fn.name}: cannot synthesize its inputs for a 1-d plot (y_pred is "
            f"{fn.info.y_pred_kind or 'unspecified'}); tried " + "; ".join(tried[:3])
        )
    xlabel, axis = loss_xlabel(fn, target), loss_axis(fn)
    note = f"{layout.description}; target {target:g}{where}"
    if order == 0:
        return Curve(fn.name, 0, xs, values, xlabel, "loss", p, note, axis)
    if not getattr(fn.kernels, "has_grad", True):
        raise NotPlottable(f"{fn.name} has no gradient (piecewise constant)")
    g = np.asarray(fn.grad(y_true, y_pred, reduction="none", **p), dtype=np.float64)
    # the derivative along the section: for (x, 1 - x) both probabilities move
    dy = np.sum(g * direction(xs, y_pred, pred_kind(fn)), axis=-1) if g.ndim == 2 else g
    ylabel = "d loss / dx" if g.ndim == 2 else "d loss / d y_pred"
    return Curve(fn.name, 1, xs, dy, xlabel, ylabel, p, note, axis)


# ------------------------------------------------------------------------ parameters
_NICE = (
    -2.0,
    -1.0,
    -0.5,
    -0.2,
    -0.1,
    -0.05,
    -0.01,
    0.0,
    0.01,
    0.05,
    0.1,
    0.2,
    0.25,
    0.3,
    0.5,
    0.75,
    1.0,
    1.5,
    2.0,
    3.0,
    4.0,
    5.0,
    8.0,
    10.0,
)


def sweepable(fn: Function) -> list[str]:
    """Names of parameters a slider can sweep: numeric scalars (not axes, not choices)."""
    return [
        p.name
        for p in fn.info.params
        if p.kind in ("scalar", "array") and isinstance(p.default, (int, float))
    ]


def param_grid(fn: Function, name: str, size: int = 11) -> list[float]:
    """About ``size`` valid values around the default of parameter ``name``, sorted.

    Candidates are round numbers, the default and its multiples; those the
    parameter's constraint rejects are dropped.
    """
    param = fn.info.param(name)
    default = float(param.default)
    scaled = [default * k for k in (0.25, 0.5, 2.0, 5.0, 10.0)] if default else []
    candidates = sorted({*_NICE, *scaled, default})
    valid = [v for v in candidates if param.constraint is None or param.constraint(v)]
    below = [v for v in valid if v < default][-(size // 3) :]
    above = [v for v in valid if v > default][: size - 1 - len(below)]
    return [*below, default, *above]
