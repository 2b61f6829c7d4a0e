"""Vector-valued activations (softmax family, GLU family): value and vjp against the reference."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ._harness import (
    NP_DTYPES,
    RTOL,
    VECTOR,
    assert_close,
    cases,
    extreme_values,
    random_input,
    ref_of,
    ref_vector,
    tol_for,
)

# (shape, axis): rows along the last axis, and a non-last axis; every axis size is even
# so that the GLU family can split it.
LAYOUTS = [((4, 6), -1), ((6, 3, 4), 0), ((3, 4, 2), 1), ((8,), 0)]
ALL_CASES = cases(VECTOR)


def _out_shape(fn, shape, axis):
    if fn.info.family != "gated":
        return shape
    out = list(shape)
    out[axis] //= 2
    return tuple(out)


@pytest.mark.parametrize("dtype", NP_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("shape", "axis"), LAYOUTS, ids=str)
@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_value_and_vjp_match_reference(fn, params, shape, axis, dtype):
    """Value (every float dtype) and vjp (float64: torch autograd with a random cotangent)."""
    name = np.dtype(dtype).name
    x = random_input(shape, seed=sum(shape)).astype(dtype)
    x64 = x.astype(np.float64)
    out_shape = _out_shape(fn, shape, axis)
    ct = random_input(out_shape, seed=7, scale=1.0)
    v_ref, vjp_ref = ref_vector(fn, x64, axis, params, cotangent=ct)
    y = fn(x, axis=axis, **params)
    assert y.dtype == dtype and y.shape == out_shape
    rtol, atol = tol_for(fn, "value", name)
    # condition: entries are combinations of inputs of size up to max |x| along the axis
    scale = np.max(np.abs(x64), axis=axis, keepdims=True) * (np.abs(v_ref) + 1.0)
    assert_close(
        y,
        v_ref,
        rtol=rtol,
        atol=atol,
        scale=scale,
        dtype=dtype,
        what=f"{fn.name}{params} value in {name}",
    )
    g = fn.vjp(x, ct.astype(dtype), axis=axis, **params)
    assert g.dtype == dtype and g.shape == shape
    if dtype == np.float64:
        rtol, atol = tol_for(fn, "vjp", name)
        assert_close(
            g,
            vjp_ref,
            rtol=rtol,
            atol=atol,
            scale=np.max(np.abs(vjp_ref)),
            what=f"{fn.name}{params} vjp",
        )


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_vjp_matches_finite_differences(fn, params):
    """<vjp(x, c), v> == d/dt sum(c * f(x + t v)) at t = 0 (4th-order central difference)."""
    x = random_input((5, 6), seed=11)
    v = random_input((5, 6), seed=12, scale=1.0)
    c = random_input(_out_shape(fn, (5, 6), -1), seed=13, scale=1.0)
    h = 1e-3

    def phi(t):
        return np.sum(c * fn(x + t * v, **params))

    fd = (-phi(2 * h) + 8 * phi(h) - 8 * phi(-h) + phi(-2 * h)) / (12 * h)
    got = np.sum(fn.vjp(x, c, **params) * v)
    assert abs(got - fd) <= 1e-7 * (1 + abs(fd)), (fn.name, got, fd)


def _extreme_rows(fn):
    """Every pair of extreme values (with 0 as a third entry for the softmax family)."""
    e = extreme_values(np.float64)
    # the +-inf probes (+-1e300) must dominate every finite entry: the huge finite values
    # (sqrt(max), max) have their own test, test_huge_finite_rows_match_the_reference
    e = e[~(np.isfinite(e) & (np.abs(e) > 1e100))]
    pairs = np.array(list(itertools.product(e, e)))
    if fn.info.family == "gated":
        return pairs
    return np.concatenate([pairs, np.zeros((len(pairs), 1))], axis=1)


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_extreme_rows_give_the_limits(fn, params):
    """Rows of extreme values: no warning or FP error; NaN where a row (GLU: a pair) holds a
    NaN; elsewhere the reference with +-inf replaced by +-1e300 (|r| > 1e200 means +-inf)."""
    x = _extreme_rows(fn)
    y = fn(x, **params)
    limits = []
    for probe in (1e300, 1e150):
        xp_ = np.where(np.isposinf(x), probe, np.where(np.isneginf(x), -probe, x))
        v_ref, _ = ref_vector(fn, xp_, -1, params)
        limits.append(np.where(np.abs(v_ref) > probe ** (2 / 3), np.copysign(np.inf, v_ref), v_ref))
    # where the two probes disagree the limit is not reached by 1e300 (e.g. a * relu(b) with
    # a = 5e-324, b = inf: the limit is inf, the probe 5e-24): no reference there
    with np.errstate(invalid="ignore"):
        diff = np.abs(limits[0] - limits[1])
        settled = (limits[0] == limits[1]) | (diff <= 1e-10 * np.abs(limits[0]))
    settled |= np.isnan(limits[0]) & np.isnan(limits[1])
    assert settled.mean() > 0.9
    nan_rows = np.isnan(x).any(axis=-1, keepdims=True)
    expected = np.where(nan_rows, np.nan, limits[0])
    keep = settled | np.broadcast_to(nan_rows, settled.shape)
    for a, b in ref_of(fn).extreme_rows_skip:
        keep &= ~((x[:, 0] == a) & (x[:, 1] == b))[:, None]
    assert_close(
        y[keep],
        expected[keep],
        rtol=RTOL["float64"],
        atol=1e-300,
        scale=1.0,
        x=np.broadcast_to(x[:, :1], y.shape)[keep],
        what=f"{fn.name}{params} on extreme rows",
    )
    ct = np.ones_like(y)
    g = fn.vjp(x, ct, **params)
    if fn.info.family != "gated":  # a NaN anywhere in a softmax row reaches every entry
        assert np.isnan(g[nan_rows[:, 0]]).all()
    finite_rows = np.isfinite(x).all(axis=-1)
    _, g_ref = ref_vector(fn, x[finite_rows], -1, params, cotangent=ct[finite_rows])
    assert_close(
        g[finite_rows],
        g_ref,
        rtol=RTOL["float64"],
        atol=1e-300,
        scale=1.0,
        what=f"{fn.name}{params} vjp on finite extreme rows",
    )


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_huge_finite_rows_match_the_reference(fn, params, use_fast):
    """Rows of the largest finite values (+-max, +-sqrt(max), with 0 and 1) in float64: value
    and vjp against the float64 reference, no floating-point error (x - max(x) is finite for
    these rows only up to 2 max: the row [max, -max] gives -inf, as the reference)."""
    from actloss import fast

    big = float(np.finfo(np.float64).max)
    e = np.array([big, -big, math.sqrt(big), -math.sqrt(big), 0.0, 1.0])
    x = np.array(list(itertools.product(e, e)))
    if fn.info.family != "gated":
        x = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    ct = random_input(_out_shape(fn, x.shape, -1), seed=5, scale=1.0)
    with fast.use(use_fast):
        y = fn(x, **params)
        g = fn.vjp(x, ct, **params)
    with np.errstate(over="ignore", invalid="ignore"):
        v_ref, g_ref = ref_vector(fn, x, -1, params, cotangent=ct)
    top = np.finfo(np.float64).max
    for got, ref, what in ((y, v_ref, "value"), (g, g_ref, "vjp")):
        # where PyTorch itself overflows (inf * 0 = NaN in its backward) there is no
        # reference, but the catalog's result must not be NaN; where the reference is +-max
        # and ours +-inf, the true value (-max - max in log_softmax) is beyond the range
        torch_nan = np.isnan(ref) & ~np.isnan(x).any(axis=-1, keepdims=True)
        assert not np.isnan(got[torch_nan]).any(), (fn.name, what, x[torch_nan.any(axis=-1)])
        beyond = (np.abs(ref) == top) & (got == np.copysign(np.inf, ref))
        # PyTorch's gated backward forms ct * a first, which overflows at a = max where
        # ct (a g'(b)) is finite: there the reference is +-inf and ours just below the range
        beyond |= np.isinf(ref) & (np.abs(got) > top / 4) & (np.sign(got) == np.sign(ref))
        keep = ~torch_nan & ~beyond
        assert_close(
            got[keep],
            ref[keep],
            rtol=RTOL["float64"],
            atol=1e-300,
            scale=1.0,
            what=f"{fn.name} {what}",
        )


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize(
    ("fn", "params"), [c for c in ALL_CASES if c.values[0].info.family != "gated"]
)
def test_vjp_at_masked_entries_is_the_limit(fn, params, use_fast):
    """Rows with -inf entries (masked logits) and finite others: the vjp is the limit, i.e.
    the vjp with -inf replaced by -1e300 (exp underflows to exactly 0 there), never NaN.
    (The GLU family takes values, not logits: its infinities are in the extreme matrix.)"""
    from actloss import fast

    x = _extreme_rows(fn)
    x = x[np.isneginf(x).any(axis=-1) & ~np.isnan(x).any(axis=-1) & ~np.isposinf(x).any(axis=-1)]
    x = x[~np.isneginf(x).all(axis=-1)]  # a row of all -inf is 0/0 (documented NaN)
    ct = random_input(_out_shape(fn, x.shape, -1), seed=7, scale=1.0)
    with fast.use(use_fast):
        g = fn.vjp(x, ct, **params)
        probe = np.where(np.isneginf(x), -1e300, x)
        g_probe = fn.vjp(probe, ct, **params)
    assert not np.isnan(g).any(), (fn.name, x[np.isnan(g).any(axis=-1)])
    np.testing.assert_allclose(g, g_probe, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("fn", VECTOR, ids=lambda f: f.name)
def test_elementwise_derivatives_are_refused(fn):
    x = np.zeros((2, 4))
    for method in (fn.grad, fn.grad2, fn.value_and_grad):
        with pytest.raises(TypeError, match=r"not elementwise.*vjp"):
            method(x)


def test_glu_gates_the_second_half():
    """glu(x) = a * sigmoid(b) with a the FIRST half and the gate on the SECOND (F.glu)."""
    import actloss as al

    x = np.array([2.0, 0.0])  # a = 2, b = 0: 2 * sigmoid(0) = 1 (the other way: 0)
    assert al.get("glu")(x)[0] == 1.0
    assert al.get("swiglu")(np.array([2.0, 1.0]))[0] == pytest.approx(2.0 / (1.0 + np.exp(-1.0)))
    assert ref_of(al.get("glu")).source == "PyTorch"
