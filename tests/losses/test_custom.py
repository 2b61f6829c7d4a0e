"""User-defined losses: registration checks and the two gradient paths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import actloss as al
from actloss.losses.custom import autodiff_grad, numerical_grad


def _pseudo_huber(xp, y_true, y_pred):  # type: ignore[no-untyped-def]
    d = y_pred - y_true
    return xp.sqrt(1.0 + d * d) - 1.0


def test_both_gradient_paths_match_the_analytic_gradient() -> None:
    rng = np.random.default_rng(0)
    t, p = rng.normal(size=(6, 3)), rng.normal(scale=3, size=(6, 3))
    d = p - t
    analytic = d / np.sqrt(1 + d * d)
    np.testing.assert_allclose(autodiff_grad(_pseudo_huber, t, p), analytic, rtol=1e-14)
    np.testing.assert_allclose(
        numerical_grad(_pseudo_huber, t, p, 2), analytic, rtol=1e-8, atol=1e-12
    )
    row = lambda xp, yt, yp: xp.sum(_pseudo_huber(xp, yt, yp), axis=-1)  # noqa: E731
    np.testing.assert_allclose(numerical_grad(row, t, p, 1), analytic, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("gradient", ["auto", "numerical"])
def test_registered_loss_behaves_like_a_builtin(gradient: str) -> None:
    f = al.losses.register_loss("test_pseudo_huber", _pseudo_huber, gradient=gradient)
    try:
        assert al.get("test_pseudo_huber") is f is al.losses.test_pseudo_huber
        assert f.info.family == "custom" and f in al.catalog(kind="loss", family="custom")
        t = torch.tensor([0.0, 1.0, -2.0])
        p = torch.tensor([0.5, 1.0, 1.0], requires_grad=True)
        v, g = f.value_and_grad(t, p.detach(), reduction="sum", sample_weight=[1.0, 2.0, 0.5])
        ref = ((torch.sqrt(1 + (p - t) ** 2) - 1) * torch.tensor([1.0, 2.0, 0.5])).sum()
        (rg,) = torch.autograd.grad(ref, p)
        assert g.dtype == torch.float32
        torch.testing.assert_close(v, ref.detach())
        torch.testing.assert_close(g, rg)
    finally:
        al.unregister("test_pseudo_huber")
    assert not any(fn.name == "test_pseudo_huber" for fn in al.catalog())


def test_registration_checks_the_function() -> None:
    with pytest.raises(ValueError, match=r"one loss per sample|per-sample losses"):
        al.losses.register_loss("bad_shape", lambda xp, t, p: xp.sum(p, axis=0))
    with pytest.raises(ValueError, match=r"automatic differentiation failed.*xp"):
        al.losses.register_loss("not_xp", lambda xp, t, p: np.exp(np.asarray(p) - t))
    with pytest.raises(ValueError, match=r"failed on the example.*example="):
        al.losses.register_loss("needs_probs", lambda xp, t, p: xp.log(p["x"]))
    with pytest.raises(ValueError, match="gradient must be one of"):
        al.losses.register_loss("bad_option", _pseudo_huber, gradient="symbolic")
    with pytest.raises(ValueError, match="name 'mse' is taken"):
        al.losses.register_loss("mse", _pseudo_huber)
    for name in ("bad_shape", "not_xp", "needs_probs", "bad_option"):
        with pytest.raises(al.UnknownNameError):
            al.get(name)


def test_example_domain_is_used_for_the_check() -> None:
    def log_loss(xp, t, p):  # type: ignore[no-untyped-def]
        return -(t * xp.log(p) + (1.0 - t) * xp.log(1.0 - p))

    example = (np.array([0.0, 1.0, 1.0]), np.array([0.2, 0.7, 0.9]))
    f = al.losses.register_loss("test_log_loss", log_loss, example=example)
    try:
        g = f.grad(*example, reduction="sum")
        t, p = example
        np.testing.assert_allclose(g, (p - t) / (p * (1 - p)), rtol=1e-12)
    finally:
        al.unregister("test_log_loss")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("", "must be a lowercase identifier"),
        (" ", "must be a lowercase identifier"),
        ("x y", r"must be a lowercase identifier.*use 'x_y'"),
        ("my-loss", r"use 'my_loss'"),
        ("MyLoss", r"use 'myloss'"),
        ("9lives", "not starting with a digit"),
        ("MSE", r"'MSE' is taken: 'mse' is a catalog entry"),
        ("Gelu_Tanh", r"is taken: 'gelu_tanh' is an alias of 'gelu'"),
        ("huber", "'huber' is taken"),
    ],
)
def test_names_follow_one_rule_checked_at_registration(name: str, match: str) -> None:
    """Issue 13: '', ' ', 'x y' registered (and get() then could not find them) and 'MSE'
    registered while get('MSE') returned the built-in mse. One rule: lowercase identifiers,
    no shadowing of a name or alias as get() compares them; checked before the function runs."""
    calls = []

    def value(xp, t, p):  # type: ignore[no-untyped-def]
        calls.append(1)
        return xp.sum((p - t) ** 2, axis=-1)

    with pytest.raises(ValueError, match=match):
        al.losses.register_loss(name, value)
    with pytest.raises(ValueError, match="is taken"):
        al.losses.register_loss("fine_name", value, aliases={"mse": {}})
    assert not calls
    with pytest.raises(al.UnknownNameError):
        al.get("fine_name")
