"""actloss.torch under torch.compile and on the traced route, over the whole catalog.

- ``fullgraph=True`` of ``Linear -> actloss module`` compiles without a graph break for
  every activation (dynamo traces the catalog's Array API definition and its analytic
  backward); values and gradients equal eager. The whole catalog runs on the
  ``aot_eager`` backend (dynamo + AOTAutograd, no code generation: a few seconds per
  entry); a representative set runs on inductor (code generation, the GPU path's
  compiler); the whole catalog on inductor is behind the ``compile_full`` marker.
- ``force_traced()`` sends CPU tensors through the route of CUDA tensors (the Array API
  definition on torch): values, gradients and gradcheck equal the fused CPU route.
"""

from __future__ import annotations

import pytest
import torch
from test_torch_activations import ACTIVATIONS, IDS, learnable_tensors, sample_x
from torch.autograd import gradcheck

import actloss as al
import actloss.torch as alt

# Warnings of torch 2.13's own compiler internals, not of actloss's code: dynamo instantiates
# autograd.Function classes while tracing them, and inductor calls torch.jit.script_method.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:<class 'torch.autograd.function.Function'> should not be instantiated"
    ),
    pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated"),
    # dynamo notes that it traces through array_api_compat's cached type checks (sparsemax's
    # cumulative_sum asks array_api_compat for the namespace); pure functions of the type
    pytest.mark.filterwarnings("ignore:Dynamo detected a call to a `functools.lru_cache`"),
]

FULL = pytest.mark.compile_full

# what a training model most often holds, one of each kind of entry: output-saving,
# input-saving with a fused kernel, without one, a vector entry, a learnable parameter
INDUCTOR = ("relu", "sigmoid", "gelu", "softplus", "softmax", "glu", "swish")


def _model(fn: al.Function) -> torch.nn.Module:
    kw = {"learnable": True} if learnable_tensors(fn) else {}
    act = alt.module(fn.name, **kw).double().eval()
    return torch.nn.Sequential(torch.nn.Linear(6, 6).double(), act)


def _check_compiled(fn: al.Function, backend: str) -> None:
    torch.manual_seed(0)
    model = _model(fn)
    x = sample_x(fn, {})
    eager = model(x)
    eager.backward(torch.ones_like(eager))
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    torch._dynamo.reset()
    compiled = torch.compile(model, fullgraph=True, backend=backend)
    out = compiled(x)
    out.backward(torch.ones_like(out))
    torch.testing.assert_close(out, eager, rtol=1e-10, atol=1e-12)
    for p, g in zip(model.parameters(), grads, strict=True):
        torch.testing.assert_close(p.grad, g, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_fullgraph_aot_eager(fn: al.Function) -> None:
    _check_compiled(fn, "aot_eager")


@pytest.mark.parametrize("name", INDUCTOR)
def test_fullgraph_inductor(name: str) -> None:
    _check_compiled(al.get(name), "inductor")


@pytest.mark.compile_full
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_fullgraph_inductor_whole_catalog(fn: al.Function) -> None:
    _check_compiled(fn, "inductor")


def test_compiled_model_has_no_graph_break() -> None:
    """Swish, GELU and Sigmoid between Linear layers: one graph, equal to eager."""
    from torch._dynamo.utils import counters

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        alt.Swish(learnable=True),
        torch.nn.Linear(8, 8),
        alt.GELU(),
        torch.nn.Linear(8, 1),
        alt.Sigmoid(),
    )
    x = torch.randn(16, 4)
    torch._dynamo.reset()
    counters.clear()
    out = torch.compile(model, fullgraph=True)(x)
    assert not counters["graph_break"], dict(counters["graph_break"])
    torch.testing.assert_close(out, model(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", ACTIVATIONS, ids=IDS)
def test_traced_route_equals_the_fused_route(fn: al.Function) -> None:
    """The route of CUDA tensors and torch.compile, forced on CPU: same values and gradients,
    and gradcheck of the analytic backward (parameters included)."""
    x = sample_x(fn, {}).requires_grad_()
    module = alt.module(fn.name).double().eval()
    y = module(x)
    ct = torch.randn(y.shape, generator=torch.Generator().manual_seed(2), dtype=y.dtype)
    (gx,) = torch.autograd.grad(y, x, ct)
    with alt.force_traced():
        yt = module(x)
        (gt,) = torch.autograd.grad(yt, x, ct)
        f = alt.functional.__getattr__(fn.name)
        xs = x[:2, :2].detach().requires_grad_()
        tensors = learnable_tensors(fn)
        if fn.name == "prelu":
            tensors["weight"] = tensors["weight"][:2].detach().requires_grad_()
        names = list(tensors)
        assert gradcheck(
            lambda x, *t: f(x, **dict(zip(names, t, strict=True))), (xs, *tensors.values())
        )
    assert yt.grad_fn is not None and "Traced" in type(yt.grad_fn).__name__
    torch.testing.assert_close(yt, y, rtol=1e-12, atol=1e-13)
    torch.testing.assert_close(gt, gx, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------- losses
LOSSES = [f for f in al.catalog(kind="loss") if f.kernels.has_grad]
# the losses of the training-parity targets, and one of each other kind (several prediction
# arrays, a class axis, a coupled batch, a per-sample segmentation loss, a regularizer)
REPRESENTATIVE_LOSSES = {
    "cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse",
    "huber",
    "focal",
    "gaussian_nll",
    "softmax_focal",
    "ntxent",
    "dice",
    "l2_penalty",
    "sparsemax_loss",
}
LOSS_CASES = [
    pytest.param(f, id=f.name, marks=() if f.name in REPRESENTATIVE_LOSSES else [FULL])
    for f in LOSSES
]


@pytest.mark.parametrize("fn", LOSS_CASES)
def test_loss_fullgraph_aot_eager(fn: al.Function) -> None:
    """Every loss with a gradient compiles with fullgraph=True (the value checks that read
    data are skipped while tracing); value and gradients equal eager, on the first sample of
    the loss reference table."""
    from test_torch_losses import call_module, preds_of, samples, tensor

    s = samples(fn)[0]
    module = alt.module(fn.name, **s.params)
    preds = preds_of(s, requires_grad=True)
    eager = call_module(fn, module, preds, tensor(s.y_true))
    grads = torch.autograd.grad(eager, preds, allow_unused=True)
    cpreds = preds_of(s, requires_grad=True)
    torch._dynamo.reset()
    target = tensor(s.y_true)
    step = torch.compile(
        lambda *p: call_module(fn, module, list(p), target), fullgraph=True, backend="aot_eager"
    )
    out = step(*cpreds)
    cgrads = torch.autograd.grad(out, cpreds, allow_unused=True)
    torch.testing.assert_close(out, eager, rtol=1e-10, atol=1e-12)
    for g, ge in zip(cgrads, grads, strict=True):
        if ge is not None:
            torch.testing.assert_close(g, ge, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", INDUCTOR)
def test_gradcheck_of_the_compiled_function(name: str) -> None:
    """gradcheck through torch.compile: the traced analytic backward against finite
    differences (double backward is not compiled by torch: gradgradcheck runs eagerly)."""
    fn = al.get(name)
    kw = {"learnable": True} if learnable_tensors(fn) else {}
    module = alt.module(name, **kw).double().eval()
    x = sample_x(fn, {})[:2, :2].detach().requires_grad_()
    torch._dynamo.reset()
    compiled = torch.compile(module, fullgraph=True, backend="aot_eager")
    assert gradcheck(compiled, (x,))
