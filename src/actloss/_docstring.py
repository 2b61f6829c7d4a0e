"""Docstrings of catalog entries, generated from the spec (nothing about a function is
written twice)."""

from __future__ import annotations

from ._spec import Info


def render_docstring(info: Info) -> str:
    """The entry's docstring, generated from the spec in a fixed order: title; formula,
    derivatives (LaTeX, as in ``info``); Args with defaults and constraints; Returns; range
    and aliases; conventions of other frameworks; references."""
    lines = [info.summary, "", f".. math:: {info.formula}"]
    if info.derivative:
        lines += ["", "Derivative:", "", f".. math:: {info.derivative}"]
    if info.second_derivative:
        lines += ["", "Second derivative:", "", f".. math:: {info.second_derivative}"]
    loss = info.kind == "loss"
    lines += ["", "Args:"]
    if loss:
        lines += [
            "    y_true: The targets (labels, probabilities or values, as the loss takes them).",
            f"    y_pred: The predictions ({info.y_pred_kind or 'values'}).",
            "    reduction: 'mean', 'sum' or 'none' (one value per sample).",
            "    sample_weight: Per-sample weights, broadcast from the leading axes (None: 1).",
        ]
    else:
        shape = "any shape" if info.elementwise else f"at least 1-d; {info.axis_semantics}"
        lines.append(f"    x: The input array ({shape}); any Array API library.")
    for p in info.params:
        lines.append(
            f"    {p.name}: {p.doc} Default {p.default!r}; must be {p.describe_expected()}."
        )
    lines += ["", "Returns:"]
    if loss:
        lines.append("    The reduced loss (a 0-d array), or one value per sample for 'none'.")
    else:
        lines.append("    An array of x's shape, library, device and floating dtype.")
    if info.output_range is not None:
        lines += ["", f"Range: {info.range_text or info.output_range}."]
    if info.aliases:
        lines += [f"Aliases: {', '.join(info.aliases)}."]
    if info.conventions:
        lines += ["", "Conventions:"] + [f"    {c}" for c in info.conventions]
    if info.references:
        lines += ["", "References:"] + [f"    {r}" for r in info.references]
    return "\n".join(lines)
