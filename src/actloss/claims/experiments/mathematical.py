"""Claim 15, a mathematical one: the gradient of softmax + cross-entropy is ``p - y``."""

from __future__ import annotations

import numpy as np

from ... import get
from ._common import Context, Measurement, figure, save

SCALES = (1.0, 10.0, 100.0, 1e3, 1e4)
"""Standard deviations of the random logits; the largest push softmax to exactly 0 and 1."""


def softmax_ce_gradient(ctx: Context) -> Measurement:
    """Largest |d/dz sum_i CE(y_i, z_i) - (softmax(z) - onehot(y))| over random logits.

    The catalog's ``cross_entropy`` gradient (``reduction="sum"``) against the catalog's
    ``softmax`` minus the one-hot labels, in float64, for logits drawn with every scale of
    ``SCALES`` (``budget.seeds`` draws of 64 rows x 10 classes each), plus rows of
    constant, +-1e300-spread and one-huge-entry logits. No training.
    """
    ce, softmax = get("cross_entropy"), get("softmax")
    errors: dict[float, list[float]] = {}
    for seed in range(ctx.budget.seeds):
        rng = np.random.default_rng(seed)
        for scale in SCALES:
            z = rng.normal(0.0, scale, size=(64, 10))
            y = rng.integers(0, 10, size=64)
            errors.setdefault(scale, []).append(_error(ce, softmax, z, y))
    z = np.array(
        [[0.0] * 4, [1e300, -1e300, 0.0, 0.0], [700.0, 0.0, 0.0, -700.0], [-1e4, -1e4, -1e4, 1e4]]
    )
    edge = _error(ce, softmax, z, np.array([1, 0, 3, 2]))
    worst = max(edge, *(max(v) for v in errors.values()))
    fig, ax = figure(
        "Claim 15: |grad CE(softmax) - (p - y)|, largest over the rows",
        "standard deviation of the logits",
        "largest absolute error",
    )
    ax.semilogx(list(errors), [max(v) for v in errors.values()], "o-", label="random logits")
    ax.axhline(edge, color="C1", ls="--", label="extreme rows")
    ax.legend(fontsize=8)
    table = {f"scale {s:g}": {"max error": max(v)} for s, v in errors.items()}
    table["extreme rows"] = {"max error": edge}
    return Measurement(max_error=worst, table=table, plot=save(fig, ctx.plot_path()))


def _error(ce: object, softmax: object, z: np.ndarray, y: np.ndarray) -> float:
    grad = ce.grad(y, z, reduction="sum")  # type: ignore[attr-defined]
    expected = softmax(z, axis=-1) - np.eye(z.shape[1])[y]  # type: ignore[operator]
    return float(np.max(np.abs(np.asarray(grad) - expected)))
