"""Run claims: experiment -> measurement -> effect with its 95% CI -> computed verdict.

Results go to ``out`` (default ``actloss-claims/``): the lab's SQLite store (runs tagged
``claim-NN``, resumable: a second call trains nothing), one PNG per claim and
``claims.json`` (the latest result of every claim run there, read by the atlas section).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._spec import jsonable
from .decision import (
    Effect,
    ToleranceRule,
    Verdict,
    combine_verdicts,
    is_close,
    overall,
    replicate_effect,
)
from .experiments._common import Context, Measurement
from .registry import CLAIMS, Claim

SUMMARY_FILE = "claims.json"
DEFAULT_OUT = Path("actloss-claims")


@dataclass(frozen=True)
class PartResult:
    """One cell: a part of the claim (``""`` for a claim of one part) under one condition,
    with its own verdict. ``source``: the citation when the condition is the source's."""

    part: str
    verdict: Verdict
    effect: Effect
    condition: str = ""
    source: str = ""

    @property
    def label(self) -> str:
        """``sigmoid, SGD + momentum`` (the part, then the condition)."""
        return ", ".join(t for t in (self.part, self.condition) if t) or "effect"

    def to_dict(self) -> dict[str, Any]:
        e = self.effect
        return {
            "part": self.part,
            "condition": self.condition,
            "source": self.source,
            "label": self.label,
            "verdict": self.verdict,
            "effect": e.mean,
            "ci": [e.low, e.high],
            "n": e.n,
            "splits": e.splits,
            "agree": e.agree,
        }


@dataclass
class ClaimResult:
    claim: Claim
    budget: str
    verdict: Verdict
    effect: Effect
    trained: int  # runs trained by this call (0 when everything was in the store)
    seconds: float
    plot: Path | None
    table: dict[str, Any] = field(default_factory=dict)
    parts: list[PartResult] = field(default_factory=list)  # one cell per (part, condition)
    seeds: dict[str, int] = field(default_factory=dict)  # condition -> replicates it got

    @property
    def overall(self) -> str:
        """Under which conditions (and for which parts) the claim holds, in words."""
        if not self.parts:
            return {"supported": "holds", "refuted": "does not hold"}.get(self.verdict, "undecided")
        return overall([(p.part, p.condition, p.verdict) for p in self.parts])

    def to_dict(self) -> dict[str, Any]:
        c, e = self.claim, self.effect
        math_claim = isinstance(c.rule, ToleranceRule)
        return {
            "id": c.id,
            "statement": c.statement,
            "source": c.source,
            "source_setting": c.source_setting,
            "experiment": c.experiment,
            "condition": c.condition,
            "conditions": [
                {"name": k.name, "source": k.source, "replicates": self.seeds.get(k.name)}
                for k in c.conditions
            ],
            "metric": c.metric,
            "verdict": self.verdict,
            "overall": self.overall,
            "effect": e.mean,
            "ci": None if math_claim else [e.low, e.high],
            "n": e.n,
            "unit": getattr(c.rule, "unit", ""),
            "rule": c.rule.describe(),
            "rule_short": c.rule.short(),
            "seed_rule": seed_rule(c, self.budget),
            "budget": self.budget,
            "trained": self.trained,
            "seconds": round(self.seconds, 2),
            "plot": None if self.plot is None else str(self.plot),
            "table": self.table,
            "parts": [p.to_dict() for p in self.parts],
        }


def seed_rule(claim: Claim, budget: str) -> str:
    """The replicates a claim gets at ``budget``, and the rule that adds to close verdicts."""
    b = claim.budget(budget)
    if isinstance(claim.rule, ToleranceRule):
        return f"{b.seeds} draws"
    if b.splits > 1:
        reps, more = f"{b.splits} data splits x {b.seeds} seeds", "seeds per split"
    else:
        reps, more = f"{b.seeds} seeds on one data split", "seeds"
    if b.max_replicates is None or b.max_replicates <= b.replicates:
        return reps
    return (
        f"{reps}; a condition whose verdict is close (inconclusive, its CI reaching 0 or the "
        f"threshold) gets its {more} doubled while it stays close, up to {b.max_replicates} "
        "models per cell"
    )


def run_claim(claim: Claim, budget: str = "quick", out: str | Path = DEFAULT_OUT) -> ClaimResult:
    """Run one claim's experiment (training only what the store lacks) and decide."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny batched models: one thread is faster, and leaves cores free
    t0 = time.perf_counter()
    b = claim.budget(budget)
    growth: dict[str, int] = {}
    trained = 0
    try:
        while True:  # more replicates for the conditions whose verdict is close
            tag = f"claim-{claim.id:02d}"
            ctx = Context(Path(out), tag, b, claim.id, growth=growth)
            ctx.conditions = claim.conditions
            m = claim.run(ctx)
            trained += ctx.trained
            parts = _cells(claim, m, ctx.overlap)
            limit = b.max_replicates or 0
            close = {
                p.condition
                for p in parts
                if 2 * b.replicates * growth.get(p.condition, 1) <= limit
                and is_close(claim.rule, p.effect)
            }
            if not close:
                break
            growth = {**growth, **{k: 2 * growth.get(k, 1) for k in close}}
    finally:
        torch.set_num_threads(threads)
    if isinstance(claim.rule, ToleranceRule):
        err = math.nan if m.max_error is None else m.max_error
        effect = Effect(err, math.nan, math.nan, b.seeds)
        verdict = claim.rule.decide(err)
    else:
        diffs = m.differences
        rho = max(ctx.overlap.values(), default=0.0)
        effect = replicate_effect(diffs, rho) if diffs is not None else parts[0].effect
        verdict = claim.rule.decide(effect)
    if parts:  # decided cell by cell (part x condition)
        verdict = combine_verdicts([p.verdict for p in parts])
    seconds = time.perf_counter() - t0
    result = ClaimResult(claim, budget, verdict, effect, trained, seconds, m.plot, m.table)
    result.parts = parts
    result.seeds = {k.name: ctx.replicates_for(k) for k in claim.conditions}
    _record(Path(out), result)
    return result


def _cells(claim: Claim, m: Measurement, overlap: dict[str, float]) -> list[PartResult]:
    """One verdict per (part, condition) the experiment measured (``overlap``: condition ->
    the overlap ratio of its data splits, see ``replicate_effect``)."""
    if isinstance(claim.rule, ToleranceRule):
        return []
    sources = {k.name: k.source for k in claim.conditions}
    out = []
    for (part, condition), values in m.parts.items():
        e = replicate_effect(values, overlap.get(condition, 0.0))
        out.append(PartResult(part, claim.rule.decide(e), e, condition, sources.get(condition, "")))
    return out


def run_claims(
    ids: Iterable[int] | None = None, budget: str = "quick", out: str | Path = DEFAULT_OUT
) -> list[ClaimResult]:
    wanted = set(ids) if ids is not None else None
    return [run_claim(c, budget, out) for c in CLAIMS if wanted is None or c.id in wanted]


def _record(out: Path, result: ClaimResult) -> None:
    """Merge the result into ``out/claims.json`` (by claim id)."""
    path = out / SUMMARY_FILE
    data = load_summary(out)
    data[str(result.claim.id)] = result.to_dict()
    out.mkdir(parents=True, exist_ok=True)
    ordered = {k: data[k] for k in sorted(data, key=int)}
    path.write_text(json.dumps(jsonable(ordered), indent=1, allow_nan=False), encoding="utf-8")


def load_summary(out: str | Path = DEFAULT_OUT) -> dict[str, dict[str, Any]]:
    """The stored results: claim id (a string) -> the dict of ``ClaimResult.to_dict``."""
    path = Path(out) / SUMMARY_FILE
    if not path.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data
