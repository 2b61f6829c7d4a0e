"""actloss._checks: the one switch for value-reading input checks."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
import torch  # noqa: E402

from actloss import _checks  # noqa: E402


def test_concrete_arrays_can_be_read_until_checks_are_skipped() -> None:
    assert _checks.enabled()
    assert _checks.can_read(np.ones(3), jnp.ones(3), torch.ones(3), None)
    with _checks.skipped():
        assert not _checks.enabled()
        assert not _checks.can_read(np.ones(3))
        with _checks.skipped():
            assert not _checks.enabled()
        assert not _checks.enabled()  # the inner context restores, not re-enables
    assert _checks.enabled()


def test_symbolic_arrays_cannot_be_read() -> None:
    seen = []
    jax.jit(lambda x: seen.append(_checks.can_read(np.ones(2), x)) or x)(jnp.ones(2))
    jax.grad(lambda x: seen.append(_checks.can_read(x)) or x)(1.0)
    jax.vmap(lambda x: seen.append(_checks.can_read(x)) or x)(jnp.ones(2))
    assert seen == [False, False, False]
    assert not _checks.can_read(torch.ones(2, device="meta"))
    torch.func.vmap(lambda x: seen.append(_checks.can_read(x)) or x)(torch.ones(2, 3))
    assert seen[-1] is False
