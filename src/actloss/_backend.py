"""Array API plumbing: find the namespace, choose the compute dtype, cast back.

Every public function goes through ``prepare`` (input -> namespace, compute
array, output dtype) and ``finish`` (compute result -> output dtype). Half
precision (float16, bfloat16) is computed in float32 and cast back; integer
input is promoted to the namespace's default floating dtype.
"""

from __future__ import annotations

import math
import sys
from typing import Any, NamedTuple

import array_api_compat
import numpy as np


class Prepared(NamedTuple):
    xp: Any
    x: Any  # the input in the compute dtype
    out_dtype: Any  # the dtype results are returned in


_NP = array_api_compat.array_namespace(np.empty(0))  # array_api_compat's NumPy namespace


def is_array(x: Any) -> bool:
    if type(x) is np.ndarray:  # the common case, without array_api_compat's checks
        return True
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        return True
    return bool(array_api_compat.is_array_api_obj(x)) and not isinstance(x, (bool, int, float))


def namespace(*arrays: Any) -> Any:
    """The Array API namespace of the given arrays (NumPy for Python scalars and lists).

    NumPy arrays and torch tensors are recognized directly (array_api_compat's lookup
    costs microseconds per call and goes through cached type checks that torch.compile
    warns about); other libraries go through ``array_api_compat.array_namespace``.
    """
    arrays = tuple(a for a in arrays if is_array(a))
    if all(type(a) is np.ndarray for a in arrays):
        return _NP
    torch = sys.modules.get("torch")
    if torch is not None and all(isinstance(a, torch.Tensor) for a in arrays):
        import array_api_compat.torch as xpt

        return xpt
    return array_api_compat.array_namespace(*arrays)


def as_array(x: Any, name: str, xp: Any | None = None, like: Any = None) -> Any:
    """Turn ``x`` into an array of namespace ``xp`` (NumPy by default); TypeError if not numeric.

    NumPy input is made plain and native once, here: a non-native byte order (``'>f8'`` on a
    little-endian machine) is converted, a masked array is refused (its mask would be
    dropped silently), and other ndarray subclasses (``np.matrix``, whose ``*`` is a matrix
    product) become plain arrays.
    """
    if type(x) is not np.ndarray and isinstance(x, np.ndarray):
        x = _plain(x, name)
    if type(x) is np.ndarray and not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    if is_array(x) and (xp is None or _same_namespace(xp, x)):
        return x
    if xp is None or array_api_compat.is_numpy_namespace(xp):
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc
        if arr.dtype.kind not in "fiub":
            raise TypeError(
                f"{name} must be a real numeric array, got dtype {arr.dtype} ({type(x).__name__})"
            )
        return arr
    try:
        device = None if like is None else array_api_compat.device(like)
        return xp.asarray(x, device=device)
    except Exception as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc


def _plain(x: np.ndarray, name: str) -> np.ndarray:
    """An ndarray subclass as a plain ndarray; TypeError for a masked array."""
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a NumPy masked array: actloss does not apply masks (it would compute "
            "on the hidden values). Pass x.filled(value) to compute on every entry, or select "
            "the unmasked entries (x.compressed(), x.data[~x.mask]); for a loss, "
            "sample_weight=(~np.ma.getmaskarray(x)).astype(float) weights masked samples out"
        )
    return np.asarray(x)


def _same_namespace(xp: Any, x: Any) -> bool:
    if type(x) is np.ndarray:
        return xp is _NP
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        return getattr(xp, "__name__", "") == "array_api_compat.torch"
    try:
        return array_api_compat.array_namespace(x) is xp
    except TypeError:
        return False


def default_float(xp: Any, like: Any = None) -> Any:
    info = xp.__array_namespace_info__()
    device = None if like is None else array_api_compat.device(like)
    return info.default_dtypes(device=device)["real floating"]


def is_floating(xp: Any, dtype: Any) -> bool:
    if (xp is _NP or xp is np) and isinstance(dtype, np.dtype):  # NumPy: no isdtype call
        return dtype.kind == "f"
    try:
        return bool(xp.isdtype(dtype, "real floating"))
    except (TypeError, ValueError):
        return False


def is_integral(xp: Any, dtype: Any) -> bool:
    if (xp is _NP or xp is np) and isinstance(dtype, np.dtype):
        return dtype.kind in "iu"
    try:
        return bool(xp.isdtype(dtype, "integral"))
    except (TypeError, ValueError):
        return False


def prepare(x: Any, name: str = "x") -> Prepared:
    """Validate ``x`` and return its namespace, a compute array and the output dtype."""
    x = as_array(x, name)
    xp = namespace(x)
    dtype = x.dtype
    if is_floating(xp, dtype):
        out_dtype = dtype
    elif is_integral(xp, dtype):
        out_dtype = default_float(xp, x)
    else:
        raise TypeError(
            f"{name} must have a real floating or integer dtype, got {dtype}; "
            "cast it first (e.g. x.astype(float))"
        )
    compute = compute_dtype(xp, out_dtype)
    if x.dtype != compute:
        x = xp.astype(x, compute)
    return Prepared(xp, x, out_dtype)


def compute_dtype(xp: Any, dtype: Any) -> Any:
    """float32 for half-precision dtypes, the dtype itself otherwise."""
    return xp.float32 if xp.finfo(dtype).bits < 32 else dtype


def finish(xp: Any, y: Any, out_dtype: Any) -> Any:
    """Cast a compute-dtype result back to ``out_dtype``.

    Values beyond the target's largest finite number become +-inf explicitly,
    so that the cast itself raises no overflow warning.
    """
    if y.dtype == out_dtype:
        return y
    fi = xp.finfo(out_dtype)
    top = float(fi.max)
    overflow_at = top + 2.0 ** math.floor(math.log2(top)) * float(fi.eps) / 2
    inf = constant(xp, math.inf, y)
    y = xp.where(y >= overflow_at, inf, xp.where(y <= -overflow_at, -inf, y))
    return xp.astype(y, out_dtype)


def device(x: Any) -> Any:
    """The device of array ``x``: a torch tensor's own ``device`` attribute, read directly
    (``array_api_compat.device`` calls cached type checks that ``torch.compile`` warns
    about), else ``array_api_compat.device`` (JAX tracers included)."""
    if type(x) is np.ndarray:
        return "cpu"
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        return x.device
    return array_api_compat.device(x)


def constant(xp: Any, value: float, like: Any) -> Any:
    """A 0-d array holding ``value`` in the dtype and on the device of ``like``."""
    return xp.asarray(value, dtype=like.dtype, device=device(like))


def param_array(xp: Any, value: Any, like: Any, name: str) -> Any:
    """A (possibly array-valued) parameter in the compute dtype and device of ``like``."""
    arr = as_array(value, name, xp=xp, like=like)
    if not (is_floating(xp, arr.dtype) or is_integral(xp, arr.dtype)):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return xp.astype(arr, like.dtype, copy=False)


def param_shape_problem(
    shape: tuple[int, ...], x_shape: tuple[int, ...], layout: Any = None
) -> str | None:
    """Why an array parameter of ``shape`` cannot apply to an input of ``x_shape`` (None if it
    can): it must broadcast to x's shape (after ``layout``, e.g. PReLU's channel axis)."""
    bshape = layout(x_shape, shape) if layout is not None else shape  # may raise its own error
    try:
        ok = np.broadcast_shapes(tuple(bshape), x_shape) == tuple(x_shape)
    except ValueError:
        ok = False
    if ok:
        return None
    return (
        f"a scalar or an array that broadcasts to x's shape {tuple(x_shape)}, got an array "
        f"of shape {tuple(shape)}"
    )


def eps(xp: Any, like: Any) -> float:
    """Machine epsilon of ``like``'s dtype."""
    return float(xp.finfo(like.dtype).eps)
