"""Logits of -inf (masked classes) give each loss's limit, never NaN (issue 13, item 2).

For every loss on logits, class scores or decision values, each sample's prediction gets
one entry set to -inf; the value and gradient must equal the limit of the loss as that
entry goes to -inf, read from two finite probes (-1e8 and -1e12): where both probes agree
the limit is their value; where the value keeps growing it is +inf.
"""

from __future__ import annotations

import numpy as np
import pytest

import actloss as al
from actloss import fast

from ._harness import samples_of

LOGIT_KINDS = ("logits", "values (class scores", "values (decision", "values (critic")
PROBES = (-1e8, -1e12)


def _logit_losses() -> list[str]:
    return [
        f.name
        for f in al.catalog(kind="loss")
        if f.info.y_pred_kind.startswith(LOGIT_KINDS) and f.kernels.has_grad
    ]


def _with(a: np.ndarray, k: int, v: float) -> np.ndarray:
    b = np.array(a, dtype=np.float64, copy=True)
    b.flat[k] = v
    return b


def _limit(at_a: np.ndarray, at_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The limit from two probes, and where it is known (settled or diverging)."""
    # 1e-9: the probes are logits of -1e8 and -1e12 (PROBES), where every exp(z) term has
    # vanished; a value that agrees at both to 1e-9 has settled to its limit
    settled = np.isclose(at_a, at_b, rtol=1e-9, atol=1e-12)
    diverging = np.abs(at_b) > 1e3 * np.maximum(np.abs(at_a), 1.0)
    limit = np.where(settled, at_b, np.copysign(np.inf, at_b))
    return limit, settled | diverging


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("name", _logit_losses())
def test_minus_infinite_logits_give_the_limit(name: str, use_fast: bool) -> None:
    with fast.use(use_fast):
        _check_limits(name)


def _check_limits(name: str) -> None:
    f = al.get(name)
    checked = 0
    for s in samples_of(name):
        if isinstance(s.y_pred, (tuple, list)):
            continue
        x = np.asarray(s.y_pred, dtype=np.float64)
        for k in range(min(x.size, 6)):
            v = f(s.y_true, _with(x, k, -np.inf), reduction="none", **s.params)
            g = f.grad(s.y_true, _with(x, k, -np.inf), reduction="sum", **s.params)
            probes = [_with(x, k, p) for p in PROBES]
            v_lim, v_known = _limit(*(f(s.y_true, p, reduction="none", **s.params) for p in probes))
            g_lim, g_known = _limit(
                *(f.grad(s.y_true, p, reduction="sum", **s.params) for p in probes)
            )
            assert not np.isnan(v).any(), (name, s.tag, k, v)
            assert not np.isnan(g).any(), (name, s.tag, k, g)
            # 1e-9: the limit is read from finite probes (see _limit)
            np.testing.assert_allclose(v[v_known], v_lim[v_known], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(g[g_known], g_lim[g_known], rtol=1e-9, atol=1e-12)
            checked += 1
    assert checked, name


def test_sparsemax_loss_at_masked_classes() -> None:
    # the limits by hand: z = [0, -inf, 0], y = 2: p = [.5, 0, .5], 0.5 - 0.25 = 0.25; a
    # target at -inf: +inf; sparsemax(z) = y: 0 (NaN before: p * z with p = 0, z = -inf)
    z = np.array([[0, -np.inf, 0], [0, -np.inf, -np.inf], [-np.inf, -np.inf, 0]])
    f = al.get("sparsemax_loss")
    np.testing.assert_array_equal(f([2, 2, 2], z, reduction="none"), [0.25, np.inf, 0.0])
    np.testing.assert_array_equal(
        f.grad([2, 2, 2], z, reduction="none"), [[0.5, 0, -0.5], [1, 0, -1], [0, 0, 0]]
    )


@pytest.mark.parametrize("use_fast", [True, False], ids=["fast", "reference"])
def test_distillation_ignores_a_class_the_teacher_masks(use_fast: bool) -> None:
    # a class at -inf in the teacher's logits (p = 0) adds nothing, also where the student
    # masks it too: the loss equals the loss on the other classes (by definition of KL)
    t = np.array([[1.0, -np.inf, 0.5], [0.2, -np.inf, -1.0]])
    s = np.array([[0.3, -np.inf, -0.2], [0.1, 2.0, 0.4]])
    f = al.get("distillation")
    with fast.use(use_fast):
        got = f(t, s, reduction="none")
        g = f.grad(t, s, reduction="sum")
    sub = f(t[:1, [0, 2]], s[:1, [0, 2]], reduction="none")
    np.testing.assert_allclose(got[0], sub[0], rtol=1e-14)
    assert np.isfinite(got).all() and np.isfinite(g).all()
