"""actloss.jax losses: the catalog's values and gradients through JAX's transformations.

For every catalog loss, on the first sample of its reference entry (tests/losses/
references.py), one jitted probe (one compilation per loss: the cost of these tests)
evaluates the three reductions, ``jax.grad`` of the mean with a per-sample
``sample_weight``, ``jax.grad`` of ``sum(ct * loss(reduction="none"))`` (the vjp),
``jax.jvp`` of the mean (forward mode), the two probes of a central difference and
``jax.vmap`` over a batch of two different samples; each is compared with the core's NumPy
float64 reference path, the gradient also with the central difference of the JAX function,
the jitted value with the eager one and ``vmap`` with a loop over the batch.
Value-reading input checks raise in eager calls and are skipped under tracing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from losses.references import TABLE  # noqa: E402

import actloss as al  # noqa: E402
import actloss.fast  # noqa: E402
import actloss.jax as alj  # noqa: E402
from actloss import _checks  # noqa: E402

LOSSES = al.catalog(kind="loss")
RTOL, ATOL = 1e-11, 1e-13


@pytest.fixture(autouse=True)
def _reference_path() -> Any:
    """The reference is the entry's Array API definition on NumPy (the one JAX runs)."""
    with actloss.fast.use(False):
        yield


def _seed(name: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(name))


def _cases() -> list[Any]:
    out = []
    for fn in LOSSES:
        samples = TABLE[fn.name].samples(np.random.default_rng(_seed(fn.name)))
        out.append(pytest.param(fn.name, 0, id=f"{fn.name}-{samples[0].tag or 0}"))
    return out


def _tree(fn: Any, x: Any, *more: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(_tree(fn, *vs) for vs in zip(x, *more, strict=True))
    return fn(x, *more)


def _flat(x: Any) -> list[np.ndarray]:
    return [np.asarray(v) for v in x] if isinstance(x, (tuple, list)) else [np.asarray(x)]


def _close(got: Any, want: Any, rtol: float = RTOL, atol: float = ATOL) -> None:
    for g, w in zip(_flat(got), _flat(want), strict=True):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize(("name", "index"), _cases())
def test_loss_through_jax_transformations(name: str, index: int) -> None:
    fn = al.get(name)
    s = TABLE[name].samples(np.random.default_rng(_seed(name)))[index]
    f = getattr(alj, name)
    kw = dict(s.params)
    yt_np, yp_np = s.y_true, _tree(lambda a: np.asarray(a, dtype=np.float64), s.y_pred)
    none = fn(yt_np, yp_np, reduction="none", **kw)
    rng = np.random.default_rng(3)
    sw = rng.uniform(0.5, 2.0, size=np.shape(none)[:1]) if np.ndim(none) else None
    ct = rng.normal(size=np.shape(none))
    v = _tree(lambda a: rng.normal(size=np.shape(a)), yp_np)
    yt, yp = _tree(jnp.asarray, yt_np), _tree(jnp.asarray, yp_np)
    has_grad = fn.kernels.has_grad

    h = 1e-6
    yp2 = _tree(jnp.asarray, _shift(yp_np, v, 0.01))  # a second sample for vmap

    def probe(yt: Any, yp: Any, sw: Any, ct: Any, v: Any) -> dict[str, Any]:
        out = {r: f(yt, yp, reduction=r, **kw) for r in ("mean", "sum", "none")}
        out["weighted"] = f(yt, yp, sample_weight=sw, **kw)
        bt = None if yt is None else jnp.stack([yt, yt])
        bp = _tree(lambda a, b: jnp.stack([a, b]), yp, yp2)
        out["vmap"] = jax.vmap(lambda a, b: f(a, b, reduction="sum", **kw))(bt, bp)
        out["second"] = f(yt, yp2, reduction="sum", **kw)
        if has_grad:
            out["up"], out["dn"] = (f(yt, _shift(yp, v, s * h), **kw) for s in (1, -1))
            out["grad"] = jax.grad(lambda p: f(yt, p, sample_weight=sw, **kw))(yp)
            out["vjp"] = jax.grad(lambda p: jnp.sum(ct * f(yt, p, reduction="none", **kw)))(yp)
            out["jvp"] = jax.jvp(lambda p: f(yt, p, **kw), (yp,), (v,))[1]
        return out

    got = jax.jit(probe)(yt, yp, sw, jnp.asarray(ct), _tree(jnp.asarray, v))
    for r in ("mean", "sum", "none"):
        want = fn(yt_np, yp_np, reduction=r, **kw)
        _close(got[r], want)
    _close(f(yt, yp, **kw), got[fn.default_reduction])  # eager: the value checks read it
    _close(got["weighted"], fn(yt_np, yp_np, sample_weight=sw, **kw))
    if has_grad:
        _close(got["grad"], fn.grad(yt_np, yp_np, sample_weight=sw, **kw))
        _close(got["vjp"], fn.vjp(yt_np, yp_np, ct, **kw))
        g = fn.grad(yt_np, yp_np, **kw)
        dot = sum(np.sum(a * b) for a, b in zip(_flat(g), _flat(v), strict=True))
        _close(got["jvp"], dot)
        # a central difference of the JAX function along v (samples avoid kinks)
        fd = (float(got["up"]) - float(got["dn"])) / (2 * h)
        np.testing.assert_allclose(dot, fd, rtol=1e-5, atol=1e-7)
    else:
        with pytest.raises(al.NoGradientError):
            jax.grad(lambda p: f(yt, p, **kw))(yp)

    # vmap over the batch of two samples == the loop over them
    _close(got["vmap"], np.stack([got["sum"], got["second"]]))


def _shift(p: Any, v: Any, step: float) -> Any:
    if isinstance(p, (tuple, list)):
        return tuple(a + step * b for a, b in zip(p, v, strict=True))
    return p + step * v


def test_value_checks_raise_eagerly_and_are_skipped_under_tracing() -> None:
    logits = jnp.zeros((2, 3))
    bad = jnp.array([0, 5])
    with pytest.raises(ValueError, match="class label 5, out of range for 3 classes"):
        alj.cross_entropy(bad, logits)
    jax.jit(alj.cross_entropy)(bad, logits)  # traced: no value check, no tracer error
    probs = jnp.array([0.2, 1.5])
    with pytest.raises(ValueError, match="It looks like logits"):
        alj.binary_cross_entropy(jnp.array([0.0, 1.0]), probs)
    jax.jit(alj.binary_cross_entropy)(jnp.array([0.0, 1.0]), probs)
    with pytest.raises(ValueError, match="sample_weight must be finite and >= 0"):
        alj.mse(jnp.zeros(2), jnp.ones(2), sample_weight=jnp.array([1.0, -1.0]))
    with _checks.skipped():
        alj.cross_entropy(bad, logits)  # check_inputs=False: no value check


def test_binary_labels_in_either_encoding_under_jit() -> None:
    # {0, 1} labels are mapped to {-1, 1} in the graph when the values cannot be read
    s = jnp.array([0.3, -1.2, 2.0, 0.1])
    y01, ypm = jnp.array([0.0, 1.0, 1.0, 0.0]), jnp.array([-1.0, 1.0, 1.0, -1.0])
    eager = alj.hinge(y01, s)
    np.testing.assert_allclose(np.asarray(jax.jit(alj.hinge)(y01, s)), np.asarray(eager))
    np.testing.assert_allclose(np.asarray(jax.jit(alj.hinge)(ypm, s)), np.asarray(eager))


def test_float32_without_x64_semantics() -> None:
    # float32 in, float32 out (values and gradients), integer labels of any width
    z = jnp.asarray(np.random.default_rng(0).normal(size=(4, 3)), dtype=jnp.float32)
    y = jnp.array([0, 2, 1, 2], dtype=jnp.int32)
    v, g = jax.jit(jax.value_and_grad(lambda p: alj.focal(jnp.eye(3)[y], p)))(z)
    assert v.dtype == jnp.float32 and g.dtype == jnp.float32
    want = al.get("focal")(np.eye(3)[np.asarray(y)], np.asarray(z, dtype=np.float64))
    np.testing.assert_allclose(float(v), float(want), rtol=1e-6)
    ce = alj.cross_entropy(y, z)
    assert ce.dtype == jnp.float32


def test_losses_are_differentiated_in_y_pred_only() -> None:
    t, p = jnp.array([0.5, -1.0]), jnp.array([1.0, 2.0])
    gt, gp = jax.grad(alj.mse, argnums=(0, 1))(t, p)
    np.testing.assert_array_equal(np.asarray(gt), [0.0, 0.0])  # targets are data
    np.testing.assert_allclose(np.asarray(gp), [0.5, 3.0])  # d/dp mean((p - t)^2)


def test_bound_forms_and_errors() -> None:
    f = alj.loss("huber", delta=0.5)
    np.testing.assert_allclose(
        float(f(jnp.zeros(3), jnp.array([0.2, 1.0, -2.0]))),
        float(al.get("huber")(np.zeros(3), np.array([0.2, 1.0, -2.0]), delta=0.5)),
    )
    with pytest.raises(ValueError, match="reduction: Expected one of"):
        alj.mse(jnp.zeros(2), jnp.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="not a loss"):
        alj.loss("relu")


@pytest.mark.parametrize("name", ["focal", "hinge"])
def test_jit_equals_op_by_op_execution(name: str) -> None:
    # every function is compiled; jax.disable_jit runs the same definition op by op
    s = TABLE[name].samples(np.random.default_rng(_seed(name)))[0]
    f = getattr(alj, name)
    yt, yp = _tree(jnp.asarray, s.y_true), _tree(jnp.asarray, s.y_pred)

    def vg(p: Any) -> Any:
        return jax.value_and_grad(lambda q: f(yt, q, **s.params))(p)

    with jax.disable_jit():
        eager = vg(yp)
    _close(jax.jit(vg)(yp), eager)
