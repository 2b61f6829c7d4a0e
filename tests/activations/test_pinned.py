"""Canonical values pinned with their source, and the two GELU forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actloss as al

from ._harness import ACTIVATIONS, ref_of


def _pinned_cases():
    return [
        pytest.param(fn, pin, id=f"{fn.name}-{pin.what}({pin.x})-{pin.source.split()[0]}")
        for fn in ACTIVATIONS
        for pin in ref_of(fn).pinned
    ]


@pytest.mark.parametrize(("fn", "pin"), _pinned_cases())
def test_pinned_values(fn, pin):
    """To 2e-14 relative: far tails are conditioned (erfc(y) loses 2 y^2 eps to the
    rounding of y = x / sqrt 2, 1e-14 at x = -10)."""
    x = np.asarray(pin.x, dtype=np.float64)
    method = {"value": fn, "grad": fn.grad, "grad2": fn.grad2}[pin.what]
    got = method(x, **pin.params)
    np.testing.assert_allclose(
        got, pin.value, rtol=2e-14, atol=1e-300, err_msg=f"{fn.name} pinned from {pin.source}"
    )


def _gelu_plain(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def _gelu_tanh_plain(x: float) -> float:
    u = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)
    return 0.5 * x * (1.0 + math.tanh(u))


GELU_MAX_GAP = 4.732355193233e-4  # at x = +-2.6989, from the plain formulas below
GELU_MAX_GAP_AT = 2.6989


def test_gelu_exact_and_tanh_forms_stay_distinct():
    """max |exact - tanh| on a fine grid is pinned (plain math.erf / math.tanh formulas),
    the catalog reproduces it, and info states it."""
    xs = np.linspace(-8.0, 8.0, 160_001)
    gaps = np.array([abs(_gelu_plain(float(x)) - _gelu_tanh_plain(float(x))) for x in xs])
    i = int(np.argmax(gaps))
    assert gaps[i] == pytest.approx(GELU_MAX_GAP, rel=1e-9)
    assert abs(abs(xs[i]) - GELU_MAX_GAP_AT) < 1e-3
    gelu = al.get("gelu")
    ours = np.abs(gelu(xs) - gelu(xs, approximate="tanh"))
    assert ours.max() == pytest.approx(GELU_MAX_GAP, rel=1e-9)
    assert al.get("gelu_tanh")(np.array(2.0)) == gelu(np.array(2.0), approximate="tanh")
    text = " ".join((*gelu.info.notes, *gelu.info.cons))
    assert "4.73e-4" in text, text
