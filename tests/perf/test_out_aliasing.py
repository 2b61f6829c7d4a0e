"""``out=`` that aliases an input gives the right result, for every kernel (issue 13, item 3).

Every function with ``out=`` (value_and_grad of elementwise activations, vjp of every
activation) is called with ``out`` the input itself, the cotangent itself, and a view of the
same memory shifted by one element, on the fast path and the reference path; the result must
equal the call without ``out``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import actloss as al
import actloss.fast as fast

ACTIVATIONS = al.catalog(kind="activation")
ELEMENTWISE = [f for f in ACTIVATIONS if f.info.elementwise]
SHAPE = (3, 4)


def _x(dtype: Any) -> np.ndarray:
    return np.linspace(-2.5, 3.0, 12).astype(dtype).reshape(SHAPE)


def _ct(dtype: Any) -> np.ndarray:
    return np.linspace(1.0, -0.7, 12).astype(dtype).reshape(SHAPE) ** 2 + 0.1


def _shifted_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copies of a and b in one buffer that overlap: b's view starts one element after a's."""
    buf = np.empty(a.size + 1, a.dtype)
    va = buf[: a.size].reshape(a.shape)
    vb = buf[1:].reshape(a.shape)
    va[...] = a
    return va, vb


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_vjp_out_aliasing_an_input(fn: al.Activation, dtype: Any, use_fast: bool) -> None:
    x = _x(dtype)
    ct = _ct(dtype) if fn.info.family != "gated" else _ct(dtype)[:, :2]
    with fast.use(use_fast):
        expected = fn.vjp(x, ct)
        # out is the cotangent (a training loop's in-place backward)
        if ct.shape == x.shape:
            c = ct.copy()
            assert fn.vjp(x, c, out=c) is c
            np.testing.assert_array_equal(c, expected, err_msg="out=ct")
        # out is x itself
        xx = x.copy()
        assert fn.vjp(xx, ct, out=xx) is xx
        np.testing.assert_array_equal(xx, expected, err_msg="out=x")
        # out overlaps x, shifted by one element
        xs, out = _shifted_pair(x, x)
        assert fn.vjp(xs, ct, out=out) is out
        np.testing.assert_array_equal(out, expected, err_msg="out overlapping x")
        if ct.shape == x.shape:
            cs, out = _shifted_pair(ct, ct)
            assert fn.vjp(x, cs, out=out) is out
            np.testing.assert_array_equal(out, expected, err_msg="out overlapping ct")


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.name)
def test_value_and_grad_out_aliasing_the_input(
    fn: al.Activation, dtype: Any, use_fast: bool
) -> None:
    x = _x(dtype)
    with fast.use(use_fast):
        y0, d0 = fn.value_and_grad(x)
        for which in (0, 1):
            xx = x.copy()
            other = np.empty_like(x)
            out = (xx, other) if which == 0 else (other, xx)
            got = fn.value_and_grad(xx, out=out)
            assert got[0] is out[0] and got[1] is out[1]
            np.testing.assert_array_equal(got[0], y0, err_msg=f"out[{which}]=x: value")
            np.testing.assert_array_equal(got[1], d0, err_msg=f"out[{which}]=x: grad")
            xs, shifted = _shifted_pair(x, x)
            other = np.empty_like(x)
            out = (shifted, other) if which == 0 else (other, shifted)
            got = fn.value_and_grad(xs, out=out)
            np.testing.assert_array_equal(got[0], y0, err_msg=f"out[{which}] overlapping x")
            np.testing.assert_array_equal(got[1], d0, err_msg=f"out[{which}] overlapping x")
