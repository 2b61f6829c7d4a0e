"""Canonical loss values pinned with their source (references.py, the section at its end)."""

from __future__ import annotations

import numpy as np
import pytest

import actloss as al

from .references import TABLE, Pinned


def _array(x: object) -> object:
    if x is None:
        return None
    if isinstance(x, tuple):
        return tuple(np.asarray(v, dtype=float) for v in x)
    a = np.asarray(x)
    return a.astype(float) if a.dtype.kind == "f" else a


def _cases() -> list[object]:
    return [
        pytest.param(name, pin, id=f"{name}-{i}-{pin.source.split()[0]}")
        for name, e in TABLE.items()
        for i, pin in enumerate(e.pinned)
    ]


@pytest.mark.parametrize(("name", "pin"), _cases())
def test_pinned_values(name: str, pin: Pinned) -> None:
    got = al.get(name)(_array(pin.y_true), _array(pin.y_pred), **pin.params)
    assert np.ndim(got) == 0
    np.testing.assert_allclose(
        float(got), pin.value, rtol=pin.rtol, atol=1e-15, err_msg=f"{name} from {pin.source}"
    )
