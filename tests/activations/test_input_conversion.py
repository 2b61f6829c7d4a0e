"""NumPy input conversion at the boundary (issue 13, items 5 and 8), for every catalog entry.

Big-endian arrays (``'>f8'``, ``'>f4'``) give exactly the native result, in the native dtype,
without a warning (they raised OverflowError in ``_backend.finish``); masked arrays are
refused with a TypeError that names the argument (the mask was dropped silently).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import actloss as al
from actloss import fast

from ._harness import cases, random_input

ACTIVATION_CASES = cases(al.catalog(kind="activation"))


def _swap(a: np.ndarray) -> np.ndarray:
    return a.astype(a.dtype.newbyteorder(">" if a.dtype.byteorder in "=<" else "<"))


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("fn", "params"), ACTIVATION_CASES)
def test_non_native_byte_order_gives_the_native_result(fn, params, dtype, use_fast):
    x = random_input((3, 4), seed=3).astype(dtype)
    ct = random_input(fn(x, **params).shape, seed=4).astype(dtype)
    with fast.use(use_fast), warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = [fn(x, **params), fn.vjp(x, ct, **params)]
        got = [fn(_swap(x), **params), fn.vjp(_swap(x), _swap(ct), **params)]
        if fn.info.elementwise:
            expected += [fn.grad(x, **params), fn.grad2(x, **params)]
            got += [fn.grad(_swap(x), **params), fn.grad2(_swap(x), **params)]
    for e, g in zip(expected, got, strict=True):
        assert g.dtype == np.dtype(dtype) and g.dtype.isnative
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("name", sorted(f.name for f in al.catalog(kind="loss")))
def test_losses_take_non_native_byte_order(name):
    from tests.losses._harness import samples_of, tree_map

    s = samples_of(name)[0]
    f = al.get(name)

    def swap(a):
        a = np.asarray(a)
        return _swap(a) if a.dtype.kind in "fiu" and a.dtype.itemsize > 1 else a

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = f(s.y_true, s.y_pred, reduction="none", **s.params)
        got = f(
            None if s.y_true is None else swap(s.y_true),
            tree_map(swap, s.y_pred),
            reduction="none",
            **s.params,
        )
    np.testing.assert_array_equal(got, expected)


def test_masked_arrays_are_refused_with_the_argument_named():
    x = np.ma.array([-1.0, 0.5, 2.0], mask=[False, True, False])
    plain = np.array([-1.0, 0.5, 2.0])
    with pytest.raises(TypeError, match=r"^x is a NumPy masked array.*filled"):
        al.get("sigmoid")(x)
    with pytest.raises(TypeError, match=r"^cotangent is a NumPy masked array"):
        al.get("tanh").vjp(plain, x)
    with pytest.raises(TypeError, match=r"^y_pred is a NumPy masked array"):
        al.get("log_cosh")(plain, x)
    with pytest.raises(TypeError, match=r"^y_true is a NumPy masked array"):
        al.get("log_cosh")(x, plain)
    with pytest.raises(TypeError, match=r"masked array"):
        al.get("mse")(plain, plain, sample_weight=x)


def test_other_ndarray_subclasses_compute_elementwise():
    class Tagged(np.ndarray):
        def __mul__(self, other):  # a subclass whose * is not elementwise
            raise AssertionError("the subclass reached a kernel")

    x = np.linspace(-2.0, 2.0, 6).reshape(2, 3)
    np.testing.assert_array_equal(al.get("gelu")(x.view(Tagged)), al.get("gelu")(x))
    np.testing.assert_array_equal(al.get("mse")(x.view(Tagged), 2 * x), al.get("mse")(x, 2 * x))
