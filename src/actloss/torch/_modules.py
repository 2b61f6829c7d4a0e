"""``nn.Module`` classes generated from catalog entries.

The constructor arguments of an activation class come from its ``Info.params``,
renamed to PyTorch's conventions: ``axis`` becomes ``dim``; a learnable scalar
parameter (swish's ``beta``, snake's ``a``, affine's ``slope`` and
``intercept``) keeps its name as the initial value and adds ``learnable=True``
(``False`` keeps it a fixed float); a learnable per-channel array (PReLU's
``weight``) takes PyTorch's ``num_parameters`` and ``init``. Learnable
parameters are ``nn.Parameter`` attributes of the same name.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, ClassVar

import array_api_compat.torch as xpt
import torch
from torch import nn

from .._classnames import class_name
from .._docstring import LazyDoc
from .._function import Activation
from .._plan import Plan
from .._spec import Param
from ._autograd import plan_for, run

_P = inspect.Parameter
_NONE: dict[str, torch.Tensor] = {}  # the tensor parameters of a module without any


@dataclass(frozen=True)
class _Arg:
    """One constructor argument: its name in PyTorch's style and the core parameter it sets."""

    name: str
    default: Any
    param: Param | None  # None for adapter-only arguments (learnable, num_parameters)
    role: str  # "fixed" | "dim" | "scalar" (learnable) | "init" (learnable array) | "flag"


def activation_args(fn: Activation) -> list[_Arg]:
    """The constructor arguments of ``fn``'s module class, in catalog order."""
    args: list[_Arg] = []
    for p in fn.info.params:
        default = fn.preset.get(p.name, p.default)
        if p.name == "axis":
            args.append(_Arg("dim", default, p, "dim"))
        elif p.learnable and p.kind == "array":
            args.append(_Arg("num_parameters", 1, None, "flag"))
            args.append(_Arg("init", default, p, "init"))
        elif p.learnable:
            args.append(_Arg(p.name, default, p, "scalar"))
        else:
            args.append(_Arg(p.name, default, p, "fixed"))
    if any(p.learnable for p in fn.info.params):
        args.append(_Arg("learnable", True, None, "flag"))
    return args


class ActivationModule(nn.Module):
    """Base of the generated activation modules: ``forward(x) = fn(x, **params)``.

    The backward pass is the catalog's analytic derivative (see
    ``actloss.torch._autograd``).
    """

    function: ClassVar[Activation]
    _args: ClassVar[list[_Arg]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        sig = type(self).__signature__  # type: ignore[attr-defined]
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}{sig}: {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        self.learnable = bool(values.get("learnable", False))
        self._fixed: dict[str, Any] = {}
        self._learned: list[str] = []
        self._init: dict[str, Any] = {}
        for arg in self._args:
            value = values[arg.name]
            if arg.role == "fixed":
                self._fixed[arg.name] = value
                setattr(self, arg.name, value)
            elif arg.role == "dim":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"{type(self).__name__}: dim must be an int, got {value!r}")
                self.dim = value
            elif arg.role == "scalar":
                self._add_learnable(arg, value, ())
            elif arg.role == "init":
                n = values["num_parameters"]
                if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                    raise ValueError(
                        f"{type(self).__name__}: num_parameters must be an int >= 1, got {n!r}"
                    )
                self.num_parameters = n
                self.init = value
                self._add_learnable(arg, value, (n,))
        self._tensors = tuple(
            k for k, v in self.core_params().items() if isinstance(v, torch.Tensor)
        )
        self._validate()
        self._plan: Plan = plan_for(self.function, self._static())

    def _add_learnable(self, arg: _Arg, value: Any, shape: tuple[int, ...]) -> None:
        """A learnable parameter: an ``nn.Parameter`` (or, with learnable=False, a fixed value)."""
        assert arg.param is not None
        name, cls = arg.param.name, type(self).__name__
        self._init[name] = (value, shape)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            tensor = torch.full(shape, float(value))
        else:
            try:
                tensor = torch.as_tensor(value).detach().clone().to(torch.get_default_dtype())
            except (TypeError, ValueError, RuntimeError):
                msg = f"{cls}: {arg.name} must be a number or a tensor, got {value!r}"
                raise TypeError(msg) from None
            if shape and tensor.numel() > 1 and tuple(tensor.shape) != shape:
                raise ValueError(
                    f"{cls}: {arg.name} of shape {tuple(tensor.shape)} does not match "
                    f"num_parameters={shape[0]}"
                )
            if shape and tensor.numel() == 1:
                tensor = tensor.reshape(()).expand(shape).clone()
        if self.learnable:
            self.register_parameter(name, nn.Parameter(tensor))
            self._learned.append(name)
        elif arg.role == "init" or tensor.ndim > 0:
            self.register_buffer(name, tensor)
        else:
            self._fixed[name] = tensor.item()
            setattr(self, name, tensor.item())

    def _validate(self) -> None:
        """Check every parameter through the core now, not at the first forward."""
        like = torch.zeros((), dtype=torch.float64)
        params = {
            k: v.detach() if isinstance(v, torch.Tensor) else v
            for k, v in self.core_params().items()
            if k != "axis"
        }
        self.function.resolve_params(params, xpt, like)

    def core_params(self) -> dict[str, Any]:
        """The keyword arguments of the catalog function (``dim`` as ``axis``)."""
        out: dict[str, Any] = {}
        for p in self.function.info.params:
            if p.name == "axis":
                out["axis"] = self.dim
            elif p.name in self._fixed:
                out[p.name] = self._fixed[p.name]
            else:
                out[p.name] = getattr(self, p.name)
        return out

    def __setattr__(self, name: str, value: Any) -> None:
        fixed = self.__dict__.get("_fixed", ())
        super().__setattr__(name, value)
        if (name in fixed or name == "dim") and "_plan" in self.__dict__:
            if name in fixed:  # a fixed parameter changed: a new plan
                fixed[name] = value
            self._plan = plan_for(self.function, self._static())

    def _static(self) -> tuple[tuple[str, Any], ...]:
        """The fixed (non-tensor) parameters, ``axis`` included."""
        return tuple((k, v) for k, v in self.core_params().items() if k not in self._tensors)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.function.info.training_slope:
            return _random_slope(self, x)
        # the plan: parameters validated and resolved once, when the module was built
        tensors = {n: getattr(self, n) for n in self._tensors} if self._tensors else _NONE
        return run(self._plan, x, tensors)

    def reset_parameters(self) -> None:
        """Set learnable parameters back to their initial values."""
        with torch.no_grad():
            for name in self._learned:
                value, _ = self._init[name]
                param = getattr(self, name)
                if isinstance(value, (int, float)):
                    param.fill_(float(value))
                else:
                    param.copy_(torch.as_tensor(value).reshape(param.shape))

    def no_weight_decay(self) -> set[str]:
        """Names of learnable parameters that weight decay should skip (from the catalog)."""
        return {
            p.name
            for p in self.function.info.params
            if p.no_weight_decay and p.name in self._learned
        }

    def extra_repr(self) -> str:
        parts = []
        for arg in self._args:
            if arg.role == "fixed":
                parts.append(f"{arg.name}={self._fixed[arg.name]!r}")
            elif arg.role == "dim":
                parts.append(f"dim={self.dim}")
            elif arg.name == "num_parameters":
                parts.append(f"num_parameters={self.num_parameters}")
            elif arg.name == "learnable":
                parts.append(f"learnable={self.learnable}")
        return ", ".join(parts)


def _signature(args: list[_Arg]) -> inspect.Signature:
    return inspect.Signature(
        [_P(a.name, _P.POSITIONAL_OR_KEYWORD, default=a.default) for a in args]
    )


def _doc(fn: Activation, args: list[_Arg]) -> LazyDoc:
    listing = ", ".join(f"{a.name}={a.default!r}" for a in args)
    head = f"{class_name(fn)}({listing}): actloss's ``{fn.name}`` as a PyTorch module."
    return LazyDoc(lambda: f"{head}\n\n{fn.__doc__}")  # rendered on first access


def make_activation_class(fn: Activation) -> type[ActivationModule]:
    """A new ``ActivationModule`` subclass for ``fn`` (an entry, or an alias with presets)."""
    args = activation_args(fn)
    namespace = {
        "function": fn,
        "_args": args,
        "__signature__": _signature(args),
        "__doc__": _doc(fn, args),
        "__module__": "actloss.torch",
    }
    return type(class_name(fn), (ActivationModule,), namespace)


def _random_slope(module: ActivationModule, x: torch.Tensor) -> torch.Tensor:
    """Training mode of an entry with ``info.training_slope = (low, high)`` (RReLU, Xu et
    al. 2015): each negative input gets its own slope drawn uniformly from [low, high]; the
    catalog function is the evaluation-mode one with a fixed slope. y = s x with s = 1
    (x > 0) or the drawn slope, so autograd saves only s (one tensor) and dy/dx = s, the
    same subgradient at 0 as PyTorch.
    """
    fn = module.function
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"actloss.torch.{fn.name}: x must be a torch.Tensor, got {type(x).__name__}"
        )
    low, high = fn.info.training_slope
    p = module.core_params()
    slope = torch.empty_like(x).uniform_(float(p[low]), float(p[high]))
    return x * torch.where(x > 0, torch.ones_like(x), slope)
