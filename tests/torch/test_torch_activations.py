"""actloss.torch activations: one generated module per catalog entry, checked over the catalog.

Every check is parametrized over ``al.catalog(kind="activation")``. Values and
gradients are compared with the independent reference table of the activation
harness (a PyTorch built-in or a plain torch formula, differentiated by torch
autograd); ``gradcheck``/``gradgradcheck`` check the analytic backward (and double
backward) against finite differences in float64.

tests/torch and tests/keras have no ``__init__.py`` on purpose: a test package named
``torch`` or ``keras`` would shadow the real libraries.
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat.numpy as xpn
import numpy as np
import pytest
import torch
from activations.references import REFERENCES
from torch.autograd import gradcheck, gradgradcheck

import actloss as al
import actloss.torch as alt
from actloss._classnames import class_name

ACTIVATIONS = al.catalog(kind="activation")
IDS = [f.name for f in ACTIVATIONS]
DTYPES = [torch.float16, torch.bfloat16, torch.float32]
# |ours(dtype) - ours(float64)| <= TOL * (1 + |value|): the rounding of the input and output
TOL = {torch.float16: 4e-3, torch.bfloat16: 3e-2, torch.float32: 2e-6}


def shape_for(fn: al.Function) -> tuple[int, ...]:
    """(batch, channels, features): the channel axis 1 for PReLU, an even last axis for GLUs."""
    return (3, 4, 6)


def sample_x(fn: al.Function, params: dict[str, Any], seed: int = 0) -> torch.Tensor:
    """Random float64 input at least 0.05 away from every declared kink of ``fn``."""
    g = torch.Generator().manual_seed(seed)
    x = 2.0 * torch.randn(shape_for(fn), generator=g, dtype=torch.float64)
    merged = {**fn.info.defaults, **params}
    for kink in fn.info.kinks:
        k = kink.at(merged)
        x = torch.where((x - k).abs() < 0.05, x + 0.1, x)
    return x


def learnable_tensors(fn: al.Function, seed: int = 1) -> dict[str, torch.Tensor]:
    """Each learnable parameter as a float64 tensor that requires grad (per channel for arrays)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for p in fn.info.params:
        if p.learnable:
            shape = (shape_for(fn)[1],) if p.kind == "array" else ()
            value = 0.5 + torch.rand(shape, generator=g, dtype=torch.float64)
            out[p.name] = value.requires_grad_()
    return out


def tolerance(fn: al.Function, check: str, rtol: float, atol: float) -> dict[str, float]:
    """The reference table's declared override for ``check`` (with its reason), if any."""
    tol = REFERENCES[fn.name].tol.get(check)
    return {"rtol": rtol, "atol": atol} if tol is None else {"rtol": tol.rtol, "atol": tol.atol}


def test_every_entry_has_a_module_class() -> None:
    names = {class_name(fn) for fn in ACTIVATIONS}
    assert len(names) == len(ACTIVATIONS)  # no two entries share a class name
    for fn in ACTIVATIONS:
        cls = getattr(alt, class_name(fn))
        assert cls.function is fn
        assert isinstance(alt.module(fn.name), cls)


def test_pytorch_style_names_and_signatures() -> None:
    assert alt.ReLU().function is al.get("relu")
    assert alt.LeakyReLU(0.2).negative_slope == 0.2
    prelu = alt.PReLU(num_parameters=5, init=0.1)
    assert prelu.weight.shape == (5,)
    assert torch.all(prelu.weight == 0.1)
    gelu = alt.GELU(approximate="tanh")
    assert gelu.approximate == "tanh"
    assert alt.Softmax(dim=1).dim == 1
    swish = alt.Swish(beta=1.5, learnable=True)
    assert isinstance(swish.beta, torch.nn.Parameter)
    assert swish.beta.item() == 1.5
    fixed = alt.Swish(beta=1.5, learnable=False)
    assert list(fixed.parameters()) == [] and fixed.beta == 1.5
    assert alt.module("gelu_tanh").approximate == "tanh"  # an alias's preset
    assert alt.module("softmax", axis=0).dim == 0  # the catalog's name for dim
    for cls in (alt.Hardswish, alt.Hardsigmoid, alt.Hardtanh, alt.SiLU, alt.SELU, alt.ReLU6):
        assert cls.__name__ in dir(torch.nn)  # the same class names as torch.nn


def test_bad_construction_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'a' must be a finite number > 0"):
        alt.Snake(a=-1.0)
    with pytest.raises(ValueError, match="approximate"):
        alt.GELU(approximate="fast")
    with pytest.raises(TypeError, match="unexpected keyword argument 'bta'"):
        alt.Swish(bta=2.0)
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor"):
        alt.ReLU()([1.0, 2.0])
    with pytest.raises(ValueError, match="num_parameters"):
        alt.PReLU(num_parameters=0)


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_value_and_gradient_match_the_reference(fn: al.Function) -> None:
    """Every sample parameter set: module(x) and x.grad against the reference's autograd."""
    ref = REFERENCES[fn.name]
    for params in ref.params:
        x = sample_x(fn, params).requires_grad_()
        module = alt.module(fn.name, **params).double().eval()
        y = module(x)
        full = {**fn.info.defaults, **params}
        axis = full.pop("axis", None)
        for name in list(full):
            if isinstance(module, alt.ActivationModule) and name in module._learned:
                full[name] = getattr(module, name).detach().to(torch.float64)
        xr = x.detach().clone().requires_grad_()
        yr = ref.fn(xr, axis, **full) if axis is not None else ref.fn(xr, **full)
        torch.testing.assert_close(y, yr, **tolerance(fn, "value", 1e-12, 1e-12))
        ct = torch.randn(y.shape, generator=torch.Generator().manual_seed(3), dtype=y.dtype)
        (y * ct).sum().backward()
        (yr * ct).sum().backward()
        torch.testing.assert_close(x.grad, xr.grad, **tolerance(fn, "grad", 1e-10, 1e-12))


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_backward_is_the_catalog_derivative(fn: al.Function) -> None:
    """The adapter adds no math: x.grad is exactly the core's vjp (grad for elementwise), or,
    for entries whose derivative the catalog states in the output y (saved instead of x, as
    PyTorch does), exactly that formula on y -- which equals the vjp to rounding."""
    x = sample_x(fn, {}).requires_grad_()
    y = alt.functional.__getattr__(fn.name)(x)
    ct = torch.randn(y.shape, dtype=torch.float64)
    y.backward(ct)
    k, yn, cn = fn.kernels, y.detach().numpy(), ct.numpy()  # CPU tensors: the NumPy route
    if k.output_grad is not None:
        expected = cn * k.output_grad(xpn, yn, **fn.info.defaults)
        assert np.array_equal(x.grad.numpy(), np.where(np.isnan(yn), yn, expected))
    elif k.output_vjp is not None:
        assert np.array_equal(x.grad.numpy(), k.output_vjp(xpn, yn, cn, -1))
    else:
        assert torch.equal(x.grad, fn.vjp(x.detach(), ct))
    # f' from the output loses relative accuracy where f saturates (1 - tanh^2 beside
    # sech^2: an absolute error of a few ulps of 1, as PyTorch's own tanh backward)
    atol = 1e-14 if (k.output_grad or k.output_vjp) else 1e-15
    torch.testing.assert_close(x.grad, fn.vjp(x.detach(), ct), rtol=1e-13, atol=atol)
    if fn.info.elementwise:
        x.grad = None
        alt.functional.__getattr__(fn.name)(x).sum().backward()
        torch.testing.assert_close(x.grad, fn.grad(x.detach()), rtol=1e-13, atol=atol)


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_gradcheck(fn: al.Function) -> None:
    """Finite differences in float64, with learnable parameters as tensors that need grad."""
    x = sample_x(fn, {})[:2, :, :4].clone().requires_grad_()
    tensors = learnable_tensors(fn)
    if fn.name == "prelu":  # per-channel weight along axis 1 of x
        tensors["weight"] = tensors["weight"][: x.shape[1]].detach().requires_grad_()
    names = list(tensors)
    f = alt.functional.__getattr__(fn.name)
    assert gradcheck(lambda x, *t: f(x, **dict(zip(names, t, strict=True))), (x, *tensors.values()))


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_gradgradcheck(fn: al.Function) -> None:
    """Double backward: analytic f'' for elementwise entries with fixed parameters; autograd
    through the catalog's first-derivative kernels for learnable parameters and vector entries."""
    x = sample_x(fn, {})[:2, :2, :4].clone().requires_grad_()
    f = alt.functional.__getattr__(fn.name)
    assert gradgradcheck(f, (x,))
    tensors = learnable_tensors(fn)
    if tensors:
        if fn.name == "prelu":
            tensors["weight"] = tensors["weight"][:2].detach().requires_grad_()
        names = list(tensors)
        assert gradgradcheck(
            lambda x, *t: f(x, **dict(zip(names, t, strict=True))), (x, *tensors.values())
        )


@pytest.mark.parametrize("fn", [f for f in ACTIVATIONS if f.info.elementwise], ids=lambda f: f.name)
def test_double_backward_uses_grad2(fn: al.Function) -> None:
    """d/dx of x.grad (create_graph=True) is exactly the catalog's second derivative; for
    entries that save their output, autograd differentiates the catalog's f'(y) through y
    (as PyTorch's own sigmoid and tanh do), which agrees with f'' to rounding."""
    x = sample_x(fn, {}).requires_grad_()
    (g,) = torch.autograd.grad(alt.functional.__getattr__(fn.name)(x).sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g.sum(), x)
    if fn.kernels.output_grad is None:
        assert torch.equal(g2, fn.grad2(x.detach()))
    else:
        torch.testing.assert_close(g2, fn.grad2(x.detach()), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_dtypes(fn: al.Function, dtype: torch.dtype) -> None:
    """float16/bfloat16/float32: dtype kept, values and gradients close to float64."""
    x64 = sample_x(fn, {}).clamp(-6.0, 6.0)
    x = x64.to(dtype).requires_grad_()
    module = alt.module(fn.name).to(dtype).eval()
    y = module(x)
    y.sum().backward()
    assert y.dtype == dtype and x.grad is not None and x.grad.dtype == dtype
    xr = x.detach().to(torch.float64).requires_grad_()
    yr = alt.module(fn.name).double().eval()(xr)
    yr.sum().backward()
    tol = TOL[dtype]
    assert torch.all((y.double() - yr).abs() <= tol * (1 + yr.abs())), fn.name
    assert torch.all((x.grad.double() - xr.grad).abs() <= 2 * tol * (1 + xr.grad.abs())), fn.name
    for name, param in module.named_parameters():
        assert param.grad is not None and param.grad.dtype == dtype, name
        assert torch.isfinite(param.grad).all(), name


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_saves_one_tensor(fn: al.Function) -> None:
    """Memory: the graph keeps the input x, or the output y where the catalog states the
    derivative in y (as PyTorch does), plus the learnable parameters; nothing else."""
    module = alt.module(fn.name).double().eval()
    x = sample_x(fn, {}).requires_grad_()
    saved: list[torch.Tensor] = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        y = module(x)
        y.sum().backward()
    params = list(module.parameters())
    assert len(saved) == 1 + len(params)
    k = fn.kernels
    kept = y if (k.output_grad or k.output_vjp) and not params else x
    assert saved[0] is kept or saved[0].data_ptr() == kept.data_ptr()
    for t, p in zip(saved[1:], params, strict=True):
        assert t.data_ptr() == p.data_ptr()


def test_nan_propagates_and_limits_hold() -> None:
    x = torch.tensor([math.nan, -math.inf, math.inf, 0.5], dtype=torch.float64, requires_grad=True)
    y = alt.GELU()(x)
    y.sum().backward()
    y = y.detach()
    assert math.isnan(y[0]) and y[1] == 0.0 and y[2] == math.inf
    assert math.isnan(x.grad[0]) and x.grad[1] == 0.0 and x.grad[2] == 1.0


def test_learnable_parameter_gradients_match_the_reference() -> None:
    """PReLU per channel, Swish beta, Snake a, Affine slope/intercept vs reference autograd."""
    torch.manual_seed(0)
    x = torch.randn(5, 3, 4, dtype=torch.float64)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("prelu", {"num_parameters": 3, "init": 0.2}),
        ("swish", {"beta": 1.3}),
        ("snake", {"a": 0.7}),
        ("affine", {"slope": -0.5, "intercept": 0.25}),
    ]
    ct = torch.randn(x.shape, dtype=torch.float64)
    for name, kwargs in cases:
        module = alt.module(name, **kwargs).double()
        (module(x) * ct).sum().backward()
        params = {n: p.detach().clone().requires_grad_() for n, p in module.named_parameters()}
        ref = REFERENCES[name].fn
        (ref(x, **params) * ct).sum().backward()
        for n, p in module.named_parameters():
            torch.testing.assert_close(p.grad, params[n].grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["swish", "prelu", "snake", "affine"])
def test_a_tiny_model_with_learnable_activation_trains(name: str) -> None:
    """Fit y = |x| with Linear -> activation -> Linear; the loss drops and the parameter moves."""
    torch.manual_seed(0)
    act = alt.module(name)
    model = torch.nn.Sequential(torch.nn.Linear(1, 8), act, torch.nn.Linear(8, 1))
    x = torch.linspace(-2, 2, 64).unsqueeze(1)
    y = x.abs()
    before = {n: p.detach().clone() for n, p in act.named_parameters()}
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.5 * losses[0]
    for n, p in act.named_parameters():
        assert not torch.equal(p.detach(), before[n]), f"{name}.{n} did not move"
    assert act.no_weight_decay() == {
        p.name for p in act.function.info.params if p.learnable and p.no_weight_decay
    }


def test_rrelu_is_random_in_training_and_fixed_in_eval() -> None:
    torch.manual_seed(0)
    m = alt.RReLU(lower=0.1, upper=0.3)
    x = torch.full((1000,), -1.0, dtype=torch.float64, requires_grad=True)
    y = m(x)
    slopes = -y.detach()
    assert 0.1 <= float(slopes.min()) and float(slopes.max()) <= 0.3
    assert float(slopes.std()) > 0.03  # uniform on [0.1, 0.3]: std 0.058
    y.sum().backward()
    assert torch.equal(x.grad, slopes)
    m.eval()
    assert torch.allclose(m(x.detach()), torch.full_like(x, -0.2))


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_torch_func_vmap_and_grad(fn: al.Function) -> None:
    """torch.func.vmap over a batch of inputs, and vmap of torch.func.grad, equal the core."""
    x = sample_x(fn, {})
    f = alt.functional.__getattr__(fn.name)
    torch.testing.assert_close(torch.func.vmap(f)(x), fn(x))
    g = torch.func.vmap(torch.func.grad(lambda v: f(v).sum()))(x)
    torch.testing.assert_close(g, fn.vjp(x, torch.ones_like(fn(x))))


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_vmap_with_autograd_as_a_model_ensemble(
    fn: al.Function, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vmap of a module over stacked inputs (batch dimension not first), then backward by
    autograd -- how the lab trains model ensembles: values and gradients equal the module's
    on each slice; elementwise entries run their fused kernels on the whole stacked tensor."""
    from actloss.torch import _autograd

    fused_calls: list[int] = []
    fused_apply = _autograd.FusedActivation.apply
    monkeypatch.setattr(
        _autograd.FusedActivation,
        "apply",
        lambda *a: fused_calls.append(1) or fused_apply(*a),
    )
    m = getattr(alt, class_name(fn))()
    if fn.info.training_slope:  # rrelu: random slopes in training, not reproducible by slice
        m.eval()
    base = torch.as_tensor(np.asarray(sample_x(fn, {})), dtype=torch.float64).reshape(1, -1)
    x = torch.cat([base, 0.5 * base, base - 1.0]).T.contiguous()  # (n, 3): in_dims=1
    x.requires_grad_(True)
    y = torch.func.vmap(m, in_dims=1, out_dims=1)(x)
    (y * torch.linspace(0.5, 2.0, y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
    xs = x.detach().clone().requires_grad_(True)
    ys = torch.stack([m(xs[:, k]) for k in range(3)], dim=1)
    (ys * torch.linspace(0.5, 2.0, ys.numel(), dtype=ys.dtype).reshape(ys.shape)).sum().backward()
    torch.testing.assert_close(y, ys)
    torch.testing.assert_close(x.grad, xs.grad)
    learnable = any(p.learnable for p in fn.info.params)  # tensors: the traced route
    if fn.info.elementwise and fn.kernels.fused and not learnable:
        assert fused_calls, "vmap took the traced route"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_cuda(fn: al.Function) -> None:
    x = sample_x(fn, {}).cuda().requires_grad_()
    module = alt.module(fn.name).double().eval().cuda()
    y = module(x)
    y.sum().backward()
    assert y.device.type == "cuda" and x.grad is not None and x.grad.device.type == "cuda"
    xc = x.detach().cpu().requires_grad_()
    yc = alt.module(fn.name).double().eval()(xc)
    yc.sum().backward()
    torch.testing.assert_close(y.cpu(), yc, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(x.grad.cpu(), xc.grad, rtol=1e-10, atol=1e-12)
