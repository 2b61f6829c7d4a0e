"""The spec record: everything actloss knows about one function, in one place.

A spec holds the metadata (``Info``) that documentation, the CLI, the atlas and
the tests read, next to the numerical kernels that compute the value and its
derivatives. ``Info`` is plain data (JSON-serializable through ``to_dict``);
the kernels live on the function objects in ``_function.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Smoothness = Literal["discontinuous", "C0", "C1", "C2", "Cinf"]
Kind = Literal["activation", "loss"]


# ------------------------------------------------------------------------- fused kernels
@dataclass(frozen=True)
class Fused:
    """An entry's fused kernel in ``actloss.fast``, named (the core never imports numba).

    ``kernel``: its name in the fast path's module for the entry's kind (``_elementwise``
    for elementwise activations, ``_rowwise`` for the softmax family, a loss family of
    ``_lossrun``); ``params``: the parameters it takes, in order (elementwise kernels take
    two numbers, padded with 0; a choice parameter passes its index among the choices);
    ``variants``: (parameter, value) -> another kernel used for that value (gelu's tanh
    form); ``constants``: fixed arguments after them (softmin: the sign -1); ``when``: a
    predicate on the resolved parameters, False sends the call to the Array API definition
    (softmax_focal, which is cross-entropy's kernel only for gamma = 0); ``output``: the
    kernel of the backward from the saved output, for entries with ``output_grad``.
    """

    kernel: str
    params: tuple[str, ...] = ()
    variants: Mapping[tuple[str, Any], str] = field(default_factory=dict)
    constants: tuple[float, ...] = ()
    when: Callable[[Mapping[str, Any]], bool] | None = field(default=None, compare=False)
    output: str = ""  # the backward from the saved output (``_from_output``), if any

    def kernel_for(self, params: Mapping[str, Any]) -> str | None:
        """The kernel's name for resolved ``params``, or None to use the reference."""
        if self.when is not None and not self.when(params):
            return None
        for (name, value), other in self.variants.items():
            if params.get(name) == value:
                return other
        return self.kernel


# --------------------------------------------------------------------------- constraints
@dataclass(frozen=True)
class Constraint:
    """A predicate on a parameter value with a human-readable description."""

    description: str
    predicate: Callable[[float], bool] = field(repr=False, compare=False)

    def __call__(self, value: float) -> bool:
        return bool(self.predicate(value))


def real() -> Constraint:
    return Constraint("a finite real number", math.isfinite)


def positive() -> Constraint:
    return Constraint("a finite number > 0", lambda v: math.isfinite(v) and v > 0)


def non_negative() -> Constraint:
    return Constraint("a finite number >= 0", lambda v: math.isfinite(v) and v >= 0)


def in_interval(low: float, high: float, *, closed: str = "[]") -> Constraint:
    lo_ok = (lambda v: v >= low) if closed[0] == "[" else (lambda v: v > low)
    hi_ok = (lambda v: v <= high) if closed[1] == "]" else (lambda v: v < high)
    text = f"a number in {closed[0]}{low:g}, {high:g}{closed[1]}"
    return Constraint(text, lambda v: math.isfinite(v) and lo_ok(v) and hi_ok(v))


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Param:
    """One hyperparameter of a function.

    ``kind`` is ``"scalar"`` (a float, or an array for learnable parameters),
    ``"array"`` (e.g. PReLU's per-channel weight), ``"choice"`` (one of
    ``choices``), ``"int"`` or ``"bool"``.
    """

    name: str
    default: Any
    doc: str
    kind: Literal["scalar", "array", "choice", "int", "bool"] = "scalar"
    constraint: Constraint | None = None
    choices: tuple[Any, ...] = ()
    learnable: bool = False
    no_weight_decay: bool = False

    def describe_expected(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.constraint is not None:
            return self.constraint.description
        return {
            "int": "an integer",
            "bool": "True or False",
            "array": "a number or a non-empty array of finite numbers",
        }.get(self.kind, "a number")


@dataclass(frozen=True)
class Interval:
    """An output range ``low .. high`` with open/closed ends."""

    low: float
    high: float
    low_closed: bool = False
    high_closed: bool = False

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    def __str__(self) -> str:
        def fmt(v: float) -> str:
            return "inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:g}"

        left = "[" if self.low_closed else "("
        right = "]" if self.high_closed else ")"
        return f"{left}{fmt(self.low)}, {fmt(self.high)}{right}"


@dataclass(frozen=True)
class Kink:
    """A point where the function is not differentiable (or not continuous).

    ``locate(params)`` gives its position for given parameter values; ``where``
    is the same as text. ``subgradient`` states the value ``grad`` returns there.
    """

    where: str
    subgradient: str
    locate: Callable[[Mapping[str, Any]], float] = field(repr=False, compare=False)
    continuous: bool = True
    order: int = 1  # 1: the first derivative jumps; 2: only the second derivative does

    def at(self, params: Mapping[str, Any]) -> float:
        return float(self.locate(params))


def kink_at(value: float, subgradient: str, *, order: int = 1, continuous: bool = True) -> Kink:
    """A kink at a fixed position."""
    return Kink(f"x = {value:g}", subgradient, lambda _p: value, continuous, order)


@dataclass(frozen=True)
class Info:
    """Metadata of a catalog entry. Plain data: docs, CLI, atlas and tests read it."""

    name: str
    kind: Kind
    family: str
    summary: str
    formula: str  # LaTeX
    derivative: str  # LaTeX
    second_derivative: str = ""  # LaTeX (elementwise activations)
    aliases: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    elementwise: bool = True
    output_range: Interval | None = None
    range_text: str = ""  # the range as a formula of the parameters, when it depends on them
    monotonic: bool | None = None
    zero_centered: bool | None = None
    smoothness: Smoothness = "Cinf"
    kinks: tuple[Kink, ...] = ()
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    conventions: tuple[str, ...] = ()  # how other frameworks define or default it differently
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    torch_equivalent: str = ""
    # losses
    task: tuple[str, ...] = ()
    y_pred_kind: str = ""  # logits | probabilities | log_probabilities | values | distances | ...
    reductions: Mapping[str, str] = field(default_factory=dict)
    # vector-valued activations
    axis_semantics: str = ""
    # adapters: the class name where it is not the capitalized words of the name (PyTorch's
    # irregular spellings: hard_swish -> Hardswish, binary_cross_entropy -> BCELoss)
    class_name: str = ""
    # losses: PyTorch's positional order of forward(...) where it is not "the inputs, then
    # the target" (gaussian_nll: ("mean", "target", "var"), as GaussianNLLLoss)
    torch_order: tuple[str, ...] = ()
    # losses on "logits" whose scores are not sigmoid/softmax logits: why (the adapters then
    # take scores only, no probabilities: Keras's from_logits=False has no meaning for them)
    not_probability_logits: str = ""
    # activations: (low, high) parameter names; in training mode (adapters with a
    # train/eval switch) each negative input is scaled by a slope drawn uniformly from
    # [low, high] instead of the function's fixed slope (RReLU)
    training_slope: tuple[str, ...] = ()
    # the docstring's example: inputs as nested lists ("x" for activations; "y_true" and
    # "y_pred" for losses, y_pred a tuple for several prediction arrays) and "params";
    # empty: a generic input for the entry's kind (see _docstring.example_inputs)
    example: Mapping[str, Any] = field(default_factory=dict)

    @property
    def bounded(self) -> bool | None:
        return None if self.output_range is None else self.output_range.bounded

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def property_words(self) -> list[str]:
        """Short property words for tables and badges (monotonic, bounded, smooth, ...)."""
        words = []
        if self.monotonic:
            words.append("monotonic")
        if self.zero_centered:
            words.append("zero-centred")
        if self.bounded:
            words.append("bounded")
        words.append({"Cinf": "smooth"}.get(self.smoothness, self.smoothness))
        if not self.elementwise:
            words.append("vector")
        if any(p.learnable for p in self.params):
            words.append("learnable")
        return words

    def range_description(self) -> str:
        """The output range as text: a formula of the parameters where it depends on them."""
        if self.range_text:
            return self.range_text
        return "" if self.output_range is None else str(self.output_range)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable view (for ``--json`` listings and the atlas)."""
        d = asdict(self)
        d["params"] = [
            {
                "name": p.name,
                "default": _jsonable(p.default),
                "doc": p.doc,
                "kind": p.kind,
                "expected": p.describe_expected(),
                "choices": list(p.choices),
                "learnable": p.learnable,
                "no_weight_decay": p.no_weight_decay,
            }
            for p in self.params
        ]
        d["output_range"] = None if self.output_range is None else str(self.output_range)
        d["bounded"] = self.bounded
        d["kinks"] = [
            {
                "where": k.where,
                "subgradient": k.subgradient,
                "continuous": k.continuous,
                "order": k.order,
            }
            for k in self.kinks
        ]
        d["reductions"] = dict(self.reductions)
        d["example"] = jsonable(self.example)
        for key, value in d.items():
            if isinstance(value, tuple):
                d[key] = list(value)
        return d


def jsonable(value: Any) -> Any:
    """``value`` with tuples as lists, NumPy scalars as floats and non-finite floats as None
    (for JSON output and stored summaries)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f if math.isfinite(f) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)
