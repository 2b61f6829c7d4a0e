"""The fused loss kernels (entries with ``Kernels.fused``) against the reference path.

Every loss with a kernel, in float32 and float64, for each reduction, on random and
extreme inputs (logits of +-1e4, +-inf, NaN in y_pred and y_true), empty and
one-element shapes: the fast path's value and gradient against the Array API
reference (``actloss.fast.use(False)``) at the same inputs, evaluated in float64
(rtol 2e-6 in float32 and 1e-11 in float64, relative to the largest magnitude of the
result, as the losses harness measures). NaN and inf must appear exactly where the
reference has them. The whole losses harness also runs with the fast path on
(``pytest tests/losses``, on by default).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numba
import numpy as np
import pytest
import torch

import actloss as al
import actloss.fast as fast

pytestmark = pytest.mark.fused_path  # tests of actloss.fast: the fast path on

RTOL = {"float32": 2e-6, "float64": 1e-11}
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
REDUCTIONS = ("mean", "sum", "none")

# (loss, parameters) with a fused kernel; focal with gamma 2 and 0..4 uses products,
# other gammas exp(gamma log m); class weights "ramp": 0 (a class of weight 0) to 2
CASES: list[tuple[str, dict[str, Any]]] = [
    ("mse", {}),
    ("l2", {}),
    ("huber", {}),
    ("huber", {"delta": 0.3}),
    ("binary_cross_entropy_with_logits", {}),
    ("binary_cross_entropy_with_logits", {"pos_weight": 2.5}),
    ("focal", {}),
    ("focal", {"alpha": -1.0, "gamma": 0.0}),
    ("focal", {"alpha": 0.6, "gamma": 3.0}),
    ("focal", {"gamma": 0.5}),
    ("focal", {"alpha": -1.0, "gamma": 1.5}),
    ("cross_entropy", {}),
    ("cross_entropy", {"ignore_index": 2}),
    ("cross_entropy", {"weight": "ramp"}),
    ("cross_entropy", {"label_smoothing": 0.1}),
    ("cross_entropy", {"weight": "ramp", "label_smoothing": 0.3, "ignore_index": 1}),
    ("softmax_focal", {"gamma": 0.0, "label_smoothing": 0.2}),  # runs cross_entropy
    ("kl_divergence", {}),
    ("kl_divergence", {"log_input": True}),
]
ROWS = ("cross_entropy", "softmax_focal", "kl_divergence")  # one loss per row of (..., C)
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items())}".rstrip("-") for n, p in CASES]
EXTREMES = [
    0.0,
    -0.0,
    1e-8,
    0.5,
    -2.0,
    20.5,
    -20.5,
    50.0,
    -50.0,
    100.0,
    -100.0,
    710.0,
    -710.0,
    1e4,
    -1e4,
    math.inf,
    -math.inf,
    math.nan,
]


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Records, per loss call, whether the fused kernels computed it."""
    calls: list[bool] = []
    run = fast.loss_run

    def spy(*args: Any) -> Any:
        result = run(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(fast, "loss_run", spy)
    yield calls


# -------------------------------------------------------------------------- inputs
def _elementwise_inputs(
    name: str, shape: tuple[int, ...], rng: np.random.Generator, extreme: bool
) -> tuple[np.ndarray, np.ndarray]:
    n = math.prod(shape)
    x = rng.normal(0.0, 3.0, n)
    if name in ("mse", "l2", "huber"):
        t = x + rng.normal(0.0, 1.5, n)
    else:  # targets in [0, 1]: hard labels and soft ones
        t = np.where(rng.random(n) < 0.5, (rng.random(n) < 0.3) * 1.0, rng.random(n))
    if extreme:
        k = min(n, len(EXTREMES))
        x[:k] = EXTREMES[:k]
        x[k : 2 * k] = EXTREMES[: max(0, min(k, n - k))]
        if n > 2 * k:
            t[2 * k] = math.nan  # a NaN target
        if name in ("mse", "l2", "huber") and n > 2 * k + 1:
            t[2 * k + 1] = math.inf  # inf - inf in the difference
            x[2 * k + 1] = math.inf
    return t.reshape(shape), x.reshape(shape)


def _ce_inputs(
    params: dict[str, Any],
    shape: tuple[int, ...],
    rng: np.random.Generator,
    extreme: bool,
    soft: bool,
) -> tuple[np.ndarray, np.ndarray]:
    c = shape[-1]
    z = rng.normal(0.0, 3.0, shape)
    rows = z.reshape(-1, c)
    labels = rng.integers(0, c, rows.shape[0])
    if "ignore_index" in params and rows.shape[0] > 1:
        labels[1] = params["ignore_index"]
    if extreme and rows.shape[0] >= 9:
        rows[0, 0] = math.nan
        rows[1, :] = -math.inf
        rows[2, : min(2, c)] = math.inf
        rows[3, 0] = -math.inf
        labels[3] = 0  # the label on a -inf logit: infinite loss
        rows[4, :] = 1e4
        rows[5, 0] = -1e4
        rows[5, -1] = 1e4
        rows[6, :] = -1e4
        rows[7, -1] = math.inf
        labels[7] = 0
    if soft:
        t = rng.dirichlet(np.ones(c), rows.shape[0])
        if extreme and rows.shape[0] >= 9:
            t[8, 0] = math.nan
            t[4, :] = 0.0
            t[4, 0] = 1.0
        return t.reshape(shape), z
    return labels.reshape(shape[:-1]), z


def _kl_inputs(
    params: dict[str, Any], shape: tuple[int, ...], rng: np.random.Generator, extreme: bool
) -> tuple[np.ndarray, np.ndarray]:
    c = shape[-1]
    rows = math.prod(shape[:-1])
    p, q = rng.dirichlet(np.ones(c), rows), rng.dirichlet(np.ones(c), rows)
    if extreme and rows >= 5 and c >= 2:
        p[0, 0], q[1, 1], p[2, :], q[2, :] = 0.0, 0.0, 0.0, 0.0  # 0 log 0, clipped logs
        p[2, 0] = q[2, 1] = 1.0
        p[3, 0] = math.nan
        q[4, 1] = math.nan
    with np.errstate(divide="ignore"):
        q = np.log(q) if params.get("log_input") else q
    return p.reshape(shape), q.reshape(shape)


def _inputs(
    name: str,
    params: dict[str, Any],
    shape: tuple[int, ...],
    seed: int,
    extreme: bool = False,
    soft: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if name == "kl_divergence":
        return _kl_inputs(params, shape, rng, extreme)
    if name in ROWS:
        return _ce_inputs(params, shape, rng, extreme, soft)
    return _elementwise_inputs(name, shape, rng, extreme)


def _cast(y_true: np.ndarray, y_pred: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    t = y_true.astype(dtype) if y_true.dtype.kind == "f" else y_true
    return t, y_pred.astype(dtype)


# ---------------------------------------------------------------------- comparison
def _assert_close(got: Any, ref: Any, dtype: Any, what: str) -> None:
    """Same NaN/inf pattern; finite values within rtol of the largest finite magnitude."""
    g = np.asarray(got, dtype=np.float64)
    r = np.asarray(ref, dtype=np.float64)
    assert g.shape == r.shape, (what, g.shape, r.shape)
    with np.errstate(over="ignore"):
        r = np.where(np.isinf(r.astype(dtype)), r.astype(dtype), r)  # overflow in dtype
    special = ~np.isfinite(r) | ~np.isfinite(g)
    same_special = (g == r) | (np.isnan(g) & np.isnan(r))
    fin = r[np.isfinite(r)]
    scale = float(np.max(np.abs(fin))) if fin.size else 0.0
    tol = RTOL[np.dtype(dtype).name] * scale + 1e-300
    with np.errstate(invalid="ignore"):
        bad = np.where(special, ~same_special, ~(np.abs(g - r) <= tol))
    assert not bad.any(), (
        f"{what}: at {np.flatnonzero(bad)[:5]} got {g[bad][:5]} expected {r[bad][:5]}"
    )


def _reference(
    fn: Any, y_true: np.ndarray, y_pred: np.ndarray, reduction: str, params: dict[str, Any]
) -> tuple[Any, Any]:
    """The reference path in float64 at the same (rounded) inputs; floating-point errors of
    the reference formulas at infinities (0 * inf) give NaN there, as without errstate.
    kl_divergence clips its logs at the dtype's epsilon: its reference runs in the dtype."""
    dtype = y_pred.dtype if fn.info.name == "kl_divergence" else np.float64
    t, x = _cast(y_true, y_pred, dtype)
    with fast.use(False), np.errstate(all="ignore"):
        return fn.value_and_grad(t, x, reduction=reduction, **params)


def _resolve(params: dict[str, Any], y_pred: np.ndarray) -> dict[str, Any]:
    if params.get("weight") == "ramp":
        return {**params, "weight": np.linspace(0.0, 2.0, y_pred.shape[-1])}
    return params


def _check(
    fn: Any,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    dtype: Any,
    reduction: str,
    params: dict[str, Any],
    what: str,
) -> None:
    t, x = _cast(y_true, y_pred, dtype)
    params = _resolve(params, x)
    v, g = fn.value_and_grad(t, x, reduction=reduction, **params)
    assert isinstance(v, np.ndarray) and v.dtype == dtype, what
    assert isinstance(g, np.ndarray) and g.dtype == dtype and g.shape == x.shape, what
    # one kernel for every entry point: the same bits
    np.testing.assert_array_equal(fn(t, x, reduction=reduction, **params), v)
    np.testing.assert_array_equal(fn.grad(t, x, reduction=reduction, **params), g)
    rv, rg = _reference(fn, t, x, reduction, params)
    _assert_close(v, rv, dtype, f"{what} value")
    _assert_close(g, rg, dtype, f"{what} grad")


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_matches_the_reference(
    name: str, params: dict[str, Any], dtype: Any, reduction: str, taken: list[bool]
) -> None:
    fn = al.get(name)
    shapes = [(3000,), (7, 300), (2, 3, 5)] if name not in ROWS else [(37, 10), (3, 4, 21)]
    for i, shape in enumerate(shapes):
        t, x = _inputs(name, params, shape, seed=i)
        _check(fn, t, x, dtype, reduction, params, f"{name} {shape}")
    assert taken and all(taken)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_extreme_values_match_the_reference(
    name: str, params: dict[str, Any], dtype: Any, reduction: str, taken: list[bool]
) -> None:
    """+-1e4, +-inf and NaN in y_pred, NaN in y_true: NaN and inf where the reference has them."""
    fn = al.get(name)
    shape = (12, 10) if name in ROWS else (200,)
    t, x = _inputs(name, params, shape, seed=5, extreme=True)
    _check(fn, t, x, dtype, reduction, params, f"{name} extreme")
    assert all(taken)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("extreme", [False, True], ids=["random", "extreme"])
@pytest.mark.parametrize(
    "params", [{}, {"weight": "ramp", "label_smoothing": 0.3}], ids=["plain", "weight-smoothing"]
)
def test_cross_entropy_probability_targets(
    params: dict[str, Any], dtype: Any, reduction: str, extreme: bool, taken: list[bool]
) -> None:
    fn = al.get("cross_entropy")
    t, z = _inputs("cross_entropy", {}, (12, 10), seed=2, extreme=extreme, soft=True)
    _check(fn, t, z, dtype, reduction, params, "cross_entropy soft")
    t, z = _inputs("cross_entropy", {}, (2, 3, 17), seed=3, soft=True)
    _check(fn, t, z, dtype, reduction, params, "cross_entropy soft 3d")
    assert all(taken)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_empty_and_single_element_inputs(
    name: str, params: dict[str, Any], dtype: Any, reduction: str, taken: list[bool]
) -> None:
    """'mean' of no samples is NaN, as in the reference."""
    fn = al.get(name)
    if name == "kl_divergence":
        p = params
        cases = [
            (np.zeros((0, 4)), np.zeros((0, 4))),
            (np.array([[1.0]]), np.array([[0.0 if p else 1.0]])),  # one class
            (np.array([[0.25, 0.75]]), np.array([[-1.0, -0.5]]) if p else np.array([[0.5, 0.5]])),
        ]
    elif name in ROWS:
        p = {k: v for k, v in params.items() if k != "ignore_index"}
        cases = [
            (np.zeros(0, dtype=np.int64), np.zeros((0, 4))),
            (np.array([1]), np.array([[0.5, -1.0, 2.0]])),
            (np.array(2), np.array([0.5, -1.0, 2.0])),  # one sample without a batch axis
            (np.array([0]), np.array([[3.0]])),  # one class
            (np.array([-100, -100]), np.ones((2, 3))),  # every sample ignored
        ]
    else:
        p = params
        cases = [
            (np.zeros(0), np.zeros(0)),
            (np.array([1.0]), np.array([0.25])),
            (np.array(0.0), np.array(-1.5)),
        ]
    for t, x in cases:
        _check(fn, t, x, dtype, reduction, p, f"{name} {x.shape}")
    assert all(taken)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_vjp_matches_the_reference(
    name: str, params: dict[str, Any], dtype: Any, taken: list[bool]
) -> None:
    fn = al.get(name)
    shape = (9, 13)
    t, x = _inputs(name, params, shape, seed=7, extreme=True)
    t, x = _cast(t, x, dtype)
    params = _resolve(params, x)
    ct = np.random.default_rng(8).normal(size=x.shape[:-1] if name in ROWS else x.shape)
    got = fn.vjp(t, x, ct.astype(dtype), **params)
    assert got.dtype == dtype and got.shape == x.shape
    # vjp is the cotangent times the per-sample gradient, bit for bit
    _, g = fn.value_and_grad(t, x, reduction="none", **params)
    c = ct.astype(dtype)
    np.testing.assert_array_equal(got, (c[..., None] if name in ROWS else c) * g)
    ref_dtype = dtype if name == "kl_divergence" else np.float64  # see _reference
    t64, x64 = _cast(t, x, ref_dtype)
    with fast.use(False), np.errstate(all="ignore"):
        ref = fn.vjp(t64, x64, ct.astype(dtype).astype(ref_dtype), **params)
    _assert_close(got, ref, dtype, f"{name} vjp")
    assert all(taken)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_results_do_not_depend_on_the_thread_count(
    name: str, params: dict[str, Any], dtype: Any
) -> None:
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has one thread here")
    fn = al.get(name)
    shape = (700, 300) if name in ROWS else (300_001,)  # several chunks
    t, x = _cast(*_inputs(name, params, shape, seed=9), dtype)
    params = _resolve(params, x)
    ct = np.random.default_rng(1).normal(size=x.shape[:-1] if name in ROWS else x.shape)
    before = numba.get_num_threads()
    results = []
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            results.append(
                [
                    *fn.value_and_grad(t, x, reduction="mean", **params),
                    fn(t, x, reduction="sum", **params),
                    fn.vjp(t, x, ct, **params),
                ]
            )
    finally:
        numba.set_num_threads(before)
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_input_conversions_take_the_fast_path(taken: list[bool]) -> None:
    """float64 targets with float32 predictions, integer targets, float labels, lists."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5)).astype(np.float32)
    t = (rng.random((6, 5)) < 0.5).astype(np.float64)
    for name in ("binary_cross_entropy_with_logits", "focal", "mse", "huber"):
        fn = al.get(name)
        for target in (t, t.astype(np.int64), t.astype(np.float32)):
            _check(fn, target, x, np.float32, "mean", {}, f"{name} {target.dtype}")
    ce = al.get("cross_entropy")
    labels = rng.integers(0, 5, 6)
    for target in (labels, labels.astype(np.int32), labels.astype(np.float64), labels.tolist()):
        v, g = ce.value_and_grad(target, x)
        np.testing.assert_array_equal(v, ce(labels, x))
        np.testing.assert_array_equal(g, ce.grad(labels, x))
    assert all(taken)


@pytest.mark.parametrize(
    "case",
    [
        "sample_weight",
        "non_contiguous",
        "float16",
        "torch_autograd",
        "pos_weight_per_class",
        "class_axis_first",
        "soft_single_row",
        "softmax_focal_gamma",
        "kl_single_row",
    ],
)
def test_other_inputs_take_the_reference_path(case: str, taken: list[bool]) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, (8, 6))
    t = (rng.random((8, 6)) < 0.5) * 1.0
    labels = rng.integers(0, 6, 8)
    name, y_true, y_pred, kw = "binary_cross_entropy_with_logits", t, x, {}
    if case == "sample_weight":
        kw = {"sample_weight": rng.random(8)}
    elif case == "non_contiguous":
        y_true, y_pred = t[:, ::2], x[:, ::2]
    elif case == "float16":
        y_pred = x.astype(np.float16)
    elif case == "pos_weight_per_class":
        kw = {"pos_weight": np.linspace(0.5, 2.0, 6)}
    elif case == "class_axis_first":
        name, y_true, y_pred, kw = "cross_entropy", labels, x.T.copy(), {"axis": 0}
    elif case == "soft_single_row":
        name, y_true, y_pred = "cross_entropy", np.full(6, 1 / 6), x[0]
    elif case == "softmax_focal_gamma":
        name, y_true = "softmax_focal", labels
    elif case == "kl_single_row":
        name, y_true, y_pred = "kl_divergence", np.full(6, 1 / 6), np.full(6, 1 / 6)
    fn = al.get(name)
    if case == "torch_autograd":
        xt = torch.tensor(x, requires_grad=True)
        v = fn(torch.tensor(t), xt)
        v.backward()
        with fast.use(False):
            ref_v, ref_g = fn.value_and_grad(t, x)
        np.testing.assert_allclose(v.detach().numpy(), ref_v, rtol=1e-12)
        np.testing.assert_allclose(xt.grad.numpy(), ref_g, rtol=1e-12, atol=1e-15)
        assert not any(taken)
        return
    v, g = fn.value_and_grad(y_true, y_pred, **kw)
    assert not any(taken)
    with fast.use(False):
        rv, rg = fn.value_and_grad(y_true, y_pred, **kw)
    np.testing.assert_array_equal(v, rv)
    np.testing.assert_array_equal(g, rg)


def test_errors_are_the_references() -> None:
    """Validation runs before (or, for the [0, 1] range of targets, right after) the kernel."""
    x = np.zeros((3, 4), dtype=np.float32)
    cases: list[tuple[str, Any, Any, dict[str, Any]]] = [
        ("cross_entropy", np.array([0, 4, 1]), x, {}),
        ("cross_entropy", np.array([0, -1, 1]), x, {}),
        ("cross_entropy", np.array([0.5, 1.0, 1.0]), x, {}),
        ("cross_entropy", np.array([0, 1]), x, {}),
        ("cross_entropy", None, x, {}),
        ("cross_entropy", np.array([0, 1, 1]), x, {"weight": np.ones(3)}),
        ("binary_cross_entropy_with_logits", np.full((3, 4), 1.5), x, {}),
        ("binary_cross_entropy_with_logits", np.full((3, 4), -0.5), x, {}),
        ("focal", np.full((3, 4), math.inf), x, {}),
        ("kl_divergence", np.full((3, 4), 0.25), x - 1.0, {}),
        ("kl_divergence", np.full((3, 4), 2.0), x - 1.0, {}),
        ("kl_divergence", np.full((3, 4), 2.0), x - 1.0, {"log_input": True}),
        ("kl_divergence", np.full((3, 3), 0.25), x, {}),
        ("focal", np.zeros((4, 3)), x, {}),
        ("mse", np.zeros(12), x, {}),
        ("mse", np.zeros((3, 4), dtype=np.complex64), x, {}),
        ("huber", np.zeros((3, 4)), x, {"delta": -1.0}),
    ]
    for name, t, y_pred, kw in cases:
        fn = al.get(name)
        with fast.use(False), pytest.raises(Exception) as ref:
            fn.value_and_grad(t, y_pred, **kw)
        with pytest.raises(type(ref.value)) as got:
            fn.value_and_grad(t, y_pred, **kw)
        assert str(got.value) == str(ref.value), name
    # a cotangent of the wrong shape
    fn = al.get("mse")
    with fast.use(False), pytest.raises(ValueError) as ref_err:
        fn.vjp(np.zeros((3, 4)), x, np.ones(3))
    with pytest.raises(ValueError) as got_err:
        fn.vjp(np.zeros((3, 4)), x, np.ones(3))
    assert str(got_err.value) == str(ref_err.value)


def test_every_declared_loss_kernel_exists() -> None:
    """The catalog is the only registry: each loss entry's fused family is one _lossrun runs,
    and every one of those families is declared by some entry (no orphan kernels)."""
    from actloss.fast import _lossrun

    families = {"mse", "huber", "bce_logits", "focal", "cross_entropy", "kl_div"}
    declared = {f.kernels.fused.kernel for f in al.catalog(kind="loss") if f.kernels.fused}
    assert declared == families
    assert _lossrun.CHECKS_PROBABILITIES == ("bce_logits", "focal")
