"""Elementwise activations: value, f', f'' against the reference, finite differences, kinks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ._harness import (
    ELEMENTWISE,
    GRID,
    NP_DTYPES,
    assert_close,
    cases,
    finite_difference,
    full_params,
    kink_points,
    near_kink,
    random_input,
    ref_derivatives,
    ref_of,
    ref_third,
    skip_if_declared,
    tol_for,
)

ALL_CASES = cases(ELEMENTWISE)


@pytest.mark.parametrize("dtype", NP_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_value_and_derivatives_match_reference(fn, params, dtype):
    """f, f' and f'' on the grid against the float64 reference (autograd for derivatives).

    The input is rounded to ``dtype`` first, and the reference evaluated at the rounded
    input, so only the evaluation error is measured. Exact kink points are left to
    ``test_kinks_follow_the_declared_subgradient``.
    """
    name = np.dtype(dtype).name
    x = GRID.astype(dtype)
    x64 = x.astype(np.float64)
    v, g, g2 = ref_derivatives(fn, x64, params)
    at_kink = near_kink(fn, params, x64, 0.0)
    y, d, d2 = fn(x, **params), fn.grad(x, **params), fn.grad2(x, **params)
    for out in (y, d, d2):
        assert out.dtype == dtype and out.shape == x.shape

    rtol, atol = tol_for(fn, "value", name)
    assert_close(
        y,
        v,
        rtol=rtol,
        atol=atol,
        scale=x64 * g,
        x=x64,
        dtype=dtype,
        what=f"{fn.name}{params} value in {name}",
    )
    rtol, atol = tol_for(fn, "grad", name)
    ok = ~at_kink
    scale = x64 * g2 if g2 is not None else 0.0
    assert_close(
        d[ok],
        g[ok],
        rtol=rtol,
        atol=atol,
        scale=np.broadcast_to(scale, x.shape)[ok],
        x=x64[ok],
        dtype=dtype,
        what=f"{fn.name}{params} grad in {name}",
    )
    if g2 is None or ref_of(fn).skip.get("grad2_autograd"):
        return
    rtol, atol = tol_for(fn, "grad2", name)
    ok &= ~near_kink(fn, params, x64, 2e-5)  # the f''' scale is a difference quotient
    g3 = ref_third(fn, x64[ok], params)
    assert_close(
        d2[ok],
        g2[ok],
        rtol=rtol,
        atol=atol,
        scale=x64[ok] * g3,
        x=x64[ok],
        dtype=dtype,
        what=f"{fn.name}{params} grad2 in {name}",
    )


def test_hard_sigmoid_has_no_torch_double_backward():
    """The declared skip of grad2_autograd for hard_sigmoid is still needed (else remove it)."""
    x = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError):
        torch.autograd.grad(g.sum(), x)


FD_H = 1e-3


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_grad_matches_finite_differences(fn, params):
    """f' against a 4th-order central difference of f (float64), away from kinks."""
    skip_if_declared(fn, "fd_grad")
    x = GRID[~near_kink(fn, params, GRID, 2.5 * FD_H)]
    f = lambda t: fn(t, **params)  # noqa: E731
    fd = finite_difference(f, x, FD_H)
    scale = np.abs(fn.grad(x, **params)) + np.abs(f(x))
    assert_close(
        fn.grad(x, **params),
        fd,
        rtol=1e-7,
        atol=1e-9,
        scale=scale,
        x=x,
        what=f"{fn.name}{params} grad vs finite differences",
    )


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_grad2_matches_finite_differences_of_grad(fn, params):
    """f'' against a 4th-order central difference of ``grad`` (float64), away from kinks."""
    skip_if_declared(fn, "fd_grad2")
    x = GRID[~near_kink(fn, params, GRID, 2.5 * FD_H)]
    g = lambda t: fn.grad(t, **params)  # noqa: E731
    fd = finite_difference(g, x, FD_H)
    scale = np.abs(fn.grad2(x, **params)) + np.abs(g(x))
    assert_close(
        fn.grad2(x, **params),
        fd,
        rtol=1e-7,
        atol=1e-9,
        scale=scale,
        x=x,
        what=f"{fn.name}{params} grad2 vs finite differences of grad",
    )


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
def test_kinks_follow_the_declared_subgradient(fn, params):
    """At 0, -0.0 and every declared kink, f' (and f'') equal the reference's autograd:
    the subgradient convention stated in ``info.kinks``."""
    skip_if_declared(fn, "kinks")
    points = [0.0, -0.0]
    for k in kink_points(fn, params):
        points += [k, -0.0] if k == 0 else [k]
    x = np.array(points)
    expected = ref_derivatives(fn, x, params)
    for what, (side, _reason) in ref_of(fn).kink_sides.items():
        k = ("value", "grad", "grad2").index(what)
        expected[k] = ref_derivatives(fn, np.nextafter(x, side * np.inf), params)[k]
    rtol, atol = tol_for(fn, "kinks", "float64")
    rtol = min(rtol, 1e-12) if "kinks" not in ref_of(fn).tol else rtol
    for k, ours in enumerate((fn(x, **params), fn.grad(x, **params), fn.grad2(x, **params))):
        if expected[k] is None or (k == 2 and ref_of(fn).skip.get("grad2_autograd")):
            continue
        assert_close(
            ours,
            expected[k],
            rtol=rtol,
            atol=atol,
            x=x,
            what=f"{fn.name}{params} derivative {k} at kinks (subgradient convention)",
        )


@pytest.mark.parametrize(("fn", "params"), ALL_CASES)
@pytest.mark.parametrize("shape", [(), (7,), (3, 4, 5)], ids=str)
def test_random_shapes_value_and_grad_vjp(fn, params, shape):
    """Random inputs of several shapes: shape kept; value_and_grad == (value, grad);
    vjp == cotangent * grad and matches torch autograd with that cotangent."""
    x = random_input(shape, seed=len(shape))
    ct = random_input(shape, seed=10 + len(shape), scale=1.0)
    y, d = fn(x, **params), fn.grad(x, **params)
    assert np.shape(y) == shape and np.shape(d) == shape
    y2, d2 = fn.value_and_grad(x, **params)
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(d2, d)
    vjp = fn.vjp(x, ct, **params)
    np.testing.assert_array_equal(vjp, ct * d)
    ref = ref_of(fn)
    xt = torch.tensor(x, requires_grad=True)
    yt = ref.fn(xt, **full_params(fn, params))
    (gt,) = torch.autograd.grad(yt, xt, torch.as_tensor(ct))
    v_ref = yt.detach().numpy()
    rtol, atol = tol_for(fn, "value", "float64")
    g_ref = ref_derivatives(fn, x, params, order=1)[1]
    assert_close(y, v_ref, rtol=rtol, atol=atol, scale=x * g_ref, x=x, what=f"{fn.name} value")
    rtol, atol = tol_for(fn, "grad", "float64")
    assert_close(vjp, gt.numpy(), rtol=rtol, atol=atol, x=x, what=f"{fn.name} vjp")


# ----------------------------------------------------------------- parameter gradients
def _param_cases():
    out = []
    for fn in ELEMENTWISE:
        for name, samples in ref_of(fn).param_samples.items():
            for value in samples:
                out.append(pytest.param(fn, name, value, id=f"{fn.name}-{name}={value}"))
    return out


@pytest.mark.parametrize(("fn", "name", "value"), _param_cases())
def test_param_gradients_match_torch_autograd(fn, name, value):
    """``vjp(..., with_params=True)`` returns d/dx and d/dparam of sum(cotangent * f) with
    each parameter's own shape, as torch autograd does (arrays: PReLU per channel)."""
    array = isinstance(value, list)
    shape = (4, len(value), 5) if array else (3, 4, 5)
    x = random_input(shape, seed=3)
    ct = random_input(shape, seed=4, scale=1.0)
    pval = np.array(value) if array else value
    dx, grads = fn.vjp(x, ct, with_params=True, **{name: pval})
    assert set(grads) == set(fn.kernels.param_grads)

    ref = ref_of(fn)
    fp = full_params(fn, {name: value})
    xt = torch.tensor(x, requires_grad=True)
    pt = {
        k: torch.tensor(np.asarray(fp[k], dtype=np.float64), requires_grad=True)
        for k in fn.kernels.param_grads
    }
    yt = ref.fn(xt, **{**fp, **pt})
    derivs = torch.autograd.grad(yt, [xt, *pt.values()], torch.as_tensor(ct))
    assert_close(dx, derivs[0].numpy(), rtol=1e-10, atol=1e-300, what=f"{fn.name} dx")
    for (k, t), dk in zip(pt.items(), derivs[1:], strict=True):
        got = grads[k]
        if k == name and not array:
            assert isinstance(got, float), f"{fn.name}: d{k} for a float {k} should be a float"
        assert np.shape(got) == tuple(t.shape), (fn.name, k, np.shape(got))
        assert_close(got, dk.numpy(), rtol=1e-10, atol=1e-12, what=f"{fn.name} d{k}")


@pytest.mark.parametrize(
    ("fn", "name", "value"), [c for c in _param_cases() if not isinstance(c.values[2], list)]
)
def test_param_grad_is_the_elementwise_partial(fn, name, value):
    """``param_grad(x, name)`` is d f(x_i) / d param elementwise: torch autograd with the
    parameter broadcast to x's shape (one copy per element)."""
    x = np.concatenate([GRID, [-0.0]])
    got = fn.param_grad(x, name, **{name: value})
    ref = ref_of(fn)
    f = ref.fn_elementwise_params or ref.fn
    fp = full_params(fn, {name: value})
    xt = torch.tensor(x)
    pt = torch.full(x.shape, float(value), dtype=torch.float64, requires_grad=True)
    (dp,) = torch.autograd.grad(f(xt, **{**fp, name: pt}).sum(), pt)
    assert np.shape(got) == x.shape
    assert_close(
        got,
        dp.numpy(),
        rtol=1e-10,
        atol=1e-12,
        scale=np.abs(x) * np.abs(dp.numpy()),
        x=x,
        what=f"{fn.name} param_grad {name}",
    )
