"""Accuracy of the fast path's vectorizable math over each function's whole range.

Each primitive of ``actloss.fast._vmath`` is compared, in float32 and float64, with
NumPy's (libm's) float64 function, or SciPy's erfc, on dense grids covering the
whole domain (overflow and underflow included) and on special values. Errors are in
units of the dtype's eps relative to the float64 reference rounded to the dtype; the
bounds are what the implementation achieves (measured maxima in brackets), so a
regression of a few ulps fails.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from . import _probes as P

F32, F64 = np.float32, np.float64


_erfc_mp = np.frompyfunc(lambda v: float(mpmath.erfc(mpmath.mpf(float(v)))), 1, 1)


def _erfc(x: np.ndarray) -> np.ndarray:
    """erfc to 53 bits by mpmath (SciPy's is off by up to 260 ulps in the far tail)."""
    return _erfc_mp(x).astype(np.float64)


def _sech2(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(x) ** 2


# name -> (float64 reference, grids (lo, hi, log-spaced?), max ulps float32, float64);
# measured maxima: exp 1.0 / 1.0, expm1 1.2 / 1.2, log1p 1.0 / 1.4, tanh 1.8 / 2.0,
# sech2 2.7 / 4.0, erfc 3.0 / 2.7 (float32: a fit in 1 / (1 + x / 2); float64: Cody)
CASES = {
    "exp": (np.exp, [(-800.0, 800.0, False), (-1.0, 1.0, False)], 1.5, 1.5),
    "expm1": (np.expm1, [(-800.0, 800.0, False), (-1.0, 1.0, False), (1e-30, 1.0, True)], 1.5, 1.5),
    "log1p": (
        np.log1p,
        [(-1.0, 10.0, False), (1e-30, 1e300, True), (-1.0, -1e-30, True)],
        1.5,
        2.0,
    ),
    "tanh": (np.tanh, [(-30.0, 30.0, False), (1e-30, 1e300, True)], 2.5, 3.0),
    "sech2": (_sech2, [(-30.0, 30.0, False), (-300.0, 300.0, False)], 3.0, 5.0),
    "erfc": (_erfc, [(-6.0, 26.5, False), (-1.0, 1.0, False)], 4.0, 4.0),
}


def _grid(lo: float, hi: float, log: bool, dtype: type, n: int) -> np.ndarray:
    if log:
        sign = -1.0 if hi < 0 else 1.0
        a, b = sorted((abs(lo), abs(hi)))
        x = sign * np.geomspace(a, b, n)
    else:
        x = np.linspace(lo, hi, n)
    with np.errstate(over="ignore"):
        return x.astype(dtype)


def _ulps(ours: np.ndarray, ref: np.ndarray, dtype: type) -> np.ndarray:
    """|ours - ref| in eps of ``dtype`` relative to |ref| (normal range; absolute below)."""
    fi = np.finfo(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        target = ref.astype(dtype).astype(np.float64)  # where the dtype rounds or overflows
        same = (ours == target) | (np.isnan(ours) & np.isnan(target))
        err = np.abs(ours.astype(np.float64) - target) / np.maximum(np.abs(target), fi.tiny)
    return np.where(same, 0.0, err / float(fi.eps))


@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_primitive_accuracy_over_its_range(name: str, dtype: type) -> None:
    ref, grids, bound32, bound64 = CASES[name]
    bound = bound32 if dtype is F32 else bound64
    n = 3001 if name == "erfc" else 50001  # mpmath is slow
    for lo, hi, log in grids:
        x = _grid(lo, hi, log, dtype, n)
        out = np.empty_like(x)
        getattr(P, name)(x, out)
        with np.errstate(all="ignore"):
            expected = ref(x.astype(np.float64))
        err = _ulps(out, expected, dtype)
        worst = int(np.argmax(err))
        assert err[worst] <= bound, (
            f"{name} in {np.dtype(dtype).name} on [{lo}, {hi}]: {err[worst]:.2f} ulps at "
            f"x={x[worst]!r} (got {out[worst]!r}, expected {expected[worst]!r})"
        )


SPECIAL = {
    "exp": {0.0: 1.0, math.inf: math.inf, -math.inf: 0.0, 1e4: math.inf, -1e4: 0.0},
    "expm1": {0.0: 0.0, math.inf: math.inf, -math.inf: -1.0, 1e4: math.inf, -1e4: -1.0},
    "log1p": {0.0: 0.0, -1.0: -math.inf, -2.0: math.nan, math.inf: math.inf, -math.inf: math.nan},
    "tanh": {0.0: 0.0, math.inf: 1.0, -math.inf: -1.0, 1e30: 1.0, -1e30: -1.0},
    "sech2": {0.0: 1.0, math.inf: 0.0, -math.inf: 0.0},
    "erfc": {0.0: 1.0, math.inf: 0.0, -math.inf: 2.0, 40.0: 0.0, -40.0: 2.0},
}


@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_primitive_special_values(name: str, dtype: type) -> None:
    cases = [*SPECIAL[name].items(), (-0.0, SPECIAL[name][0.0]), (math.nan, math.nan)]
    x = np.array([k for k, _ in cases], dtype=dtype)
    out = np.empty_like(x)
    getattr(P, name)(x, out)
    np.testing.assert_array_equal(out, np.array([v for _, v in cases], dtype=dtype))


@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_exp_underflows_gradually(dtype: type) -> None:
    """Results in the subnormal range are within one subnormal spacing of the truth."""
    fi = np.finfo(dtype)
    lo = math.log(float(fi.smallest_subnormal))
    x = np.linspace(lo - 0.5, math.log(float(fi.tiny)), 5001).astype(dtype)
    out = np.empty_like(x)
    P.exp(x, out)
    expected = np.exp(x.astype(np.float64))
    assert np.all(np.abs(out - expected) <= float(fi.smallest_subnormal))
