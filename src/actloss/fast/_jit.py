"""The one numba configuration every fused kernel is compiled with.

``cache=True`` stores compiled kernels next to their module (or in numba's user
cache directory when that is not writable), so the compile cost of a kernel is paid
once per machine. ``error_model="numpy"`` lets a division by zero give inf instead of
raising (and keeps loops vectorizable). No fastmath flags: NaN and inf keep their
IEEE meaning, and without FMA contraction (whose choice depends on how often an
intermediate is used) the value-and-gradient and the vjp variants of a kernel
compute f'(x) bit for bit alike, so vjp == cotangent * grad exactly (the polynomials
in ``_vmath`` call an explicit ``fma``, which does not depend on the surrounding code).
``nogil=True`` lets the thread pool in ``_threads`` run chunks in parallel. The one
exception is the loss kernels' float64 block sum (``_losses``), compiled with
``reassoc`` only so that it vectorizes; its order is fixed per compiled kernel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from numba import njit, types
from numba.extending import overload

OPTIONS: dict[str, Any] = {
    "cache": True,
    "nogil": True,
    "error_model": "numpy",
}


def kernel(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` as a fused kernel (lazily, per argument types, cached on disk)."""
    return njit(**OPTIONS)(fn)


def store(i, v, a, b, ct, y, d):
    """Write element ``i`` of an elementwise kernel's outputs (inside jitted code only).

    ``a, b`` are f(v) and f'(v). With ``ct`` None: ``y[i] = a, d[i] = b`` (value and
    gradient), or only ``y[i] = a`` when ``d`` is None too (the plain call: LLVM then
    drops the derivative's arithmetic); with a cotangent array: ``d[i] = ct[i] * b``
    (the vjp). NaN in ``v`` gives NaN out. Which variant is compiled is decided by the
    types of ``ct`` and ``d``.
    """
    raise NotImplementedError("only callable from numba-compiled code")


@overload(store, inline="always")
def _store(i, v, a, b, ct, y, d):
    if isinstance(ct, types.NoneType) and isinstance(d, types.NoneType):

        def value(i, v, a, b, ct, y, d):
            y[i] = a if v == v else v

        return value

    if isinstance(ct, types.NoneType):

        def value_and_grad(i, v, a, b, ct, y, d):
            y[i] = a if v == v else v
            d[i] = b if v == v else v

        return value_and_grad

    def vjp(i, v, a, b, ct, y, d):
        d[i] = ct[i] * (b if v == v else v)

    return vjp


def drop_stale_cache(directory: Path) -> None:
    """Delete numba's cache files in ``directory`` when a helper the kernels inline changed
    (_vmath.py, _lanes.py, _jit.py, or the constants of actloss/_numerics.py).

    numba keys a cached kernel on the kernel's own file only, so without this an edit
    of the helpers here would leave stale kernels in use. Call it for each directory
    holding kernel modules (this package's, and test modules that define kernels).
    """
    here = Path(__file__).parent
    helpers = [
        here / "_vmath.py",
        here / "_lanes.py",
        here / "_jit.py",
        here.parent / "_numerics.py",
    ]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in helpers)).hexdigest()
    cache = directory / "__pycache__"
    stamp = cache / "actloss-fast-helpers.sha256"
    try:
        if stamp.is_file() and stamp.read_text() == digest:
            return
        for path in cache.glob("*.nb[ic]"):
            path.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only install: numba then caches elsewhere, per file
        pass


drop_stale_cache(Path(__file__).parent)
