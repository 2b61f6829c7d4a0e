"""actloss.keras losses give Keras's numbers: per-sample values, reductions, sample weights.

Each actloss loss that has a Keras counterpart is compared with it on the kinds of cases
Keras's own tests use (keras/src/losses/losses_test.py): unweighted, a scalar weight,
per-sample weights of shape (batch,) and (batch, 1), zero weights, timestep weights
(batch, timesteps) for sequence inputs, under every reduction Keras accepts; and the
gradient with respect to y_pred under per-sample weights. Backend-agnostic: it runs on the
torch backend in the suite and on the JAX backend in a subprocess
(test_keras_adapter.py::test_on_the_jax_backend).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

keras = pytest.importorskip("keras")
import actloss.keras as alk  # noqa: E402

# Keras 3 + NumPy 2 on the torch backend: keras.ops.convert_to_numpy and predict() call
# np.array on torch tensors; a Keras/torch interplay, not actloss.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword"
)
REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight")
Gen = Callable[[np.random.Generator, tuple[int, ...]], tuple[np.ndarray, np.ndarray]]


def _f32(a: Any) -> np.ndarray:
    return np.asarray(a, dtype="float32")


def _values(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    return _f32(rng.normal(size=shape)), _f32(rng.normal(scale=2.0, size=shape))


def _positive(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    return _f32(rng.uniform(0.1, 3.0, size=shape)), _f32(rng.uniform(0.1, 3.0, size=shape))


def _binary_logits(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    return _f32(rng.uniform(size=shape) > 0.5), _f32(rng.normal(scale=2.0, size=shape))


def _binary_probs(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    t, z = _binary_logits(rng, shape)
    return t, _f32(1.0 / (1.0 + np.exp(-z)))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(-1, keepdims=True))
    return _f32(e / e.sum(-1, keepdims=True))


def _onehot_logits(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    return _f32(np.eye(shape[-1])[labels]), _f32(rng.normal(scale=2.0, size=shape))


def _onehot_probs(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    t, z = _onehot_logits(rng, shape)
    return t, _softmax(z)


def _labels_logits(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    t, z = _onehot_logits(rng, shape)
    return np.argmax(t, axis=-1).astype("int32"), z


def _distributions(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    return _softmax(rng.normal(size=shape)), _softmax(rng.normal(size=shape))


# (actloss name, its parameters, the Keras loss class, its arguments, inputs)
PAIRS: list[tuple[str, dict[str, Any], str, dict[str, Any], Gen]] = [
    ("mse", {}, "MeanSquaredError", {}, _values),
    ("mae", {}, "MeanAbsoluteError", {}, _values),
    ("msle", {}, "MeanSquaredLogarithmicError", {}, _positive),
    ("huber", {"delta": 1.0}, "Huber", {"delta": 1.0}, _values),
    ("log_cosh", {}, "LogCosh", {}, _values),
    ("hinge", {}, "Hinge", {}, _binary_logits),
    ("squared_hinge", {}, "SquaredHinge", {}, _binary_logits),
    ("binary_cross_entropy", {}, "BinaryCrossentropy", {}, _binary_probs),
    (
        "binary_cross_entropy_with_logits",
        {"from_logits": True},
        "BinaryCrossentropy",
        {"from_logits": True},
        _binary_logits,
    ),
    (
        "focal",
        {"from_logits": True, "alpha": 0.25, "gamma": 2.0},
        "BinaryFocalCrossentropy",
        {"from_logits": True, "apply_class_balancing": True, "alpha": 0.25, "gamma": 2.0},
        _binary_logits,
    ),
    ("categorical_cross_entropy", {}, "CategoricalCrossentropy", {}, _onehot_probs),
    (
        "cross_entropy",
        {"from_logits": True},
        "CategoricalCrossentropy",
        {"from_logits": True},
        _onehot_logits,
    ),
    (
        "cross_entropy",
        {"from_logits": True},
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        _labels_logits,
    ),
    (
        "softmax_focal",
        {"from_logits": True, "gamma": 2.0},
        "CategoricalFocalCrossentropy",
        {"from_logits": True, "alpha": 1.0, "gamma": 2.0},
        _onehot_logits,
    ),
    ("kl_divergence", {}, "KLDivergence", {}, _distributions),
    ("cosine_similarity", {}, "CosineSimilarity", {}, _values),
    ("poisson_nll", {"log_input": False, "eps": 1e-7}, "Poisson", {}, _positive),
]

# sample weights: (id, builder from the per-sample shape)
WEIGHTS: list[tuple[str, Callable[[tuple[int, ...]], Any]]] = [
    ("unweighted", lambda s: None),
    ("scalar", lambda s: 2.3),
    ("per_sample", lambda s: _f32(np.linspace(0.5, 3.4, s[0]))),
    ("per_sample_column", lambda s: _f32(np.linspace(0.5, 3.4, s[0]))[:, None]),
    ("zero", lambda s: _f32(np.zeros(s[0]))),
]


def _np(x: Any) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(x))


def _ids(p: Any) -> str:
    return f"{p[0]}-{p[2]}"


@pytest.mark.parametrize("pair", PAIRS, ids=[_ids(p) for p in PAIRS])
def test_matches_keras_on_its_cases(pair: Any) -> None:
    name, ours_kw, keras_name, keras_kw, gen = pair
    rng = np.random.default_rng(sum(map(ord, keras_name)))
    cases = [(wid, gen(rng, (4, 3)), w) for wid, w in WEIGHTS]
    # sequences: (batch, timesteps, features) with one weight per timestep
    timesteps = _f32(rng.uniform(0.0, 2.0, size=(4, 5)))
    cases.append(("timestep", gen(rng, (4, 5, 3)), lambda s: timesteps))
    for wid, (y_true, y_pred), weight in cases:
        sw = weight(y_pred.shape[:-1])
        for reduction in REDUCTIONS:
            ours = alk.get_loss(name, reduction=reduction, **ours_kw)
            theirs = getattr(keras.losses, keras_name)(reduction=reduction, **keras_kw)
            got = _np(ours(y_true, y_pred, sample_weight=sw))
            want = _np(theirs(y_true, y_pred, sample_weight=sw))
            assert got.shape == want.shape, (wid, reduction, got.shape, want.shape)
            np.testing.assert_allclose(
                got, want, rtol=2e-5, atol=2e-6, err_msg=f"{name} {wid} {reduction}"
            )


def _grad(loss: Any, y_true: Any, y_pred: np.ndarray, sw: Any, softmax: bool) -> np.ndarray:
    def value(p: Any) -> Any:
        return loss(y_true, keras.ops.softmax(p) if softmax else p, sample_weight=sw)

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        p = torch.tensor(y_pred, requires_grad=True)
        value(p).backward()
        return p.grad.numpy()
    assert backend == "jax", backend
    import jax

    return np.asarray(jax.grad(value)(y_pred))


@pytest.mark.parametrize("pair", PAIRS, ids=[_ids(p) for p in PAIRS])
def test_gradient_matches_keras(pair: Any) -> None:
    name, ours_kw, keras_name, keras_kw, gen = pair
    y_true, y_pred = gen(np.random.default_rng(5), (4, 3))
    # Keras's categorical cross-entropy divides the probabilities by their sum: its gradient
    # differs from -y/p by a constant per row, which the softmax that makes them removes
    softmax = gen is _onehot_probs
    if softmax:
        y_pred = _f32(np.log(y_pred))
    sw = _f32([1.2, 3.4, 0.0, 0.7])
    got = _grad(alk.get_loss(name, **ours_kw), y_true, y_pred, sw, softmax)
    want = _grad(getattr(keras.losses, keras_name)(**keras_kw), y_true, y_pred, sw, softmax)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_the_issue_examples() -> None:
    # mse with one weight per sample (what model.fit passes): Keras's 127.97 (rounded; the
    # exact mean is ((9 + 1 + 100) / 3 * 1.2 + (169 + 9 + 9) / 3 * 3.4) / 2 = 127.9667)
    y_true, y_pred = _f32([[1, 9, 2], [-5, -2, 6]]), _f32([[4, 8, 12], [8, 1, 3]])
    got = _np(alk.get_loss("mse")(y_true, y_pred, sample_weight=_f32([1.2, 3.4])))
    np.testing.assert_allclose(got, 127.96667, rtol=1e-6)
    # hinge with weights [1, 0]: only the first sample counts. By hand: labels {0, 1} ->
    # {-1, 1}, max(0, 1 - y s) = [0.7, 0.8, 0.9, 0], mean 0.6, weighted 0.6 * 1 + 0, over
    # the batch of 2: 0.3 (an actloss loss per element weighted the wrong axis before)
    t = _f32([[0, 1, 0, 1], [0, 0, 1, 1]])
    s = _f32([[-0.3, 0.2, -0.1, 1.6], [-0.25, -1.0, 0.5, 0.6]])
    got = _np(alk.get_loss("hinge")(t, s, sample_weight=_f32([1.0, 0.0])))
    want = _np(keras.losses.Hinge()(t, s, sample_weight=_f32([1.0, 0.0])))
    np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(got, 0.3, rtol=1e-6)


def test_fit_with_sample_weight_on_multi_output_regression() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = _f32(rng.normal(size=(64, 5)))
    y = _f32(x @ rng.normal(size=(5, 3)))
    w = _f32(rng.uniform(0.0, 2.0, size=64))
    losses = {}
    for loss in (alk.get_loss("mse"), keras.losses.MeanSquaredError()):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
        model.compile(keras.optimizers.SGD(0.05), loss=loss)
        hist = model.fit(x, y, sample_weight=w, epochs=3, batch_size=16, verbose=0)
        losses[type(loss).__name__] = hist.history["loss"]
    ours, theirs = losses.values()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert ours[-1] < ours[0]
