"""Keras 3 adapters: every catalog activation as a layer, every loss as a Keras loss.

Generated from the catalog, with the same class names as ``actloss.torch``
(``Swish``, ``GELU``, ``PReLU``, ``FocalLoss``, ``CrossEntropyLoss``, ...);
regularizers (``L1Penalty``, ``L2Penalty``, ``ElasticNet``) are Keras regularizers.
Keras's own conventions apply: ``(y_true, y_pred)`` order, ``reduction=`` and
``sample_weight`` handled by Keras, ``axis`` for vector activations, and
``from_logits=False`` by default for the catalog losses on sigmoid/softmax logits
(probabilities in, converted to logits after clipping at ``keras.config.epsilon()``).
Every class is serializable (``keras.saving.register_keras_serializable``, package
``actloss``), so saved ``.keras`` models that use them load back.

Losses follow Keras's per-sample semantics: ``call`` returns one value per sample,
reducing an elementwise loss over the last axis by its mean as Keras's losses do
(``MeanSquaredError``, ``Hinge``, ``BinaryCrossentropy``, ...; class-axis losses such
as cross-entropy are per sample already), so Keras's reductions and ``sample_weight`` of
shape ``(batch,)``, ``(batch, 1)`` or ``(batch, timesteps)`` give Keras's numbers.

Backends: torch (the analytic backward of ``actloss.torch``) and JAX (``actloss.jax``:
the core on the JAX arrays inside Keras's jit-compiled train step, differentiated by the
catalog's derivatives); TensorFlow tensors are not Array API arrays and are not supported.

    import os; os.environ["KERAS_BACKEND"] = "torch"
    import keras, actloss.keras as alk
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(64),
                              alk.Swish(trainable_beta=True),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", loss=alk.FocalLoss(alpha=0.25, gamma=2.0))

Requires the ``keras`` extra (``pip install 'actloss[keras]'``).
"""

from __future__ import annotations

from typing import Any

try:
    import keras
except ImportError as exc:  # pragma: no cover - depends on the environment
    import importlib.util
    import os

    if importlib.util.find_spec("keras") is None:
        raise ImportError(
            "actloss.keras needs Keras 3; install it with: pip install 'actloss[keras]'"
        ) from exc
    raise ImportError(
        f"Keras is installed but its backend "
        f"{os.environ.get('KERAS_BACKEND', 'tensorflow (the default)')!r} failed to load "
        f"({exc}); install it, or set KERAS_BACKEND=torch (or jax) before importing keras"
    ) from exc

from .. import _catalog
from .._classnames import export_classes, registered_entry
from .._function import Activation, Function
from .._loss import Loss
from ._classes import (
    ActivationLayer,
    LossBase,
    RegularizerBase,
    make_layer_class,
    make_loss_class,
    make_regularizer_class,
)

_CLASSES: dict[str, tuple[Function, type]] = {}


def class_for(name: str | Function) -> type:
    """The Keras class of a catalog entry (built on first use for entries registered later)."""
    fn = _catalog.get(name)
    entry = registered_entry(fn)
    cached = _CLASSES.get(entry.info.name)
    if cached is None or cached[0] is not entry:
        cls: type
        if isinstance(entry, Activation):
            cls = make_layer_class(entry)
        else:
            assert isinstance(entry, Loss)
            is_reg = entry.info.family == "regularizer"
            cls = make_regularizer_class(entry) if is_reg else make_loss_class(entry)
        cached = _CLASSES[entry.info.name] = (entry, cls)
    return cached[1]


def get(name: str | Function, **params: Any) -> Any:
    """Any catalog entry by name or alias: a layer, a loss or a regularizer instance."""
    fn = _catalog.get(name)
    return class_for(fn)(**{**fn.preset, **params})


def get_loss(name: str | Function, **params: Any) -> keras.losses.Loss:
    """A catalog loss as a Keras loss: ``get_loss("focal", alpha=0.25, gamma=2.0)``."""
    fn = _catalog.get(name)
    if fn.info.kind != "loss" or fn.info.family == "regularizer":
        raise ValueError(f"{fn.name} is not a loss (it is a {fn.info.family} {fn.info.kind})")
    out: keras.losses.Loss = get(fn, **params)
    return out


def get_activation(name: str | Function, **params: Any) -> keras.layers.Layer:
    """A catalog activation as a Keras layer: ``get_activation("swish", trainable_beta=True)``."""
    fn = _catalog.get(name)
    if fn.info.kind != "activation":
        raise ValueError(f"{fn.name} is not an activation (it is a {fn.info.kind})")
    out: keras.layers.Layer = get(fn, **params)
    return out


_GENERATED = export_classes(globals(), class_for)

__all__ = [
    "ActivationLayer",
    "LossBase",
    "RegularizerBase",
    "class_for",
    "get",
    "get_activation",
    "get_loss",
    *_GENERATED,
]
