"""User-defined losses from a value function alone.

>>> import numpy as np, actloss as al
>>> f = al.losses.register_loss(
...     "exp_gap_squared",
...     lambda xp, y_true, y_pred: (xp.exp(y_true - y_pred) - 1.0) ** 2,
...     formula=r"\\ell = (e^{y - \\hat y} - 1)^2",
... )
>>> g = f.grad(np.array([0.0, 1.0]), np.array([0.0, 0.0]), reduction="sum")
>>> np.round(g, 6).tolist()  # -2 (e^{y - yhat} - 1) e^{y - yhat}
[-0.0, -9.341549]
>>> al.unregister("exp_gap_squared")

``value(xp, y_true, y_pred)`` returns the per-sample losses (elementwise, or one value per
row: the leading axes of y_pred), written with Array API calls on ``xp``. The gradient
comes from automatic differentiation with PyTorch when it is installed (the value
function runs on float64 tensors) or else from Richardson-extrapolated central
differences in float64. ``register_loss`` checks the function on an example (the two
gradient paths must agree there) before registering it; the loss test harness then
verifies it like a built-in.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Mapping
from typing import Any

import array_api_compat
import numpy as np

from .. import _backend as B
from .._catalog import check_new_name, register
from .._loss import Loss, LossKernels
from .._reduction import STANDARD_REDUCTIONS, Parts
from .._spec import Info, Interval

ValueFn = Callable[[Any, Any, Any], Any]
GRADIENTS = ("auto", "autodiff", "numerical")


def has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


def _to_float64_numpy(x: Any) -> np.ndarray:
    if x is None:
        return None  # type: ignore[return-value]
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy().astype(np.float64)
    return np.asarray(x).astype(np.float64)


def autodiff_grad(value: ValueFn, y_true: Any, y_pred: Any) -> np.ndarray:
    """d(sum of value)/d y_pred by PyTorch autograd, in float64 (NumPy in, NumPy out)."""
    import torch

    xp = array_api_compat.array_namespace(torch.empty(0))
    t = None if y_true is None else torch.from_numpy(_to_float64_numpy(y_true))
    p = torch.from_numpy(_to_float64_numpy(y_pred)).requires_grad_(True)
    with torch.enable_grad():  # also when called under no_grad (e.g. an adapter's forward)
        out = value(xp, t, p)
        (g,) = torch.autograd.grad(out.sum(), p, allow_unused=True)
    return np.zeros(p.shape) if g is None else g.numpy()


def numerical_grad(value: ValueFn, y_true: Any, y_pred: Any, per_sample_ndim: int) -> np.ndarray:
    """d(sum of value)/d y_pred by Richardson-extrapolated central differences in float64.

    Rows (the leading ``per_sample_ndim`` axes) are independent samples, so every row is
    perturbed at once: one pass per trailing element (a single pass when elementwise).
    """
    xp = B.namespace(np.empty(0))
    t = None if y_true is None else _to_float64_numpy(y_true)
    p = _to_float64_numpy(y_pred)
    trailing = p.shape[per_sample_ndim:]
    g = np.zeros_like(p)
    scale = np.maximum(1.0, np.abs(p))
    h = scale * np.finfo(np.float64).eps ** 0.2  # balances truncation O(h^4) and rounding
    for idx in np.ndindex(*trailing) if trailing else [()]:
        sel = (Ellipsis, *idx)
        e = np.zeros_like(p)
        e[sel] = 1.0

        def d(step: np.ndarray, e: np.ndarray = e) -> np.ndarray:
            up = np.asarray(value(xp, t, p + step * e))
            dn = np.asarray(value(xp, t, p - step * e))
            diff = up - dn
            if diff.ndim < p.ndim:
                diff = diff.reshape(diff.shape + (1,) * (p.ndim - diff.ndim))
            return diff / (2.0 * step)

        richardson = (4.0 * d(h / 2.0) - d(h)) / 3.0
        g[sel] = np.broadcast_to(richardson, p.shape)[sel]
    return g


def _make_kernel(name: str, value: ValueFn, gradient: str) -> Callable[..., Parts]:
    def kernel(xp: Any, y_true: Any, y_pred: Any) -> Parts:
        loss = value(xp, y_true, y_pred)
        if not B.is_array(loss) or tuple(loss.shape) != tuple(y_pred.shape[: loss.ndim]):
            raise ValueError(
                f"{name}: the value function must return one loss per sample (an array of "
                f"y_pred's leading shape), got {getattr(loss, 'shape', type(loss).__name__)}"
            )
        use_autodiff = gradient == "autodiff" or (gradient == "auto" and has_torch())

        def vjp(c: Any) -> Any:
            if use_autodiff:
                g64 = autodiff_grad(value, y_true, y_pred)
            else:
                g64 = numerical_grad(value, y_true, y_pred, loss.ndim)
            g = xp.asarray(g64, dtype=y_pred.dtype, device=array_api_compat.device(y_pred))
            extra = g.ndim - c.ndim
            return g * xp.reshape(c, tuple(c.shape) + (1,) * extra)

        return Parts(loss, vjp)

    return kernel


def register_loss(
    name: str,
    value: ValueFn,
    *,
    formula: str = "",
    summary: str = "",
    gradient: str = "auto",
    task: tuple[str, ...] = ("custom",),
    y_pred_kind: str = "values",
    references: tuple[str, ...] = (),
    aliases: Mapping[str, Mapping[str, Any]] | None = None,
    example: tuple[Any, Any] | None = None,
    check: bool = True,
) -> Loss:
    """Register a loss from its per-sample value function; return the catalog entry.

    ``gradient``: "auto" (autograd when PyTorch is installed, else numerical),
    "autodiff" or "numerical". With ``check`` (default) the value function is run on
    ``example`` (default: standard-normal y_true and y_pred of shape (4, 3)); its output
    must be finite with one loss per sample, and the autodiff and numerical gradients
    must agree to 1e-6 (when PyTorch is installed).
    """
    check_new_name(name)  # before running the user's function: the catalog's one name rule
    for alias in aliases or {}:
        check_new_name(alias, f"alias of {name!r}")
    if gradient not in GRADIENTS:
        raise ValueError(
            f"gradient must be one of {', '.join(map(repr, GRADIENTS))}, got {gradient!r}"
        )
    if gradient == "autodiff" and not has_torch():
        raise ImportError("gradient='autodiff' needs PyTorch (pip install 'actloss[torch]')")
    if not callable(value):
        raise TypeError(f"value must be a function (xp, y_true, y_pred) -> losses, got {value!r}")
    if check:
        _check(name, value, example)
    info = Info(
        name=name,
        kind="loss",
        family="custom",
        summary=summary or f"User-defined loss {name!r}.",
        formula=formula or r"\ell = \text{user-defined}",
        derivative=r"\text{by "
        + ("automatic differentiation" if gradient != "numerical" else "central differences")
        + "}",
        aliases=tuple(aliases or ()),
        elementwise=False,
        output_range=Interval(-math.inf, math.inf),
        notes=(f"Registered with actloss.losses.register_loss (gradient={gradient!r}).",),
        references=references or ("actloss documentation: user-defined losses.",),
        task=task,
        y_pred_kind=y_pred_kind,
        reductions=dict(STANDARD_REDUCTIONS),
    )
    fn = Loss(info, LossKernels(value=_make_kernel(name, value, gradient)))
    register(fn, aliases)
    return fn


def _check(name: str, value: ValueFn, example: tuple[Any, Any] | None) -> None:
    if example is None:
        rng = np.random.default_rng(0)
        example = (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    t = None if example[0] is None else np.asarray(example[0], dtype=np.float64)
    p = np.asarray(example[1], dtype=np.float64)
    xp = B.namespace(np.empty(0))
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(value(xp, t, p))
    except Exception as exc:
        raise ValueError(
            f"register_loss({name!r}): the value function failed on the example "
            f"({type(exc).__name__}: {exc}); pass example=(y_true, y_pred)"
        ) from None
    if out.shape != p.shape[: out.ndim] or not np.all(np.isfinite(out)):
        raise ValueError(
            f"register_loss({name!r}): the value function must return finite "
            f"per-sample losses of y_pred's leading shape, got shape {out.shape}"
        )
    if has_torch():
        try:
            with np.errstate(all="ignore"):
                ga = autodiff_grad(value, t, p)
        except Exception as exc:
            raise ValueError(
                f"register_loss({name!r}): automatic differentiation failed on the example "
                f"({type(exc).__name__}: {exc}); write the function with xp (Array API) calls "
                "only, or pass gradient='numerical'"
            ) from None
        with np.errstate(all="ignore"):
            gn = numerical_grad(value, t, p, out.ndim)
        if not np.allclose(ga, gn, rtol=1e-6, atol=1e-6):
            worst = float(np.max(np.abs(ga - gn)))
            raise ValueError(
                f"register_loss({name!r}): autodiff and numerical gradients disagree (max "
                f"difference {worst:.3g}) on the example: is the function differentiable there "
                "and written with xp (Array API) calls only?"
            )


__all__ = ["autodiff_grad", "numerical_grad", "register_loss"]
