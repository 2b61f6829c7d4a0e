"""``out=`` buffers: validation with clear errors, and writing a result into them."""

from __future__ import annotations

from typing import Any

import numpy as np


def check_out(out: Any, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """``out`` must be a writeable NumPy array of the result's shape and dtype."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (the result's shape), got {out.shape}")
    if out.dtype != np.dtype(dtype):
        raise TypeError(f"{name} must have dtype {np.dtype(dtype)}, got {out.dtype}")
    if not out.flags.writeable:
        raise ValueError(f"{name} must be writeable")
    return out


def check_out_pair(out: Any, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """``out=(value_out, grad_out)`` for value_and_grad."""
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(
            f"out must be a tuple (value_out, grad_out) of two arrays, got {type(out).__name__}"
        )
    y = check_out(out[0], "out[0]", shape, dtype)
    d = check_out(out[1], "out[1]", shape, dtype)
    if np.shares_memory(y, d):
        raise ValueError("out[0] and out[1] must not overlap")
    return y, d


def require_numpy_for_out(x: Any) -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"out= is supported for NumPy inputs only, got {type(x).__module__}.{type(x).__name__}"
        )


def overlaps(out: np.ndarray, inputs: tuple[Any, ...], same_index_ok: bool) -> bool:
    """Whether a kernel writing ``out`` could overwrite an input before reading it.

    ``same_index_ok``: the kernel reads element i of every input before it writes element i
    of ``out`` (elementwise kernels), so ``out`` may BE an input (the same memory, shape and
    strides); any other overlap, e.g. a view shifted by one element, is unsafe. Row kernels
    use their output row as scratch: for them any overlap is unsafe. The caller then writes
    into a fresh array and copies it into ``out`` (the result NumPy gives for overlapping
    ufunc arguments).
    """
    for a in inputs:
        if not isinstance(a, np.ndarray) or not np.may_share_memory(out, a):
            continue
        identical = (
            out.__array_interface__["data"][0] == a.__array_interface__["data"][0]
            and out.shape == a.shape
            and out.strides == a.strides
            and out.dtype == a.dtype
        )
        if not (same_index_ok and identical):
            return True
    return False


def write(out: np.ndarray | None, result: Any) -> Any:
    """``result`` copied into ``out`` (returned), or ``result`` itself without ``out``."""
    if out is None:
        return result
    np.copyto(out, result)
    return out
