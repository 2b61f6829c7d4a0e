"""Batched ensembles equal models trained one by one with a plain PyTorch loop.

The reference trains each model alone with ``torch.nn.functional`` built-ins and
``torch.optim`` (an independent implementation of every function and of the
loop); it shares with the lab only the documented random streams (initial
weights from the run's generator, then one ``randperm`` per epoch).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actloss.lab import data
from actloss.lab.config import from_mapping
from actloss.lab.runs import Run, batches, expand
from actloss.lab.training import generator, initial_weights, train_batch

from ._tiny import tiny

TORCH_ACT = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "identity": lambda z: z,
    "elu": torch.nn.functional.elu,
}


def torch_loss(name: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-model mean loss with PyTorch built-ins (hinge: the plain formula)."""
    if name == "binary_cross_entropy":
        return torch.nn.functional.binary_cross_entropy(out, y)
    if name == "mse":
        return torch.nn.functional.mse_loss(out, y)
    if name == "hinge":
        return torch.clamp(1 - (2 * y - 1) * out, min=0).mean()
    if name == "cross_entropy":
        return torch.nn.functional.cross_entropy(out, y)
    raise KeyError(name)


def train_alone(run: Run) -> tuple[float, float]:
    """(test metric, test loss) of one model trained by a plain PyTorch loop."""
    split = data.load(
        run.dataset, run.n_samples, run.data_seed, run.test_size, run.validation_split
    )
    dt = torch.float64 if run.dtype == "float64" else torch.float32
    multiclass = split.task == "multiclass"
    x = torch.as_tensor(split.x_train, dtype=dt)
    y = torch.as_tensor(split.y_train)
    y = y if multiclass else y.to(dt).reshape(-1, 1)
    dims = [split.n_features, *run.widths, split.n_outputs]
    g = generator(run.seed)
    params = [t.to(dt).requires_grad_() for wb in initial_weights(run, dims, g) for t in wb]
    opt = torch.optim.Adam(params, lr=run.lr)
    act, out_act = TORCH_ACT[run.hidden[0]], TORCH_ACT[run.output[0]]

    def forward(inp: torch.Tensor) -> torch.Tensor:
        h = inp
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1][0]
            h = act(h) if i < len(params) - 2 else out_act(h)
        return h

    n = x.shape[0]
    for _ in range(run.epochs):
        perm = torch.randperm(n, generator=g)
        for s in range(0, n, run.batch_size):
            idx = perm[s : s + run.batch_size]
            loss = torch_loss(run.loss[0], forward(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        xt = torch.as_tensor(split.x_test, dtype=dt)
        yt = torch.as_tensor(split.y_test)
        yt = yt if multiclass else yt.to(dt).reshape(-1, 1)
        out = forward(xt)
        loss = float(torch_loss(run.loss[0], out, yt))
        if multiclass:
            acc = float((out.argmax(-1) == yt).double().mean())
        else:
            thr = 0.0 if run.output[0] in ("tanh", "identity") else 0.5
            acc = float(((out > thr) == (yt > 0.5)).double().mean())
    return acc, loss


CASES = {
    "tutorial pairs": {
        "hidden": ["relu", "tanh"],
        "pairs": ["binary_cross_entropy:sigmoid", "hinge:tanh", "mse:sigmoid"],
    },
    "multiclass": {
        "dataset": "wine",
        "hidden": ["elu", "relu"],
        "pairs": ["cross_entropy:identity"],
        "widths": [6, 5],
    },
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_batched_equals_one_by_one(case: str, dtype: str) -> None:
    cfg = from_mapping({**CASES[case], "dtype": dtype}, tiny(seeds=(0, 1, 2)))
    runs = expand(cfg)
    (batch,) = batches(runs, 1000)
    res = train_batch(batch)
    assert len({r.hidden for r in runs}) == 2  # several functions inside one batch
    for m, run in enumerate(batch):
        acc, loss = train_alone(run)
        tol = 1e-9 if dtype == "float64" else 2e-4
        np.testing.assert_allclose(res.test_loss[m], loss, rtol=tol, atol=tol)
        if dtype == "float64":
            assert res.test_metric[m] == acc
        else:  # float32 summation order may flip a prediction that sits on the threshold
            assert abs(res.test_metric[m] - acc) <= 0.02


def test_batch_composition_does_not_change_a_run() -> None:
    """A run trained alone (a batch of one) gets the numbers it gets inside a larger batch."""
    cfg = tiny(hidden=(("relu", ()), ("tanh", ())), dtype="float64")
    runs = expand(cfg)
    together = train_batch(runs)
    for m, run in enumerate(runs):
        alone = train_batch([run])
        np.testing.assert_allclose(alone.val_metric[0], together.val_metric[m], rtol=0, atol=0)
        np.testing.assert_allclose(alone.test_loss[0], together.test_loss[m], rtol=1e-12)
