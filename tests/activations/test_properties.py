"""Property-based tests (hypothesis) of every claim in ``info``, at default parameters.

output_range, bounded, monotonic, zero_centered (odd), smoothness and kinks: each claim
is checked where it is made and, where the claim is a denial (not monotonic, not odd,
unbounded), shown by a counterexample.
"""

from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ._harness import ACTIVATIONS, ELEMENTWISE, VECTOR, extreme_values, kink_points, ref_of

ELEMENTWISE_IDS = {"ids": lambda f: f.name}
FINE = np.linspace(-10.0, 10.0, 200_001)
PROBES = np.concatenate(
    [
        FINE,
        extreme_values(np.float64, include_nonfinite=False),
        [-1e300, 1e300, -math.inf, math.inf],
    ]
)

# Any real number (incl. +-inf, subnormals and huge values); and a moderate range.
# |x| <= 1e307: closer to the float maximum, scaled functions (selu: 1.0507 x) overflow
# legitimately, which NumPy reports as an FP error.
ANY = st.one_of(
    st.floats(min_value=-1e307, max_value=1e307), st.sampled_from([-math.inf, math.inf])
)
MODERATE = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


def _arrays(elements):
    return hnp.arrays(np.float64, st.integers(1, 16), elements=elements)


def _in_range(fn, y):
    r = fn.info.output_range
    assert r is not None, f"{fn.name} declares no output_range"
    bad = (y < r.low) | (y > r.high)
    assert not bad.any(), f"{fn.name}: {y[bad][:5]} outside {r}"


# ------------------------------------------------------------------------ output range
@pytest.mark.parametrize("fn", ELEMENTWISE, **ELEMENTWISE_IDS)
@given(x=_arrays(ANY))
def test_values_lie_in_the_output_range(fn, x):
    _in_range(fn, fn(x))


@pytest.mark.parametrize("fn", VECTOR, **ELEMENTWISE_IDS)
@given(
    x=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.sampled_from([2, 4, 6])),
        elements=st.floats(-1e6, 1e6),
    )
)
def test_vector_values_lie_in_the_output_range(fn, x):
    _in_range(fn, fn(x))


@pytest.mark.parametrize("fn", ELEMENTWISE, **ELEMENTWISE_IDS)
def test_output_range_is_tight_and_bounded_is_consistent(fn):
    """The declared ends are reached or approached (within 1e-6), and an infinite end
    means the function really is unbounded there."""
    r = fn.info.output_range
    y = fn(PROBES)
    assert fn.info.bounded == (math.isfinite(r.low) and math.isfinite(r.high))
    for end, seen in ((r.low, np.min(y)), (r.high, np.max(y))):
        if math.isinf(end):
            assert abs(seen) > 1e100 and np.sign(seen) == np.sign(end), (fn.name, end, seen)
        else:
            assert abs(seen - end) <= 1e-6 * max(1.0, abs(end)), (fn.name, end, seen)


# -------------------------------------------------------------------------- monotonic
MONOTONIC = [f for f in ELEMENTWISE if f.info.monotonic]
NOT_MONOTONIC = [f for f in ELEMENTWISE if f.info.monotonic is False]


def test_monotonic_is_declared_for_every_elementwise_entry():
    assert all(f.info.monotonic is not None for f in ELEMENTWISE)
    assert all(f.info.monotonic in (None, False) for f in VECTOR)


@pytest.mark.parametrize("fn", MONOTONIC, **ELEMENTWISE_IDS)
@given(x=_arrays(ANY))
def test_monotonic_claims_hold(fn, x):
    x = np.sort(x)
    y = fn(x)
    assert (y[1:] >= y[:-1]).all(), f"{fn.name} decreases on {x}"
    assert not (fn.grad(x) < 0).any(), f"{fn.name}: negative derivative on {x}"  # NaN: no limit


@pytest.mark.parametrize("fn", NOT_MONOTONIC, **ELEMENTWISE_IDS)
def test_non_monotonic_claims_have_a_counterexample(fn):
    assert (np.diff(fn(FINE)) < 0).any() or (fn.grad(FINE) < 0).any(), fn.name


@pytest.mark.parametrize("fn", [f for f in VECTOR if f.info.monotonic is False], **ELEMENTWISE_IDS)
def test_non_monotonic_vector_claims_have_a_counterexample(fn):
    """Increasing one input lowers some output (a * act(b) with a < 0, for the GLU family)."""
    x = np.array([-1.0, 2.0])
    y0, y1 = fn(x), fn(x + np.array([0.0, 0.5]))
    assert (y1 < y0).any(), fn.name


# ------------------------------------------------------------------- zero_centered (odd)
ODD = [f for f in ELEMENTWISE if f.info.zero_centered]
NOT_ODD = [f for f in ACTIVATIONS if f.info.zero_centered is False]


@pytest.mark.parametrize("fn", ODD, **ELEMENTWISE_IDS)
@given(x=_arrays(ANY))
def test_zero_centered_means_odd(fn, x):
    np.testing.assert_array_equal(fn(-x), -fn(x))


@pytest.mark.parametrize("fn", NOT_ODD, **ELEMENTWISE_IDS)
def test_not_zero_centered_has_a_counterexample(fn):
    if fn.info.elementwise:
        gap = np.abs(fn(-FINE) + fn(FINE))
    else:
        x = np.random.default_rng(0).normal(size=(8, 6))
        gap = np.abs(fn(-x) + fn(x))
    assert gap.max() > 1e-6, fn.name


# ----------------------------------------------------------------- smoothness and kinks
def _jump(f, k, d=1e-9):
    return abs(
        float(f(np.array(k + d * max(1.0, abs(k))))) - float(f(np.array(k - d * max(1.0, abs(k)))))
    )


@pytest.mark.parametrize("fn", ELEMENTWISE, **ELEMENTWISE_IDS)
def test_smoothness_agrees_with_kinks(fn):
    """C0: a kink where f' jumps; C1: f' continuous, f'' jumps at some kink; Cinf: no kink;
    discontinuous: a kink declared discontinuous (a jump for some sample parameters)."""
    info, ref = fn.info, ref_of(fn)
    if ref.skip.get("smoothness_kinks"):
        pytest.skip(ref.skip["smoothness_kinks"])
    kinks = kink_points(fn, {})
    grad_jumps = [_jump(fn.grad, k) for k in kinks]
    grad2_jumps = [_jump(fn.grad2, k) for k in kinks]
    if info.smoothness == "Cinf":
        assert not info.kinks
    elif info.smoothness == "C0":
        assert all(k.continuous for k in info.kinks)
        assert any(k.order == 1 for k in info.kinks) and max(grad_jumps) > 1e-6
    elif info.smoothness in ("C1", "C2"):
        assert all(k.continuous and k.order >= 2 for k in info.kinks)
        assert max(grad_jumps) < 1e-6 and max(grad2_jumps) > 1e-6
    else:
        assert info.smoothness == "discontinuous"
        broken = [k for k in info.kinks if not k.continuous]
        assert broken
        assert any(
            _jump(lambda t, p=p: fn(t, **p), kink.at({**info.defaults, **p})) > 1e-3
            for kink in broken
            for p in ref.params
        ), f"{fn.name}: no sample parameter set shows the declared jump"


@pytest.mark.parametrize("fn", ELEMENTWISE, **ELEMENTWISE_IDS)
@given(x=MODERATE)
def test_continuous_away_from_declared_jumps(fn, x):
    """|f(x + d) - f(x)| is of order d |f'| unless a discontinuous kink lies in between."""
    d = 1e-7 * max(1.0, abs(x))
    for kink in fn.info.kinks:
        if not kink.continuous and abs(kink.at(fn.info.defaults) - x) <= 2 * d:
            return
    xs = np.array([x, x + d])
    y, g = fn(xs), fn.grad(xs)
    if not np.isfinite(y).all():  # the value overflows (exponential at 710)
        return
    slope = max(1.0, float(np.max(np.abs(g))))
    assert abs(y[1] - y[0]) <= 10 * slope * d + 1e-12 * abs(y[0]), (fn.name, x, y)


@pytest.mark.parametrize("fn", ELEMENTWISE, **ELEMENTWISE_IDS)
def test_each_kink_is_a_real_kink(fn):
    """A declared kink is where something changes: f jumps (discontinuous), f' jumps
    (order 1) or f'' jumps (order 2), for at least one sample parameter set."""
    if ref_of(fn).skip.get("smoothness_kinks"):
        pytest.skip(ref_of(fn).skip["smoothness_kinks"])
    for i, kink in enumerate(fn.info.kinks):
        seen = 0.0
        for p in ref_of(fn).params:
            k = fn.info.kinks[i].at({**fn.info.defaults, **p})
            f = {0: fn, 1: fn.grad, 2: fn.grad2}[0 if not kink.continuous else kink.order]
            seen = max(seen, _jump(lambda t, f=f, p=p: f(t, **p), k))
        assert seen > 1e-6, f"{fn.name}: nothing jumps at the kink {kink.where}"
