"""actloss on JAX and in Keras against the frameworks' own functions.

Run on an otherwise idle machine (it measures wall time)::

    python -m benchmarks.jax_keras                          # defaults below
    python -m benchmarks.jax_keras --size 4096 --repeats 5 --epochs 1 --samples 512

Two tables (Markdown):

- JAX: for each catalog entry that ``jax.nn`` (activations) or optax (losses) also has,
  the median wall time of one jitted forward + gradient step
  (``jax.jit(jax.value_and_grad(lambda x: sum(ct * f(x))))`` for activations, the
  gradient of the mean loss with respect to the predictions for losses), actloss / JAX.
  optax's losses are used when optax is installed; otherwise their definitions (the
  formulas of ``optax.losses``) written in ``jax.numpy`` stand in, marked "formula".
- Keras: the wall time of ``model.fit`` (a small MLP, Adam) on the torch backend with an
  actloss activation layer or loss vs the same model with Keras's built-in, actloss /
  Keras; each pair in a fresh process (Keras fixes its backend at import). ``--keras-backend
  jax`` times the JAX backend instead.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

# ------------------------------------------------------------------------------- JAX
ACTIVATION_PAIRS = [  # (actloss name, actloss params, jax.nn name, jax.nn kwargs)
    ("relu", {}, "relu", {}),
    ("relu6", {}, "relu6", {}),
    ("leaky_relu", {"negative_slope": 0.01}, "leaky_relu", {"negative_slope": 0.01}),
    ("elu", {}, "elu", {}),
    ("celu", {}, "celu", {}),
    ("selu", {}, "selu", {}),
    ("gelu", {}, "gelu", {"approximate": False}),
    ("gelu", {"approximate": "tanh"}, "gelu", {"approximate": True}),
    ("silu", {}, "silu", {}),
    ("sigmoid", {}, "sigmoid", {}),
    ("tanh", {}, "tanh", {}),
    ("softplus", {}, "softplus", {}),
    ("log_sigmoid", {}, "log_sigmoid", {}),
    ("hard_tanh", {}, "hard_tanh", {}),
    ("hard_sigmoid", {}, "hard_sigmoid", {}),
    ("hard_swish", {}, "hard_swish", {}),
    ("mish", {}, "mish", {}),
    ("softmax", {}, "softmax", {}),
    ("log_softmax", {}, "log_softmax", {}),
]


def _optax_losses(jnp: Any, jax: Any) -> dict[str, tuple[Callable[..., Any], str]]:
    """Mean losses as optax defines them (optax's own functions when installed)."""
    try:
        import optax

        have = "optax"
        ce = optax.softmax_cross_entropy_with_integer_labels
        bce = optax.sigmoid_binary_cross_entropy
        huber = optax.huber_loss
        l2 = optax.squared_error
        focal = optax.sigmoid_focal_loss
        log_cosh = optax.log_cosh
        hinge = optax.hinge_loss
    except ImportError:
        have = "formula"

        def ce(z: Any, y: Any) -> Any:
            return -jnp.take_along_axis(jax.nn.log_softmax(z), y[:, None], axis=-1)[:, 0]

        def bce(z: Any, t: Any) -> Any:
            return -t * jax.nn.log_sigmoid(z) - (1 - t) * jax.nn.log_sigmoid(-z)

        def huber(p: Any, t: Any, delta: float = 1.0) -> Any:
            e = jnp.abs(p - t)
            q = jnp.minimum(e, delta)
            return 0.5 * q**2 + delta * (e - q)

        def l2(p: Any, t: Any) -> Any:
            return (p - t) ** 2

        def focal(z: Any, t: Any, alpha: float = 0.25, gamma: float = 2.0) -> Any:
            p = jax.nn.sigmoid(z)
            ce_ = bce(z, t)
            p_t = p * t + (1 - p) * (1 - t)
            w = alpha * t + (1 - alpha) * (1 - t)
            return w * ce_ * (1 - p_t) ** gamma

        def log_cosh(p: Any, t: Any) -> Any:
            e = p - t
            return jnp.logaddexp(e, -e) - jnp.log(2.0)

        def hinge(s: Any, t: Any) -> Any:
            return jnp.maximum(0.0, 1.0 - s * t)

    return {
        "cross_entropy": (lambda p, y: jnp.mean(ce(p, y)), have),
        "binary_cross_entropy_with_logits": (lambda p, t: jnp.mean(bce(p, t)), have),
        "huber": (lambda p, t: jnp.mean(huber(p, t)), have),
        "mse": (lambda p, t: jnp.mean(l2(p, t)), have),
        "focal": (lambda p, t: jnp.mean(focal(p, t)), have),
        "log_cosh": (lambda p, t: jnp.mean(log_cosh(p, t)), have),
        "hinge": (lambda p, t: jnp.mean(hinge(p, 2.0 * t - 1.0)), have),
    }


def _median_time(step: Callable[[], Any], repeats: int) -> float:
    step()  # compile
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _act_step(jax: Any, f: Callable[[Any], Any], x: Any, ct: Any) -> Callable[[], Any]:
    """One jitted forward + gradient of sum(ct * f(x))."""
    g = jax.jit(jax.value_and_grad(lambda v: (ct * f(v)).sum()))
    return lambda: jax.block_until_ready(g(x))


def jax_table(size: int, repeats: int) -> list[str]:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import actloss as al
    import actloss.jax as alj

    rng = np.random.default_rng(0)
    rows = ["| entry | actloss (ms) | JAX (ms) | ratio | reference |", "|---|---|---|---|---|"]
    n_cols = 64
    x = jnp.asarray(rng.normal(size=(size // n_cols, n_cols)), dtype=jnp.float32)
    ct = jnp.asarray(rng.normal(size=x.shape), dtype=jnp.float32)
    for name, ours_kw, ref_name, ref_kw in ACTIVATION_PAIRS:
        ref_fn = getattr(jax.nn, ref_name, None)
        if ref_fn is None:
            continue
        ours = alj.activation(name, **ours_kw)

        a = _median_time(_act_step(jax, ours, x, ct), repeats)
        ref = functools.partial(ref_fn, **ref_kw)
        b = _median_time(_act_step(jax, ref, x, ct), repeats)
        label = name + "".join(f" {k}={v}" for k, v in ours_kw.items())
        rows.append(
            f"| {label} | {a * 1e3:.3f} | {b * 1e3:.3f} | {a / b:.2f} | jax.nn.{ref_name} |"
        )

    classes = 10
    z = jnp.asarray(rng.normal(size=(size // classes, classes)), dtype=jnp.float32)
    labels = jnp.asarray(rng.integers(0, classes, size=z.shape[0]), dtype=jnp.int32)
    p = jnp.asarray(rng.normal(size=x.shape), dtype=jnp.float32)
    t = jnp.asarray(rng.normal(size=x.shape), dtype=jnp.float32)
    t01 = jnp.asarray(rng.uniform(size=x.shape) > 0.5, dtype=jnp.float32)
    for name, (ref, source) in _optax_losses(jnp, jax).items():
        f = getattr(alj, name)
        pred, target = (z, labels) if name == "cross_entropy" else (p, t)
        if name in ("binary_cross_entropy_with_logits", "focal", "hinge"):
            target = t01
        if al.get(name).default_reduction != "mean":
            continue

        def step_of(fn: Callable[[Any, Any], Any], pred: Any = pred, target: Any = target) -> Any:
            g = jax.jit(jax.value_and_grad(lambda q: fn(q, target)))
            return lambda: jax.block_until_ready(g(pred))

        a = _median_time(step_of(lambda q, tt, f=f: f(tt, q)), repeats)
        b = _median_time(step_of(ref), repeats)
        rows.append(f"| {name} | {a * 1e3:.3f} | {b * 1e3:.3f} | {a / b:.2f} | optax ({source}) |")
    return rows


# ----------------------------------------------------------------------------- Keras
KERAS_PAIRS = [  # (label, kind, actloss spec, Keras spec)
    ("swish layer", "activation", ("swish", {}), "silu"),
    ("gelu layer", "activation", ("gelu", {}), "gelu"),
    ("elu layer", "activation", ("elu", {}), "elu"),
    ("focal loss", "binary", ("focal", {"alpha": 0.25, "gamma": 2.0}), "focal"),
    ("binary cross-entropy", "binary", ("binary_cross_entropy", {}), "bce"),
    ("mse", "regression", ("mse", {}), "mse"),
    ("sparse categorical CE", "multiclass", ("cross_entropy", {}), "sparse_ce"),
]


def keras_fit_time(kind: str, which: str, spec: Any, keras_spec: str, args: Any) -> float:
    """One model.fit in this process; ``which`` is "actloss" or "keras"."""
    import keras
    import numpy as np

    import actloss.keras as alk

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, 20)).astype("float32")
    act: Any = "relu"
    out_units, out_act = 1, "sigmoid"
    if kind == "activation":
        act = alk.get_activation(spec[0], **spec[1]) if which == "actloss" else keras_spec
        y = (x[:, 0] > 0).astype("float32")
        loss: Any = "binary_crossentropy"
    elif kind == "binary":
        y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
        builtin = {
            "focal": keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True),
            "bce": keras.losses.BinaryCrossentropy(),
        }[keras_spec]
        loss = alk.get_loss(spec[0], **spec[1]) if which == "actloss" else builtin
    elif kind == "regression":
        y = (x[:, :3] @ rng.normal(size=(3, 3))).astype("float32")
        out_units, out_act = 3, None
        loss = alk.get_loss(spec[0], **spec[1]) if which == "actloss" else "mse"
    else:
        y = np.argmax(x[:, :5], axis=1).astype("int32")
        out_units, out_act = 5, "softmax"
        loss = (
            alk.get_loss(spec[0], **spec[1])
            if which == "actloss"
            else keras.losses.SparseCategoricalCrossentropy()
        )
    hidden = keras.layers.Activation(act) if isinstance(act, str) else act
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(64),
            hidden,
            keras.layers.Dense(out_units, activation=out_act),
        ]
    )
    model.compile("adam", loss=loss)
    model.fit(x[:64], y[:64], epochs=1, batch_size=32, verbose=0)  # warm-up (compilation)
    t0 = time.perf_counter()
    model.fit(x, y, epochs=args.epochs, batch_size=32, verbose=0)
    return time.perf_counter() - t0


def keras_table(args: Any) -> list[str]:
    rows = [
        f"| Keras {args.keras_backend} backend | actloss fit (s) | Keras fit (s) | ratio |",
        "|---|---|---|---|",
    ]
    env = {**os.environ, "KERAS_BACKEND": args.keras_backend}
    for i, (label, *_rest) in enumerate(KERAS_PAIRS):
        times = {}
        for which in ("actloss", "keras"):
            cmd = [sys.executable, "-m", "benchmarks.jax_keras", "--keras-one", str(i), which]
            cmd += ["--samples", str(args.samples), "--epochs", str(args.epochs)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            times[which] = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
        a, b = times["actloss"], times["keras"]
        rows.append(f"| {label} | {a:.2f} | {b:.2f} | {a / b:.2f} |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1 << 18, help="elements per JAX input")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--samples", type=int, default=8192, help="Keras training samples")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--keras-backend", default="torch", choices=("torch", "jax"))
    parser.add_argument("--skip", choices=("jax", "keras"), default=None)
    parser.add_argument("--keras-one", nargs=2, metavar=("INDEX", "WHICH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.keras_one:
        label, kind, spec, keras_spec = KERAS_PAIRS[int(args.keras_one[0])]
        seconds = keras_fit_time(kind, args.keras_one[1], spec, keras_spec, args)
        print(json.dumps({"label": label, "seconds": seconds}))
        return
    if args.skip != "jax":
        what = "jitted forward + gradient, median of"
        print(f"JAX, float32, {args.size} elements, {what} {args.repeats}:\n")
        print("\n".join(jax_table(args.size, args.repeats)) + "\n")
    if args.skip != "keras":
        print(f"Keras fit, {args.samples} samples, {args.epochs} epochs, batch 32:\n")
        print("\n".join(keras_table(args)))


if __name__ == "__main__":
    main()
