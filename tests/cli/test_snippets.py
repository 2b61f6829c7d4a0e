"""The code `actloss recommend` prints runs: built from the adapters, one training step each."""

from __future__ import annotations

import os

import numpy as np
import pytest

import actloss as al
from actloss import recommend as rules

CASES = [("binary", {}), ("binary", {"imbalanced": True}), ("multilabel", {"deep": True}),
         ("regression", {}), ("regression", {"outliers": True})]  # fmt: skip


def _in_catalog(choices) -> bool:
    try:
        for c in choices.values():
            al.get(c.name)
    except al.UnknownNameError:
        return False
    return True


@pytest.mark.parametrize(("task", "flags"), CASES)
def test_torch_snippet_trains(task, flags):
    torch = pytest.importorskip("torch")
    pytest.importorskip("actloss.torch")
    choices = rules.recommend(task, **flags)
    if not _in_catalog(choices):
        pytest.skip("a recommended entry is not in the catalog yet")
    scope: dict = {}
    exec(rules.snippet(choices, "torch"), scope)
    model, loss_fn, predict = scope["model"], scope["loss_fn"], scope["predict"]
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(32, scope["n_features"], generator=gen, dtype=torch.float64)
    y = (torch.rand(32, 1, generator=gen) > 0.5).double()
    model = model.double()
    loss = loss_fn(model(x), y)
    loss.backward()
    assert torch.isfinite(loss) and loss.ndim == 0
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    out = predict(model(x))
    assert out.shape == (32, 1)
    if choices["output"].name == "sigmoid":
        z = model(x).detach().numpy()
        np.testing.assert_allclose(out.detach().numpy(), 1 / (1 + np.exp(-z)), rtol=1e-12)


def test_keras_snippet_compiles():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    pytest.importorskip("actloss.keras")
    choices = rules.recommend("binary", imbalanced=True)
    if not _in_catalog(choices):
        pytest.skip("a recommended entry is not in the catalog yet")
    scope: dict = {}
    exec(rules.snippet(choices, "keras"), scope)
    model = scope["model"]
    x = np.random.default_rng(0).normal(size=(16, scope["n_features"])).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(float(history.history["loss"][0]))
