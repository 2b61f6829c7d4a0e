"""The claims' results as a Markdown table (docs/claims.md quotes the full budget's).

``markdown(summary)`` takes ``claims.json`` (``runner.load_summary``) and writes one row per
cell (a part of a claim under one condition), the source's setting marked, and each claim's
overall line; nothing in it is written by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:.3g}"


def _effect(d: Mapping[str, Any], unit: str) -> str:
    if d.get("ci") is None:
        return f"max error {_num(d['effect'])}"
    low, high = d["ci"]
    reps = f"n = {d['n']}"
    if d.get("splits", 1) > 1:
        reps += f", {d['agree']}/{d['splits']} splits agree"
    unit = f" {unit}" if unit else ""
    return f"{_num(d['effect'])} [{_num(low)}, {_num(high)}]{unit} ({reps})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(summary: Mapping[str, Mapping[str, Any]]) -> str:
    """One row per (claim, part, condition): verdict and effect; then the overall lines."""
    rows = [
        "| # | claim | part, condition | verdict | effect [95% CI] |",
        "|---|---|---|---|---|",
    ]
    lines = []
    for key in sorted(summary, key=int):
        d = summary[key]
        cells = d.get("parts") or [{**d, "label": "", "source": ""}]
        for i, p in enumerate(cells):
            where = p.get("label") or "–"
            if p.get("source"):
                where += f" (source: {p['source']})"
            claim = f"{d['id']}. {d['statement']}" if i == 0 else ""
            rows.append(
                f"| {d['id'] if i == 0 else ''} | {_cell(claim)} | {_cell(where)} | "
                f"{p['verdict']} | {_cell(_effect(p, d.get('unit', '')))} |"
            )
        lines.append(
            f"- **{d['id']}** ({d['verdict']}): {d.get('overall', '')}. "
            f"Source: {d.get('source_setting', '')}. "
            f"Replicates: {d.get('seed_rule', '')}; rule: {d.get('rule_short', '')}."
        )
    return "\n".join(rows) + "\n\nOverall, claim by claim:\n\n" + "\n".join(lines) + "\n"
