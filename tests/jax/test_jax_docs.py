"""docs/jax.md: its training step runs and trains (the page's code blocks, executed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("jax")

DOC = Path(__file__).resolve().parents[2] / "docs" / "jax.md"


def test_the_training_step_example_runs_and_trains() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/jax.md has no python example"
    scope: dict[str, object] = {}
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), scope)
    losses = scope["losses"]
    assert isinstance(losses, list) and losses[-1] < 0.5 * losses[0], losses
    assert float(scope["accuracy"]) > 0.8  # type: ignore[arg-type]
