"""Errata: wrong formulas that tutorials print, the right form, and a numeric check.

Each erratum evaluates the printed (wrong) form and the catalog's verified form at a few
points; the check reports the largest difference between them (which must be large: the
printed form is wrong) and, for derivatives, the largest difference between the catalog's
derivative and a central finite difference of the catalog's value (which must be tiny).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._catalog import get

Array = np.ndarray


@dataclass(frozen=True)
class Erratum:
    function: str
    quantity: str  # "derivative" | "range" | "formula"
    wrong: str
    right: str
    wrong_form: Callable[[Array], Array]  # evaluates the printed form at x
    right_form: Callable[[Array], Array]  # the catalog's verified form at x
    points: tuple[tuple[float, ...], ...]  # each point is x (a vector for vector functions)


@dataclass(frozen=True)
class ErratumCheck:
    erratum: Erratum
    max_difference: float  # |wrong - right|, largest over the points
    fd_error: float  # |catalog derivative - finite difference| (NaN when not a derivative)
    wrong_is_wrong: bool

    def to_dict(self) -> dict[str, object]:
        e = self.erratum
        return {
            "function": e.function,
            "quantity": e.quantity,
            "wrong": e.wrong,
            "right": e.right,
            "max_difference": self.max_difference,
            "catalog_vs_finite_difference": self.fd_error,
            "wrong_is_wrong": self.wrong_is_wrong,
        }


def _in_open_interval(low: float, high: float) -> Callable[[Array], Array]:
    """1 where x lies in (low, high), else 0: the 'range' printed, tested on real outputs."""
    return lambda y: ((y > low) & (y < high)).astype(float)


def _central_difference(name: str, x: Array, h: float = 1e-6) -> Array:
    f = get(name)
    return (f(x + h) - f(x - h)) / (2 * h)


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        "sigmoid",
        "derivative",
        "sigma'(x) = sigma(x) - (1 - sigma(x))",
        "sigma'(x) = sigma(x) (1 - sigma(x))",
        wrong_form=lambda x: 2 * get("sigmoid")(x) - 1,
        right_form=lambda x: get("sigmoid").grad(x),
        points=((-2.0,), (0.0,), (0.5,), (3.0,)),
    ),
    Erratum(
        "softsign",
        "derivative",
        "f'(x) = 1 / (1 + x)^2",
        "f'(x) = 1 / (1 + |x|)^2",
        wrong_form=lambda x: 1.0 / (1.0 + x) ** 2,
        right_form=lambda x: get("softsign").grad(x),
        points=((-0.5,), (-3.0,), (2.0,)),
    ),
    Erratum(
        "tanh",
        "range",
        "tanh(x) lies in (0, 1)",
        "tanh(x) lies in (-1, 1)",
        wrong_form=lambda x: _in_open_interval(0.0, 1.0)(np.tanh(x)),
        right_form=lambda x: _in_open_interval(-1.0, 1.0)(get("tanh")(x)),
        points=((-2.0,), (-0.1,), (0.5,)),
    ),
    Erratum(
        "relu",
        "derivative",
        "ReLU'(x) = max(0, 1)",
        "ReLU'(x) = 1 if x > 0 else 0",
        wrong_form=lambda x: np.maximum(0.0, np.ones_like(x)),
        right_form=lambda x: get("relu").grad(x),
        points=((-2.0,), (-0.5,), (1.0,)),
    ),
    Erratum(
        "softmax",
        "formula",
        "softmax(x)_i = exp(x_i) / exp(sum_j x_j)",
        "softmax(x)_i = exp(x_i) / sum_j exp(x_j)",
        wrong_form=lambda x: np.exp(x) / np.exp(np.sum(x)),
        right_form=lambda x: get("softmax")(x),
        points=((1.0, 2.0, 3.0), (0.0, 0.0), (-1.0, 0.5, 2.0, 0.0)),
    ),
)


def check(erratum: Erratum) -> ErratumCheck:
    """Evaluate both forms at every point; check the catalog's derivative numerically."""
    diffs, fd = [], []
    for point in erratum.points:
        x = np.asarray(point, dtype=np.float64)
        diffs.append(float(np.max(np.abs(erratum.wrong_form(x) - erratum.right_form(x)))))
        if erratum.quantity == "derivative":
            # the points avoid kinks, so the central difference is the derivative
            fd.append(
                float(
                    np.max(
                        np.abs(
                            get(erratum.function).grad(x) - _central_difference(erratum.function, x)
                        )
                    )
                )
            )
    max_diff = max(diffs)
    fd_error = max(fd) if fd else float("nan")
    return ErratumCheck(erratum, max_diff, fd_error, wrong_is_wrong=max_diff > 1e-3)


def check_all() -> list[ErratumCheck]:
    return [check(e) for e in ERRATA]
