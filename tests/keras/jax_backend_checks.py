"""actloss.keras on Keras's JAX backend (run by test_keras_adapter.py::test_on_the_jax_backend
with KERAS_BACKEND=jax in a fresh process; not collected by the torch-backend suite).

Every activation layer and loss runs on the JAX arrays through actloss.jax (no host
callback: the jaxpr of a jitted loss has no callback primitive), with the catalog's
gradient; jit-compiled fits with actloss layers and losses train.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
if keras.backend.backend() != "jax":
    raise RuntimeError("run with KERAS_BACKEND=jax (see test_keras_adapter.py)")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from losses.references import TABLE  # noqa: E402

import actloss as al  # noqa: E402
import actloss.keras as alk  # noqa: E402
from actloss.keras._classes import per_sample, takes_probabilities  # noqa: E402

ACTIVATIONS = al.catalog(kind="activation")
LOSSES = [f for f in al.catalog(kind="loss") if f.info.family != "regularizer"]


def _f32(a: object) -> np.ndarray:
    arr = np.asarray(a)
    return arr.astype("float32") if arr.dtype.kind == "f" else arr.astype("int32")


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_activation_layers(fn: al.Function) -> None:
    x = np.random.default_rng(0).normal(0.0, 2.0, size=(4, 6)).astype("float32")
    layer = alk.get_activation(fn.name)
    y = layer(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(y), fn(x), rtol=1e-6, atol=1e-6)
    ct = np.random.default_rng(1).normal(size=y.shape).astype("float32")
    g = jax.jit(jax.grad(lambda v: jnp.sum(layer(v) * ct)))(jnp.asarray(x))
    params = {
        p.name: np.asarray(keras.ops.convert_to_tensor(getattr(layer, p.name)))
        for p in fn.info.params
        if p.learnable
    }
    np.testing.assert_allclose(np.asarray(g), fn.vjp(x, ct, **params), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", LOSSES, ids=lambda f: f.name)
def test_losses_run_on_jax_arrays_without_callbacks(fn: al.Function) -> None:
    s = TABLE[fn.name].samples(np.random.default_rng(0))[0]
    kw = {"from_logits": True} if takes_probabilities(fn) else {}
    loss = alk.get_loss(fn.name, **s.params, **kw)
    packed = isinstance(s.y_pred, (tuple, list))
    y_true = None if s.y_true is None else jnp.asarray(_f32(s.y_true))
    y_pred = tuple(map(jnp.asarray, map(_f32, s.y_pred))) if packed else jnp.asarray(_f32(s.y_pred))
    params = {k: np.asarray(v) if isinstance(v, list) else v for k, v in s.params.items()}
    host = tuple(map(np.asarray, y_pred)) if packed else np.asarray(y_pred)
    core = fn(None if y_true is None else np.asarray(y_true), host, reduction="none", **params)
    first = y_pred[0] if packed else y_pred
    want = np.asarray(per_sample(jnp.asarray(core), first))
    got = jax.jit(loss.call)(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=1e-6)
    jaxpr = str(jax.make_jaxpr(lambda p: loss(y_true, p))(y_pred))
    assert "callback" not in jaxpr
    if fn.kernels.has_grad:
        g = jax.jit(jax.grad(lambda p: loss(y_true, p)))(y_pred)
        assert all(np.all(np.isfinite(np.asarray(v))) for v in jax.tree_util.tree_leaves(g))


def test_jit_compiled_fit_trains() -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8),
            alk.Swish(trainable_beta=True),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", loss=alk.FocalLoss(alpha=0.25, gamma=2.0))  # jit_compile on JAX
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    hist = model.fit(x, (x[:, 0] > 0).astype("float32"), epochs=3, verbose=0).history["loss"]
    assert hist[-1] < hist[0], hist


@pytest.mark.parametrize(
    "fn",
    [f for f in al.catalog(kind="loss") if f.info.family == "regularizer"],
    ids=lambda f: f.name,
)
def test_regularizers(fn: al.Function) -> None:
    s = TABLE[fn.name].samples(np.random.default_rng(0))[0]
    reg = alk.get(fn.name, **s.params)
    w = np.asarray(s.y_pred[0], dtype="float32")
    value, grad = jax.jit(jax.value_and_grad(reg))(jnp.asarray(w))
    np.testing.assert_allclose(float(value), float(fn(None, [w], **s.params)), rtol=1e-5)
    want = fn.grad(None, [w], **s.params)[0]
    np.testing.assert_allclose(np.asarray(grad), want, rtol=1e-5, atol=1e-7)
