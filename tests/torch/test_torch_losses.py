"""actloss.torch losses: one generated module per catalog loss, checked over the catalog.

Every check runs over ``al.catalog(kind="loss")`` and the sample inputs of the loss
reference table (tests/losses/references.py), whose references are PyTorch's own losses
or formulas written in torch: values and gradients (torch autograd of the reference)
for every reduction, the per-sample backward of ``reduction="none"`` with a random
cotangent, and ``gradcheck`` in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from losses.references import TABLE, Sample
from torch.autograd import gradcheck

import actloss as al
import actloss.torch as alt
from actloss._classnames import class_name

LOSSES = al.catalog(kind="loss")
IDS = [f.name for f in LOSSES]


def samples(fn: al.Function) -> list[Sample]:
    if fn.name not in TABLE:
        pytest.fail(f"{fn.name} has no entry in the loss reference table")
    return TABLE[fn.name].samples(np.random.default_rng(0))


def tensor(a: Any, requires_grad: bool = False) -> Any:
    if a is None:
        return None
    arr = np.asarray(a)
    if arr.dtype.kind == "f":
        return torch.tensor(arr, dtype=torch.float64, requires_grad=requires_grad)
    return torch.tensor(arr)


def preds_of(s: Sample, requires_grad: bool = False) -> list[torch.Tensor]:
    items = list(s.y_pred) if isinstance(s.y_pred, (tuple, list)) else [s.y_pred]
    return [tensor(p, requires_grad) for p in items]


def call_module(fn: al.Function, module: torch.nn.Module, preds: list[Any], target: Any) -> Any:
    """Positional arguments in PyTorch's order: inputs then target (or info.torch_order)."""
    if fn.kernels.variadic or target is None:
        return module(*preds)
    order = fn.info.torch_order
    if order:
        by_name = dict(zip(fn.kernels.inputs, preds, strict=True)) | {"target": target}
        return module(*[by_name[k] for k in order])
    return module(*preds, target)


def reference(fn: al.Function, s: Sample, preds: list[torch.Tensor], reduction: str) -> Any:
    e = TABLE[fn.name]
    p: Any = preds if isinstance(s.y_pred, (tuple, list)) else preds[0]
    if isinstance(s.y_pred, tuple):
        p = tuple(preds)
    return e.ref(tensor(s.y_true), p, reduction, **s.params)


def test_every_loss_has_a_module_class() -> None:
    for fn in LOSSES:
        cls = getattr(alt, class_name(fn))
        assert cls.function is fn
        assert isinstance(alt.module(fn.name), cls)
    focal = alt.FocalLoss(alpha=0.25, gamma=2.0)
    assert (focal.alpha, focal.gamma, focal.reduction) == (0.25, 2.0, "mean")
    assert alt.ContrastiveLoss(margin=1.0).margin == 1.0
    ce = alt.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1)
    assert "weight" in dict(ce.named_buffers())  # a buffer, as in PyTorch: moves with .to()
    assert alt.MSELoss(reduction="none").reduction == "none"


def test_bad_loss_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="reduction: Expected one of 'mean', 'sum', 'none'"):
        alt.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="gamma"):
        alt.FocalLoss(gamma=-1.0)
    with pytest.raises(TypeError, match=r"input must be a torch\.Tensor"):
        alt.MSELoss()(np.zeros(3), torch.zeros(3))
    with pytest.raises(TypeError, match=r"takes \(mean, target, var\)"):
        alt.GaussianNLLLoss()(torch.zeros(3))
    x = torch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="target requires grad"):
        alt.MSELoss()(x, torch.zeros(3, requires_grad=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("fn", LOSSES, ids=IDS)
def test_value_and_gradient_match_the_reference(fn: al.Function, reduction: str) -> None:
    rtol = max(1e-9, TABLE[fn.name].rtol32 * 1e-3) if fn.name in TABLE else 1e-9
    for s in samples(fn):
        module = alt.module(fn.name, reduction=reduction, **s.params)
        preds = preds_of(s, requires_grad=fn.kernels.has_grad)
        out = call_module(fn, module, preds, tensor(s.y_true))
        rpreds = preds_of(s, requires_grad=fn.kernels.has_grad)
        ref = reference(fn, s, rpreds, reduction)
        torch.testing.assert_close(out, ref.to(out.dtype), rtol=rtol, atol=1e-12, msg=s.tag)
        if not fn.kernels.has_grad:
            assert not out.requires_grad  # a metric without gradient: value only
            continue
        g = torch.randn(out.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
        (out * g).sum().backward()  # "none": a per-sample cotangent of either sign
        (ref * g).sum().backward()
        for p, r in zip(preds, rpreds, strict=True):
            expected = torch.zeros_like(r) if r.grad is None else r.grad
            torch.testing.assert_close(p.grad, expected, rtol=rtol, atol=1e-12, msg=s.tag)


@pytest.mark.parametrize("fn", [f for f in LOSSES if f.kernels.has_grad], ids=lambda f: f.name)
def test_gradcheck(fn: al.Function) -> None:
    """Finite differences in float64 for the first sample (the per-sample backward of
    reduction="none" is checked against the reference's autograd above)."""
    s = samples(fn)[0]
    target = tensor(s.y_true)
    preds = preds_of(s, requires_grad=True)
    module = alt.module(fn.name, **s.params)
    assert gradcheck(lambda *p: call_module(fn, module, list(p), target), tuple(preds))


@pytest.mark.parametrize("fn", [f for f in LOSSES if f.kernels.has_grad], ids=lambda f: f.name)
def test_mean_reduction_saves_only_the_gradient(fn: al.Function) -> None:
    """reduction="mean": the forward computes value and gradient in one pass and the graph
    keeps only the gradient (one tensor per prediction), not the inputs."""
    s = samples(fn)[0]
    preds = preds_of(s, requires_grad=True)
    module = alt.module(fn.name, **s.params)
    out = call_module(fn, module, preds, tensor(s.y_true))
    saved = out.grad_fn.saved_tensors
    assert len(saved) == len(preds)
    for t, p in zip(saved, preds, strict=True):
        assert t.shape == p.shape and t.data_ptr() != p.data_ptr()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
def test_loss_dtypes(dtype: torch.dtype) -> None:
    torch.manual_seed(0)
    logits = torch.randn(8, 5)
    labels = torch.randint(0, 5, (8,))
    for module in (alt.CrossEntropyLoss(label_smoothing=0.1), alt.SoftmaxFocalLoss()):
        x = logits.to(dtype).clone().requires_grad_()
        out = module(x, labels)
        out.backward()
        assert out.dtype == dtype and x.grad is not None and x.grad.dtype == dtype
        xr = logits.double().requires_grad_()
        ref = module(xr, labels)
        ref.backward()
        tol = {torch.float16: 2e-3, torch.bfloat16: 2e-2, torch.float32: 1e-6}[dtype]
        torch.testing.assert_close(out.double(), ref.detach(), rtol=tol, atol=tol)
        torch.testing.assert_close(x.grad.double(), xr.grad, rtol=10 * tol, atol=10 * tol)


def test_regularizer_takes_the_parameters() -> None:
    """L2Penalty()(*model.parameters()): its gradient alpha * w reaches every parameter."""
    model = torch.nn.Linear(3, 2).double()
    penalty = alt.L2Penalty(alpha=0.1)
    penalty(*model.parameters()).backward()
    for p in model.parameters():
        torch.testing.assert_close(p.grad, 0.1 * p.detach())


def test_class_weight_buffer_follows_the_module_dtype() -> None:
    ce = alt.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5])).double()
    assert ce.weight.dtype == torch.float64
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1, 2, 1])
    ref = torch.nn.CrossEntropyLoss(weight=ce.weight)(x, y)
    torch.testing.assert_close(ce(x, y), ref)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
@pytest.mark.parametrize("fn", LOSSES, ids=IDS)
def test_every_loss_in_every_float_dtype(fn: al.Function, dtype: torch.dtype) -> None:
    """The first sample in half, bfloat16 and float32: the dtype is kept (half precision is
    computed in float32) and value and gradient match float64 within the dtype's rounding."""
    s = samples(fn)[0]
    target = tensor(s.y_true)
    if isinstance(target, torch.Tensor) and target.is_floating_point():
        target = target.to(dtype)
    module = alt.module(fn.name, **s.params)
    preds = [p.to(dtype).requires_grad_(fn.kernels.has_grad) for p in preds_of(s)]
    out = call_module(fn, module, preds, target)
    ref_preds = [p.detach().double().requires_grad_(fn.kernels.has_grad) for p in preds]
    ref_target = (
        target.double()
        if isinstance(target, torch.Tensor) and target.is_floating_point()
        else target
    )
    ref = call_module(fn, module, ref_preds, ref_target)
    assert out.dtype == dtype
    tol = {torch.float16: 1e-2, torch.bfloat16: 6e-2, torch.float32: 1e-5}[dtype]
    torch.testing.assert_close(out.double(), ref.detach(), rtol=tol, atol=tol)
    if fn.kernels.has_grad:
        out.backward()
        ref.backward()
        for p, r in zip(preds, ref_preds, strict=True):
            assert p.grad is not None and p.grad.dtype == dtype
            torch.testing.assert_close(p.grad.double(), r.grad, rtol=4 * tol, atol=4 * tol)


def test_combined_loss_as_a_module() -> None:
    """A loss built with al.losses.combine (not registered) works through module()."""
    combined = al.losses.combine(al.losses.term("mse"), al.losses.term("mae", weight=0.5))
    module = alt.module(combined)
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    t = torch.randn(4, 3, dtype=torch.float64)
    module(x, t).backward()
    xr = x.detach().clone().requires_grad_()
    (torch.nn.functional.mse_loss(xr, t) + 0.5 * torch.nn.functional.l1_loss(xr, t)).backward()
    torch.testing.assert_close(x.grad, xr.grad)


def test_check_inputs_false_skips_only_the_value_checks() -> None:
    """check_inputs=False (hot loops): the checks that read the data are off; parameters and
    shapes are still checked, and out-of-range integer labels still raise on the fused CPU
    path (its kernel checks the range in its one pass and never reads out of bounds)."""
    bce = alt.BCEWithLogitsLoss(check_inputs=False)
    x = torch.zeros(3, requires_grad=True)
    bce(x, torch.tensor([0.0, 1.0, 2.0]))  # a target outside [0, 1]: not checked
    with pytest.raises(ValueError, match=r"y_true must hold probabilities in \[0, 1\]"):
        alt.BCEWithLogitsLoss()(x, torch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="same shape"):
        bce(x, torch.zeros(4))
    with pytest.raises(ValueError, match="gamma"):
        alt.FocalLoss(gamma=-1.0, check_inputs=False)
    with pytest.raises(TypeError, match="check_inputs must be a bool"):
        alt.MSELoss(check_inputs="no")
    ce = alt.CrossEntropyLoss(check_inputs=False)
    logits = torch.randn(4, 3, requires_grad=True)
    with pytest.raises(ValueError, match="class label 7, out of range for 3 classes"):
        ce(logits, torch.tensor([0, 1, 7, 2]))
    assert "check_inputs=False" in repr(ce)


def test_fused_cross_entropy_checks_labels_in_its_pass() -> None:
    """The fused kernel flags labels outside [0, C) (not ignore_index) and the reference's
    error is raised, with value checks on or off; ignore_index rows stay ignored."""
    ce = al.get("cross_entropy")
    z = np.random.default_rng(0).normal(size=(4, 3))
    with pytest.raises(ValueError, match="class label -5, out of range"):
        ce(np.array([0, 1, -5, 0]), z)
    from actloss import _checks

    with _checks.skipped(), pytest.raises(ValueError, match="class label 3, out of range"):
        ce(np.array([0, 1, 3, 0]), z)
    got = ce(np.array([0, 1, -100, 2]), z)
    want = ce(np.array([0, 1, 2]), z[[0, 1, 3]])
    np.testing.assert_allclose(got, want, rtol=1e-15)
