"""Array wrappers of actloss.fast's vectorizable primitives, for the accuracy tests."""

from __future__ import annotations

from pathlib import Path

from actloss.fast import _vmath as V
from actloss.fast._jit import drop_stale_cache, kernel

drop_stale_cache(Path(__file__).parent)


@kernel
def exp(x, out):
    for i in range(x.size):
        out[i] = V.exp(x[i])


@kernel
def expm1(x, out):
    for i in range(x.size):
        out[i] = V.expm1(x[i])


@kernel
def log1p(x, out):
    for i in range(x.size):
        out[i] = V.log1p(x[i])


@kernel
def tanh(x, out):
    for i in range(x.size):
        out[i] = V.tanh(x[i])


@kernel
def sech2(x, out):
    for i in range(x.size):
        out[i] = V.tanh_sech2(x[i])[1]


@kernel
def erfc(x, out):
    for i in range(x.size):
        out[i] = V.erfc(x[i])
