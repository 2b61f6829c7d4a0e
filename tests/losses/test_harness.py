"""Generic checks run over every catalog loss (OpInfo style): values, gradients, dtypes.

Every check is parameterized over ``al.catalog(kind="loss")`` and the sample inputs of
the reference table; a registered loss without a reference entry fails the first test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import actloss as al

from ._harness import (
    NAMES,
    NAMESPACES,
    assert_close,
    cases,
    entry,
    leaves,
    samples_of,
    to_np,
    to_ns,
    to_torch,
    torch_ref,
    tree_map,
)
from .references import TABLE

REDUCTIONS = ("mean", "sum", "none")


@pytest.mark.parametrize("name", NAMES)
def test_info_is_complete(name: str) -> None:
    f = al.get(name)
    info = f.info
    assert info.task and info.y_pred_kind and info.formula and info.references, name
    kinds = ("logits", "probabilities", "log_probabilities", "values", "distances", "parameters")
    assert info.y_pred_kind.startswith(kinds), info.y_pred_kind
    assert set(info.reductions) >= {"mean", "sum", "none"}
    if f.kernels.has_grad:
        assert info.derivative
    assert f is getattr(al.losses, name)
    d = info.to_dict()
    assert d["kind"] == "loss" and d["reductions"]["mean"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "i"), cases())
def test_value_matches_reference(name: str, i: int, reduction: str) -> None:
    s = samples_of(name)[i]
    f = al.get(name)
    ours = f(s.y_true, s.y_pred, reduction=reduction, **s.params)
    ref, _ = torch_ref(name, s, reduction)
    assert isinstance(ours, np.ndarray) and ours.dtype == np.float64
    assert_close(ours, ref, rtol=1e-10, what=f"{name} {s.tag} {reduction}")


def _sklearn_cases() -> list[object]:
    """The samples scikit-learn has a metric for (its reference returns NaN for the others,
    e.g. parameters it does not take): chosen here, so that no case skips."""
    out = []
    for c in cases():
        name, i = c.values
        e = TABLE[name]
        if e.sklearn is None:
            continue
        s = samples_of(name)[i]
        if not math.isnan(e.sklearn(s.y_true, s.y_pred, **s.params)):
            out.append(c)
    return out


def test_scikit_learn_covers_a_sample_of_each_loss_it_has() -> None:
    covered = {c.values[0] for c in _sklearn_cases()}
    assert covered == {n for n, e in TABLE.items() if e.sklearn is not None}


@pytest.mark.parametrize(("name", "i"), _sklearn_cases())
def test_value_matches_scikit_learn(name: str, i: int) -> None:
    s = samples_of(name)[i]
    ours = float(al.get(name)(s.y_true, s.y_pred, **s.params))
    theirs = TABLE[name].sklearn(s.y_true, s.y_pred, **s.params)  # type: ignore[misc]
    assert math.isclose(ours, theirs, rel_tol=1e-10, abs_tol=1e-12), (ours, theirs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "i"), cases("grad"))
def test_grad_matches_autograd(name: str, i: int, reduction: str) -> None:
    s = samples_of(name)[i]
    f = al.get(name)
    g = f.grad(s.y_true, s.y_pred, reduction=reduction, **s.params)
    _, ref = torch_ref(name, s, reduction, grad=True)
    assert_close(g, ref, rtol=TABLE[name].grad_rtol, what=f"{name} grad {reduction}")
    v2, g2 = f.value_and_grad(s.y_true, s.y_pred, reduction=reduction, **s.params)
    assert_close(v2, to_np(f(s.y_true, s.y_pred, reduction=reduction, **s.params)), 1e-14)
    assert_close(g2, leaves(to_np(g)), 1e-14)
    for gi, pi in zip(leaves(g), leaves(s.y_pred), strict=True):
        assert gi.shape == np.shape(pi) and gi.dtype == np.float64


@pytest.mark.parametrize(("name", "i"), cases("grad"))
def test_vjp_of_per_sample_losses_matches_autograd(name: str, i: int) -> None:
    """Loss.vjp: the gradient of sum(cotangent * per-sample loss), as adapters use it."""
    s = samples_of(name)[i]
    f = al.get(name)
    none = f(s.y_true, s.y_pred, reduction="none", **s.params)
    ct = np.random.default_rng(i).normal(size=np.shape(none))
    g = f.vjp(s.y_true, s.y_pred, ct, **s.params)
    yp = to_torch(s.y_pred, requires_grad=True)
    out = TABLE[name].ref(to_torch(s.y_true), yp, "none", **s.params)
    ref = torch.autograd.grad((out * torch.tensor(ct)).sum(), leaves(yp), allow_unused=True)
    ref = [
        np.zeros(np.shape(p)) if r is None else r.numpy()
        for r, p in zip(ref, leaves(yp), strict=True)
    ]
    assert_close(g, ref, rtol=TABLE[name].grad_rtol, what=f"{name} vjp")


@pytest.mark.parametrize(("name", "i"), cases("grad"))
def test_grad_matches_finite_differences(name: str, i: int) -> None:
    s = samples_of(name)[i]
    f = al.get(name)
    g = leaves(f.grad(s.y_true, s.y_pred, reduction="sum", **s.params))
    rng = np.random.default_rng(i)
    preds = [np.array(p, dtype=float) for p in leaves(s.y_pred)]

    def value(ps: list[np.ndarray]) -> float:
        y_pred = type(s.y_pred)(ps) if isinstance(s.y_pred, (tuple, list)) else ps[0]
        return float(f(s.y_true, y_pred, reduction="sum", **s.params))

    h = 1e-6
    for k, p in enumerate(preds):
        flat = rng.choice(p.size, size=min(p.size, 6), replace=False)
        for j in flat:
            idx = np.unravel_index(j, p.shape)
            step = h * max(1.0, abs(p[idx]))
            up = [q.copy() for q in preds]
            dn = [q.copy() for q in preds]
            up[k][idx] += step
            dn[k][idx] -= step
            fd = (value(up) - value(dn)) / (2 * step)
            assert math.isclose(g[k][idx], fd, rel_tol=1e-5, abs_tol=1e-6), (name, k, idx, fd)


def _weighted_cases() -> list[object]:
    """Every case except the regularizers': their 'none' is one value per parameter array,
    not per sample, so there is nothing to weight (test_regularizers_have_no_samples)."""
    regularizers = {f.name for f in al.catalog("loss", "regularizer")}
    return [c for c in cases() if c.values[0] not in regularizers]


def test_regularizers_have_no_samples() -> None:
    regularizers = {f.name for f in al.catalog("loss", "regularizer")}
    assert regularizers and {c.values[0] for c in _weighted_cases()}.isdisjoint(regularizers)
    for name in regularizers:
        s = samples_of(name)[0]
        none = np.asarray(al.get(name)(s.y_true, s.y_pred, reduction="none", **s.params))
        assert none.shape == (len(s.y_pred),), name  # one value per parameter array


@pytest.mark.parametrize(("name", "i"), _weighted_cases())
def test_sample_weight(name: str, i: int) -> None:
    """sum/none scale by the weights; integer weights equal repeating rows (separable losses)."""
    s = samples_of(name)[i]
    f = al.get(name)
    none = f(s.y_true, s.y_pred, reduction="none", **s.params)
    n = none.shape[0] if none.ndim else 0
    assert n > 0, f"{name}: no per-sample values to weight"
    w = np.arange(n) % 3 + 0.0
    w[0] = 2.0
    wn = f(s.y_true, s.y_pred, reduction="none", sample_weight=w, **s.params)
    bw = w.reshape((n,) + (1,) * (none.ndim - 1))
    assert_close(wn, bw * none, 1e-14)
    ws = f(s.y_true, s.y_pred, reduction="sum", sample_weight=w, **s.params)
    assert_close(ws, np.sum(bw * none), 1e-12)
    if not TABLE[name].separable:
        return
    reps = w.astype(int)

    def repeat(a: object) -> object:
        return None if a is None else np.repeat(np.asarray(a), reps, axis=0)

    if isinstance(s.y_pred, tuple) and not all(np.shape(p)[:1] == (n,) for p in s.y_pred):
        return  # e.g. class-weight matrices, or a broadcast variance: not per-sample
    if s.y_true is not None and np.shape(s.y_true)[:1] not in ((n,), ()):
        return  # a broadcast target (one row for every sample)
    rt, rp = repeat(s.y_true), tree_map(repeat, s.y_pred)
    for red in ("mean", "sum"):
        got = f(s.y_true, s.y_pred, reduction=red, sample_weight=w, **s.params)
        want = f(rt, rp, reduction=red, **s.params)
        assert_close(got, to_np(want), 1e-12, what=red)
        if TABLE[name].grad:
            g = leaves(f.grad(s.y_true, s.y_pred, reduction=red, sample_weight=w, **s.params))
            gr = leaves(f.grad(rt, rp, reduction=red, **s.params))
            # the gradient of a repeated row is the sum over its copies
            for a, b in zip(g, gr, strict=True):
                folded = np.zeros_like(a)
                np.add.at(folded, np.repeat(np.arange(n), reps), b)
                assert_close(a, folded, 1e-12, what=f"{red} grad")


# every namespace x dtype except NumPy float64, the run the others are compared with
NS_DTYPES = [
    (ns, dt)
    for ns in NAMESPACES
    for dt in ("float32", "float64")
    if (ns, dt) != ("numpy", "float64")
]


@pytest.mark.parametrize(("ns", "dtype"), NS_DTYPES)
@pytest.mark.parametrize(("name", "i"), cases())
def test_namespaces_and_dtypes(name: str, i: int, ns: str, dtype: str) -> None:
    s = samples_of(name)[i]
    f = al.get(name)
    e = entry(name)
    yt, yp = to_ns(s.y_true, ns, dtype), to_ns(s.y_pred, ns, dtype)
    ref_v = f(s.y_true, s.y_pred, reduction="none", **s.params)
    v = f(yt, yp, reduction="none", **s.params)
    assert type(v) is type(leaves(yp)[0])
    assert str(v.dtype).endswith(dtype)
    tol = 1e-12 if dtype == "float64" else e.rtol32
    assert_close(v, ref_v, tol, what=f"{ns} {dtype} value")
    if e.grad:
        g = f.grad(yt, yp, reduction="mean", **s.params)
        ref_g = f.grad(s.y_true, s.y_pred, reduction="mean", **s.params)
        for gi, pi in zip(leaves(g), leaves(yp), strict=True):
            assert type(gi) is type(pi) and gi.dtype == pi.dtype and gi.shape == pi.shape
        assert_close(g, leaves(to_np(ref_g)), tol, what=f"{ns} {dtype} grad")


@pytest.mark.parametrize(("name", "i"), [c for c in cases() if c.values[1] == 0])
def test_half_precision_is_computed_in_float32(name: str, i: int) -> None:
    s = samples_of(name)[i]
    f = al.get(name)
    # round the inputs to float16 first, so both runs see the same numbers
    y16 = to_ns(s.y_pred, "numpy", "float16")
    t16 = to_ns(s.y_true, "numpy", "float16")
    v16 = f(t16, y16, reduction="none", **s.params)
    v32 = f(
        to_ns(t16, "numpy", "float32"), to_ns(y16, "numpy", "float32"), reduction="none", **s.params
    )
    assert v16.dtype == np.float16
    np.testing.assert_array_equal(v16, v32.astype(np.float16))


@pytest.mark.parametrize(("name", "i"), [c for c in cases() if c.values[1] == 0])
def test_nan_propagates(name: str, i: int) -> None:
    s = samples_of(name)[i]
    f = al.get(name)
    preds = [np.array(p, dtype=float) for p in leaves(s.y_pred)]
    preds[0].flat[0] = np.nan
    yp = type(s.y_pred)(preds) if isinstance(s.y_pred, (tuple, list)) else preds[0]
    assert np.isnan(f(s.y_true, yp, **s.params))
    none = np.asarray(f(s.y_true, yp, reduction="none", **s.params))
    assert np.isnan(none.flat[0]) if none.ndim else np.isnan(none)
    if entry(name).grad:
        g = leaves(f.grad(s.y_true, yp, **s.params))
        assert np.isnan(g[0].flat[0])


EXTREME = [
    pytest.param(n, j, id=f"{n}-{j}")
    for n in NAMES
    if n in TABLE and TABLE[n].extreme
    for j in range(len(TABLE[n].extreme()))  # type: ignore[misc]
]


@pytest.mark.parametrize(("name", "j"), EXTREME)
def test_extreme_logits_exact_with_finite_gradients(name: str, j: int) -> None:
    s = TABLE[name].extreme()[j]  # type: ignore[misc]
    f = al.get(name)
    for dtype in ("float64", "float32"):
        yt, yp = to_ns(s.y_true, "numpy", dtype), to_ns(s.y_pred, "numpy", dtype)
        v, g = f.value_and_grad(yt, yp, reduction="none", **s.params)
        assert np.all(np.isfinite(v)) and all(np.all(np.isfinite(x)) for x in leaves(g))
    ref, ref_g = torch_ref(name, s, "none", grad=True)
    v, g = f.value_and_grad(s.y_true, s.y_pred, reduction="none", **s.params)
    assert_close(v, ref, 1e-12, what="value at extreme logits")
    assert_close(g, leaves(ref_g), 1e-12, what="grad at extreme logits")


def test_zero_one_has_no_gradient() -> None:
    f = al.get("zero_one")
    with pytest.raises(al.NoGradientError, match="zero_one has no gradient"):
        f.grad(np.array([0, 1]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    with pytest.raises(TypeError, match="no gradient"):
        f.value_and_grad(np.array([0, 1]), np.array([[1.0, 0.0], [0.0, 1.0]]))


@pytest.mark.parametrize(("name", "i"), cases("grad"))
def test_torch_autograd_through_the_value_equals_grad(name: str, i: int) -> None:
    """The kernels are plain torch operations on torch input: autograd through the value
    (with no warnings, which are errors here) gives the analytic gradient."""
    s = samples_of(name)[i]
    f = al.get(name)
    yt, yp = to_torch(s.y_true), to_torch(s.y_pred, requires_grad=True)
    v = f(yt, yp, **s.params)
    auto = torch.autograd.grad(v, leaves(yp), allow_unused=True)
    ours = leaves(f.grad(s.y_true, s.y_pred, **s.params))
    assert all(a is not None for a in auto)
    assert_close([a.numpy() for a in auto], ours, 1e-9, what=f"{name} autograd")
