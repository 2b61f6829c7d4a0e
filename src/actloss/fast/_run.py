"""Call a fused kernel on flat (elementwise) or row (softmax family) views, in chunks."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _out
from ._threads import parallel_for


def _flat_target(
    out: np.ndarray | None, like: np.ndarray, inputs: tuple[Any, ...] = (), same_index: bool = True
) -> np.ndarray:
    """A C-contiguous array to write into: ``out`` itself when it is one and no input overlaps
    it unsafely (``_out.overlaps``), else a new one (the caller copies it into ``out``)."""
    if out is not None and out.flags.c_contiguous and not _out.overlaps(out, inputs, same_index):
        return out
    return np.empty_like(like)


def elementwise(
    kernel: Any,
    x: np.ndarray,
    p0: float,
    p1: float,
    ct: np.ndarray | None = None,
    out_y: np.ndarray | None = None,
    out_d: np.ndarray | None = None,
    value_only: bool = False,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(f(x), f'(x)) with ``ct`` None, else (None, ct * f'(x)); into ``out_*`` if given.

    ``value_only``: (f(x), None), skipping the derivative.
    """
    y = None if ct is not None else _flat_target(out_y, x, (x,))
    d = None if value_only and ct is None else _flat_target(out_d, x, (x, ct))
    xf = x.reshape(-1)
    df = None if d is None else d.reshape(-1)
    yf = None if y is None else y.reshape(-1)
    cf = None if ct is None else np.ascontiguousarray(ct, dtype=x.dtype).reshape(-1)

    def body(a: int, b: int) -> None:
        kernel(
            xf[a:b],
            None if cf is None else cf[a:b],
            None if yf is None else yf[a:b],
            None if df is None else df[a:b],
            p0,
            p1,
        )

    parallel_for(xf.size, body)
    if out_y is not None and y is not None and y is not out_y:
        np.copyto(out_y, y)
        y = out_y
    if out_d is not None and d is not None and d is not out_d:
        np.copyto(out_d, d)
        d = out_d
    return y, d


def rowwise(
    kernel: Any,
    x: np.ndarray,
    ct: np.ndarray | None,
    sign: float,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``kernel`` over the rows of ``x`` (normalizing along its last axis)."""
    n = x.shape[-1]
    r = _flat_target(out, x, (x, ct), same_index=False)
    x2, r2 = x.reshape(-1, n), r.reshape(-1, n)
    c2 = None if ct is None else np.ascontiguousarray(ct, dtype=x.dtype).reshape(-1, n)

    def body(a: int, b: int) -> None:
        kernel(x2[a:b], None if c2 is None else c2[a:b], r2[a:b], sign)

    parallel_for(x2.shape[0], body, cost=max(n, 1))
    if out is not None and r is not out:
        np.copyto(out, r)
        return out
    return r


def from_output(kernel: Any, y: np.ndarray, ct: Any, p0: float, p1: float) -> np.ndarray:
    """``ct * f'(x)`` from the saved output ``y`` by a ``_from_output`` kernel."""
    d = np.empty_like(y)
    yf, df = y.reshape(-1), d.reshape(-1)
    cf = np.ascontiguousarray(ct, dtype=y.dtype).reshape(-1)

    def body(a: int, b: int) -> None:
        kernel(yf[a:b], cf[a:b], df[a:b], p0, p1)

    parallel_for(yf.size, body)
    return d
