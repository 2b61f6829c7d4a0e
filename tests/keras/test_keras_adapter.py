"""actloss.keras: one generated, serializable Keras class per catalog entry.

Runs on Keras 3's torch backend (tests/conftest.py sets KERAS_BACKEND=torch). Every
check iterates over the catalog; layer and loss values are compared with the core
(itself checked against independent references in tests/activations and tests/losses),
gradients with the core's derivative, and every class round-trips through
get_config/from_config and a saved .keras model.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

keras = pytest.importorskip("keras")
import torch  # noqa: E402
from losses.references import TABLE  # noqa: E402

import actloss as al  # noqa: E402
import actloss.keras as alk  # noqa: E402
from actloss._classnames import class_name  # noqa: E402
from actloss.keras._classes import takes_probabilities  # noqa: E402

if keras.backend.backend() != "torch":  # pragma: no cover - set by tests/conftest.py
    pytest.skip("these tests run on Keras's torch backend", allow_module_level=True)

ACTIVATIONS = al.catalog(kind="activation")
LOSSES = [f for f in al.catalog(kind="loss") if f.info.family != "regularizer"]
REGULARIZERS = [f for f in al.catalog(kind="loss") if f.info.family == "regularizer"]
# Keras 3 + NumPy 2 on the torch backend: keras's tree utilities call np.asarray(copy=False)
# on torch tensors inside predict(); a Keras/torch interplay, not actloss.
KERAS_ARRAY_WARNING = "ignore:__array__ implementation doesn't accept a copy keyword"


def x_for(fn: al.Function) -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 2.0, size=(4, 6)).astype("float32")


def test_every_entry_has_a_registered_keras_class() -> None:
    for fn in al.catalog():
        cls = getattr(alk, class_name(fn))
        assert cls.function is fn
        assert keras.saving.get_registered_object(f"actloss>{cls.__name__}") is cls
        if fn.info.kind == "activation":
            assert issubclass(cls, keras.layers.Layer)
        elif fn.info.family == "regularizer":
            assert issubclass(cls, keras.regularizers.Regularizer)
        else:
            assert issubclass(cls, keras.losses.Loss)
    assert isinstance(alk.get_loss("focal", alpha=0.5), alk.FocalLoss)
    assert isinstance(alk.get_activation("gelu_tanh"), alk.GELU)
    assert alk.get_activation("gelu_tanh").get_config()["approximate"] == "tanh"
    with pytest.raises(ValueError, match="not a loss"):
        alk.get_loss("relu")


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_activation_layer_value_gradient_and_config(fn: al.Function) -> None:
    layer = alk.get_activation(fn.name)
    x = torch.tensor(x_for(fn), requires_grad=True)
    y = layer(x)
    # exact, except where a learnable parameter sends the layer to actloss.torch's traced
    # route (the Array API definition on torch operations) while the core call on a CPU
    # tensor runs the fused NumPy kernel: float32 results a few ulps apart
    learnable = any(p.learnable for p in fn.info.params)
    tol = {"rtol": 1e-6, "atol": 1e-7} if learnable else {"rtol": 0, "atol": 0}
    torch.testing.assert_close(y, fn(x.detach()), **tol)
    ct = torch.randn(y.shape, generator=torch.Generator().manual_seed(0))
    (y * ct).sum().backward()
    params = {p.name: getattr(layer, p.name).value.detach() for p in fn.info.params if p.learnable}
    torch.testing.assert_close(x.grad, fn.vjp(x.detach(), ct, **params))
    clone = type(layer).from_config(layer.get_config())
    torch.testing.assert_close(clone(x.detach()), y.detach())
    assert layer.compute_output_shape((None, 6)) == (None, y.shape[1])


def _sample(fn: al.Function) -> Any:
    return TABLE[fn.name].samples(np.random.default_rng(0))[0]


def _t(a: Any) -> Any:
    if a is None:
        return None
    if isinstance(a, (tuple, list)):
        return type(a)(_t(v) for v in a)
    arr = np.asarray(a)
    return torch.tensor(arr.astype("float32") if arr.dtype.kind == "f" else arr)


@pytest.mark.parametrize("fn", LOSSES, ids=lambda f: f.name)
def test_loss_values_gradients_and_config(fn: al.Function) -> None:
    """Per-sample values (call) equal the core's reduction="none", averaged over the last
    axis for elementwise losses (Keras's per-sample semantics); Keras's default reduction
    averages them; the gradient is the core's; get_config/from_config round-trips."""
    s = _sample(fn)
    params = dict(s.params)
    kw = {"from_logits": True} if takes_probabilities(fn) else {}
    loss = alk.get_loss(fn.name, **params, **kw)
    y_true, y_pred = _t(s.y_true), _t(s.y_pred)
    preds = list(y_pred) if isinstance(y_pred, (tuple, list)) else [y_pred]
    for p in preds:
        p.requires_grad_(fn.kernels.has_grad)
    arg = type(y_pred)(preds) if isinstance(y_pred, (tuple, list)) else preds[0]
    core_params = {k: np.asarray(v) if isinstance(v, list) else v for k, v in params.items()}
    per_sample = loss.call(y_true, arg)
    expected = fn(
        y_true,
        type(arg)(p.detach() for p in preds) if isinstance(arg, (tuple, list)) else arg.detach(),
        reduction="none",
        **core_params,
    )
    elementwise = preds[0].ndim >= 2 and tuple(expected.shape) == tuple(preds[0].shape)
    last = preds[0].shape[-1] if elementwise else 1
    torch.testing.assert_close(
        per_sample, expected.mean(-1) if elementwise else expected, rtol=1e-6, atol=1e-6
    )
    total = loss(y_true, arg)
    torch.testing.assert_close(total, expected.mean(), rtol=1e-6, atol=1e-6)
    clone = type(loss).from_config(loss.get_config())
    torch.testing.assert_close(clone(y_true, arg), total)
    if fn.kernels.has_grad:
        total.backward()
        dets = type(arg)(p.detach() for p in preds) if isinstance(arg, (tuple, list)) else None
        ct = torch.full(expected.shape, 1.0 / expected.numel())  # Keras: mean of samples
        assert last * per_sample.numel() == expected.numel()
        g = fn.vjp(y_true, dets if dets is not None else arg.detach(), ct, **core_params)
        for p, e in zip(preds, g if dets is not None else [g], strict=True):
            torch.testing.assert_close(p.grad, e, rtol=1e-5, atol=1e-7)


def test_from_logits_false_takes_probabilities() -> None:
    """FocalLoss() (Keras's default from_logits=False) on sigmoid outputs equals the catalog's
    focal on the logits; CrossEntropyLoss() on softmax outputs equals cross_entropy."""
    z = torch.tensor([[-2.0], [0.5], [3.0], [-0.1]])
    y = torch.tensor([0.0, 1.0, 1.0, 0.0])
    got = alk.FocalLoss(alpha=0.25, gamma=2.0)(y, torch.sigmoid(z))
    want = al.get("focal")(y[:, None], z, alpha=0.25, gamma=2.0)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-7)
    logits = torch.tensor([[1.0, -1.0, 0.5], [0.2, 0.1, -3.0]])
    labels = torch.tensor([2, 0])
    got = alk.CrossEntropyLoss()(labels, torch.softmax(logits, -1))
    torch.testing.assert_close(got, al.get("cross_entropy")(labels, logits), rtol=1e-5, atol=1e-7)
    assert "from_logits" not in alk.get_loss("sparsemax_loss").get_config()


@pytest.mark.parametrize("fn", REGULARIZERS, ids=lambda f: f.name)
def test_regularizers(fn: al.Function) -> None:
    s = _sample(fn)
    reg = alk.get(fn.name, **s.params)
    w = torch.tensor(np.asarray(s.y_pred[0], dtype="float32"), requires_grad=True)
    value = reg(w)
    torch.testing.assert_close(value, fn(None, [w.detach()], **s.params))
    value.backward()
    torch.testing.assert_close(w.grad, fn.grad(None, [w.detach()], **s.params)[0])
    assert type(reg).from_config(reg.get_config()).get_config() == reg.get_config()


@pytest.mark.filterwarnings(KERAS_ARRAY_WARNING)
def test_saved_model_loads_back_and_predicts_the_same(tmp_path: Path) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(6, activation=alk.GELU(approximate="tanh")),
            alk.Swish(beta=1.5, trainable_beta=True),
            keras.layers.Dense(6, kernel_regularizer=alk.L2Penalty(alpha=0.01)),
            alk.PReLU(num_parameters=6),
            alk.Snake(a=0.5),
            keras.layers.Dense(4),
            alk.GLU(axis=-1),
            alk.Softmax(),
        ]
    )
    model.compile("adam", loss=alk.CrossEntropyLoss(label_smoothing=0.1))
    x = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
    y = np.random.default_rng(1).integers(0, 2, size=32)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert isinstance(loaded.loss, alk.CrossEntropyLoss)
    assert loaded.loss.get_config()["label_smoothing"] == 0.1
    swish = next(layer for layer in loaded.layers if isinstance(layer, alk.Swish))
    assert float(swish.beta.numpy()) != 1.5  # the trained value was saved, not the initial one


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed")
def test_on_the_jax_backend() -> None:  # pragma: no cover - runs only where JAX is installed
    """Keras's JAX backend, in a fresh process (Keras fixes its backend at import): the
    backend checks (every layer and loss on JAX arrays, jit-compiled fits, no host
    callbacks) and the Keras-semantics tests."""
    here = Path(__file__).parent
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    files = [str(here / "jax_backend_checks.py"), str(here / "test_keras_semantics.py")]
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *files]
    done = subprocess.run(cmd, env=env, timeout=900, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
