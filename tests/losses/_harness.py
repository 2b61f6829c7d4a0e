"""Conversions between NumPy, torch and array-api-strict for the loss tests."""

from __future__ import annotations

from typing import Any

import array_api_strict as xs
import numpy as np
import torch

import actloss as al

from .references import TABLE, USER_LOSSES, Entry, Sample

NAMESPACES = ("numpy", "torch", "array_api_strict")
LOSSES = al.catalog(kind="loss")
# built-ins, plus the user-registered losses that conftest.py registers around each module
NAMES = sorted({f.name for f in LOSSES} | set(USER_LOSSES))


def seed_of(name: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(name))


def samples_of(name: str) -> list[Sample]:
    e = TABLE.get(name)
    return [] if e is None else e.samples(np.random.default_rng(seed_of(name)))


def cases(kind: str = "all") -> list[Any]:
    """(name, index) pytest params over every catalog loss and its samples."""
    import pytest

    out = []
    for name in NAMES:
        e = TABLE.get(name)
        if e is None:
            continue  # test_every_loss_has_a_reference fails for it
        if kind == "grad" and not e.grad:
            continue
        for i, s in enumerate(samples_of(name)):
            out.append(pytest.param(name, i, id=f"{name}-{s.tag or i}"))
    return out


def entry(name: str) -> Entry:
    return TABLE[name]


def tree_map(fn: Any, x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return type(x)(tree_map(fn, v) for v in x)
    return fn(x)


def to_torch(x: Any, requires_grad: bool = False) -> Any:
    def conv(a: Any) -> Any:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)
        return torch.tensor(a)

    return tree_map(conv, x)


def to_ns(x: Any, ns: str, dtype: str = "float64") -> Any:
    def conv(a: Any) -> Any:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = a.astype(dtype)
        if ns == "numpy":
            return a
        if ns == "torch":
            return torch.from_numpy(a.copy())
        return xs.asarray(a)

    return tree_map(conv, x)


def to_np(x: Any) -> Any:
    def conv(a: Any) -> Any:
        if isinstance(a, torch.Tensor):
            return a.detach().numpy()
        return np.asarray(a)

    return tree_map(conv, x)


def leaves(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [leaf for v in x for leaf in leaves(v)]
    return [x]


def torch_ref(name: str, s: Sample, reduction: str, grad: bool = False) -> tuple[Any, Any]:
    """The reference value (NumPy) and, with ``grad``, the autograd gradient of the result."""
    e = TABLE[name]
    yt = to_torch(s.y_true)
    yp = to_torch(s.y_pred, requires_grad=grad)
    out = e.ref(yt, yp, reduction, **s.params)
    if not grad:
        return out.detach().numpy(), None
    inputs = leaves(yp)
    gs = torch.autograd.grad(out.sum(), inputs, allow_unused=True)
    gs = [torch.zeros_like(x) if g is None else g for g, x in zip(gs, inputs, strict=True)]
    g_np = [g.numpy() for g in gs]
    if isinstance(s.y_pred, (tuple, list)):
        return out.detach().numpy(), type(s.y_pred)(g_np)
    return out.detach().numpy(), g_np[0]


def assert_close(
    actual: Any, expected: Any, rtol: float, atol: float = 0.0, what: str = ""
) -> None:
    a_leaves, e_leaves = leaves(to_np(actual)), leaves(expected)
    assert len(a_leaves) == len(e_leaves), what
    for a, b in zip(a_leaves, e_leaves, strict=True):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
        scale = max(1.0, float(np.max(np.abs(b[np.isfinite(b)]), initial=0.0)))
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol + rtol * scale, err_msg=what)
