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


# The value-reading check sites of the core (the functions that consult _checks.can_read),
# as docs/jax.md describes them.
CHECKS = {
    "check_labels": "class labels whole numbers in [0, C)",
    "check_probabilities": "probabilities in [0, 1]",
    "signed_labels": "binary labels all in {0, 1} or all in {-1, 1}",
    "_check_array_constraint": "array parameters finite and allowed",
    "_contrastive": "labels 0 or 1",
    "_msle": "inputs > -1",
    "_poisson_nll": "rates >= 0 (log_input=False)",
    "_gaussian_nll": "variances >= 0",
}


def test_the_per_loss_table_of_value_checks_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table in docs/jax.md equals the check sites each loss reaches on its reference
    samples (found by watching _checks.can_read); a new check site in actloss/losses must be
    described in CHECKS."""
    import sys

    import numpy as np

    import actloss as al
    import actloss.fast
    from actloss import _checks

    sys.path.insert(0, str(DOC.parents[1] / "tests"))
    from losses.references import TABLE

    real = _checks.can_read
    seen: dict[str, set[str]] = {}
    current = [""]

    def spy(*arrays: object) -> bool:
        code = sys._getframe(1).f_code
        if "losses" in Path(code.co_filename).parts:
            assert code.co_name in CHECKS, f"describe the check in {code.co_name} in CHECKS"
        seen.setdefault(current[0], set()).add(code.co_name)
        return real(*arrays)

    monkeypatch.setattr(_checks, "can_read", spy)
    with actloss.fast.use(False):
        for fn in al.catalog(kind="loss"):
            current[0] = fn.name
            for s in TABLE[fn.name].samples(np.random.default_rng(0)):
                fn(s.y_true, s.y_pred, **s.params)
    rows = []
    for fn in al.catalog(kind="loss"):
        found = sorted(CHECKS[c] for c in seen.get(fn.name, ()) if c in CHECKS)
        if found:
            rows.append(f"| `{fn.name}` | {'; '.join(found)} |")
    text = DOC.read_text()
    documented = [line for line in text.splitlines() if line.startswith("| `")]
    assert documented == rows
