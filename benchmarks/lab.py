"""Benchmark of the lab: batched ensembles vs one model at a time (PyTorch loop, Keras 3 fit).

Run on an otherwise idle machine (it measures wall time)::

    python benchmarks/lab.py                      # 30-model comparison + 30/300 scaling
    python benchmarks/lab.py --sizes 30,300,3000  # add the 3000-model point (minutes)
    python benchmarks/lab.py --keras 30           # Keras 3 fit for all 30 models (slow)
    python benchmarks/lab.py --only cnn,csv       # your model and your data (issue 17)
    python benchmarks/lab.py --quick              # tiny sizes: checks that the code runs

What is measured, all on the tutorial experiment (make_classification 1000x20,
64-32 ReLU MLP, BCE+sigmoid / hinge+tanh / MSE+sigmoid, 50 epochs, batch 32,
Adam 1e-3, 80/20 split, validation split 0.2):

- start-up: wall time of ``python -c "import actloss.lab.training ..."`` plus the
  first tiny training step (imports of torch, scikit-learn, torch.optim's lazy
  imports), in a fresh process;
- ``batched``: the default ``actloss compare`` models (3 combinations x 10 seeds)
  trained as one batched ensemble (``training.train_batch``), and the whole
  ``compare`` pipeline (training + store + statistics + plot);
- ``floor``: the same 30 models as one batched ensemble in plain PyTorch, without
  actloss and without the lab's per-step diagnostics: the speed of the approach;
- ``torch loop``: the same 30 models one at a time, each a plain ``nn.Sequential``
  with ``torch.nn.functional`` losses, ``torch.optim.Adam``, the same mini-batches;
- ``keras fit``: ``--keras N`` of those models with Keras 3 ``model.fit`` (torch
  backend), one at a time; the time for 30 is N's time x 30/N (printed as such);
- scaling: batched training time for 30, 300, 3000 models (10, 100, 1000 seeds).

Your model and your data (``--only cnn,csv``):

- ``cnn``: the docs' digits CNN (``actloss.lab.models.digits_cnn``, 8/16 channels, 32
  hidden units) with relu, gelu and silu x 10 seeds, cross-entropy on logits, 20 epochs:
  the 30 models as one ``torch.func`` ensemble (``models.train_models``), the same models
  one at a time through the lab (``batched=False``: one forward call per model), and a
  plain PyTorch loop (each model alone with ``torch.nn`` activations and
  ``F.cross_entropy``, its own Adam, the same mini-batches); accuracy per activation;
- ``csv``: the CSV path's overhead: reading, checking and hashing the digits as a CSV
  file (``userdata.read``) against the same arrays given directly and against the
  built-in dataset's load, a 100000 x 20 CSV's read, and the whole ``compare`` (default
  MLP pairs for the task, 10 seeds) on the CSV against ``--dataset digits``.

Accuracy is reported as the mean test accuracy per combination for each method.
Set ``--threads`` to the torch thread count used everywhere (default 1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

STARTUP = (
    "import time; t = time.perf_counter(); import torch; import actloss.lab.training as T; "
    "from actloss.lab import Config; from actloss.lab.runs import expand; "
    "T.train_batch(expand(Config(epochs=1, seeds=(0,), splits=1, n_samples=100))); "
    "print(time.perf_counter() - t)"
)


def startup_seconds() -> tuple[float, float]:
    """(process wall time, time inside the process) for imports and a first tiny run."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - t0, float(out.stdout.strip().splitlines()[-1])


def per_combination(runs: list[Any], values: np.ndarray) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for r, v in zip(runs, values, strict=True):
        out.setdefault(f"{r.loss[0]}+{r.output[0]}", []).append(float(v))
    return {k: round(float(np.mean(v)), 4) for k, v in out.items()}


EPOCHS = 50


def config(**kw: Any) -> Any:
    from actloss.lab import Config

    kw.setdefault("splits", 1)  # the tutorials' single split: 10 seeds = 30 models in one batch
    return Config(epochs=EPOCHS, **kw)


def batched(seeds: int) -> tuple[float, dict[str, float]]:
    from actloss.lab.runs import expand
    from actloss.lab.training import train_batch

    runs = expand(config(seeds=tuple(range(seeds))))
    t = time.perf_counter()
    res = train_batch(runs)
    return time.perf_counter() - t, per_combination(runs, res.test_metric)


def compare_pipeline() -> float:
    from actloss.lab import compare

    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        compare(config(), folder)
        return time.perf_counter() - t


def torch_loop() -> tuple[float, dict[str, float]]:
    """The 30 default models one at a time, plain PyTorch (built-in layers and losses)."""
    import torch
    from torch import nn

    from actloss.lab import data
    from actloss.lab.runs import expand

    runs = expand(config())
    split = data.load("classification")
    x = torch.as_tensor(split.x_train, dtype=torch.float32)
    y = torch.as_tensor(split.y_train, dtype=torch.float32).reshape(-1, 1)
    xt = torch.as_tensor(split.x_test, dtype=torch.float32)
    yt = torch.as_tensor(split.y_test, dtype=torch.float32).reshape(-1, 1)
    losses = {
        "binary_cross_entropy": nn.functional.binary_cross_entropy,
        "mse": nn.functional.mse_loss,
        "hinge": lambda out, t: torch.clamp(1 - (2 * t - 1) * out, min=0).mean(),
    }
    outs = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    accs = []
    t0 = time.perf_counter()
    for r in runs:
        torch.manual_seed(r.seed)
        model = nn.Sequential(
            nn.Linear(20, 64),
            nn.ReLU(),
            nn.Linear(64, 32),
            nn.ReLU(),
            nn.Linear(32, 1),
            outs[r.output[0]](),
        )
        opt = torch.optim.Adam(model.parameters(), lr=r.lr)
        loss_fn = losses[r.loss[0]]
        for _ in range(r.epochs):
            perm = torch.randperm(len(x))
            for s in range(0, len(x), r.batch_size):
                idx = perm[s : s + r.batch_size]
                loss = loss_fn(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():  # a validation pass per epoch, as the lab and Keras do
                model(torch.as_tensor(split.x_val, dtype=torch.float32))
        with torch.no_grad():
            thr = 0.0 if r.output[0] == "tanh" else 0.5
            accs.append(float(((model(xt) > thr) == (yt > 0.5)).float().mean()))
    return time.perf_counter() - t0, per_combination(runs, np.array(accs))


def floor() -> tuple[float, dict[str, float]]:
    """The floor of the approach: the same 30 models as one batched ensemble written in plain
    PyTorch without actloss (stacked weights, ``baddbmm``, torch's own activations and
    losses, one fused Adam, the same mini-batches and a validation pass per epoch), with
    none of the lab's per-step diagnostics."""
    import torch

    from actloss.lab import data
    from actloss.lab.runs import expand
    from actloss.lab.training import generator, initial_weights

    runs = sorted(expand(config()), key=lambda r: (r.output[0], r.loss[0]))
    split = data.load("classification")
    x = torch.as_tensor(split.x_train, dtype=torch.float32)
    y = torch.as_tensor(split.y_train, dtype=torch.float32).reshape(-1, 1)
    xv = torch.as_tensor(split.x_val, dtype=torch.float32)
    xt = torch.as_tensor(split.x_test, dtype=torch.float32)
    yt = torch.as_tensor(split.y_test, dtype=torch.float32).reshape(-1, 1)
    dims = [x.shape[1], 64, 32, 1]
    gens = [generator(r.seed) for r in runs]
    per_model = [initial_weights(r, dims, g) for r, g in zip(runs, gens, strict=True)]
    params = []
    for layer in range(3):
        for k in range(2):
            t = torch.stack([pm[layer][k] for pm in per_model]).float().requires_grad_()
            params.append(t)
    opt = torch.optim.Adam(params, lr=runs[0].lr, fused=True)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(runs):
        groups.setdefault((r.output[0], r.loss[0]), []).append(i)
    spans = [(key, slice(ix[0], ix[-1] + 1)) for key, ix in groups.items()]
    out_fn = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}
    nnf = torch.nn.functional
    loss_fn = {
        "binary_cross_entropy": lambda o, t: nnf.binary_cross_entropy(o, t, reduction="none"),
        "mse": lambda o, t: nnf.mse_loss(o, t, reduction="none"),
        "hinge": lambda o, t: torch.clamp(1 - (2 * t - 1) * o, min=0),
    }

    def forward(h: torch.Tensor) -> torch.Tensor:
        for layer in range(3):
            z = torch.baddbmm(params[2 * layer + 1], h, params[2 * layer])
            h = torch.relu(z) if layer < 2 else z
        return torch.cat([out_fn[k[0]](h[s]) for k, s in spans])

    n, bs = len(x), runs[0].batch_size
    t0 = time.perf_counter()
    for _ in range(EPOCHS):
        perm = torch.stack([torch.randperm(n, generator=g) for g in gens])
        for s in range(0, n, bs):
            idx = perm[:, s : s + bs]
            out = forward(x[idx])
            target = y[idx]
            per = [loss_fn[k[1]](out[sl], target[sl]).mean(dim=(1, 2)) for k, sl in spans]
            opt.zero_grad(set_to_none=True)
            torch.cat(per).sum().backward()
            opt.step()
        with torch.no_grad():
            forward(xv.expand(len(runs), *xv.shape))
    elapsed = time.perf_counter() - t0
    with torch.no_grad():
        out = forward(xt.expand(len(runs), *xt.shape))
    thr = torch.tensor([0.0 if r.output[0] == "tanh" else 0.5 for r in runs]).reshape(-1, 1, 1)
    acc = ((out > thr) == (yt > 0.5)).float().mean(dim=(1, 2)).numpy()
    return elapsed, per_combination(runs, acc)


def keras_fit(n_models: int) -> tuple[float, dict[str, float]]:
    """``n_models`` of the 30 (spread over the combinations) with Keras 3 ``fit``."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    from actloss.lab import data
    from actloss.lab.runs import expand

    split = data.load("classification")
    x = np.concatenate([split.x_train, split.x_val]).astype("float32")
    y = np.concatenate([split.y_train, split.y_val]).astype("float32")
    runs = expand(config())
    chosen = [runs[i] for i in np.linspace(0, len(runs) - 1, n_models).astype(int)]
    accs = []
    t0 = time.perf_counter()
    for r in chosen:
        keras.utils.set_random_seed(r.seed)
        model = keras.Sequential(
            [
                keras.Input((20,)),
                keras.layers.Dense(64, "relu"),
                keras.layers.Dense(32, "relu"),
                keras.layers.Dense(1, r.output[0]),
            ]
        )
        loss = {"binary_cross_entropy": "binary_crossentropy", "hinge": "hinge", "mse": "mse"}
        model.compile(keras.optimizers.Adam(r.lr), loss[r.loss[0]])
        model.fit(x, y, epochs=r.epochs, batch_size=r.batch_size, validation_split=0.2, verbose=0)
        thr = 0.0 if r.output[0] == "tanh" else 0.5
        pred = model.predict(split.x_test.astype("float32"), verbose=0).ravel()
        accs.append(float(np.mean((pred > thr) == (split.y_test > 0.5))))
    return time.perf_counter() - t0, per_combination(chosen, np.array(accs))


CNN_EPOCHS = 20


def cnn_runs(seeds: int, n_samples: int | None) -> list[Any]:
    """The digits CNN runs: relu, gelu, silu x ``seeds`` (one batch)."""
    from dataclasses import replace

    from sklearn.datasets import load_digits

    from actloss.lab import Config
    from actloss.lab.models import digits_cnn, identity
    from actloss.lab.runs import expand
    from actloss.lab.userdata import Data, configure

    x, y = load_digits(return_X_y=True)
    cfg = Config(
        hidden=["relu", "gelu", "silu"],
        pairs=["cross_entropy:identity"],
        seeds=tuple(range(seeds)),
        splits=1,
        epochs=CNN_EPOCHS,
        n_samples=n_samples,
    )
    cfg = configure(cfg, Data(x, y, name="digits"))
    return [replace(r, model=identity(digits_cnn)) for r in expand(cfg)]


def per_activation(runs: list[Any], values: np.ndarray) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for r, v in zip(runs, values, strict=True):
        out.setdefault(r.hidden[0], []).append(float(v))
    return {k: round(float(np.mean(v)), 4) for k, v in out.items()}


def cnn_plain_loop(runs: list[Any]) -> tuple[float, dict[str, float]]:
    """Each CNN alone in plain PyTorch: torch.nn activations, F.cross_entropy, its own Adam."""
    import torch
    from torch import nn

    from actloss.lab.models import digits_cnn
    from actloss.lab.training import generator, load_split

    split = load_split(runs[0])
    x = torch.as_tensor(split.x_train, dtype=torch.float32)
    y = torch.as_tensor(split.y_train)
    xt = torch.as_tensor(split.x_test, dtype=torch.float32)
    yt = torch.as_tensor(split.y_test)
    xv = torch.as_tensor(split.x_val, dtype=torch.float32)
    acts = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU}
    accs = []
    t0 = time.perf_counter()
    for r in runs:
        torch.manual_seed(r.stream_seed)
        model = digits_cnn(acts[r.hidden[0]](), x.shape[1], 10)
        opt = torch.optim.Adam(model.parameters(), lr=r.lr)
        g = generator(r.stream_seed)
        for _ in range(r.epochs):
            perm = torch.randperm(len(x), generator=g)
            for s in range(0, len(x), r.batch_size):
                idx = perm[s : s + r.batch_size]
                loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():  # a validation pass per epoch, as the lab does
                model(xv)
        with torch.no_grad():
            accs.append(float((model(xt).argmax(dim=1) == yt).float().mean()))
    return time.perf_counter() - t0, per_activation(runs, np.array(accs))


def cnn_comparison(seeds: int, n_samples: int | None) -> dict[str, Any]:
    """The digits CNN, 3 activations x ``seeds``: batched vs one at a time vs plain loop."""
    from actloss.lab.models import digits_cnn, train_models

    runs = cnn_runs(seeds, n_samples)
    train_models(runs[:3], digits_cnn)  # warm-up: lazy imports, first vmap
    t = time.perf_counter()
    res = train_models(runs, digits_cnn)
    t_b = time.perf_counter() - t
    assert not res.notes and not res.failed, (res.notes, res.failed)
    t = time.perf_counter()
    alone = [train_models([r], digits_cnn, batched=False) for r in runs]
    t_a = time.perf_counter() - t
    t_p, acc_p = cnn_plain_loop(runs)
    out = {
        "models": len(runs),
        "epochs": CNN_EPOCHS,
        "batched_s": round(t_b, 2),
        "one_at_a_time_s": round(t_a, 2),
        "plain_loop_s": round(t_p, 2),
        "speedup_vs_one_at_a_time": round(t_a / t_b, 1),
        "speedup_vs_plain_loop": round(t_p / t_b, 1),
        "accuracy_batched": per_activation(runs, res.test_metric),
        "accuracy_one_at_a_time": per_activation(runs, np.array([a.test_metric[0] for a in alone])),
        "accuracy_plain_loop": acc_p,
    }
    print(
        f"digits CNN, {len(runs)} models x {CNN_EPOCHS} epochs: batched {t_b:.1f} s, one at a "
        f"time {t_a:.1f} s ({t_a / t_b:.1f}x), plain PyTorch loop {t_p:.1f} s ({t_p / t_b:.1f}x)"
    )
    print(
        f"  accuracy: batched {out['accuracy_batched']}, one at a time "
        f"{out['accuracy_one_at_a_time']}, plain loop {acc_p}"
    )
    return out


def csv_overhead(big_rows: int) -> dict[str, Any]:
    """Reading a user's CSV against arrays and the built-in dataset; compare on each."""
    import pandas as pd
    from sklearn.datasets import load_digits

    from actloss.lab import Config, compare
    from actloss.lab import data as D
    from actloss.lab.userdata import Data, read

    frame = load_digits(as_frame=True).frame
    x, y = frame.drop(columns="target"), frame["target"]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "digits.csv")
        frame.to_csv(path, index=False)
        D.load("digits")  # warm-up (imports, cache)
        D.load.cache_clear()
        t = time.perf_counter()
        D.load("digits")
        out["builtin_load_s"] = round(time.perf_counter() - t, 4)
        t = time.perf_counter()
        Data(x, y)
        out["arrays_check_and_hash_s"] = round(time.perf_counter() - t, 4)
        t = time.perf_counter()
        data = read(path, "target")
        out["csv_read_check_hash_s"] = round(time.perf_counter() - t, 4)
        rng = np.random.default_rng(0)
        big = pd.DataFrame(rng.normal(size=(big_rows, 20)), columns=[f"f{i}" for i in range(20)])
        big["target"] = rng.integers(0, 2, big_rows)
        big_path = os.path.join(tmp, "big.csv")
        big.to_csv(big_path, index=False)
        t = time.perf_counter()
        read(big_path, "target")
        out[f"csv_{big_rows}x20_read_check_hash_s"] = round(time.perf_counter() - t, 3)
        pairs = ["cross_entropy:identity"]
        cfg = Config(epochs=EPOCHS, splits=1, pairs=pairs, datasets=["digits"])
        t = time.perf_counter()
        compare(cfg, os.path.join(tmp, "a"), plot=False)
        out["compare_builtin_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        compare(cfg, os.path.join(tmp, "b"), data=read(path, "target"), plot=False)
        out["compare_csv_s"] = round(time.perf_counter() - t, 2)
    assert data.task == "multiclass"
    print(
        f"CSV path: digits as CSV read+check+hash {out['csv_read_check_hash_s'] * 1e3:.0f} ms "
        f"(arrays: {out['arrays_check_and_hash_s'] * 1e3:.0f} ms, built-in load "
        f"{out['builtin_load_s'] * 1e3:.0f} ms); {big_rows}x20 CSV "
        f"{out[f'csv_{big_rows}x20_read_check_hash_s']:.2f} s; compare on the CSV "
        f"{out['compare_csv_s']:.1f} s vs built-in {out['compare_builtin_s']:.1f} s"
    )
    return out


SECTIONS = ("mlp", "cnn", "csv")
"""``mlp``: the tutorial experiment (start-up, batched, floor, loop, Keras, scaling)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="30,300", help="model counts for the scaling runs")
    ap.add_argument("--keras", type=int, default=3, help="models to fit with Keras (0: skip)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--epochs", type=int, default=50, help="50 as in the tutorials")
    ap.add_argument("--cnn-epochs", type=int, default=20, help="epochs of the digits CNN")
    ap.add_argument("--cnn-seeds", type=int, default=10, help="seeds per activation (CNN)")
    ap.add_argument("--only", default=",".join(SECTIONS), help="sections: " + ",".join(SECTIONS))
    ap.add_argument("--quick", action="store_true", help="tiny sizes: checks the code runs")
    args = ap.parse_args()
    global EPOCHS, CNN_EPOCHS
    EPOCHS, CNN_EPOCHS = args.epochs, args.cnn_epochs
    only = set(args.only.split(","))
    if not only <= set(SECTIONS):
        ap.error(f"--only takes {', '.join(SECTIONS)}, got {args.only!r}")
    n_cnn, big_rows = None, 100_000
    if args.quick:  # seconds, not minutes: 1 epoch, 2 CNN seeds on 300 digits, 30 models
        EPOCHS, CNN_EPOCHS, args.cnn_seeds, n_cnn, big_rows = 1, 1, 2, 300, 2000
        args.keras, args.sizes = min(args.keras, 1), "30"
    import torch

    torch.set_num_threads(args.threads)
    res: dict[str, Any] = {"threads": args.threads, "cpus": os.cpu_count(), "quick": args.quick}
    if "cnn" in only:
        res["cnn"] = cnn_comparison(args.cnn_seeds, n_cnn)
    if "csv" in only:
        res["csv"] = csv_overhead(big_rows)
    if "mlp" not in only:
        _write(args.json, res)
        return
    wall, inside = startup_seconds()
    res["startup_s"] = {"process_wall": round(wall, 2), "imports_and_first_run": round(inside, 2)}
    print(f"start-up: {wall:.1f} s process wall ({inside:.1f} s imports + first tiny run)")
    batched(1)  # warm-up in this process (lazy imports, dataset cache)

    t_b, acc_b = batched(10)
    res["batched_30"] = {"train_s": round(t_b, 2), "accuracy": acc_b}
    print(f"batched, 30 models:     {t_b:7.1f} s  accuracy {acc_b}")
    t_f, acc_f = floor()
    ratio = t_b / t_f
    res["floor_30"] = {"train_s": round(t_f, 2), "accuracy": acc_f, "lab_over_floor": ratio}
    print(f"floor (plain PyTorch batched), 30 models: {t_f:7.1f} s  accuracy {acc_f}")
    print(f"  -> the lab's batched training is {ratio:.2f}x the floor")
    t_c = compare_pipeline()
    res["compare_pipeline_30_s"] = round(t_c, 2)
    print(f"compare pipeline (train+store+stats+plot): {t_c:.1f} s")
    t_l, acc_l = torch_loop()
    res["torch_loop_30"] = {
        "train_s": round(t_l, 2),
        "accuracy": acc_l,
        "speedup": round(t_l / t_b, 1),
    }
    print(
        f"torch loop, 30 models:  {t_l:7.1f} s  accuracy {acc_l}  -> batched is "
        f"{t_l / t_b:.1f}x faster"
    )
    if args.keras:
        t_k, acc_k = keras_fit(args.keras)
        est = t_k * 30 / args.keras
        res["keras_fit"] = {
            "models": args.keras,
            "train_s": round(t_k, 2),
            "est_30_s": round(est, 1),
            "accuracy": acc_k,
            "speedup": round(est / t_b, 1),
        }
        print(
            f"keras fit, {args.keras} models: {t_k:.1f} s (30 models: {est:.0f} s"
            f"{' measured' if args.keras == 30 else ' extrapolated'})  accuracy {acc_k}"
            f"  -> batched is {est / t_b:.0f}x faster"
        )
    res["scaling"] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        t_n, _ = batched(n // 3)
        per_model_loop = t_l / 30
        res["scaling"][n] = {
            "batched_s": round(t_n, 1),
            "loop_est_s": round(per_model_loop * n, 1),
            "speedup_vs_loop_est": round(per_model_loop * n / t_n, 1),
        }
        print(
            f"batched, {n:5d} models: {t_n:7.1f} s  (one at a time: ~{per_model_loop * n:.0f} s"
            f" extrapolated from the loop; {per_model_loop * n / t_n:.0f}x)"
        )
    _write(args.json, res)


def _write(path: str | None, res: dict[str, Any]) -> None:
    if path:
        with open(path, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
