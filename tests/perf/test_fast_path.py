"""The fast path (actloss.fast) against the reference path, and its plumbing.

Accuracy: every function with a fused kernel, in float32 and float64, on a grid,
its kinks and extreme values, against the Array API reference evaluated in float64
at the same (rounded) inputs, with the activation harness's tolerance
``atol + rtol (|ref| + |x ref'|)`` (rtol 2e-6 in float32, 1e-10 in float64). The
whole harness also runs with the fast path on: ``pytest tests/activations
--fast-path=on`` (or ``both``).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import pytest
import torch

import actloss as al
import actloss.fast as fast
from actloss import _backend as B
from actloss._plan import Plan
from actloss.fast import _run, _threads

pytestmark = pytest.mark.fused_path  # tests of actloss.fast: the fast path on

RTOL = {"float32": 2e-6, "float64": 1e-10}
# Absolute floor. float32 results below 1e-42 lie deep in the subnormal range, where an
# intermediate such as exp(-2|x|) keeps only a few significant bits: NumPy's float32
# evaluation of the reference formula is off by as much (tanh'(50): 1.51e-43, exact
# 1.488e-43), so this is the float32 format's limit, not the kernel's.
SUBNORMAL = {"float32": 1e-42, "float64": 5e-324}

# a non-default parameter set for each function with parameters
PARAMS: dict[str, dict[str, Any]] = {
    "affine": {"slope": -2.0, "intercept": 0.5},
    "celu": {"alpha": 2.0},
    "elu": {"alpha": 0.5},
    "gelu": {"approximate": "tanh"},
    "hard_tanh": {"min_val": -2.0, "max_val": 0.5},
    "hardshrink": {"lambd": 1.0},
    "leaky_relu": {"negative_slope": 0.2},
    "prelu": {"weight": 0.3},
    "rrelu": {"lower": 0.1, "upper": 0.2},
    "snake": {"a": 2.0},
    "softplus": {"beta": 2.0, "threshold": 5.0},
    "softshrink": {"lambd": 1.0},
    "squareplus": {"b": 0.5},
    "swish": {"beta": -1.5},
    "threshold": {"threshold": 1.0, "value": -2.0},
}
# the entries that declare a fused kernel (Kernels.fused): the catalog is the only registry
FUSED = sorted(f.name for f in al.catalog(kind="activation") if f.kernels.fused)
ELEMENTWISE = [n for n in FUSED if al.get(n).info.elementwise]
ROWWISE = [n for n in FUSED if not al.get(n).info.elementwise]
CASES = [pytest.param(name, {}, id=name) for name in ELEMENTWISE] + [
    pytest.param(name, p, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in p.items())}")
    for name, p in sorted(PARAMS.items())
]

GRID = np.unique(np.concatenate([np.linspace(-12.0, 12.0, 241), np.linspace(-3.5, 3.5, 57)]))
EXTREMES = [
    0.0,
    -0.0,
    1e-8,
    -1e-8,
    1e-3,
    -1e-3,
    20.5,
    -20.5,
    30.0,
    -30.0,
    50.0,
    -50.0,
    88.8,
    -88.8,
    710.0,
    -710.0,
    1e4,
    -1e4,
    math.inf,
    -math.inf,
    math.nan,
]


def _inputs(fn: al.Activation, params: dict[str, Any], dtype: Any) -> np.ndarray:
    merged = {**fn.info.defaults, **params}
    kinks = [k.at(merged) for k in fn.info.kinks]
    tiny = float(np.finfo(dtype).smallest_subnormal)
    x = np.concatenate([GRID, EXTREMES, kinks, [tiny, -tiny]])
    return x.astype(dtype)


def _reference(fn: al.Activation, x64: np.ndarray, params: dict[str, Any]) -> tuple[Any, ...]:
    with fast.use(False):
        return fn(x64, **params), fn.grad(x64, **params), fn.grad2(x64, **params)


def _assert_close(got: np.ndarray, ref: np.ndarray, scale: np.ndarray, dtype: Any, what: str):
    name = np.dtype(dtype).name
    with np.errstate(over="ignore", invalid="ignore"):
        ref = np.where(np.isinf(ref.astype(dtype)), ref.astype(dtype), ref)  # overflow in dtype
        g = got.astype(np.float64)
        special = ~np.isfinite(ref) | ~np.isfinite(g)
        same_special = (g == ref) | (np.isnan(g) & np.isnan(ref))
        allowed = SUBNORMAL[name] + RTOL[name] * (np.abs(ref) + np.abs(scale))
        bad = np.where(special, ~same_special, ~(np.abs(g - ref) <= allowed))
    assert not bad.any(), (
        f"{what}: {np.flatnonzero(bad)[:5]} got {g[bad][:5]} expected {ref[bad][:5]}"
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("name", "params"), CASES)
def test_fused_kernel_matches_the_reference(name: str, params: dict[str, Any], dtype: Any):
    fn = al.get(name)
    x = _inputs(fn, params, dtype)
    x64 = x.astype(np.float64)
    v, g, g2 = _reference(fn, x64, params)
    with fast.use(True):
        y, d = fn.value_and_grad(x, **params)
        assert y.dtype == dtype and d.dtype == dtype
        np.testing.assert_array_equal(fn(x, **params), y)  # one kernel for all entry points
        np.testing.assert_array_equal(fn.grad(x, **params), d)
    xs = np.where(np.isfinite(x64), x64, 0.0)
    with np.errstate(all="ignore"):
        _assert_close(y, v, np.nan_to_num(xs * g), dtype, f"{name}{params} value")
        _assert_close(d, g, np.nan_to_num(xs * g2), dtype, f"{name}{params} grad")
    zero = x64 == 0.0  # f(+-0) has the definition's sign (tanh(-0) = -0, clip(-0, 0, 6) = -0)
    np.testing.assert_array_equal(
        np.signbit(y[zero]),
        np.signbit(v[zero]),
        err_msg=f"{name}{params}: sign of zero at {x[zero]}",
    )


@pytest.mark.parametrize("name", ["sigmoid", "gelu", "softplus", "elu"])
def test_vjp_is_the_cotangent_times_the_fused_gradient(name: str):
    x = np.random.default_rng(0).normal(0.0, 3.0, 1001)
    ct = np.random.default_rng(1).normal(0.0, 1.0, 1001)
    fn = al.get(name)
    with fast.use(True):
        _, d = fn.value_and_grad(x)
        np.testing.assert_array_equal(fn.vjp(x, ct), ct * d)
        out = np.empty_like(x)
        assert fn.vjp(x, ct, out=out) is out
        np.testing.assert_array_equal(out, ct * d)


# ------------------------------------------------------------------------- rowwise
def _rows(dtype: Any) -> np.ndarray:
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 4.0, (9, 21))
    x[1, 3] = math.nan
    x[2, :] = -math.inf
    x[3, [2, 7]] = math.inf
    x[4, 5] = -math.inf
    x[5, :] = 1e4
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", ROWWISE)
@pytest.mark.parametrize("n", [1, 7, 8, 21, 1000])
def test_row_kernels_match_the_reference(name: str, dtype: Any, n: int):
    fn = al.get(name)
    x = _rows(dtype)
    if n != 21:
        x = np.random.default_rng(n).normal(0.0, 4.0, (5, n)).astype(dtype)
    ct = np.random.default_rng(4).normal(0.0, 1.0, x.shape).astype(dtype)
    x64, ct64 = x.astype(np.float64), ct.astype(np.float64)
    with fast.use(False):
        v, g = fn(x64), fn.vjp(x64, ct64)
    with fast.use(True):
        y, dx = fn(x), fn.vjp(x, ct)
    assert y.dtype == dtype and dx.dtype == dtype
    # softmax's condition along a row is O(1): an absolute-relative mix of the row scale
    _assert_close(y, v, np.nan_to_num(np.abs(v), posinf=0.0, neginf=0.0) + 1.0, dtype, "value")
    _assert_close(dx, g, 1.0 + np.abs(ct64), dtype, "vjp")


# ------------------------------------------------------------------------- threads
@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_results_do_not_depend_on_the_thread_count(dtype: Any):
    rng = np.random.default_rng(5)
    x = rng.normal(0.0, 5.0, 3 * _threads.GRAIN + 17).astype(dtype)
    rows = rng.normal(0.0, 5.0, (3 * _threads.GRAIN // 1000 + 3, 1000)).astype(dtype)
    ct = rng.normal(0.0, 1.0, rows.shape).astype(dtype)
    results = []
    before = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            assert len(_threads.chunks(x.size)) == threads
            with fast.use(True):
                out = [*al.get("gelu").value_and_grad(x), *al.get("mish").value_and_grad(x)]
                out += [al.get("softmax")(rows), al.get("log_softmax").vjp(rows, ct)]
                out += [al.get("softplus").vjp(x, x)]
            results.append(out)
    finally:
        numba.set_num_threads(before)
    for one, two in zip(*results, strict=True):
        np.testing.assert_array_equal(one, two)


# ---------------------------------------------------------------------------- out=
def test_out_buffers_are_filled_and_returned():
    fn = al.get("silu")
    x = np.linspace(-5.0, 5.0, 1000, dtype=np.float32).reshape(10, 100)
    y, d = np.empty_like(x), np.empty_like(x)
    with fast.use(True):
        expected = fn.value_and_grad(x)
        got = fn.value_and_grad(x, out=(y, d))
    assert got[0] is y and got[1] is d
    np.testing.assert_array_equal(y, expected[0])
    np.testing.assert_array_equal(d, expected[1])
    # non-contiguous buffers and the reference path (float16 input) write into out too
    wide = np.empty((10, 200), dtype=np.float32)
    with fast.use(True):
        fn.value_and_grad(x, out=(wide[:, ::2], wide[:, 1::2]))
    np.testing.assert_array_equal(wide[:, ::2], expected[0])
    h = x.astype(np.float16)
    yh, dh = np.empty_like(h), np.empty_like(h)
    fn.value_and_grad(h, out=(yh, dh))
    np.testing.assert_array_equal(yh, fn(h))
    dx = np.empty_like(x)
    with fast.use(True):
        assert al.get("softmax").vjp(x, x, out=dx) is dx
        np.testing.assert_array_equal(dx, al.get("softmax").vjp(x, x))


@pytest.mark.parametrize(
    ("out", "error", "match"),
    [
        (np.empty(5), TypeError, r"tuple \(value_out, grad_out\)"),
        ((np.empty(4), np.empty(5)), ValueError, r"out\[0\] must have shape \(5,\)"),
        ((np.empty(5), np.empty(5, np.float32)), TypeError, r"out\[1\] must have dtype float64"),
        ((np.empty(5), [0.0] * 5), TypeError, r"out\[1\] must be a NumPy array"),
        ((np.empty(10)[::2], np.empty(10)[1::2]), None, None),
        ((np.empty(5),) * 2, ValueError, "must not overlap"),
    ],
)
def test_out_errors_are_clear(out: Any, error: Any, match: Any):
    x = np.linspace(-1.0, 1.0, 5)
    with fast.use(True):
        if error is None:
            al.get("tanh").value_and_grad(x, out=out)
            return
        with pytest.raises(error, match=match):
            al.get("tanh").value_and_grad(x, out=out)


def test_out_errors_for_vjp_and_other_libraries():
    x = np.linspace(-1.0, 1.0, 5)
    ro = np.empty(5)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out must be writeable"):
        al.get("relu").vjp(x, x, out=ro)
    with pytest.raises(ValueError, match=r"out must have shape \(5,\)"):
        al.get("softmax").vjp(x, x, out=np.empty(4))
    t = torch.linspace(-1.0, 1.0, 5)
    with pytest.raises(TypeError, match="NumPy inputs only"):
        al.get("relu").value_and_grad(t, out=(np.empty(5), np.empty(5)))


# ------------------------------------------------------------------------ fallback
def _forbid_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the fast path ran")

    monkeypatch.setattr(_run, "elementwise", boom)
    monkeypatch.setattr(_run, "rowwise", boom)


def test_fast_path_is_taken_for_contiguous_numpy_floats(monkeypatch: pytest.MonkeyPatch):
    _forbid_kernels(monkeypatch)
    with fast.use(True), pytest.raises(AssertionError, match="the fast path ran"):
        al.get("sigmoid")(np.zeros(3))
    with fast.use(True), pytest.raises(AssertionError, match="the fast path ran"):
        al.get("softmax")(np.zeros((2, 3), np.float32))


@pytest.mark.parametrize(
    "case",
    [
        "strided",
        "float16",
        "int",
        "torch_strided",
        "array_api_strict",
        "per_channel",
        "axis0",
        "off",
    ],
)
def test_other_inputs_take_the_reference_path(case: str, monkeypatch: pytest.MonkeyPatch):
    rng = np.random.default_rng(6)
    x = rng.normal(0.0, 2.0, (4, 6))
    fn, params, arg = al.get("gelu"), {}, x
    if case == "strided":
        arg = x[:, ::2]
    elif case == "float16":
        arg = x.astype(np.float16)
    elif case == "int":
        fn, arg = al.get("relu"), np.arange(-3, 3)
    elif case == "torch_strided":  # contiguous CPU tensors take the kernels: test_fast_torch.py
        arg = torch.from_numpy(x)[:, ::2]
    elif case == "array_api_strict":
        xps = pytest.importorskip("array_api_strict")
        arg = xps.asarray(x)
    elif case == "per_channel":
        fn, params = al.get("prelu"), {"weight": np.linspace(0.1, 0.6, 6)}
        arg = x.reshape(1, 6, 4)
    with fast.use(False):
        expected = fn.value_and_grad(arg, **params)
    if case == "axis0":
        fn, params = al.get("softmax"), {"axis": 0}
        with fast.use(False):
            expected = (fn(arg, **params), fn.vjp(arg, arg, **params))
    if case != "int":
        _forbid_kernels(monkeypatch)
    with fast.use(case != "off"):
        if case == "axis0":
            got = (fn(arg, **params), fn.vjp(arg, arg, **params))
        else:
            got = fn.value_and_grad(arg, **params)
    for a, b in zip(got, expected, strict=True):
        assert type(a) is type(b)
        np.testing.assert_array_equal(np.from_dlpack(a), np.from_dlpack(b))


def test_controls():
    with fast.use(False):
        assert not fast.enabled()
        with fast.use(True):
            assert fast.enabled() == fast.available()
        assert not fast.enabled()


def test_the_catalog_is_the_only_kernel_registry() -> None:
    """Every fused kernel an entry declares (kernel and variants) exists, and every public
    kernel of _elementwise / _rowwise is declared by an entry: adding a function with a
    kernel means one catalog entry (its ``fused=``) and the kernel, nothing else."""
    from numba.core.registry import CPUDispatcher

    from actloss.fast import _elementwise, _from_output, _rowwise

    declared: dict[Any, set[str]] = {_elementwise: set(), _rowwise: set(), _from_output: set()}
    for fn in al.catalog(kind="activation"):
        spec = fn.kernels.fused
        if spec is None:
            continue
        module = _elementwise if fn.info.elementwise else _rowwise
        kernels = [(module, name) for name in {spec.kernel, *spec.variants.values()}]
        if spec.output:
            assert fn.kernels.output_grad is not None, fn.name  # the formula it fuses
            kernels.append((_from_output, spec.output))
        for mod, name in kernels:
            assert isinstance(getattr(mod, name, None), CPUDispatcher), (fn.name, name)
            declared[mod].add(name)
    for module, names in declared.items():
        public = {
            k for k, v in vars(module).items() if isinstance(v, CPUDispatcher) and k[0] != "_"
        }
        assert public == names, (module.__name__, public ^ names)


@pytest.mark.parametrize(
    "name",
    [f.name for f in al.catalog(kind="activation") if f.kernels.fused and f.kernels.fused.output],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_from_the_output_equals_its_formula(name: str, dtype: Any) -> None:
    """The fused backward from y is the entry's output_grad (ct * f'(y), NaN kept), bit for
    bit, at ordinary, extreme and non-finite outputs."""
    fn = al.get(name)
    x = np.concatenate([np.linspace(-8, 8, 101), [0.0, -0.0, 1e30, -1e30, np.inf, -np.inf, np.nan]])
    x = x.astype(dtype)
    with np.errstate(over="ignore"):
        y = fn(x)
    ct = np.random.default_rng(0).normal(size=x.shape).astype(dtype)
    plan = Plan(fn, {})
    assert plan.from_output is not None
    got = plan.output_vjp(None, y, ct)
    with fast.use(False):
        want = Plan(al.get(name), {}).output_vjp(B.namespace(), y, ct)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == dtype


def test_use_is_local_to_each_thread() -> None:
    """Two threads whose uses of actloss.fast.use overlap each see their own setting, and
    neither leaves the fast path off for the other or for the caller (issue 13, item 12)."""
    import threading

    entered, release = threading.Barrier(2), threading.Event()
    seen: dict[str, bool] = {}

    def worker(name: str, flag: bool) -> None:
        with fast.use(flag):
            entered.wait()  # both inside their own `use` at once
            release.wait(5)
            seen[name] = fast.enabled()
        seen[name + " after"] = fast.enabled()

    threads = [threading.Thread(target=worker, args=(n, f)) for n, f in (("a", False), ("b", True))]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join()
    default = fast._ENABLED.get()  # what a new thread starts with (ACTLOSS_FAST_PATH)
    assert seen == {"a": False, "b": True, "a after": default, "b after": default}
    with fast.use(True):
        fast.use(False)  # a plain call: this context only, until the `with` restores it
        assert not fast.enabled()
        other: list[bool] = []
        t = threading.Thread(target=lambda: other.append(fast.enabled()))
        t.start()
        t.join()
        assert other == [default]
