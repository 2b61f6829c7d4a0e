"""Keras layers, losses and regularizers generated from catalog entries.

Activations become ``keras.layers.Layer`` subclasses whose arguments are the
catalog parameters (Keras, like the core, says ``axis``); a learnable parameter
becomes a weight with a ``trainable_<name>`` switch (``Swish(trainable_beta=True)``,
``Snake(trainable_a=True)``; PReLU's per-channel ``weight`` adds ``num_parameters``,
the size of axis 1, which is the feature axis of (batch, features) inputs).
Losses become ``keras.losses.Loss`` subclasses in Keras's ``(y_true, y_pred)``
order returning one value per sample, as Keras's losses do: an elementwise loss is
averaged over the last axis of ``y_pred`` (inputs of two or more dims; Keras's
``MeanSquaredError``, ``Hinge``, ``BinaryCrossentropy`` ...), a loss over the class axis
(cross-entropy, KL divergence) or over rows is per sample already; Keras then applies
``reduction=`` and ``sample_weight``. Regularizers become ``keras.regularizers.Regularizer``s.
Every class is registered with ``keras.saving.register_keras_serializable``
(package ``actloss``) and round-trips through ``get_config``/``from_config``.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import array_api_compat.numpy as xnp
import keras
import numpy as np

from .._classnames import class_name
from .._docstring import LazyDoc
from .._function import Activation
from .._loss import Loss
from . import _compute

_P = inspect.Parameter
PACKAGE = "actloss"


def _kw(name: str, default: Any) -> inspect.Parameter:
    return _P(name, _P.POSITIONAL_OR_KEYWORD, default=default)


def _plain(value: Any) -> Any:
    """A JSON-friendly config value (arrays as nested lists)."""
    if hasattr(value, "tolist") and not isinstance(value, (bool, int, float, str)):
        return np.asarray(keras.ops.convert_to_numpy(value)).tolist()
    return value


# --------------------------------------------------------------------------- activations
def activation_signature(fn: Activation) -> inspect.Signature:
    params = []
    for p in fn.info.params:
        default = fn.preset.get(p.name, p.default)
        params.append(_kw(p.name, default))
        if p.learnable and p.kind == "array":
            params.append(_kw("num_parameters", 1))
    params += [_kw(f"trainable_{p.name}", True) for p in fn.info.params if p.learnable]
    return inspect.Signature(params)


class ActivationLayer(keras.layers.Layer):
    """Base of the generated activation layers: ``call(x) = fn(x, **params)``."""

    function: ClassVar[Activation]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        sig = activation_signature(self.function)
        own = {k: kwargs.pop(k) for k in list(kwargs) if k in sig.parameters}
        super().__init__(**kwargs)
        try:
            bound = sig.bind(*args, **own)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}{sig}: {exc}") from None
        bound.apply_defaults()
        self._actloss_config: dict[str, Any] = {k: _plain(v) for k, v in bound.arguments.items()}
        check = {p.name: self._actloss_config[p.name] for p in self.function.info.params}
        check.pop("axis", None)
        if any(p.kind == "array" for p in self.function.info.params):
            check = {
                k: np.asarray(v, dtype=float) if isinstance(v, list) else v
                for k, v in check.items()
            }
        self.function.resolve_params(check, xnp, np.zeros(()))
        self._learnable = [p for p in self.function.info.params if p.learnable]

    def build(self, input_shape: Any) -> None:
        for p in self._learnable:
            value = np.asarray(self._actloss_config[p.name], dtype=float)
            if p.kind == "array":
                n = int(self._actloss_config["num_parameters"])
                shape: tuple[int, ...] = (n,) if n > 1 or value.ndim else ()
                value = np.broadcast_to(value, shape)
            else:
                shape = tuple(value.shape)
            weight = self.add_weight(
                name=p.name,
                shape=shape,
                initializer=keras.initializers.Constant(value),
                trainable=bool(self._actloss_config[f"trainable_{p.name}"]),
            )
            setattr(self, p.name, weight)
        self.built = True

    def params(self) -> dict[str, Any]:
        out = {}
        for p in self.function.info.params:
            if p.learnable:
                out[p.name] = keras.ops.convert_to_tensor(getattr(self, p.name))
            else:
                out[p.name] = self._actloss_config[p.name]
        return out

    def call(self, x: Any) -> Any:
        return _compute.activation(self.function, x, self.params())

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.function.info.elementwise:
            return input_shape
        # a vector entry (softmax family keeps the shape, gated ones halve `axis`): evaluate
        # the core on zeros of that shape, unknown sizes kept unknown
        probe = tuple(2 if n is None else n for n in input_shape)
        fixed = {k: v for k, v in self.params().items() if not _compute._is_tensor(v)}
        out = self.function(np.zeros(probe), **fixed).shape
        return tuple(None if n is None else m for n, m in zip(input_shape, out, strict=True))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._actloss_config}


def make_layer_class(fn: Activation) -> type[ActivationLayer]:
    name = class_name(fn)
    sig = activation_signature(fn)
    listing = ", ".join(f"{k}={v.default!r}" for k, v in sig.parameters.items())
    head = f"{name}({listing}): actloss's ``{fn.name}`` as a Keras layer."
    doc = LazyDoc(lambda: f"{head}\n\n{fn.__doc__}")  # rendered on first access
    cls = type(name, (ActivationLayer,), {"function": fn, "__doc__": doc, "__module__": __name__})
    return keras.saving.register_keras_serializable(package=PACKAGE, name=name)(cls)


# --------------------------------------------------------------------------- losses
def takes_probabilities(fn: Loss) -> bool:
    """Whether the loss is on sigmoid/softmax logits, so ``from_logits=False`` can apply."""
    return fn.info.y_pred_kind == "logits" and not fn.info.not_probability_logits


def to_logits(fn: Loss, p: Any) -> Any:
    """Probabilities -> logits, clipped at Keras's epsilon as Keras's own losses do:
    log(p) for softmax outputs (multi-class tasks), log(p) - log(1 - p) for sigmoid outputs."""
    eps = keras.config.epsilon()
    if any("multi-class" in t for t in fn.info.task):
        return keras.ops.log(keras.ops.clip(p, eps, 1.0))
    q = keras.ops.clip(p, eps, 1.0 - eps)
    return keras.ops.log(q) - keras.ops.log1p(-q)


def match_rank(y_true: Any, y_pred: Any) -> Any:
    """Keras's rank matching: labels (n,) for predictions (n, 1) and (n, 1) labels for (n, C)."""
    if y_true is None or tuple(y_true.shape) == tuple(y_pred.shape):
        return y_true
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        return keras.ops.expand_dims(y_true, -1)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        return keras.ops.squeeze(y_true, -1)
    return y_true


def per_sample(values: Any, y_pred: Any) -> Any:
    """Keras's per-sample values: the mean over the last axis of an elementwise loss.

    An elementwise loss keeps y_pred's shape; Keras's losses (``mean_squared_error``,
    ``hinge``, ``binary_crossentropy``, ``log_cosh``, ...) average it over the last axis, one
    value per sample (per timestep for sequences). 1-d predictions are one value per
    sample already.
    """
    if y_pred.ndim >= 2 and tuple(values.shape) == tuple(y_pred.shape):
        return keras.ops.mean(values, axis=-1)
    return values


def loss_signature(fn: Loss) -> inspect.Signature:
    params = [_kw(p.name, fn.preset.get(p.name, p.default)) for p in fn.info.params]
    if takes_probabilities(fn):
        params.append(_kw("from_logits", False))
    params += [_kw("reduction", "sum_over_batch_size"), _kw("name", None), _kw("dtype", None)]
    return inspect.Signature(params)


class LossBase(keras.losses.Loss):
    """Base of the generated Keras losses: ``call(y_true, y_pred)`` -> per-sample losses."""

    function: ClassVar[Loss]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        sig = loss_signature(self.function)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}{sig}: {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        super().__init__(
            name=values.pop("name") or self.function.name,
            reduction=values.pop("reduction"),
            dtype=values.pop("dtype"),
        )
        self.from_logits = bool(values.pop("from_logits", True))
        self._actloss_config = {k: _plain(v) for k, v in values.items()}
        check = {
            k: np.asarray(v, dtype=float) if isinstance(v, list) else v
            for k, v in self._actloss_config.items()
        }
        self.function.resolve_params(check, xnp, np.zeros(()))

    def params(self) -> dict[str, Any]:
        return {
            k: keras.ops.convert_to_tensor(np.asarray(v), dtype=self.dtype)
            if isinstance(v, list)
            else v
            for k, v in self._actloss_config.items()
        }

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        # losses without a target (triplet_margin, ntxent) are called with y_true=None,
        # which Keras's __call__ cannot convert: pass a placeholder that call() drops
        self._no_target = y_true is None
        placeholder = keras.ops.zeros((0,)) if self._no_target else y_true
        return super().__call__(placeholder, y_pred, sample_weight)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        fn = self.function
        if getattr(self, "_no_target", False):
            y_true = None
        preds = list(y_pred) if isinstance(y_pred, (tuple, list)) else [y_pred]
        if takes_probabilities(fn) and not self.from_logits:
            preds[0] = to_logits(fn, preds[0])
        values = _compute.loss(fn, preds, match_rank(y_true, preds[0]), self.params())
        return per_sample(values, preds[0])

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self._actloss_config}
        if takes_probabilities(self.function):
            config["from_logits"] = self.from_logits
        return config


def make_loss_class(fn: Loss) -> type[LossBase]:
    name = class_name(fn)
    sig = loss_signature(fn)
    listing = ", ".join(f"{k}={v.default!r}" for k, v in sig.parameters.items())
    head = f"{name}({listing}): actloss's ``{fn.name}`` as a Keras loss, "
    head += "called as loss(y_true, y_pred)."
    doc = LazyDoc(lambda: f"{head}\n\n{fn.__doc__}")  # rendered on first access
    cls = type(name, (LossBase,), {"function": fn, "__doc__": doc, "__module__": __name__})
    return keras.saving.register_keras_serializable(package=PACKAGE, name=name)(cls)


# --------------------------------------------------------------------------- regularizers
class RegularizerBase(keras.regularizers.Regularizer):
    """Base of the generated regularizers: ``regularizer(weights)`` -> a scalar penalty."""

    function: ClassVar[Loss]

    def __init__(self, **params: Any) -> None:
        self.function._check_names(params)
        self._actloss_config = {**self.function.info.defaults, **params}
        self.function.resolve_params(self._actloss_config, xnp, np.zeros(()))

    def __call__(self, x: Any) -> Any:
        x = keras.ops.convert_to_tensor(x)
        return _compute.loss(self.function, [x], None, self._actloss_config, reduction="sum")

    def get_config(self) -> dict[str, Any]:
        return dict(self._actloss_config)


def make_regularizer_class(fn: Loss) -> type[RegularizerBase]:
    name = class_name(fn)
    head = f"{name}(**params): actloss's ``{fn.name}`` as a Keras regularizer."
    doc = LazyDoc(lambda: f"{head}\n\n{fn.__doc__}")  # rendered on first access
    cls = type(name, (RegularizerBase,), {"function": fn, "__doc__": doc, "__module__": __name__})
    return keras.saving.register_keras_serializable(package=PACKAGE, name=name)(cls)
