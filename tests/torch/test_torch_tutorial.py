"""The tutorials' PyTorch programs, with actloss: focal loss and a user-registered loss.

The shape the tutorials use: make_classification(1000 samples, 20 features), an 80/20
split, a small MLP, Adam, mini-batches of 32, a few epochs. Each test asserts that the
training loss went down and the test accuracy is well above chance (0.5).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

import actloss as al
import actloss.torch as alt


def data() -> tuple[torch.Tensor, ...]:
    x, y = make_classification(n_samples=1000, n_features=20, random_state=42)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=42)
    return tuple(torch.tensor(a, dtype=torch.float32) for a in (x_train, x_test, y_train, y_test))


def train(
    model: torch.nn.Module, criterion: torch.nn.Module, epochs: int = 5
) -> tuple[list[float], float]:
    """A plain PyTorch loop; returns the per-epoch mean training loss and test accuracy."""
    torch.manual_seed(0)
    x_train, x_test, y_train, y_test = data()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = []
    for _ in range(epochs):
        perm = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(x_train), 32):
            idx = perm[i : i + 32]
            optimizer.zero_grad()
            loss = criterion(model(x_train[idx]), y_train[idx, None])
            loss.backward()
            optimizer.step()
            total += loss.detach().item() * len(idx)
        history.append(total / len(x_train))
    with torch.no_grad():
        out = model(x_test)
    return history, out, y_test


def test_focal_loss_training_loop() -> None:
    """actloss.torch.FocalLoss on logits (the catalog's focal is torchvision's sigmoid focal
    loss): Linear -> Swish -> Linear, predictions are logits > 0."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(20, 64), alt.Swish(), torch.nn.Linear(64, 1))
    history, logits, y_test = train(model, alt.FocalLoss(alpha=0.25, gamma=2.0))
    accuracy = float(((logits[:, 0] > 0).float() == y_test).float().mean())
    assert history[-1] < 0.7 * history[0], history
    assert accuracy > 0.75, accuracy


@pytest.fixture
def exponential_error() -> Iterator[al.Function]:
    """The tutorials' custom loss mean((exp(y_true - y_pred) - 1)^2), registered by the user."""
    fn = al.losses.register_loss(
        "exponential_error",
        lambda xp, y_true, y_pred: (xp.exp(y_true - y_pred) - 1.0) ** 2,
        formula=r"\ell = (e^{y - \hat y} - 1)^2",
    )
    yield fn
    al.unregister("exponential_error")


def test_user_registered_loss_training_loop(exponential_error: al.Function) -> None:
    """The registered loss by name through actloss.torch.module, on sigmoid outputs."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(20, 64), alt.ReLU(), torch.nn.Linear(64, 1), alt.Sigmoid()
    )
    criterion = alt.module("exponential_error")
    history, probs, y_test = train(model, criterion)
    accuracy = float(((probs[:, 0] > 0.5).float() == y_test).float().mean())
    assert history[-1] < 0.7 * history[0], history
    assert accuracy > 0.75, accuracy
    # the per-sample form the lab uses
    per_sample = alt.module("exponential_error", reduction="none")(probs, y_test[:, None])
    # a float64 reference: exp(d) - 1 in float32 amplifies the 1-ulp differences between exp
    # implementations (NumPy's, which CPU tensors run through, and PyTorch's) about fivefold
    d = (y_test[:, None] - probs).double()
    expected = (torch.exp(d) - 1.0) ** 2
    np.testing.assert_allclose(per_sample.numpy(), expected.numpy(), rtol=3e-5)
