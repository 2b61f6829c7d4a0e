"""Shared machinery of the activation suite: cases, sample inputs, reference evaluation, checks.

Tolerances. A floating-point evaluation of f at x is at best accurate to about
eps * (|f(x)| + |x f'(x)|): the first term is the rounding of the result, the second
the effect of rounding intermediate quantities of the size of x (the condition of f).
Every comparison therefore allows ``atol + rtol * (|ref| + |x| |ref'|)`` where ref'
is the next derivative of the reference, rtol is derived from the dtype's eps
(``RTOL``), and atol is the dtype's smallest subnormal unless the reference table
overrides it (with a reason).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
import torch

import actloss as al

from .references import REFERENCES, Ref, Tol

# One intra-op thread: the suite shares a 2-core machine, and oversubscribed torch
# threads spin instead of working.
torch.set_num_threads(1)

ACTIVATIONS = al.catalog(kind="activation")
ELEMENTWISE = [f for f in ACTIVATIONS if f.info.elementwise]
VECTOR = [f for f in ACTIVATIONS if not f.info.elementwise]
GLU_FAMILY = [f for f in VECTOR if f.info.family == "gated"]

# Checks that a reference entry may skip or override (names used in `skip` and `tol`).
CHECKS = frozenset(
    {
        "value",
        "grad",
        "grad2",
        "grad2_autograd",
        "fd_grad",
        "fd_grad2",
        "kinks",
        "smoothness_kinks",
        "vjp",
        "param_grad",
    }
)

NP_DTYPES = (np.float64, np.float32, np.float16)
RTOL = {"float64": 1e-10, "float32": 2e-6, "float16": 2 * 2.0**-10, "bfloat16": 2 * 2.0**-7}
SUBNORMAL = {"float64": 5e-324, "float32": 1e-45, "float16": 2.0**-24, "bfloat16": 9.2e-41}

# A dense grid over the interesting range, the branch points of the catalog's piecewise
# functions, tiny inputs and some larger ones.
GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-12.0, 12.0, 241),
            np.linspace(-3.5, 3.5, 57),
            [-50.0, -30.0, -20.5, 20.5, 30.0, 50.0, -1e-3, 1e-3, -1e-8, 1e-8, 0.0],
        ]
    )
)


def ref_of(fn: al.Function) -> Ref:
    try:
        return REFERENCES[fn.name]
    except KeyError:
        pytest.fail(f"{fn.name} has no entry in tests/activations/references.py")


def param_sets(fn: al.Function) -> tuple[Mapping[str, Any], ...]:
    ref = REFERENCES.get(fn.name)
    return ref.params if ref is not None else ({},)


def cases(fns: Iterable[al.Function], *, defaults_only: bool = False) -> list[Any]:
    """pytest params (fn, params) for every entry and sample parameter set."""
    out = []
    for fn in fns:
        sets = param_sets(fn)[:1] if defaults_only else param_sets(fn)
        for i, params in enumerate(sets):
            pid = (
                fn.name
                if i == 0
                else f"{fn.name}-{'-'.join(f'{k}={v}' for k, v in params.items())}"
            )
            out.append(pytest.param(fn, dict(params), id=pid))
    return out


def full_params(fn: al.Function, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter of ``fn`` (defaults filled in) except ``axis``: what a reference takes."""
    merged = {**fn.info.defaults, **params}
    merged.pop("axis", None)
    return merged


def skip_if_declared(fn: al.Function, check: str) -> None:
    reason = ref_of(fn).skip.get(check)
    if reason:
        pytest.skip(f"{fn.name}: {reason}")


def tol_for(fn: al.Function, check: str, dtype_name: str) -> tuple[float, float]:
    """(rtol, atol) for ``check`` in ``dtype_name``; table overrides apply to float64 only
    as stated, and raise the atol floor of every dtype."""
    rtol, atol = RTOL[dtype_name], 4 * SUBNORMAL[dtype_name]  # a few subnormal ulps
    override: Tol | None = ref_of(fn).tol.get(check)
    if override is not None:
        atol = max(atol, override.atol)
        if dtype_name == "float64":
            rtol = override.rtol
    return rtol, atol


def kink_points(fn: al.Function, params: Mapping[str, Any]) -> list[float]:
    merged = {**fn.info.defaults, **params}
    return [k.at(merged) for k in fn.info.kinks]


def near_kink(fn: al.Function, params: Mapping[str, Any], x: np.ndarray, radius: float) -> Any:
    mask = np.zeros(np.shape(x), dtype=bool)
    for k in kink_points(fn, params):
        mask |= np.abs(x - k) <= radius
    return mask


# ------------------------------------------------------------------------ conversions
def to_numpy(a: Any) -> np.ndarray:
    """Any supported array as a NumPy array (bfloat16 widened to float32)."""
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu()
        if a.dtype == torch.bfloat16:
            a = a.to(torch.float32)
        return a.numpy()
    if isinstance(a, np.ndarray) or np.isscalar(a):
        return np.asarray(a)
    return np.from_dlpack(a)


def dtype_name(a: Any) -> str:
    return str(a.dtype).rsplit(".", 1)[-1]


# ------------------------------------------------------------------ reference evaluation
def _torch_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: (torch.as_tensor(v, dtype=torch.float64) if isinstance(v, (list, np.ndarray)) else v)
        for k, v in params.items()
    }


def ref_derivatives(
    fn: al.Function, x: np.ndarray, params: Mapping[str, Any], order: int = 2
) -> list[np.ndarray | None]:
    """[value, f', f''] of the elementwise reference at float64 ``x`` by torch autograd.

    An entry is None where PyTorch cannot differentiate that often.
    """
    ref = ref_of(fn)
    xt = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    y = ref.fn(xt, **_torch_params(full_params(fn, params)))
    out: list[np.ndarray | None] = [y.detach().numpy().copy()]
    current = y
    for k in range(order):
        if current is None or not current.requires_grad:
            out.append(np.zeros_like(out[0]) if current is not None else None)
            current = torch.zeros_like(xt) if current is not None else None
            continue
        try:
            (d,) = torch.autograd.grad(
                current.sum(), xt, create_graph=k + 1 < order, allow_unused=True
            )
        except RuntimeError:  # e.g. no double backward for this op
            out.append(None)
            current = None
            continue
        d = torch.zeros_like(xt) if d is None else d
        out.append(d.detach().numpy().copy())
        current = d
    return out


def ref_third(fn: al.Function, x: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """|f'''| scale for grad2 tolerances: a central difference of the reference f''."""
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    with np.errstate(over="ignore"):  # x +- h at the dtype's maximum: inf, no scale there
        hi = ref_derivatives(fn, x + h, params)[2]
        lo = ref_derivatives(fn, x - h, params)[2]
    if hi is None or lo is None:
        return np.zeros_like(x)
    with np.errstate(all="ignore"):
        d = (hi - lo) / (2 * h)
    return np.where(np.isfinite(d), d, 0.0)


def ref_vector(
    fn: al.Function,
    x: np.ndarray,
    axis: int,
    params: Mapping[str, Any],
    cotangent: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Value and (if ``cotangent`` is given) vjp of a vector reference, float64."""
    ref = ref_of(fn)
    xt = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=cotangent is not None)
    y = ref.fn(xt, axis, **_torch_params(full_params(fn, params)))
    value = y.detach().numpy().copy()
    if cotangent is None:
        return value, None
    (g,) = torch.autograd.grad(y, xt, torch.as_tensor(cotangent, dtype=torch.float64))
    return value, g.numpy().copy()


def ref_limits(fn: al.Function, params: Mapping[str, Any]) -> dict[tuple[str, float], float]:
    """Value and derivative limits at +-inf: the reference at +-probe (|r| > probe^(2/3) is
    +-inf), with the table's declared exceptions."""
    ref = ref_of(fn)
    probe = ref.limit_probe
    x = np.array([probe, -probe])
    derivs = ref_derivatives(fn, x, params)
    big = probe ** (2.0 / 3.0)
    out = {}
    for what, d in zip(("value", "grad", "grad2"), derivs, strict=True):
        for i, sign in enumerate((math.inf, -math.inf)):
            if d is None:  # PyTorch cannot differentiate this often: no reference
                continue
            v = float(d[i])
            out[(what, sign)] = math.copysign(math.inf, v) if abs(v) > big else v
    for key, (value, _reason) in ref.limits.items():
        out[key] = value
    return out


# --------------------------------------------------------------------------- comparison
def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float,
    atol: float,
    scale: Any = 0.0,
    x: Any = None,
    dtype: Any = None,
    what: str = "",
) -> None:
    """|actual - expected| <= atol + rtol (|expected| + scale), NaN and inf positions equal.

    With ``dtype`` (a NumPy dtype), ``expected`` is first checked for overflow in that
    dtype: where it rounds to +-inf, ``actual`` must be that infinity.
    """
    a = np.asarray(to_numpy(actual), dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    if dtype is not None:
        with np.errstate(over="ignore"):
            e_cast = e.astype(dtype).astype(np.float64)
        e = np.where(np.isinf(e_cast), e_cast, e)
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    bad = nan_a != nan_e
    inf = (np.isinf(a) | np.isinf(e)) & ~(nan_a | nan_e)
    bad |= inf & (a != e)
    finite = ~(nan_a | nan_e | inf)
    with np.errstate(all="ignore"):
        err = np.where(finite, np.abs(a - e), 0.0)
        allowed = atol + rtol * (np.abs(np.where(finite, e, 0.0)) + np.abs(scale))
    bad |= finite & (err > allowed)
    if bad.any():
        idx = np.flatnonzero(bad)
        order = idx[
            np.argsort(
                -np.where(finite, err / np.maximum(allowed, 1e-300), np.inf).ravel()[idx],
                kind="stable",
            )
        ][:8]
        xs = None if x is None else np.broadcast_to(np.asarray(to_numpy(x), float), a.shape)
        rows = [
            f"  x={xs.ravel()[i]!r:>24}  got={a.ravel()[i]!r:>24}  expected={e.ravel()[i]!r:>24}"
            if xs is not None
            else f"  [{i}] got={a.ravel()[i]!r} expected={e.ravel()[i]!r}"
            for i in order
        ]
        raise AssertionError(
            f"{what}: {idx.size} of {a.size} entries differ (rtol={rtol:g}, atol={atol:g})\n"
            + "\n".join(rows)
        )


def finite_difference(f: Any, x: np.ndarray, h: float) -> np.ndarray:
    """Fourth-order central difference (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / 12h."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


def extreme_values(dtype: Any, *, include_nonfinite: bool = True) -> np.ndarray:
    """0, -0.0, +-smallest subnormal, +-1, +-11.1, +-88.8, +-710, +-1e4, +-sqrt(max), +-max
    (the dtype's largest finite value, where x^2 and x * x overflow), +-inf, nan."""
    fi = np.finfo(dtype)
    tiny = float(fi.smallest_subnormal)
    vals: list[float] = [0.0, -0.0, tiny, -tiny]
    for v in (1.0, 11.1, 88.8, 710.0, 1e4, math.sqrt(float(fi.max)), float(fi.max)):
        vals += [v, -v]
    if include_nonfinite:
        vals += [math.inf, -math.inf, math.nan]
    return np.array(vals, dtype=dtype)


def random_input(shape: Sequence[int], seed: int, scale: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, scale, size=tuple(shape))
