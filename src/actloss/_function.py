"""Public function objects built from a spec: value, derivatives, validation, dtype handling.

Kernels have the signature ``kernel(xp, x, **params)``: they receive the input
already converted to its compute dtype and validated parameters, and use only
Array API calls on ``xp``. Everything else (namespace, dtype promotion, half
precision, NaN propagation, error messages) happens here, once.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _backend as B
from . import _checks
from . import fast as _fast
from ._docstring import GeneratedDoc, example_source, render_docstring, run_example
from ._numerics import unbroadcast
from ._spec import Fused, Info, Param
from ._views import numpy_views
from .fast import _out

Kernel = Callable[..., Any]
_PLAIN = (bool, int, float, str, type(None))  # parameter values whose resolution is cached


_ANNOTATIONS = {"scalar": "float", "array": "float | Array", "int": "int", "bool": "bool"}


def _choices(p: Param) -> str:
    return "Literal[" + ", ".join(repr(c) for c in p.choices) + "]"


class ParameterError(ValueError, TypeError):
    """An invalid parameter: a value outside its constraint or of the wrong kind (the one
    parameter-error type; catch it as ValueError or TypeError)."""


@dataclass(frozen=True)
class BaseKernels:
    """What every entry's numerical definition has: its value kernel, a cross-parameter
    check, and optionally the fused kernel of ``actloss.fast`` that computes it."""

    value: Kernel
    check_params: Callable[[Mapping[str, Any]], None] | None = None
    # the entry's fused kernel in actloss.fast (None: the Array API definition only)
    fused: Fused | None = None


@dataclass(frozen=True)
class Kernels(BaseKernels):
    """The numerical definition of an activation.

    Elementwise: ``value``, ``grad``, ``grad2``, optionally a fused
    ``value_and_grad`` and ``param_grads`` (d value / d param, elementwise) with
    ``param_layouts`` giving how a parameter broadcasts against ``x``.
    Vector-valued: ``value(xp, x, axis, **p)`` and ``vjp(xp, x, cotangent, axis, **p)``.
    """

    grad: Kernel | None = None
    grad2: Kernel | None = None
    value_and_grad: Kernel | None = None
    vjp: Kernel | None = None
    param_grads: Mapping[str, Kernel] = field(default_factory=dict)
    param_layouts: Mapping[str, Callable[[tuple[int, ...], tuple[int, ...]], tuple[int, ...]]] = (
        field(default_factory=dict)
    )
    # f'(x) written in y = f(x) (elementwise) or ct @ J in y (vector): lets the adapters
    # save the output instead of the input, as PyTorch does for sigmoid, tanh, relu, ...
    output_grad: Kernel | None = None
    output_vjp: Kernel | None = None


class Function:
    """Base of every catalog entry: metadata, parameter validation, docstring."""

    def __init__(
        self,
        info: Info,
        kernels: BaseKernels,
        preset: Mapping[str, Any] | None = None,
        alias: str | None = None,
    ) -> None:
        self.info = info
        self.kernels = kernels
        self.preset = dict(preset or {})
        self._alias = alias
        self._resolved: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.__signature__ = self._signature()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        setattr(cls, "__doc__", GeneratedDoc(cls.__dict__.get("__doc__")))  # noqa: B010

    def render_doc(self) -> str:
        """The generated docstring (``__doc__``): rendered from the spec on first access,
        its example run on the Array API definition (no fused kernel is compiled for it)."""
        sig = self.__signature__
        plain = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
        call = f"{self._alias or self.info.name}{sig.replace(parameters=plain)}"
        getter = f"al.get({self._alias or self.info.name!r})"
        if self.preset and not self._alias:
            getter += "".join(f".partial({k}={v!r})" for k, v in self.preset.items())
        has_grad = getattr(self.kernels, "has_grad", True)  # zero_one has none
        lines = example_source(self.info, getter, has_grad)
        with _fast.use(False):
            example = run_example(lines)
        defaults = {p.name: p.default for p in plain}
        alias_preset = self.preset if self._alias else None
        return render_docstring(self.info, call, example, defaults, alias_preset)

    def _signature(self) -> inspect.Signature:
        """The call's signature: what ``help()``, editors and the CLI show."""
        head = [inspect.Parameter("x", inspect.Parameter.POSITIONAL_ONLY)]
        return inspect.Signature([*head, *self._param_signature()])

    def _param_signature(self) -> list[inspect.Parameter]:
        out = []
        for p in self.info.params:
            default = self.preset.get(p.name, p.default)
            kind = _ANNOTATIONS[p.kind] if p.kind != "choice" else _choices(p)
            annotation = "Array | None" if default is None and p.kind == "array" else kind
            out.append(
                inspect.Parameter(
                    p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )
        return out

    @property
    def name(self) -> str:
        return self.info.name

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.preset.items())
        return f"<actloss {self.info.kind} {self._alias or self.info.name}{extra}>"

    def partial(self, _alias: str | None = None, **params: Any) -> Function:
        """The same function with different default parameters (validated on use)."""
        self._check_names(params)
        return type(self)(self.info, self.kernels, {**self.preset, **params}, _alias)

    # ------------------------------------------------------------------ parameters
    # The calling interface every entry implements (Activation: x; Loss: y_true, y_pred).
    # Declared here so that code holding a ``Function`` from ``get`` type-checks.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def grad(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def value_and_grad(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def vjp(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _check_names(self, params: Mapping[str, Any]) -> None:
        valid = [p.name for p in self.info.params]
        for key in params:
            if key not in valid:
                close = difflib.get_close_matches(key, valid, n=3, cutoff=0.5)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                listing = ", ".join(valid) if valid else "none"
                raise TypeError(
                    f"{self.info.name}() got an unexpected parameter {key!r}.{hint} "
                    f"Valid parameters: {listing}"
                )

    def resolve_params(self, params: Mapping[str, Any], xp: Any, like: Any) -> dict[str, Any]:
        """Merge defaults, preset and call parameters; validate and convert each one.

        Parameters given as Python scalars are validated once per distinct set and the
        result is reused (``cached_resolution``); arrays are converted on every call.
        """
        hit, key = self.cached_resolution(params)
        if hit is not None:
            return hit
        out = self._resolve(params, xp, like)
        self.remember_resolution(key, out)
        return out

    def cached_resolution(
        self, params: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, tuple[Any, ...] | None]:
        """(a copy of the resolved parameters, None) when ``params`` were resolved before,
        else (None, the cache key or None when a value is not a plain scalar)."""
        if not all(type(v) in _PLAIN for v in params.values()):
            return None, None
        key = tuple(sorted((k, type(v).__name__, v) for k, v in params.items()))  # 1 != True
        hit = self._resolved.get(key)
        return (dict(hit) if hit is not None else None), key

    def remember_resolution(self, key: tuple[Any, ...] | None, out: Mapping[str, Any]) -> None:
        if key is None or any(B.is_array(v) for v in out.values()):
            return
        if len(self._resolved) >= 256:  # many distinct parameter sets (a schedule): start over
            self._resolved.clear()
        self._resolved[key] = dict(out)

    def _resolve(self, params: Mapping[str, Any], xp: Any, like: Any) -> dict[str, Any]:
        self._check_names(params)
        merged = {**self.info.defaults, **self.preset, **params}
        out = {
            p.name: convert_param(self.info.name, p, merged[p.name], xp, like)
            for p in self.info.params
        }
        if self.kernels.check_params is not None:
            self.kernels.check_params(out)
        kernels = self.kernels
        if isinstance(kernels, Kernels) and self.info.elementwise and like.ndim > 0:
            for name, value in out.items():  # array parameters must broadcast to x
                if B.is_array(value) and value.ndim > 0:
                    layout = kernels.param_layouts.get(name)
                    problem = B.param_shape_problem(tuple(value.shape), tuple(like.shape), layout)
                    if problem is not None:
                        raise ParameterError(
                            f"{self.info.name}(): parameter {name!r} must be {problem}"
                        )
        return out


def convert_param(fname: str, p: Param, value: Any, xp: Any, like: Any) -> Any:
    def fail(what: str) -> ParameterError:
        return ParameterError(
            f"{fname}(): parameter {p.name!r} must be {p.describe_expected()}, got {what}"
        )

    if p.kind == "choice":
        if B.is_array(value) or value not in p.choices:  # an array: no truth value to test
            raise fail(
                f"an array of shape {tuple(value.shape)}" if B.is_array(value) else repr(value)
            )
        return value
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise fail(repr(value))
        return value
    if p.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(repr(value))
        if p.constraint is not None and not p.constraint(value):
            raise fail(repr(value))
        return value
    if value is None:
        raise fail("None")
    if B.is_array(value) or p.kind == "array":
        try:
            arr = B.param_array(xp, value, like, p.name)
        except TypeError as exc:
            raise fail(f"{type(value).__name__}") from exc
        if p.kind == "scalar" and arr.ndim > 0 and not p.learnable:
            raise fail(f"an array of shape {tuple(arr.shape)}")
        _check_array_constraint(fail, p, xp, arr)
        return arr
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise fail(repr(value)) from None
    value = float(value)
    if (p.constraint is not None and not p.constraint(value)) or math.isnan(value):
        raise fail(repr(value))
    return value


def _check_array_constraint(fail: Callable[[str], Exception], p: Param, xp: Any, arr: Any) -> None:
    if math.prod(arr.shape) == 0:  # torch: .size is a method
        raise fail("an empty array")
    if not _checks.can_read(arr):  # traced: the value checks run on concrete arrays only
        return
    if not bool(xp.all(xp.isfinite(arr))):
        raise fail("an array with non-finite values")
    if p.constraint is not None:
        lo, hi = float(xp.min(arr)), float(xp.max(arr))
        for v in (lo, hi):
            if not p.constraint(v):
                raise fail(f"an array containing {v!r}")


# ---------------------------------------------------------------------- activations
class Activation(Function):
    """An activation function from the catalog.

    Call it for the value; ``grad``, ``grad2``, ``vjp``, ``value_and_grad`` for
    derivatives. Output keeps the input's array library, device and floating
    dtype (integer input is promoted to the default float; float16 and
    bfloat16 are computed in float32).
    """

    kernels: Kernels

    @numpy_views
    def __call__(self, x: Any, /, **params: Any) -> Any:
        xp, xc, out = B.prepare(x)
        p = self.resolve_params(params, xp, xc)
        if self.info.elementwise:
            fast = self._fast_elementwise(xc, out, p, value_only=True)
            if fast is not None:
                return fast[0]
            return B.finish(xp, self._reference_value(xp, xc, p, None), out)
        axis = p.pop("axis")
        _check_axis(self.info.name, xc, axis)
        fast_rows = self._fast_rows(xc, out, axis, None)
        if fast_rows is not None:
            return fast_rows
        return B.finish(xp, self._reference_value(xp, xc, p, axis), out)

    @numpy_views
    def grad(self, x: Any, /, **params: Any) -> Any:
        """Elementwise derivative dy/dx (same shape and dtype as ``x``)."""
        self._require_elementwise("grad")
        assert self.kernels.grad is not None
        xp, xc, out = B.prepare(x)
        p = self.resolve_params(params, xp, xc)
        fast = self._fast_elementwise(xc, out, p)
        if fast is not None:
            return fast[1]
        return B.finish(xp, _keep_nan(xp, xc, self.kernels.grad(xp, xc, **p)), out)

    @numpy_views
    def grad2(self, x: Any, /, **params: Any) -> Any:
        """Elementwise second derivative d^2y/dx^2 (analytic)."""
        self._require_elementwise("grad2")
        assert self.kernels.grad2 is not None
        xp, xc, out = B.prepare(x)
        p = self.resolve_params(params, xp, xc)
        return B.finish(xp, _keep_nan(xp, xc, self.kernels.grad2(xp, xc, **p)), out)

    @numpy_views
    def value_and_grad(
        self, x: Any, /, *, out: tuple[Any, Any] | None = None, **params: Any
    ) -> tuple[Any, Any]:
        """``(f(x), f'(x))`` computed together.

        ``out=(value_out, grad_out)``: NumPy arrays of the result's shape and dtype to
        write into (and return), for loops that reuse memory.
        """
        self._require_elementwise("value_and_grad")
        xp, xc, dtype = B.prepare(x)
        p = self.resolve_params(params, xp, xc)
        bufs: tuple[Any, Any] = (None, None)
        if out is not None:
            _out.require_numpy_for_out(xc)
            bufs = _out.check_out_pair(out, tuple(xc.shape), dtype)
        fast = self._fast_elementwise(xc, dtype, p, out=bufs)
        if fast is not None:
            return fast
        if self.kernels.value_and_grad is not None:
            y, d = self.kernels.value_and_grad(xp, xc, **p)
        else:
            assert self.kernels.grad is not None
            y, d = self.kernels.value(xp, xc, **p), self.kernels.grad(xp, xc, **p)
        y, d = B.finish(xp, _keep_nan(xp, xc, y), dtype), B.finish(xp, _keep_nan(xp, xc, d), dtype)
        return _out.write(bufs[0], y), _out.write(bufs[1], d)

    @numpy_views
    def param_grad(self, x: Any, name: str, /, **params: Any) -> Any:
        """Elementwise derivative of the output with respect to parameter ``name``."""
        kernel = self.kernels.param_grads.get(name)
        if kernel is None:
            have = ", ".join(self.kernels.param_grads) or "none"
            raise ValueError(
                f"{self.info.name} has no derivative with respect to {name!r} "
                f"(differentiable parameters: {have})"
            )
        xp, xc, out = B.prepare(x)
        p = self.resolve_params(params, xp, xc)
        return B.finish(xp, _keep_nan(xp, xc, kernel(xp, xc, **p)), out)

    @numpy_views
    def vjp(
        self,
        x: Any,
        cotangent: Any,
        /,
        *,
        with_params: bool = False,
        out: Any = None,
        **params: Any,
    ) -> Any:
        """Vector-Jacobian product ``cotangent @ J``: the gradient of sum(cotangent * f(x)).

        With ``with_params=True`` returns ``(dx, {param: d_param})`` where each
        parameter gradient has that parameter's shape (for PReLU's per-channel
        weight: the sum over every axis except the channel axis 1). ``out``: a NumPy
        array of x's shape and dtype to write ``dx`` into.
        """
        dx_out = out
        xp, xc, out = B.prepare(x)
        if dx_out is not None:
            _out.require_numpy_for_out(xc)
            _out.check_out(dx_out, "out", tuple(xc.shape), out)
        ct = B.as_array(cotangent, "cotangent", xp=xp, like=xc)
        ct = xp.astype(ct, xc.dtype, copy=False)
        p = self.resolve_params(params, xp, xc)
        if self.info.elementwise:
            if tuple(ct.shape) != tuple(xc.shape):
                raise ValueError(
                    f"cotangent must have the shape of x {tuple(xc.shape)}, got {tuple(ct.shape)}"
                )
            fast = self._fast_elementwise(xc, out, p, ct=ct, out=(None, dx_out))
            if fast is not None:
                dx = fast[1]
            else:
                dx = self._reference_vjp(xp, xc, ct, p, None)
        else:
            axis = p.pop("axis")
            _check_axis(self.info.name, xc, axis)
            if tuple(ct.shape) == tuple(xc.shape):
                fast_dx = self._fast_rows(xc, out, axis, ct, dx_out)
                if fast_dx is not None:
                    return fast_dx if not with_params else (fast_dx, {})
            expected = tuple(self.kernels.value(xp, xc, axis, **p).shape)
            if tuple(ct.shape) != expected:
                raise ValueError(
                    f"cotangent must have the shape of {self.info.name}(x) {expected}, "
                    f"got {tuple(ct.shape)}"
                )
            dx = self._reference_vjp(xp, xc, ct, p, axis)
        dx = _out.write(dx_out, B.finish(xp, dx, out))
        if not with_params:
            return dx
        grads = {}
        for name, g in self._param_grads(xp, xc, ct, p).items():
            grads[name] = B.finish(xp, g, out) if B.is_array(p[name]) else float(g)
        return dx, grads

    def _param_grads(self, xp: Any, x: Any, ct: Any, p: Mapping[str, Any]) -> dict[str, Any]:
        """d sum(ct * f(x)) / d param for each differentiable parameter, in its shape."""
        grads = {}
        for name, kernel in self.kernels.param_grads.items():
            shape = tuple(getattr(p[name], "shape", ()))
            layout = self.kernels.param_layouts.get(name)
            bshape = layout(tuple(x.shape), shape) if layout else shape
            g = unbroadcast(xp, ct * kernel(xp, x, **p), bshape)
            grads[name] = xp.reshape(g, shape)
        return grads

    # ------------------------------------------------------------------ reference path
    def _reference_value(self, xp: Any, x: Any, p: Mapping[str, Any], axis: int | None) -> Any:
        """The Array API definition's value on a compute-dtype input (NaN kept)."""
        if self.info.elementwise:
            return _keep_nan(xp, x, self.kernels.value(xp, x, **p))
        return self.kernels.value(xp, x, axis, **p)

    def _output_vjp(self, xp: Any, y: Any, ct: Any, p: Mapping[str, Any], axis: int | None) -> Any:
        """ct @ J from the output y by the definition's ``output_grad``/``output_vjp``
        (NaN kept: y is NaN where x was)."""
        if self.info.elementwise:
            assert self.kernels.output_grad is not None
            return _keep_nan(xp, y, ct * self.kernels.output_grad(xp, y, **p))
        assert self.kernels.output_vjp is not None
        return self.kernels.output_vjp(xp, y, ct, axis, **p)

    def _reference_vjp(
        self, xp: Any, x: Any, ct: Any, p: Mapping[str, Any], axis: int | None
    ) -> Any:
        """The Array API definition's ct @ J on compute-dtype inputs (NaN kept)."""
        if self.info.elementwise:
            assert self.kernels.grad is not None
            return _keep_nan(xp, x, ct * self.kernels.grad(xp, x, **p))
        assert self.kernels.vjp is not None
        return self.kernels.vjp(xp, x, ct, axis, **p)

    # ------------------------------------------------------------------ fast path
    def _fast_elementwise(
        self,
        x: Any,
        dtype: Any,
        p: Mapping[str, Any],
        ct: Any = None,
        out: Any = (None, None),
        value_only: bool = False,
    ) -> tuple[Any, Any] | None:
        """(f(x), f'(x)), or (None, ct * f'(x)), by a fused kernel; None: use the reference."""
        if type(x) is not np.ndarray or not _fast.eligible(x, dtype):
            return None
        args = _fast.elementwise_args(self, p)
        if args is None:
            return None
        kernel, p0, p1 = args
        return fast_runner().elementwise(kernel, x, p0, p1, ct, *out, value_only=value_only)

    def _fast_rows(self, x: Any, dtype: Any, axis: int, ct: Any, out: Any = None) -> Any:
        """f(x) (``ct`` None) or the vjp along the contiguous last axis by a row kernel; None:
        use the reference."""
        if type(x) is not np.ndarray or x.size == 0 or axis % x.ndim != x.ndim - 1:
            return None
        if not _fast.eligible(x, dtype):
            return None
        rows = _fast.rowwise_args(self)
        if rows is None:
            return None
        return fast_runner().rowwise(rows[0], x, ct, rows[1], out)

    def _require_elementwise(self, what: str) -> None:
        if not self.info.elementwise:
            raise TypeError(
                f"{self.info.name} is not elementwise: its derivative is a Jacobian, not an "
                f"array of the input's shape, so .{what} is not defined. Use "
                f"{self.info.name}.vjp(x, cotangent) for gradients."
            )


@functools.cache
def fast_runner() -> Any:
    """The fast path's runner (imports numba on first use)."""
    from .fast import _run

    return _run


def _keep_nan(xp: Any, x: Any, y: Any) -> Any:
    """NaN in -> NaN out, for elementwise results (``where`` branches would drop it)."""
    return xp.where(xp.isnan(x), x, y)


def _check_axis(name: str, x: Any, axis: int) -> None:
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"{name}(): axis {axis} is out of range for an input with {x.ndim} dims")
    if x.ndim == 0:
        raise ValueError(f"{name}() needs at least a 1-d input, got a 0-d array")
