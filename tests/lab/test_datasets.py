"""Every dataset and task trains; penalties come from the catalog; bad hidden activations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from actloss.lab import ConfigError, data
from actloss.lab.config import from_mapping
from actloss.lab.functions import penalty
from actloss.lab.runs import expand
from actloss.lab.training import train_batch

from ._tiny import tiny

PAIR = {
    "binary": "binary_cross_entropy:sigmoid",
    "multiclass": "cross_entropy:identity",
    "multilabel": "binary_cross_entropy:sigmoid",
    "regression": "huber:identity",
}


@pytest.mark.parametrize("name", list(data.DATASETS))
def test_every_dataset_trains(name: str) -> None:
    split = data.load(name, 200 if name not in ("wine",) else None)
    for x in (split.x_train, split.x_val, split.x_test):
        assert np.all(np.isfinite(x))
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0, atol=1e-9)  # standardized
    task = data.task_of(name)
    cfg = from_mapping(
        {
            "dataset": name,
            "pairs": [PAIR[task], "mse:sigmoid"]
            if task in ("binary", "multilabel")
            else [PAIR[task]],
            "epochs": 4,
            "lr": 0.01,
        },
        tiny(n_samples=None if name == "wine" else 200),
    )
    runs = expand(cfg)
    res = train_batch(runs)
    assert res.test_metric.shape == (len(runs),) and not res.diverged_epoch.any()
    if task == "regression":
        assert np.all(res.test_metric <= 1)  # R^2
    else:
        assert np.all((res.test_metric >= 0) & (res.test_metric <= 1))
    assert np.all(res.train_loss[:, -1] < res.train_loss[:, 0])  # every model learns


def test_multiclass_with_a_loss_that_needs_one_hot_targets() -> None:
    cfg = from_mapping(
        {"dataset": "wine", "pairs": ["mse:softmax", "cross_entropy:identity"]},
        tiny(n_samples=None, epochs=2),
    )
    res = train_batch(expand(cfg))
    assert np.all(np.isfinite(res.test_loss))


def test_penalties_are_catalog_regularizers_per_model_and_shrink_weights() -> None:
    w = [torch.randn(3, 4, 5, dtype=torch.float64), torch.randn(3, 5, 2, dtype=torch.float64)]
    sq = sum(t.square().sum(dim=(1, 2)) for t in w)
    ab = sum(t.abs().sum(dim=(1, 2)) for t in w)
    np.testing.assert_allclose(penalty("l2", 0.1)(w), 0.1 / 2 * sq, rtol=1e-12)  # alpha/2 |w|^2
    np.testing.assert_allclose(penalty("l1", 0.1)(w), 0.1 * ab, rtol=1e-12)
    net = penalty("elastic_net", 0.1)(w)  # scikit-learn's: alpha (r |w|_1 + (1 - r)/2 |w|^2)
    np.testing.assert_allclose(net, 0.1 * (0.5 * ab + 0.25 * sq), rtol=1e-12)
    with pytest.raises(ConfigError, match="catalog regularizer"):
        tiny(penalty="mse")
    plain = train_batch(expand(tiny(epochs=4)))
    shrunk = train_batch(expand(tiny(epochs=4, penalty="l2", penalty_coef=0.1)))
    assert np.all(shrunk.extra["weight_l2"] < plain.extra["weight_l2"])


def test_width_changing_hidden_activations_are_rejected() -> None:
    with pytest.raises(ConfigError, match="keep the width"):
        tiny(hidden=(("glu", ()),))


def test_diagnostics_are_defined_as_documented() -> None:
    res = train_batch(expand(tiny(hidden=(("relu", ()),), epochs=2)))
    assert res.grad_norm.shape == (6, 2, 2) and np.all(res.grad_norm > 0)
    assert np.all((res.dead_fraction >= 0) & (res.dead_fraction <= 1))
    # sigmoid/tanh outputs are never exactly 0 on every sample: no dead output units
    assert np.all(res.dead_fraction[:, :, 1] == 0)
    assert np.all(res.mean_activation[:, :, 0] >= 0)  # relu
    assert not math.isnan(float(res.mean_activation.sum()))


def test_extra_numbers_of_a_diverged_multiclass_model_are_nan() -> None:
    from actloss.lab.training import _Head, extra_numbers

    rng = np.random.default_rng(0)
    out = rng.normal(size=(2, 5, 3))
    out[1, 2, 0], out[1, 3, 1] = np.nan, np.inf  # model 1 diverged
    y = torch.tensor([0, 1, 2, 0, 1])
    head = _Head(slice(0, 2), torch.nn.functional.cross_entropy, 0.0, y, y, y)
    res = extra_numbers("multiclass", out, [y], [head], [torch.ones(2, 3, 3)])
    assert np.isfinite(res["entropy"][0]) and np.isnan(res["entropy"][1])
    assert np.isfinite(res["ece"][0]) and np.isnan(res["ece"][1])
