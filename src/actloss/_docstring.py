"""Docstrings of catalog entries, generated from the spec (nothing about a function is
written twice).

The order is fixed: the call; title (and aliases); formula and derivatives in plain
text (the LaTeX stays in ``info``); Args with shapes and defaults; Returns (with the
range); an example that runs as a doctest; conventions; references. The example is
built from ``info.example`` (or a generic input for the entry's kind) and its printed
output comes from running it, so it cannot drift; ``tests/docs/test_doctests.py`` runs
every entry's example with ``doctest``.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Mapping
from typing import Any

from ._mathtext import latex_to_text
from ._spec import Info

DECIMALS = 4  # the example prints values rounded to this many decimals (platform-stable)
SETUP = 3  # the example's first lines: the imports and the function by its name
INDENT = "    "

# Generic example inputs by the kind of entry, used where the entry declares none.
_ELEMENTWISE_X = [-2.0, -0.5, 0.0, 0.5, 2.0]
_VECTOR_X = [[-1.0, 0.0, 0.5, 2.0]]
_BY_PRED_KIND: Mapping[str, Mapping[str, Any]] = {
    "values": {"y_true": [0.5, 1.0, 2.0], "y_pred": [0.7, 0.4, 2.5]},
    "probabilities": {"y_true": [0.0, 1.0, 1.0], "y_pred": [0.2, 0.7, 0.9]},
    "logits": {"y_true": [0.0, 1.0, 1.0], "y_pred": [-1.0, 0.5, 2.0]},
}
# multi-class losses: integer labels and one row of scores per sample
_MULTICLASS: Mapping[str, Mapping[str, Any]] = {
    "logits": {"y_true": [0, 2], "y_pred": [[2.0, 0.5, -1.0], [0.1, 0.2, 1.5]]},
    "probabilities": {"y_true": [0, 2], "y_pred": [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]},
    "log_probabilities": {
        "y_true": [0, 2],
        "y_pred": [[-0.3567, -1.6094, -2.3026], [-2.3026, -1.204, -0.5108]],
    },
}


@functools.lru_cache(maxsize=1024)  # aliases and partials share their entry's formulas
def plain_math(latex: str) -> str:
    """``latex`` as one line of plain text; the LaTeX itself where pylatexenc (the ``cli``
    extra) is not installed."""
    try:
        return latex_to_text(latex)
    except ImportError:
        return latex


def example_inputs(info: Info) -> dict[str, Any]:
    """The docstring example's inputs: ``info.example``, else a generic one for the kind
    (an entry whose inputs do not fit the generic one declares ``example=``)."""
    if info.example:
        return dict(info.example)
    if info.kind == "activation":
        return {"x": _ELEMENTWISE_X if info.elementwise else _VECTOR_X}
    kind = info.y_pred_kind.split(" ")[0]
    multiclass = any("multi-class" in t for t in info.task)
    table = _MULTICLASS if multiclass and kind in _MULTICLASS else _BY_PRED_KIND
    return dict(table.get(kind, _BY_PRED_KIND["values"]))


def _array(value: Any) -> str:
    if isinstance(value, tuple):  # several prediction arrays (or a regularizer's parameters)
        return "(" + ", ".join(_array(v) for v in value) + ")"
    return f"np.array({value!r})"


def _rounded(expr: str, several: bool) -> str:
    # + 0.0 prints a negative zero as 0. (the sign of a zero is not what the example shows)
    if several:  # one array per prediction input
        return f"print(*(np.round(g, {DECIMALS}) + 0.0 for g in {expr}), sep='\\n')"
    return f"print(np.round({expr}, {DECIMALS}) + 0.0)"


def example_source(info: Info, getter: str, has_grad: bool = True) -> list[str]:
    """The example's statements: build the inputs, print the value (and the gradient),
    rounded to ``DECIMALS``."""
    inputs = example_inputs(info)
    params = dict(inputs.get("params", {}))
    kw = "".join(f", {k}={v!r}" for k, v in params.items())
    lines = ["import numpy as np", "import actloss as al", f"f = {getter}"]  # SETUP
    if info.kind == "activation":
        lines.append(f"x = {_array(inputs['x'])}")
        lines.append(_rounded(f"f(x{kw})", False))
        if info.elementwise:
            lines.append(_rounded(f"f.grad(x{kw})", False))
        return lines
    y_true, y_pred = inputs.get("y_true"), inputs["y_pred"]
    lines.append(f"y_true = {'None' if y_true is None else _array(y_true)}")
    lines.append(f"y_pred = {_array(y_pred)}")
    lines.append(_rounded(f"f(y_true, y_pred{kw})", False))
    lines.append(_rounded(f"f(y_true, y_pred, reduction='none'{kw})", False))
    if has_grad:
        several = isinstance(y_pred, tuple)
        lines.append(_rounded(f"f.grad(y_true, y_pred{kw})", several))
    return lines


def run_example(lines: list[str]) -> list[str] | None:
    """``lines`` as a doctest: each statement after ``>>>``, then what it printed.

    Runs in a fresh namespace, as doctest does; an error stops the example there and is
    shown in place of the output, so the doctest of the entry fails and names it. None
    when the first lines (the imports and getting the function by name, ``SETUP``) fail:
    a function that is not in the catalog by its name (a combined loss, an unregistered
    one) has no example."""
    namespace: dict[str, Any] = {"__name__": "__actloss_example__"}
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(f">>> {line}")
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(line, "<example>", "single"), namespace)
        except Exception as exc:  # the example itself is wrong: the doctest test says so
            if i < SETUP:
                return None
            out.append(f"(the example failed: {type(exc).__name__}: {exc})")
            break
        out += buffer.getvalue().rstrip("\n").splitlines()
    return out


def _args(info: Info, defaults: Mapping[str, Any]) -> list[str]:
    lines = []
    if info.kind == "loss":
        inputs = example_inputs(info)
        pred = info.y_pred_kind or "values"
        y_true = inputs.get("y_true")
        if y_true is None:
            lines.append("y_true: None (this loss has no target).")
        else:
            lines.append(f"y_true: The targets (in the example, {_shape(y_true)}).")
        reduction = defaults.get("reduction", "mean")
        others = ", ".join(repr(r) for r in ("mean", "sum", "none") if r != reduction)
        lines += [
            f"y_pred: The predictions: {pred} (in the example, {_shape(inputs['y_pred'])}).",
            f"reduction: {reduction!r} (default), {others}; 'none' gives one value per sample.",
            "sample_weight: Per-sample weights, broadcast from the leading axes; "
            "default None (all 1).",
        ]
    else:
        shape = "any shape" if info.elementwise else f"at least 1-d; {info.axis_semantics}"
        lines.append(f"x: The input array ({shape}); NumPy or any Array API library.")
    for p in info.params:
        default = defaults.get(p.name, p.default)
        lines.append(f"{p.name}: {p.doc} Default {default!r}; {p.describe_expected()}.")
    return lines


def _shape(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, tuple):
        return "(" + ", ".join(_shape(v) for v in value) + ")"
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return "shape (" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _returns(info: Info) -> list[str]:
    if info.kind == "loss":
        text = ["The reduced loss (a 0-d array), or one value per sample for 'none'."]
    else:
        text = ["An array of x's shape, library, device and floating dtype."]
    rng = info.range_description()
    if rng:
        text.append(f"Range: {rng}.")
    return text


def _section(title: str, body: list[str]) -> list[str]:
    return ["", f"{title}:", *[INDENT + line for line in body]]


def render_docstring(
    info: Info,
    call: str = "",
    example: list[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    alias_preset: Mapping[str, Any] | None = None,
) -> str:
    """The entry's docstring, in the fixed order: ``call`` (its signature as text); title
    and aliases (``alias_preset``: the docstring is an alias's, with these presets);
    formula and derivatives as plain text; Args (``defaults``: the call's defaults where
    presets change them); Returns; the example (the doctest lines from ``run_example``, if
    given); conventions; references."""
    lines = [call, ""] if call else []
    lines.append(info.summary)
    if alias_preset is not None:  # an alias: its entry and what it presets
        preset = ", ".join(f"{k}={v!r}" for k, v in alias_preset.items())
        lines.append(f"An alias of {info.name}{f' ({preset})' if preset else ''}.")
    elif info.aliases:
        lines.append(f"Also available as: {', '.join(info.aliases)}.")
    lines += _section("Formula", [plain_math(info.formula)])
    if info.derivative:
        lines += _section("Derivative", [plain_math(info.derivative)])
    if info.second_derivative:
        lines += _section("Second derivative", [plain_math(info.second_derivative)])
    lines += _section("Args", _args(info, defaults or {}))
    lines += _section("Returns", _returns(info))
    if example:
        lines += _section("Example", example)
    if info.conventions:
        lines += _section("Conventions", list(info.conventions))
    if info.references:
        lines += _section("References", list(info.references))
    return "\n".join(lines)


class GeneratedDoc:
    """The ``__doc__`` of the function-object classes: on the class, the class's own
    docstring; on an entry, ``entry.render_doc()``, rendered on first access and kept
    (nothing is rendered, or run, at import)."""

    def __init__(self, class_doc: str | None) -> None:
        self.class_doc = class_doc

    def __get__(self, obj: Any, owner: type | None = None) -> str | None:
        if obj is None:
            return self.class_doc
        doc = obj.__dict__.get("_rendered_doc")
        if doc is None:
            doc = obj.__dict__["_rendered_doc"] = obj.render_doc()
        return str(doc)


class LazyDoc:
    """A class's ``__doc__`` built by ``make()`` on first access (the adapters' generated
    classes, whose docstrings include the entry's: importing an adapter renders nothing)."""

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make
        self._text: str | None = None

    def __get__(self, obj: Any, owner: type | None = None) -> str:
        if self._text is None:
            self._text = self._make()
        return self._text
