"""Namespace, dtype and shape preservation on NumPy, PyTorch and array_api_strict.

Every entry returns arrays of the input's library, floating dtype and shape (integer
input is promoted to the library's default float; float16/bfloat16 results come back
in the input dtype, computed in float32), and every library gives the same values as
the float64 reference. JAX and CuPy are checked when installed.
"""

from __future__ import annotations

import array_api_strict as xs
import numpy as np
import pytest
import torch

from ._harness import (
    ACTIVATIONS,
    ELEMENTWISE,
    RTOL,
    assert_close,
    dtype_name,
    extreme_values,
    random_input,
    ref_derivatives,
    ref_vector,
    to_numpy,
    tol_for,
)

SHAPE = (2, 4, 6)  # even along every axis: the GLU family splits the last one


def _np(x, dtype):
    return np.asarray(x, dtype=dtype)


def _torch(x, dtype):
    return torch.tensor(np.asarray(x, dtype=np.float64)).to(getattr(torch, dtype))


def _strict(x, dtype):
    return xs.asarray(np.asarray(x, dtype=dtype))


BACKENDS = {
    "numpy": (_np, ("float64", "float32", "float16"), np.ndarray, "float64"),
    "torch": (_torch, ("float64", "float32", "float16", "bfloat16"), torch.Tensor, "float32"),
    "array_api_strict": (_strict, ("float64", "float32"), type(xs.asarray(0.0)), "float64"),
}
BACKEND_DTYPES = [(b, d) for b, (_, dts, _, _) in BACKENDS.items() for d in dts]


def _reference(fn, x64):
    if fn.info.elementwise:
        return ref_derivatives(fn, x64, {}, order=1)
    return [ref_vector(fn, x64, -1, {})[0]]


def _rounded(x64, backend, dtype):
    """The input as the backend holds it, back in float64 (bfloat16 rounding included)."""
    make = BACKENDS[backend][0]
    return to_numpy(make(x64, dtype)).astype(np.float64)


@pytest.mark.parametrize(("backend", "dtype"), BACKEND_DTYPES, ids=lambda v: str(v))
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_namespace_dtype_shape_and_values(fn, backend, dtype):
    make, _, array_type, _ = BACKENDS[backend]
    x64 = _rounded(random_input(SHAPE, seed=5), backend, dtype)
    x = make(x64, dtype)
    y = fn(x)
    out_shape = SHAPE if fn.info.family != "gated" else (*SHAPE[:-1], SHAPE[-1] // 2)
    assert isinstance(y, array_type) and dtype_name(y) == dtype and tuple(y.shape) == out_shape
    refs = _reference(fn, x64)
    rtol, atol = tol_for(fn, "value", dtype)
    scale = np.abs(x64 * refs[1]) if fn.info.elementwise else np.max(np.abs(x64)) * 2
    np_dtype = np.float32 if dtype == "bfloat16" else np.dtype(dtype)
    rtol = max(rtol, RTOL[dtype])
    assert_close(
        y,
        refs[0],
        rtol=rtol,
        atol=atol,
        scale=scale,
        dtype=np_dtype,
        what=f"{fn.name} on {backend} {dtype}",
    )
    ct = make(np.ones(out_shape), dtype)
    g = fn.vjp(x, ct)
    assert isinstance(g, array_type) and dtype_name(g) == dtype and tuple(g.shape) == SHAPE
    if fn.info.elementwise:
        for method in (fn.grad, fn.grad2):
            out = method(x)
            assert isinstance(out, array_type) and dtype_name(out) == dtype
            assert tuple(out.shape) == SHAPE
        v, d = fn.value_and_grad(x)
        assert dtype_name(v) == dtype and dtype_name(d) == dtype
        rtol, atol = tol_for(fn, "grad", dtype)
        rtol = max(rtol, RTOL[dtype])
        assert_close(
            g,
            refs[1],
            rtol=rtol,
            atol=atol,
            scale=np.abs(x64) * 4,
            dtype=np_dtype,
            what=f"{fn.name} grad on {backend} {dtype}",
        )


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_integer_input_is_promoted_to_the_default_float(fn, backend):
    data = np.array([[-3, -1, 0, 2], [1, 4, -2, 0]], dtype=np.int64)
    x = {"numpy": np.asarray, "torch": torch.as_tensor, "array_api_strict": xs.asarray}[backend](
        data
    )
    default = BACKENDS[backend][3]
    y = fn(x)
    assert dtype_name(y) == default, (fn.name, backend, y.dtype)
    expected = fn(data.astype(np.float64))
    np.testing.assert_allclose(to_numpy(y), expected, rtol=RTOL[default] * 10, atol=1e-7)


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.name)
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_torch_extreme_matrix_matches_numpy(fn, dtype):
    """The extreme matrix on torch (incl. bfloat16) gives what NumPy float32 gives, rounded
    to the dtype: the backends share one kernel, so they must agree."""
    x32 = extreme_values(np.float32)
    xt = torch.tensor(x32).to(getattr(torch, dtype))
    x_back = to_numpy(xt).astype(np.float32)  # the values as torch holds them
    for method in (fn, fn.grad, fn.grad2):
        got = to_numpy(method(xt)).astype(np.float64)
        with np.errstate(over="ignore"):
            want = to_numpy(torch.tensor(method(x_back)).to(getattr(torch, dtype)))
        assert_close(
            got,
            want.astype(np.float64),
            rtol=2 * RTOL[dtype],
            atol=0.0,
            what=f"{fn.name} {method.__name__ if method is not fn else 'value'} {dtype}",
        )


@pytest.mark.parametrize("module", ["jax", "cupy"])
def test_optional_backends(module):
    lib = pytest.importorskip(module)
    xp = lib.numpy if module == "jax" else lib
    if module == "jax":
        lib.config.update("jax_enable_x64", True)
    x = xp.asarray(np.linspace(-4.0, 4.0, 12).reshape(3, 4))
    for fn in ACTIVATIONS:
        y = fn(x)
        assert type(y).__module__.split(".")[0] in (module, "jaxlib"), (fn.name, type(y))
        np.testing.assert_allclose(np.asarray(y), fn(np.asarray(x)), rtol=1e-6, atol=1e-12)
