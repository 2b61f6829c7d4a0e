"""An empty batch gives the defined result, never NumPy's "zero-size array" error (issue 13,
item 9): 'none' an empty array, 'sum' 0, 'mean' NaN (PyTorch's mean of nothing), gradients
of the prediction's (empty) shape; for every catalog loss with a batch axis, both paths.
The vector activations (whose losses build on them) likewise on empty rows and batches."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import actloss as al
from actloss import fast

from ._harness import samples_of, tree_map

SKIP_KINDS = ("parameters",)  # penalties on weight lists: no batch axis


def _losses() -> list[str]:
    return [
        f.name for f in al.catalog(kind="loss") if not f.info.y_pred_kind.startswith(SKIP_KINDS)
    ]


def _empty(a: object) -> object:
    arr = np.asarray(a)
    return arr[:0] if arr.ndim else arr


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("name", _losses())
def test_empty_batch(name: str, use_fast: bool) -> None:
    f = al.get(name)
    s = samples_of(name)[0]
    y_true = None if s.y_true is None else _empty(s.y_true)
    y_pred = tree_map(_empty, s.y_pred)
    params = {k: v for k, v in s.params.items()}
    with fast.use(use_fast), warnings.catch_warnings():
        warnings.simplefilter("error")
        none = f(y_true, y_pred, reduction="none", **params)
        assert np.asarray(none).size == 0, (name, none)
        assert float(f(y_true, y_pred, reduction="sum", **params)) == 0.0
        assert math.isnan(float(f(y_true, y_pred, reduction="mean", **params)))
        if f.kernels.has_grad:
            g = f.grad(y_true, y_pred, **params)
            shapes = tree_map(lambda a: np.shape(a), g)
            assert shapes == tree_map(lambda a: np.shape(a), y_pred), (name, shapes)


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize(
    "fn", [f for f in al.catalog(kind="activation") if not f.info.elementwise], ids=lambda f: f.name
)
@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4)], ids=str)
def test_vector_activations_on_empty_input(
    fn: al.Activation, shape: tuple[int, ...], use_fast: bool
) -> None:
    x = np.zeros(shape)
    with fast.use(use_fast), warnings.catch_warnings():
        warnings.simplefilter("error")
        y = fn(x)
        assert y.size == 0
        assert fn.vjp(x, np.ones_like(y)).shape == shape
