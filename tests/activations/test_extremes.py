"""The extreme matrix: 0, -0.0, subnormals, +-1, +-11.1, +-88.8, +-710, +-1e4, +-inf, nan.

In every NumPy float dtype: no warning and no floating-point error (the session raises
them), NaN in -> NaN out for value, grad and grad2, finite extremes against the float64
reference, and at +-inf the mathematical limit: the reference evaluated at +-1e300
(|result| > 1e200 means +-inf), with the exceptions declared in the reference table.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from ._harness import (
    ELEMENTWISE,
    NP_DTYPES,
    assert_close,
    cases,
    extreme_values,
    near_kink,
    ref_derivatives,
    ref_limits,
    ref_of,
    ref_third,
    tol_for,
)

ALL_CASES = cases(ELEMENTWISE)
WHAT = ("value", "grad", "grad2")


def _evaluate(fn, x, params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(x, **params), fn.grad(x, **params), fn.grad2(x, **params)


@pytest.mark.parametrize("dtype", NP_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_extreme_matrix(fn, params, dtype):
    name = np.dtype(dtype).name
    x = extreme_values(dtype)
    outs = _evaluate(fn, x, params)
    for what, out in zip(WHAT, outs, strict=True):
        assert out.dtype == dtype and out.shape == x.shape, (what, out.dtype)
        assert np.isnan(out[np.isnan(x)]).all(), f"{fn.name} {what}: NaN in must give NaN out"

    finite = np.isfinite(x)
    xf = x[finite].astype(np.float64)
    refs = ref_derivatives(fn, xf, params)
    with np.errstate(over="ignore", invalid="ignore"):  # x f' at the float maximum: inf
        scales = [
            _finite_scale(xf * refs[1]),
            _finite_scale(xf * refs[2]) if refs[2] is not None else 0.0,
            _finite_scale(xf * ref_third(fn, xf, params)),
        ]
    kink = near_kink(fn, params, xf, 0.0)
    for k, (what, out, ref) in enumerate(zip(WHAT, outs, refs, strict=True)):
        if ref is None or (k == 2 and ref_of(fn).skip.get("grad2_autograd")):
            continue
        keep = ~kink if k else np.ones_like(kink)  # exact kinks: test_kinks_follow_...
        for (w, point), _reason in ref_of(fn).extreme_skip.items():
            keep &= ~((w == what) & (xf == point))
        rtol, atol = tol_for(fn, what, name)
        scale = np.broadcast_to(scales[k], xf.shape)[keep]
        assert_close(
            out[finite][keep],
            ref[keep],
            rtol=rtol,
            atol=atol,
            scale=scale,
            x=xf[keep],
            dtype=dtype,
            what=f"{fn.name}{params} {what} at finite extremes in {name}",
        )

    limits = ref_limits(fn, params)
    for what, out in zip(WHAT, outs, strict=True):
        for sign in (math.inf, -math.inf):
            if (what, sign) not in limits:
                continue
            got = float(out[x == sign][0])
            expected = float(np.array(limits[(what, sign)]).astype(dtype))
            assert_close(
                np.array([got]),
                np.array([expected]),
                rtol=tol_for(fn, what, name)[0],
                atol=0.0,
                what=f"{fn.name}{params} {what} at x = {sign} (limit)",
            )


def _finite_scale(s):
    """A sensitivity scale |x f'| kept finite (it overflows at the float maximum, where an
    ulp of x is ~1e292: the input's rounding alone allows any change of a bounded f')."""
    return np.where(
        np.isnan(s), 0.0, np.clip(s, -np.finfo(np.float64).max, np.finfo(np.float64).max)
    )


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_value_and_grad_and_vjp_agree_on_extremes(fn, params):
    """value_and_grad == (value, grad) and vjp == cotangent * grad, bit for bit, also at
    +-inf and NaN."""
    x = extreme_values(np.float64)
    y, d = fn.value_and_grad(x, **params)
    np.testing.assert_array_equal(y, fn(x, **params))
    np.testing.assert_array_equal(d, fn.grad(x, **params))
    ct = np.linspace(-1.0, 2.0, x.size)
    ct[ct == 0] = 0.5
    with np.errstate(invalid="ignore"):  # NaN * c in the expectation only
        np.testing.assert_array_equal(fn.vjp(x, ct, **params), ct * d)


@pytest.mark.parametrize("fn", [f for f in ELEMENTWISE if ref_of(f).limits], ids=lambda f: f.name)
def test_declared_limit_exceptions_are_still_needed(fn):
    """Each limit the table declares by hand differs from the probe at +-1e300 for at least
    one sample parameter set (else the exception is stale and should be removed)."""
    ref = ref_of(fn)
    probe = ref.limit_probe
    for (what, sign), (value, _reason) in ref.limits.items():
        needed = False
        for params in ref.params:
            d = ref_derivatives(fn, np.array([probe, -probe]), params)[WHAT.index(what)]
            probed = float(d[0 if sign > 0 else 1]) if d is not None else math.nan
            needed |= not (probed == value or (math.isnan(probed) and math.isnan(value)))
        assert needed, f"{fn.name}: the limit exception for {what} at {sign} is not needed"


def _param_cases():
    return [
        pytest.param(fn, name, value, id=f"{fn.name}-{name}={value}")
        for fn in ELEMENTWISE
        for name, samples in ref_of(fn).param_samples.items()
        for value in samples
        if not isinstance(value, list)
    ]


@pytest.mark.parametrize(("fn", "name", "value"), _param_cases())
def test_param_grad_on_the_extreme_matrix(fn, name, value):
    """d f / d param on the extreme matrix: no FP error, NaN -> NaN, finite extremes
    against torch autograd (the parameter broadcast to x's shape)."""
    import torch

    x = extreme_values(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fn.param_grad(x, name, **{name: value})
    assert np.isnan(got[np.isnan(x)]).all()
    finite = np.isfinite(x)
    ref = ref_of(fn)
    f = ref.fn_elementwise_params or ref.fn
    params = {**fn.info.defaults, name: value}
    pt = torch.full((int(finite.sum()),), float(value), dtype=torch.float64, requires_grad=True)
    (dp,) = torch.autograd.grad(f(torch.tensor(x[finite]), **{**params, name: pt}).sum(), pt)
    rtol, atol = tol_for(fn, "param_grad", "float64")
    with np.errstate(over="ignore"):
        scale = _finite_scale(np.abs(x[finite]) * np.abs(dp.numpy()))
    assert_close(
        got[finite],
        dp.numpy(),
        rtol=rtol,
        atol=atol,
        scale=scale,
        x=x[finite],
        what=f"{fn.name} d/d{name} at finite extremes",
    )


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
def test_values_at_the_float_maximum_pinned(use_fast):
    """Issue 13: NaN or inf where the value is defined, at the largest finite floats (by hand:
    each derivative is 0 or 1 there to all digits, each value x; snake's grad from s, c of
    a x = 1e308 as math.sin/cos in float64)."""
    import actloss as al
    from actloss import fast

    big64 = np.array([1e200, -1e200, 1e308, -1e308])
    big32 = np.array([1e20, -1e20, 3e38, -3e38], dtype=np.float32)
    s, c = math.sin(1e308), math.cos(1e308)
    with fast.use(use_fast), warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (big64, big32):
            np.testing.assert_array_equal(al.get("gelu").grad2(x), 0.0)
            np.testing.assert_array_equal(al.get("gelu_tanh").grad2(x), 0.0)
            np.testing.assert_array_equal(al.get("mish").grad2(x), 0.0)
            np.testing.assert_array_equal(al.get("gelu_tanh").grad(x), (x > 0).astype(x.dtype))
            np.testing.assert_array_equal(al.get("swish").grad(x, beta=1.7), x > 0)
        assert al.get("hard_swish")(np.array([1e308]))[0] == 1e308
        assert al.get("snake").grad(np.array([1e308]))[0] == pytest.approx((s + c) ** 2, rel=1e-15)
        assert al.get("selu")(np.array([1.75e308]))[0] == math.inf  # 1.0507 x: beyond the range
        assert al.get("squareplus")(np.array([1e308]))[0] == 1e308
