"""CPU torch tensors through zero-copy NumPy views (actloss._views), and the value-only kernels.

A torch tensor on the CPU outside autograd is computed by the NumPy path on a view of
its memory: results must be the NumPy path's bit for bit, returned as tensors (fused
kernels included); tensors that autograd differentiates, bfloat16, meta tensors and
large inputs of functions without a kernel keep PyTorch. The plain call compiles its
kernel without the derivative: its value must be value_and_grad's bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import actloss as al
import actloss.fast as fast
import actloss.torch as alt
from actloss import _views
from actloss.fast import _run

DTYPES = [np.float32, np.float64]
FUSED = sorted(f.name for f in al.catalog(kind="activation") if f.kernels.fused)
ELEMENTWISE = [n for n in FUSED if al.get(n).info.elementwise]
ROWWISE = [n for n in FUSED if not al.get(n).info.elementwise]


def _x(dtype: Any, shape: tuple[int, ...] = (3, 67)) -> np.ndarray:
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 3.0, shape).astype(dtype)
    x.flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 40.0]
    return x


def _same(got: Any, want: np.ndarray) -> None:
    assert isinstance(got, torch.Tensor)
    np.testing.assert_array_equal(got.numpy(), want, strict=True)


def _count_kernels(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    for name in ("elementwise", "rowwise"):
        real = getattr(_run, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(_run, name, spy)
    return calls


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_on_cpu_tensors_is_the_numpy_path(name: str, dtype: Any):
    fn, x = al.get(name), _x(dtype)
    ct = np.linspace(-2.0, 2.0, x.size).reshape(x.shape).astype(dtype)
    t, tct = torch.from_numpy(x.copy()), torch.from_numpy(ct.copy())
    with fast.use(True):
        y, d = fn.value_and_grad(x)
        ty, td = fn.value_and_grad(t)
        _same(ty, y)
        _same(td, d)
        _same(fn(t), y)
        _same(fn.grad(t), d)
        _same(fn.vjp(t, tct), fn.vjp(x, ct))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_on_cpu_tensors_is_the_numpy_path(name: str, dtype: Any):
    fn, x = al.get(name), _x(dtype)
    x[0, :6] = 0.0  # one finite row next to the row of specials
    ct = np.cos(np.arange(x.size)).reshape(x.shape).astype(dtype)
    t, tct = torch.from_numpy(x.copy()), torch.from_numpy(ct.copy())
    with fast.use(True):
        _same(fn(t), fn(x))
        _same(fn.vjp(t, tct), fn.vjp(x, ct))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_value_only_kernel_matches_value_and_grad(name: str, dtype: Any):
    fn, x = al.get(name), _x(dtype, (1000,))
    with fast.use(True):
        np.testing.assert_array_equal(fn(x), fn.value_and_grad(x)[0], strict=True)


def test_contiguous_cpu_tensors_take_the_kernels(monkeypatch: pytest.MonkeyPatch):
    calls = _count_kernels(monkeypatch)
    t = torch.linspace(-3.0, 3.0, 12)
    with fast.use(True):
        al.get("gelu")(t)
        al.get("gelu").vjp(t, torch.ones(12))
        al.get("softmax")(t.reshape(3, 4))
    assert calls == ["elementwise", "elementwise", "rowwise"]


def test_the_torch_modules_run_the_kernels_forward_and_backward(monkeypatch: pytest.MonkeyPatch):
    """A module's plan calls its fused kernel directly (forward: value only; backward: the
    vjp, or the backward from the saved output), with the kernel's own results."""
    from actloss.fast import _elementwise, _from_output
    from actloss.torch import _autograd

    monkeypatch.setattr(_autograd, "_PLANS", {})  # plans built now pick up the spies
    calls: list[str] = []
    for module, name in ((_elementwise, "silu"), (_from_output, "sigmoid_from_output")):
        real = getattr(module, name)

        def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(module, name, spy)
    x = torch.linspace(-3.0, 3.0, 12, dtype=torch.float64, requires_grad=True)
    with fast.use(True):
        y = alt.SiLU()(x)
        y.backward(torch.ones_like(y))
        g = x.grad
        x.grad = None
        s = alt.Sigmoid()(x)
        s.backward(torch.ones_like(s))
        assert calls == ["silu", "silu", "sigmoid_from_output"]
        want_silu, want_sig = al.get("silu").grad(x.detach()), al.get("sigmoid").grad(x.detach())
    torch.testing.assert_close(g, want_silu, rtol=0.0, atol=0.0)
    # sigma(1 - sigma) from the saved output beside e/(1+e)^2: a few ulps of 1 apart
    torch.testing.assert_close(x.grad, want_sig, rtol=1e-14, atol=1e-15)


LOSS_CASES = {
    "mse": lambda r: (r.normal(size=(7, 5)), r.normal(size=(7, 5))),
    "binary_cross_entropy": lambda r: (
        r.integers(0, 2, (7, 5)) * 1.0,
        r.uniform(0.01, 0.99, (7, 5)),
    ),
    "hinge": lambda r: (r.choice([-1.0, 1.0], (7, 5)), r.normal(size=(7, 5))),
    "cross_entropy": lambda r: (r.integers(0, 5, 7), r.normal(size=(7, 5))),
}


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_losses_on_cpu_tensors_are_the_numpy_path(name: str, reduction: str):
    fn = al.get(name)
    y_true, y_pred = LOSS_CASES[name](np.random.default_rng(3))
    t_true, t_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    value, grad = fn.value_and_grad(y_true, y_pred, reduction=reduction)
    t_value, t_grad = fn.value_and_grad(t_true, t_pred, reduction=reduction)
    _same(t_value, value)
    _same(t_grad, grad)
    ct = np.linspace(-1.0, 1.0, np.size(fn(y_true, y_pred, reduction="none")))
    ct = ct.reshape(np.shape(fn(y_true, y_pred, reduction="none")))
    _same(fn.vjp(t_true, t_pred, torch.from_numpy(ct)), fn.vjp(y_true, y_pred, ct))


def test_large_kernel_less_inputs_keep_multithreaded_torch(monkeypatch: pytest.MonkeyPatch):
    seen: list[Any] = []
    real = _views._convert
    monkeypatch.setattr(_views, "_convert", lambda v, t: seen.append(v) or real(v, t))
    glu = al.get("glu")
    glu(torch.zeros(4, 2))
    assert seen
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        seen.clear()
        glu(torch.zeros(2, _views.SMALL + 2))
        assert not seen
        torch.set_num_threads(1)  # single-threaded PyTorch: NumPy's path is faster
        glu(torch.zeros(2, _views.SMALL + 2))
        assert seen
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("case", ["autograd", "strided", "meta", "half", "bfloat16", "off"])
def test_other_tensors_take_the_reference_path(case: str, monkeypatch: pytest.MonkeyPatch):
    calls = _count_kernels(monkeypatch)
    x = torch.linspace(-3.0, 3.0, 12, dtype=torch.float64)
    fn = al.get("tanh")
    if case == "autograd":  # the core called on a tensor autograd differentiates
        x.requires_grad_(True)
        fn(x).sum().backward()
        assert x.grad is not None
        torch.testing.assert_close(x.grad, 1.0 - torch.tanh(x.detach()) ** 2)
    elif case == "strided":
        fn(x.reshape(3, 4).T)
    elif case == "meta":
        assert fn(torch.empty(5, device="meta")).device.type == "meta"
    elif case == "half":
        assert fn(x.to(torch.float16)).dtype == torch.float16
    elif case == "bfloat16":
        assert fn(x.to(torch.bfloat16)).dtype == torch.bfloat16
    else:
        with fast.use(False):
            fn(x)
    assert calls == []
