"""The tutorial NumPy way: value and derivative as blog posts and course notes write them.

Plain formulas, one NumPy call per operation, the derivative from the value where
tutorials do so (s * (1 - s), 1 - t**2). No stability tricks: this is the baseline
the fused kernels are compared with, not a reference for accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:
    from scipy.special import erf
except ImportError:  # pragma: no cover - scipy is a dev dependency
    erf = None

SQRT2 = np.sqrt(2.0)
A, L = 1.6732632423543772, 1.0507009873554805  # SELU


def _sigmoid(x: Any) -> Any:
    s = 1 / (1 + np.exp(-x))
    return s, s * (1 - s)


def _tanh(x: Any) -> Any:
    t = np.tanh(x)
    return t, 1 - t**2


def _softplus(x: Any) -> Any:
    return np.log(1 + np.exp(x)), 1 / (1 + np.exp(-x))


def _silu(x: Any) -> Any:
    s = 1 / (1 + np.exp(-x))
    return x * s, s * (1 + x * (1 - s))


def _gelu(x: Any) -> Any:
    cdf = 0.5 * (1 + erf(x / SQRT2))
    pdf = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
    return x * cdf, cdf + x * pdf


def _mish(x: Any) -> Any:
    sp = np.log(1 + np.exp(x))
    t = np.tanh(sp)
    s = 1 / (1 + np.exp(-x))
    return x * t, t + x * (1 - t**2) * s


def _elu(x: Any, alpha: float = 1.0, scale: float = 1.0) -> Any:
    y = np.where(x > 0, x, alpha * (np.exp(x) - 1))
    return scale * y, scale * np.where(x > 0, 1.0, alpha * np.exp(x))


def _log_sigmoid(x: Any) -> Any:
    s = 1 / (1 + np.exp(-x))
    return np.log(s), 1 - s


def _relu(x: Any) -> Any:
    return np.maximum(0, x), (x > 0).astype(x.dtype)


def _hard_sigmoid(x: Any) -> Any:
    return np.clip(x / 6 + 0.5, 0, 1), np.where((x > -3) & (x < 3), 1 / 6, 0.0)


def _hard_swish(x: Any) -> Any:
    r6 = np.clip(x + 3, 0, 6)
    return x * r6 / 6, np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0))


def _squareplus(x: Any, b: float = 4.0) -> Any:
    r = np.sqrt(x * x + b)
    return (x + r) / 2, (1 + x / r) / 2


def _snake(x: Any, a: float = 1.0) -> Any:
    return x + np.sin(a * x) ** 2 / a, 1 + np.sin(2 * a * x)


def _tanhshrink(x: Any) -> Any:
    t = np.tanh(x)
    return x - t, t**2


TUTORIAL: dict[str, Callable[..., Any]] = {
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "softplus": _softplus,
    "silu": _silu,
    "swish": _silu,
    "gelu": _gelu,
    "mish": _mish,
    "elu": _elu,
    "selu": lambda x: _elu(x, A, L),
    "celu": _elu,
    "log_sigmoid": _log_sigmoid,
    "softsign": lambda x: (x / (1 + np.abs(x)), 1 / (1 + np.abs(x)) ** 2),
    "exponential": lambda x: (np.exp(x), np.exp(x)),
    "relu": _relu,
    "relu6": lambda x: (np.clip(x, 0, 6), ((x > 0) & (x < 6)).astype(x.dtype)),
    "leaky_relu": lambda x: (np.where(x > 0, x, 0.01 * x), np.where(x > 0, 1.0, 0.01)),
    "prelu": lambda x: (np.where(x > 0, x, 0.25 * x), np.where(x > 0, 1.0, 0.25)),
    "rrelu": lambda x: (np.where(x >= 0, x, 0.2291 * x), np.where(x > 0, 1.0, 0.2291)),
    "threshold": lambda x: (np.where(x > 0, x, 0.0), (x > 0).astype(x.dtype)),
    "hard_sigmoid": _hard_sigmoid,
    "hard_tanh": lambda x: (np.clip(x, -1, 1), ((x > -1) & (x < 1)).astype(x.dtype)),
    "hard_swish": _hard_swish,
    "sparse_sigmoid": lambda x: (np.clip((x + 1) / 2, 0, 1), np.where(np.abs(x) < 1, 0.5, 0.0)),
    "sparse_plus": lambda x: (
        np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
        np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2)),
    ),
    "squareplus": _squareplus,
    "snake": _snake,
    "softshrink": lambda x: (
        np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
        (np.abs(x) > 0.5).astype(x.dtype),
    ),
    "hardshrink": lambda x: (np.where(np.abs(x) > 0.5, x, 0.0), (np.abs(x) > 0.5).astype(x.dtype)),
    "tanhshrink": _tanhshrink,
    "identity": lambda x: (x.copy(), np.ones_like(x)),
    "affine": lambda x: (1.0 * x + 0.0, np.ones_like(x)),
}
if erf is None:
    del TUTORIAL["gelu"]


def _softmax(x: Any, ct: Any) -> Any:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    return y, y * (ct - (ct * y).sum(axis=-1, keepdims=True))


def _log_softmax(x: Any, ct: Any) -> Any:
    z = x - x.max(axis=-1, keepdims=True)
    y = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return y, ct - np.exp(y) * ct.sum(axis=-1, keepdims=True)


TUTORIAL["softmax"] = _softmax
TUTORIAL["log_softmax"] = _log_softmax
TUTORIAL["softmin"] = lambda x, ct: (lambda y, g: (y, -g))(*_softmax(-x, ct))


def _cross_entropy(y: Any, logits: Any) -> Any:
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    g = p.copy()
    g[np.arange(n), y] -= 1
    return loss, g / n


def _bce_logits(t: Any, z: Any) -> Any:
    p = 1 / (1 + np.exp(-z))
    loss = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    return loss, (p - t) / z.size


def _huber(t: Any, p: Any, delta: float = 1.0) -> Any:
    r = p - t
    small = np.abs(r) <= delta
    loss = np.mean(np.where(small, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta)))
    return loss, np.where(small, r, delta * np.sign(r)) / r.size


TUTORIAL_LOSSES: dict[str, Callable[..., Any]] = {
    "cross_entropy": _cross_entropy,
    "binary_cross_entropy_with_logits": _bce_logits,
    "mse": lambda t, p: (np.mean((p - t) ** 2), 2 * (p - t) / p.size),
    "huber": _huber,
}
