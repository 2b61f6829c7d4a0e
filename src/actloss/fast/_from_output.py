"""Fused backward passes from the saved output: ``d = ct * f'(x)`` with f' written in y = f(x).

The entries that state their derivative in the output (``Kernels.output_grad``) are saved
by the adapters as y instead of x, as PyTorch does; these kernels compute their backward in
one pass over y and the cotangent, with the same arithmetic, in the same order and dtype,
as the Array API ``output_grad`` (so both agree bit for bit). NaN in y (from NaN in x)
gives NaN. Each kernel is ``name(y, ct, d, p0, p1)`` over 1-d C-contiguous arrays, ``p0,
p1`` the entry's parameters in the order of its ``Fused.params``.
"""

# mypy: ignore-errors
# (numba's DSL: intrinsics are not typed Python callables)

from __future__ import annotations

from .._numerics import SELU_ALPHA, SELU_SCALE
from ._jit import kernel
from ._vmath import like


# One loop per function: numba caches module-level functions only.
@kernel
def sigmoid_from_output(y, ct, d, p0, p1):
    one = like(y, 1.0)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (v * (one - v))


@kernel
def tanh_from_output(y, ct, d, p0, p1):
    one = like(y, 1.0)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (one - v * v)


@kernel
def relu_from_output(y, ct, d, p0, p1):
    one, zero = like(y, 1.0), like(y, 0.0)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (one if v > zero else zero)


@kernel
def relu6_from_output(y, ct, d, p0, p1):
    one, zero, six = like(y, 1.0), like(y, 0.0), like(y, 6.0)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (one if v > zero and v < six else zero)


@kernel
def hard_tanh_from_output(y, ct, d, p0, p1):
    one, zero, lo, hi = like(y, 1.0), like(y, 0.0), like(y, p0), like(y, p1)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (one if v > lo and v < hi else zero)


@kernel
def elu_from_output(y, ct, d, p0, p1):
    one, zero, alpha = like(y, 1.0), like(y, 0.0), like(y, p0)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (one if v > zero else v + alpha)


@kernel
def selu_from_output(y, ct, d, p0, p1):
    zero, scale = like(y, 0.0), like(y, SELU_SCALE)
    scale_alpha = like(y, SELU_SCALE * SELU_ALPHA)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (scale if v > zero else v + scale_alpha)


@kernel
def celu_from_output(y, ct, d, p0, p1):
    one, zero, alpha = like(y, 1.0), like(y, 0.0), like(y, p0)
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * (one if v > zero else v / alpha + one)


@kernel
def exponential_from_output(y, ct, d, p0, p1):
    for i in range(y.size):
        v = y[i]
        d[i] = v if v != v else ct[i] * v
