"""``Loss.value_and_rows``, the adapters' backward of per-sample losses, over the catalog:
the values are those of ``reduction="none"`` and, where the samples are separable, the
gradient of ``sum(c * value)`` is ``rows * c`` for any per-sample cotangent ``c``, i.e. the
loss's ``vjp``; coupled losses return None and the adapters use ``vjp``."""

from __future__ import annotations

import numpy as np
import pytest

import actloss as al

from ._harness import cases, leaves, samples_of, to_np, tree_map

# losses the lab trains with per sample: their backward must not recompute the loss
HOT = {"mse", "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge", "huber"}


@pytest.mark.parametrize(("name", "i"), cases("all"))
def test_rows_times_a_cotangent_is_the_vjp(name: str, i: int) -> None:
    fn = al.get(name)
    if not fn.kernels.has_grad:
        return  # value-only losses (zero_one) have no rows; their grad raises elsewhere
    s = samples_of(name)[i]
    y_true, y_pred = to_np(s.y_true), to_np(s.y_pred)
    value, rows = fn.value_and_rows(y_true, y_pred, **s.params)
    np.testing.assert_array_equal(value, fn(y_true, y_pred, reduction="none", **s.params))
    c = np.random.default_rng(3).normal(size=np.shape(value))
    want = fn.vjp(y_true, y_pred, c, **s.params)
    if rows is None:  # coupled samples, a class axis moved back, a gradient given as a vjp
        assert name not in HOT, f"{name}: the adapters' hot losses must give gradient rows"
        return
    got = tree_map(lambda r: r * c.reshape(c.shape + (1,) * (r.ndim - c.ndim)), rows)
    for g, w in zip(leaves(got), leaves(want), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-300)
