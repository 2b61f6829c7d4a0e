"""actloss.jax activations: the catalog's values and derivatives through JAX's transformations.

For every catalog activation one jitted probe evaluates the value, ``jax.grad`` of
``sum(ct * f)`` (the vjp), ``jax.vmap``, and for elementwise entries ``jax.grad`` of
``jax.grad`` (the second derivative), ``jax.jvp`` and ``jax.jacfwd``; each is compared
with the NumPy float64 reference path of the core (itself checked against independent
references in tests/activations), the gradient also with central differences of the JAX
function, the jitted value with the eager one and ``vmap`` with a Python loop. The jaxpr
of the gradient shows the catalog's custom rule (``custom_jvp_call``/``custom_vjp_call``),
so the derivative tested is the catalog's, not autodiff through the definition.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from activations._harness import near_kink  # noqa: E402

import actloss as al  # noqa: E402
import actloss.fast  # noqa: E402
import actloss.jax as alj  # noqa: E402
from actloss import _checks  # noqa: E402

ACTIVATIONS = al.catalog(kind="activation")


@pytest.fixture(autouse=True)
def _reference_path() -> Any:
    """The reference is the entry's Array API definition on NumPy (the one JAX runs); the
    fused kernels of actloss.fast are checked against it in tests/activations."""
    with actloss.fast.use(False):
        yield


RTOL, ATOL = 1e-12, 1e-14  # XLA's float64 elementary functions against NumPy's


def _x(fn: al.Function) -> np.ndarray:
    rng = np.random.default_rng(sum(map(ord, fn.name)))
    x = rng.normal(0.0, 2.5, size=(3, 8))
    x[0, :4] = [-0.5, 0.25, 1.5, 3.0]  # inside the branches of the piecewise functions
    return x


def _probe(f: Any, elementwise: bool) -> Any:
    def probe(x: Any, ct: Any) -> dict[str, Any]:
        out = {
            "y": f(x),
            "vjp": jax.grad(lambda v: jnp.sum(ct * f(v)))(x),
            "vmap": jax.vmap(f)(x),
        }
        if elementwise:
            g1 = jax.grad(lambda v: jnp.sum(f(v)))
            out["grad2"] = jax.grad(lambda v: jnp.sum(g1(v)))(x)
            out["jvp"] = jax.jvp(f, (x,), (ct,))[1]
            out["jacfwd"] = jax.jacfwd(f)(x[0])
        return out

    return jax.jit(probe)


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_activation_through_jax_transformations(fn: al.Function) -> None:
    f = getattr(alj, fn.name)
    x = _x(fn)
    y = fn(x)
    ct = np.random.default_rng(1).normal(size=y.shape)  # gated units halve the last axis
    xj, ctj = jnp.asarray(x), jnp.asarray(ct)
    got = {k: np.asarray(v) for k, v in _probe(f, fn.info.elementwise)(xj, ctj).items()}

    np.testing.assert_allclose(got["y"], y, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.asarray(f(xj)), got["y"], rtol=RTOL, atol=ATOL)  # eager
    np.testing.assert_allclose(got["vjp"], fn.vjp(x, ct), rtol=RTOL, atol=ATOL)
    with _checks.skipped():  # the jitted form: one compilation for the rows and the probes
        loop = np.stack([np.asarray(f(xj[i])) for i in range(x.shape[0])])
    np.testing.assert_allclose(got["vmap"], loop, rtol=RTOL, atol=ATOL)
    if fn.info.elementwise:
        np.testing.assert_allclose(got["grad2"], fn.grad2(x), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(got["jvp"], fn.grad(x) * ct, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(got["jacfwd"], np.diag(fn.grad(x[0])), rtol=RTOL, atol=ATOL)

    # central differences of the JAX function along v, away from kinks
    h = 1e-6
    mask = ~near_kink(fn, {}, x, 1e-3) if fn.info.elementwise else np.ones(x.shape, bool)
    v = np.where(mask, np.random.default_rng(2).normal(size=x.shape), 0.0)
    with _checks.skipped():
        up, dn = (np.asarray(f(jnp.asarray(x + s * h * v))) for s in (1, -1))
    fd = np.sum(ct * (up - dn)) / (2 * h)
    np.testing.assert_allclose(np.sum(got["vjp"] * v), fd, rtol=1e-6, atol=1e-7)

    # the catalog's rule, not autodiff through the Array API definition
    jaxpr = str(jax.make_jaxpr(jax.grad(lambda v: jnp.sum(ct * f(v))))(xj))
    rule = "custom_jvp_call" if fn.info.elementwise else "custom_vjp_call"
    assert rule in jaxpr


LEARNABLE = [f for f in ACTIVATIONS if any(p.learnable for p in f.info.params)]


def _param_value(fn: al.Function, name: str) -> np.ndarray:
    if fn.name == "prelu":
        return np.array([0.1, 0.3, 0.2])  # one weight per channel (axis 1)
    return np.asarray(0.8 if name != "intercept" else -0.3)


@pytest.mark.parametrize("fn", LEARNABLE, ids=lambda f: f.name)
def test_learnable_parameters_get_the_catalogs_parameter_gradient(fn: al.Function) -> None:
    names = [p.name for p in fn.info.params if p.learnable]
    params = {n: _param_value(fn, n) for n in names}
    x = np.random.default_rng(2).normal(0.0, 2.0, size=(2, 3, 4))
    ct = np.random.default_rng(3).normal(size=x.shape)
    f = getattr(alj, fn.name)

    def loss(x: Any, ps: dict[str, Any]) -> Any:
        return jnp.sum(jnp.asarray(ct) * f(x, **ps))

    jp = {k: jnp.asarray(v) for k, v in params.items()}
    dx, dps = jax.jit(jax.grad(loss, argnums=(0, 1)))(jnp.asarray(x), jp)
    want_dx, want_dps = fn.vjp(x, ct, with_params=True, **params)
    np.testing.assert_allclose(np.asarray(dx), want_dx, rtol=RTOL, atol=ATOL)
    for k in names:
        np.testing.assert_allclose(np.asarray(dps[k]), want_dps[k], rtol=RTOL, atol=ATOL)
        assert dps[k].shape == jp[k].shape


@pytest.mark.parametrize("name", ["relu", "gelu", "softmax", "swiglu"])
def test_float32_in_float32_out(name: str) -> None:
    fn = al.get(name)
    x = _x(fn).astype(np.float32)
    f = getattr(alj, name)
    y = f(jnp.asarray(x))
    g = jax.grad(lambda v: jnp.sum(f(v)))(jnp.asarray(x))
    assert y.dtype == jnp.float32 and g.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(y), fn(x), rtol=2e-6, atol=1e-6)


def test_conventions_at_kinks_are_the_catalogs() -> None:
    # relu'(0) = 0 is declared in the spec (as PyTorch and jax.nn); autodiff of a where()
    # would give whatever branch the definition takes
    assert float(jax.grad(alj.relu)(0.0)) == float(al.get("relu").grad(np.asarray(0.0)))
    assert float(jax.grad(alj.hard_tanh)(1.0)) == float(al.get("hard_tanh").grad(np.asarray(1.0)))


def test_parameters_are_validated_at_python_level() -> None:
    with pytest.raises(ValueError, match="approximate"):
        alj.gelu(jnp.ones(3), approximate="fast")
    with pytest.raises(TypeError, match="Did you mean 'alpha'"):
        alj.elu(jnp.ones(3), alpah=1.0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        jax.jit(lambda v: alj.softmax(v, axis=2))(jnp.ones((2, 3)))


def test_bound_forms_and_aliases() -> None:
    x = jnp.linspace(-2.0, 2.0, 7)
    np.testing.assert_allclose(
        np.asarray(alj.gelu_tanh(x)), np.asarray(alj.gelu(x, approximate="tanh")), rtol=0
    )
    leaky = alj.activation("leaky_relu", negative_slope=0.2)
    np.testing.assert_allclose(np.asarray(leaky(x)), np.where(np.asarray(x) > 0, x, 0.2 * x))
    with pytest.raises(ValueError, match="not an activation"):
        alj.activation("mse")
