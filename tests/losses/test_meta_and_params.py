"""Clear errors at the boundary (issue 13, item 10): losses and activations on torch ``meta``
tensors (shape-only: no value can be read) give meta results instead of ``Tensor.item()``
errors; array parameters of the wrong shape and choice parameters given arrays raise a
ParameterError naming the parameter and what it must be."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import actloss as al
from actloss import ParameterError

from ._harness import samples_of, tree_map


def _meta(a: object) -> torch.Tensor:
    return torch.from_numpy(np.array(a, copy=True)).to("meta")


@pytest.mark.parametrize("name", sorted(f.name for f in al.catalog(kind="loss")))
def test_losses_on_meta_tensors(name: str) -> None:
    f = al.get(name)
    s = samples_of(name)[0]
    y_true = None if s.y_true is None else _meta(s.y_true)
    for reduction in ("none", "mean"):
        v = f(y_true, tree_map(_meta, s.y_pred), reduction=reduction, **s.params)
        assert v.device.type == "meta"
        ref = f(s.y_true, s.y_pred, reduction=reduction, **s.params)
        assert tuple(v.shape) == np.shape(ref)


@pytest.mark.parametrize("fn", al.catalog(kind="activation"), ids=lambda f: f.name)
def test_activations_on_meta_tensors(fn: al.Activation) -> None:
    y = fn(torch.zeros(3, 4, device="meta"))
    assert y.device.type == "meta" and tuple(y.shape) == np.shape(fn(np.zeros((3, 4))))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("swish", {"beta": np.array([1.0, 2.0])}),
        ("snake", {"a": np.array([1.0, 2.0])}),
        ("affine", {"slope": np.array([1.0, 2.0])}),
        ("affine", {"intercept": np.ones((2, 4))}),
    ],
)
def test_array_parameter_of_the_wrong_shape_is_named(name: str, params: dict) -> None:
    (pname,) = params
    with pytest.raises(
        ParameterError,
        match=rf"^{name}\(\): parameter '{pname}' must be a "
        r"scalar or an array that broadcasts to x's shape \(3, 4\), got an array "
        r"of shape",
    ):
        al.get(name)(np.ones((3, 4)), **params)
    # a broadcasting array is fine
    al.get(name)(np.ones((3, 4)), **{pname: np.full((1, 4), 0.5)})


def test_choice_parameter_given_an_array_is_named() -> None:
    with pytest.raises(
        ParameterError,
        match=r"gelu\(\): parameter 'approximate' must be one of 'none', 'tanh', got an array",
    ):
        al.get("gelu")(np.ones(3), approximate=np.array(["tanh", "none"]))
    with pytest.raises(ParameterError, match="parameter 'variant'"):
        al.get("multiclass_hinge")(np.array([0]), np.ones((1, 3)), variant=np.array(["x"]))
