"""A training loop with actloss.torch modules vs torch.nn's, eager and compiled.

Run on an otherwise idle machine (it measures wall time)::

    python benchmarks/training.py                  # eager and compiled, 10 epochs
    python benchmarks/training.py --no-compile     # eager only

The model: an MLP on scikit-learn's digits (64-128-64-10, GELU, cross-entropy on logits,
Adam 1e-3, batch 32, 10 epochs, 1 torch thread; 80/20 split, the same seed, mini-batches
and initial weights for both). Each variant is trained ``--repeats`` times (interleaved:
actloss, torch.nn, actloss, ...); the table reports the median training time, the ratio
actloss / torch.nn and the test accuracy. Compiled: ``torch.compile(model, fullgraph=True)``
of the forward pass with the loss (AOTAutograd compiles the backward with it); the first
epoch, which compiles, is reported separately as start-up.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import actloss.torch as alt


def data() -> tuple[torch.Tensor, ...]:
    x, y = load_digits(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    scaler = StandardScaler().fit(xtr)
    f = torch.float32
    return (
        torch.as_tensor(scaler.transform(xtr), dtype=f),
        torch.as_tensor(ytr),
        torch.as_tensor(scaler.transform(xte), dtype=f),
        torch.as_tensor(yte),
    )


def model(kind: str) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(0)
    act: Callable[[], torch.nn.Module] = alt.GELU if kind == "actloss" else torch.nn.GELU
    net = torch.nn.Sequential(
        torch.nn.Linear(64, 128), act(), torch.nn.Linear(128, 64), act(), torch.nn.Linear(64, 10)
    )
    loss = alt.CrossEntropyLoss() if kind == "actloss" else torch.nn.CrossEntropyLoss()
    return net, loss


def train(kind: str, epochs: int, compiled: bool) -> tuple[float, float, float]:
    """(seconds for epochs 2.., seconds of the first epoch, test accuracy)."""
    xtr, ytr, xte, yte = data()
    net, loss_fn = model(kind)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def forward(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return loss_fn(net(xb), yb)

    # compiled: forward and loss in one graph (AOTAutograd compiles the backward with it)
    run: Any = torch.compile(forward, fullgraph=True) if compiled else forward
    g = torch.Generator().manual_seed(1)
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        perm = torch.randperm(len(xtr), generator=g)
        for s in range(0, len(xtr), 32):
            idx = perm[s : s + 32]
            opt.zero_grad(set_to_none=True)
            run(xtr[idx], ytr[idx]).backward()
            opt.step()
        times.append(time.perf_counter() - t)
    with torch.no_grad():
        acc = float((net(xte).argmax(1) == yte).float().mean())
    return sum(times[1:]), times[0], acc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-compile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    import numba

    numba.set_num_threads(1)
    train("actloss", 1, False)  # warm-up: kernels loaded, lazy imports done
    train("torch", 1, False)
    modes = [False] if args.no_compile else [False, True]
    print(f"digits MLP 64-128-64-10, GELU, cross-entropy, Adam, batch 32, {args.epochs} epochs,")
    print(f"1 thread, torch {torch.__version__}, median of {args.repeats}\n")
    print(
        "| mode | torch.nn (s) | actloss (s) | ratio | first epoch torch / actloss (s) "
        "| accuracy torch / actloss |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for compiled in modes:
        res: dict[str, list[tuple[float, float, float]]] = {"torch": [], "actloss": []}
        for _ in range(args.repeats):
            for kind in ("actloss", "torch"):
                torch._dynamo.reset()
                res[kind].append(train(kind, args.epochs, compiled))
        med = {k: statistics.median(r[0] for r in v) for k, v in res.items()}
        first = {k: statistics.median(r[1] for r in v) for k, v in res.items()}
        acc = {k: float(np.mean([r[2] for r in v])) for k, v in res.items()}
        mode = "compiled (fullgraph)" if compiled else "eager"
        print(
            f"| {mode} | {med['torch']:.2f} | {med['actloss']:.2f} | "
            f"{med['actloss'] / med['torch']:.2f} | {first['torch']:.1f} / {first['actloss']:.1f}"
            f" | {acc['torch']:.4f} / {acc['actloss']:.4f} |"
        )


if __name__ == "__main__":
    main()
