"""Combined losses: weighted sums of catalog losses, with weights that may follow a schedule.

>>> import numpy as np, actloss as al
>>> det = al.losses.combine(
...     al.losses.term("mse", select=0),                    # boxes
...     al.losses.term("cross_entropy", weight=0.5, select=1),  # class logits
... )
>>> y_true = (np.zeros((2, 4)), np.array([0, 1]))
>>> y_pred = (np.full((2, 4), 0.5), np.zeros((2, 3)))
>>> round(float(det(y_true, y_pred)), 6)  # 0.25 + 0.5 * log(3)
0.799306

A term picks its inputs with ``select`` (an index into the y_true / y_pred tuples, or
None for the whole); ``grad`` returns the y_pred structure with each term's gradient
added at its place. A weight is a number, a function of the training ``step``, or a
list of ``(step, weight)`` pairs (piecewise constant: the weight of the last pair whose
step is <= the current one), which also expresses serial training (one loss, then
another): see ``serial``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from .. import _backend as B
from .._catalog import get
from .._loss import Loss, LossKernels, NoGradientError
from .._spec import Info, Interval
from .._validation import check_reduction

Schedule: TypeAlias = "float | Callable[[int], float] | Sequence[tuple[int, float]]"


@dataclass(frozen=True)
class Term:
    """One weighted term of a combined loss."""

    loss: Loss
    weight: Schedule = 1.0
    select: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    reduction: str | None = None

    def weight_at(self, step: int) -> float:
        return weight_at(self.weight, step)

    @property
    def is_penalty(self) -> bool:
        return bool(self.loss.kernels.variadic)

    def describe(self) -> str:
        w = self.weight
        ws = f"{w:g}" if isinstance(w, (int, float)) else "w(t)"
        where = "" if self.select is None else f"[{self.select}]"
        return f"{ws} * {self.loss.name}{where}"


def weight_at(schedule: Schedule, step: int) -> float:
    """The value of a weight schedule at ``step``."""
    if isinstance(schedule, (int, float)) and not isinstance(schedule, bool):
        return float(schedule)
    if callable(schedule):
        return float(schedule(step))
    current = 0.0
    for start, value in sorted(schedule):  # type: ignore[arg-type]
        if step >= start:
            current = float(value)
    return current


def term(
    loss: str | Loss,
    weight: Schedule = 1.0,
    *,
    select: int | None = None,
    reduction: str | None = None,
    **params: Any,
) -> Term:
    """A term: ``loss`` (a name or a catalog loss) with a weight, an input selector and params.

    ``reduction`` fixes this term's reduction (default: the combined call's; penalties
    always sum).
    """
    fn = get(loss) if isinstance(loss, str) else loss
    if not isinstance(fn, Loss):
        raise TypeError(f"term(): {fn.name!r} is not a loss")
    fn._check_names(params)
    _check_schedule(weight)
    if reduction is not None:
        check_reduction(reduction)
    return Term(fn, weight, select, dict(params), reduction)


def _check_schedule(weight: Schedule) -> None:
    if isinstance(weight, bool):
        raise TypeError("weight must be a number, a function of the step, or (step, weight) pairs")
    if isinstance(weight, (int, float)):
        if not math.isfinite(weight):
            raise ValueError(f"weight must be finite, got {weight!r}")
        return
    if callable(weight):
        return
    try:
        pairs = [(int(s), float(v)) for s, v in weight]
    except (TypeError, ValueError):
        raise TypeError(
            "weight must be a number, a function of the step, or a list of (step, weight) "
            f"pairs, got {weight!r}"
        ) from None
    if not pairs:
        raise ValueError("a weight schedule needs at least one (step, weight) pair")


class CombinedLoss(Loss):
    """A weighted sum of loss terms; itself a loss with value, grad and info."""

    def __init__(self, terms: Sequence[Term], name: str = "combined") -> None:
        if not terms:
            raise ValueError("combine() needs at least one term")
        self.terms = tuple(terms)
        info = _combined_info(name, self.terms)
        kernels = LossKernels(
            value=_no_kernel, has_grad=all(t.loss.kernels.has_grad for t in self.terms)
        )
        super().__init__(info, kernels)

    def partial(self, _alias: str | None = None, **params: Any) -> Loss:
        raise TypeError("a combined loss takes no parameters; set them on its terms")

    def __call__(
        self,
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        step: int = 0,
        **params: Any,
    ) -> Any:
        return self._combine(y_true, y_pred, reduction, sample_weight, step, params, False)[0]

    def grad(
        self,
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        step: int = 0,
        **params: Any,
    ) -> Any:
        self._require_grad()
        return self._combine(y_true, y_pred, reduction, sample_weight, step, params, True)[1]

    def value_and_grad(
        self,
        y_true: Any,
        y_pred: Any,
        /,
        *,
        reduction: str | None = None,
        sample_weight: Any = None,
        step: int = 0,
        **params: Any,
    ) -> tuple[Any, Any]:
        self._require_grad()
        return self._combine(y_true, y_pred, reduction, sample_weight, step, params, True)

    def _require_grad(self) -> None:
        for t in self.terms:
            if not t.loss.kernels.has_grad:
                raise NoGradientError(f"{self.name}: its term {t.loss.name} has no gradient")

    def _combine(
        self,
        y_true: Any,
        y_pred: Any,
        reduction: str | None,
        sample_weight: Any,
        step: int,
        params: Mapping[str, Any],
        want_grad: bool,
    ) -> tuple[Any, Any]:
        if params:
            raise TypeError(
                f"{self.name}() got unexpected parameters {sorted(params)}; "
                "parameters belong to the terms"
            )
        red = check_reduction("mean" if reduction is None else reduction)
        total: Any = None
        grad: Any = _zeros_tree(y_pred) if want_grad else None
        for t in self.terms:
            w = t.weight_at(step)
            yt, yp = _pick(y_true, t.select, "y_true"), _pick(y_pred, t.select, "y_pred")
            r = t.reduction or ("sum" if t.is_penalty and red != "none" else red)
            if t.is_penalty and r == "none":
                raise ValueError(
                    f"{self.name}: reduction 'none' is not defined for a sum with "
                    f"the penalty {t.loss.name}; use 'mean' or 'sum'"
                )
            sw = None if t.is_penalty else sample_weight
            if want_grad:
                v, g = t.loss.value_and_grad(yt, yp, reduction=r, sample_weight=sw, **t.params)
                grad = _place(grad, t.select, _scale_tree(g, w))
            else:
                v = t.loss(yt, yp, reduction=r, sample_weight=sw, **t.params)
            v = w * v
            if total is not None and tuple(v.shape) != tuple(total.shape):
                raise ValueError(
                    f"{self.name}: the terms' per-sample values have shapes "
                    f"{tuple(total.shape)} and {tuple(v.shape)} and cannot be added; use "
                    "reduction 'mean' or 'sum'"
                )
            total = v if total is None else total + v
        return total, grad


def _no_kernel(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never called
    raise TypeError("a combined loss evaluates its terms")


def _pick(tree: Any, select: int | None, what: str) -> Any:
    if select is None or tree is None:
        return tree
    if not isinstance(tree, (tuple, list)):
        raise TypeError(f"{what} must be a tuple when terms select parts of it (select={select})")
    if not -len(tree) <= select < len(tree):
        raise ValueError(f"select={select} is out of range for a {what} of {len(tree)} parts")
    return tree[select]


def _zeros_tree(tree: Any) -> Any:
    if isinstance(tree, (tuple, list)):
        return type(tree)(_zeros_tree(v) for v in tree)
    if tree is None:
        return None
    arr = B.as_array(tree, "y_pred")
    xp = B.namespace(arr)
    if not B.is_floating(xp, arr.dtype):
        arr = xp.astype(arr, B.default_float(xp, arr))
    return xp.zeros_like(arr)


def _scale_tree(tree: Any, w: float) -> Any:
    if isinstance(tree, (tuple, list)):
        return type(tree)(_scale_tree(v, w) for v in tree)
    return tree * w


def _add_tree(a: Any, b: Any) -> Any:
    if isinstance(a, (tuple, list)):
        return type(a)(_add_tree(x, y) for x, y in zip(a, b, strict=True))
    return a + b


def _place(grad: Any, select: int | None, g: Any) -> Any:
    if select is None:
        return _add_tree(grad, g)
    parts = list(grad)
    parts[select] = _add_tree(parts[select], g)
    return type(grad)(parts)


def _combined_info(name: str, terms: Sequence[Term]) -> Info:
    tasks = tuple(dict.fromkeys(task for t in terms for task in t.loss.info.task))
    kinds = ", ".join(
        f"{t.loss.info.y_pred_kind}" + ("" if t.select is None else f" [{t.select}]") for t in terms
    )
    described = " + ".join(t.describe() for t in terms)
    formula = r"\ell = \sum_k w_k(t)\,\ell_k:\quad " + " + ".join(
        (f"{t.weight:g}" if isinstance(t.weight, (int, float)) else "w(t)")
        + r"\,\ell_{\text{"
        + t.loss.name.replace("_", r"\_")
        + "}}"
        for t in terms
    )
    return Info(
        name=name,
        kind="loss",
        family="combined",
        summary=f"Combined loss {described}.",
        formula=formula,
        derivative=r"\partial\ell/\partial\hat y = \sum_k w_k(t)\,\partial\ell_k/\partial"
        r"\hat y_{(k)}\ \text{(each term's gradient added at its selected input)}",
        elementwise=False,
        output_range=Interval(-math.inf, math.inf),
        notes=tuple(
            f"term {k}: {t.describe()} ({t.loss.info.summary})" for k, t in enumerate(terms)
        ),
        references=("actloss documentation: combined losses.",),
        task=tasks,
        y_pred_kind=f"tuple ({kinds})",
        reductions={
            "none": r"\sum_k w_k\,\ell_{k,i} \text{ (only when every term has the same "
            r"per-sample shape and none is a penalty)}",
            "sum": r"\sum_k w_k \sum_i \ell_{k,i}\ (\text{penalties: their total})",
            "mean": r"\sum_k w_k\,\operatorname{mean}_i \ell_{k,i}\ (\text{each term's own "
            r"'mean'; penalties: their total})",
        },
    )


def combine(*terms: Term | str | Loss, name: str = "combined") -> CombinedLoss:
    """A loss that is the weighted sum of ``terms`` (``term(...)`` records, names or losses)."""
    made = [t if isinstance(t, Term) else term(t) for t in terms]
    return CombinedLoss(made, name=name)


def serial(first: Term, second: Term, *, switch_at: int, name: str = "serial") -> CombinedLoss:
    """Train with ``first`` until step ``switch_at``, then with ``second`` (weights 1/0 -> 0/1)."""
    w1, w2 = weight_at(first.weight, 0), weight_at(second.weight, 0)
    a = Term(first.loss, [(0, w1), (switch_at, 0.0)], first.select, first.params, first.reduction)
    b = Term(
        second.loss, [(0, 0.0), (switch_at, w2)], second.select, second.params, second.reduction
    )
    return CombinedLoss([a, b], name=name)


__all__ = ["CombinedLoss", "Term", "combine", "serial", "term", "weight_at"]
