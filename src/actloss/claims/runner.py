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
from .decision import Effect, ToleranceRule, Verdict, combine_verdicts, paired_effect
from .experiments._common import Context
from .registry import CLAIMS, Claim

SUMMARY_FILE = "claims.json"
DEFAULT_OUT = Path("actloss-claims")


@dataclass(frozen=True)
class PartResult:
    """One part of a compound claim (a function under one condition) and its own verdict."""

    part: str
    verdict: Verdict
    effect: Effect

    def to_dict(self) -> dict[str, Any]:
        e = self.effect
        return {
            "part": self.part,
            "verdict": self.verdict,
            "effect": e.mean,
            "ci": [e.low, e.high],
            "n": e.n,
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
    parts: list[PartResult] = field(default_factory=list)  # a compound claim's parts

    def to_dict(self) -> dict[str, Any]:
        c, e = self.claim, self.effect
        math_claim = isinstance(c.rule, ToleranceRule)
        return {
            "id": c.id,
            "statement": c.statement,
            "source": c.source,
            "experiment": c.experiment,
            "condition": c.condition,
            "metric": c.metric,
            "verdict": self.verdict,
            "effect": e.mean,
            "ci": None if math_claim else [e.low, e.high],
            "n": e.n,
            "unit": getattr(c.rule, "unit", ""),
            "rule": c.rule.describe(),
            "rule_short": c.rule.short(),
            "budget": self.budget,
            "trained": self.trained,
            "seconds": round(self.seconds, 2),
            "plot": None if self.plot is None else str(self.plot),
            "table": self.table,
            "parts": [p.to_dict() for p in self.parts],
        }


def run_claim(claim: Claim, budget: str = "quick", out: str | Path = DEFAULT_OUT) -> ClaimResult:
    """Run one claim's experiment (training only what the store lacks) and decide."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny batched models: one thread is faster, and leaves cores free
    t0 = time.perf_counter()
    ctx = Context(Path(out), f"claim-{claim.id:02d}", claim.budget(budget), claim.id)
    try:
        m = claim.run(ctx)
    finally:
        torch.set_num_threads(threads)
    if isinstance(claim.rule, ToleranceRule):
        err = math.nan if m.max_error is None else m.max_error
        effect = Effect(err, math.nan, math.nan, ctx.budget.seeds)
        verdict = claim.rule.decide(err)
    else:
        diffs = m.differences or {}
        effect = paired_effect([diffs[s] for s in sorted(diffs)])
        verdict = claim.rule.decide(effect)
    parts = []
    for label, values in m.parts.items():
        part_effect = paired_effect([values[s] for s in sorted(values)])
        assert not isinstance(claim.rule, ToleranceRule)
        parts.append(PartResult(label, claim.rule.decide(part_effect), part_effect))
    if parts:  # a compound claim: decided part by part
        verdict = combine_verdicts([p.verdict for p in parts])
    seconds = time.perf_counter() - t0
    result = ClaimResult(claim, budget, verdict, effect, ctx.trained, seconds, m.plot, m.table)
    result.parts = parts
    _record(Path(out), result)
    return result


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
