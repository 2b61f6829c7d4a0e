"""The experiment configuration: what to train, read from options or a TOML file.

A ``Config`` names the functions by catalog name with parameters
(``"leaky_relu(negative_slope=0.2)"`` or, in TOML, an inline table
``{name = "leaky_relu", negative_slope = 0.2}``); nothing here knows a list of
functions. The defaults reproduce the tutorials' experiment: binary
cross-entropy + sigmoid, hinge + tanh and MSE + sigmoid on
``make_classification(n_samples=1000, n_features=20)``, a 64-32 ReLU network,
50 epochs, batch 32, Adam 1e-3, an 80/20 split with 20% of the training part
held out for validation. The data are a source of variance too: by default 5 data
replicates (``splits``; for a generated dataset each is a new draw of the dataset and its
split, ``resample="auto"``) with 2 seeds in each, the same 10 models per combination as the
tutorials' 10 seeds on one split; ``splits=1`` is the tutorials' single split.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

FnSpec = tuple[str, tuple[tuple[str, Any], ...]]
"""A catalog name with its parameters, sorted by parameter name (hashable, canonical)."""

DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("binary_cross_entropy", "sigmoid"),
    ("hinge", "tanh"),
    ("mse", "sigmoid"),
)
LR_DECAYS = ("cosine",)
DTYPES = ("float32", "float64")
RESAMPLES = ("auto", "split", "redraw")  # as data.RESAMPLES (data imports scikit-learn lazily)
INITS = ("glorot_uniform", "he_uniform", "he_normal", "normal", "standard_uniform")
"""``normal``: plain N(0, 1) weights (``torch.nn.init.normal_``'s default), no fan scaling.
``standard_uniform``: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the "standard" initialization of
Glorot & Bengio (2010, eq. 1) and the weights of ``torch.nn.Linear``'s default."""


class ConfigError(ValueError):
    """An invalid experiment configuration (the message names the field)."""


@dataclass(frozen=True)
class Config:
    """Everything that defines a comparison. Every combination is trained with every seed."""

    datasets: tuple[str, ...] = ("classification",)
    hidden: tuple[FnSpec, ...] = (("relu", ()),)
    pairs: tuple[tuple[FnSpec, FnSpec], ...] = tuple(
        ((loss, ()), (out, ())) for loss, out in DEFAULT_PAIRS
    )
    widths: tuple[int, ...] = (64, 32)
    optimizer: str = "adam"
    lrs: tuple[float, ...] = (1e-3,)
    epochs: int = 50
    batch_size: int = 32
    seeds: tuple[int, ...] = (0, 1)  # per data replicate (split)
    n_samples: int | None = None  # None: the dataset's default (1000 for generators)
    test_size: float = 0.2
    validation_split: float = 0.2
    data_seed: int = 42
    target: float | None = None  # validation metric to reach; None: a default per task
    penalty: str | None = None  # a catalog regularizer: l1, l2 (l1_penalty, l2_penalty), ...
    penalty_coef: float = 0.0
    init: str = "glorot_uniform"
    dtype: str = "float32"
    max_models: int = 1000  # models per batched ensemble
    lr_decay: str | None = None  # None: a fixed rate; "cosine": lr * (1 + cos(pi t / T)) / 2
    outlier_fraction: float | None = None  # regression_outliers: outliers in training data only
    minority_fraction: float | None = None  # imbalanced: the share of class 1 (default 0.1)
    # data replicates: 1 is the single split of data_seed; N > 1 are N splits (stratified), each
    # with every seed; resample: "split" (one dataset draw), "redraw" (generated datasets: a new
    # draw per replicate) or "auto" (redraw where the dataset is generated, else split)
    splits: int = 5
    resample: str = "auto"

    def __post_init__(self) -> None:
        for key in _SEQUENCES:  # lists and ranges from Python callers become tuples
            value = getattr(self, key)
            if isinstance(value, (list, range)):
                object.__setattr__(self, key, tuple(value))
        if any(isinstance(h, (str, Mapping)) for h in self.hidden):  # "elu(alpha=0.5)"
            object.__setattr__(self, "hidden", tuple(parse_fn(h) for h in self.hidden))
        if any(isinstance(p, (str, Mapping)) for p in self.pairs):  # "hinge:tanh"
            object.__setattr__(self, "pairs", tuple(parse_pair(p) for p in self.pairs))
        if isinstance(self.optimizer, str) and "(" in self.optimizer:  # "sgd(momentum=0.9)"
            object.__setattr__(self, "optimizer", optimizer_label(*parse_optimizer(self.optimizer)))
        validate(self)


# ------------------------------------------------------------------------- parsing
_SPEC = re.compile(r"^\s*([A-Za-z_][\w\-]*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_fn(text: str | Mapping[str, Any] | Sequence[Any]) -> FnSpec:
    """``"elu(alpha=0.5)"``, ``{"name": "elu", "alpha": 0.5}`` or ``("elu", {...})`` -> spec."""
    if isinstance(text, Mapping):
        if "name" not in text:
            raise ConfigError(f"a function table needs a 'name' key, got {dict(text)!r}")
        return canonical(str(text["name"]), {k: v for k, v in text.items() if k != "name"})
    if isinstance(text, (tuple, list)) and len(text) == 2 and isinstance(text[1], Mapping):
        return canonical(str(text[0]), text[1])
    if not isinstance(text, str):
        raise ConfigError(f"expected a function name like 'elu(alpha=0.5)', got {text!r}")
    m = _SPEC.match(text)
    if m is None:
        raise ConfigError(f"cannot read {text!r}; expected NAME or NAME(param=value, ...)")
    return canonical(m.group(1), _parse_args(text, m.group(2)))


def _parse_args(text: str, args: str | None) -> dict[str, Any]:
    """The keyword arguments ``args`` of ``text`` (``NAME(args)``) as Python literals."""
    params: dict[str, Any] = {}
    if args and args.strip():
        try:
            call = ast.parse(f"f({args})", mode="eval").body
            assert isinstance(call, ast.Call)
            if call.args:
                raise ConfigError(f"{text!r}: give parameters by name, e.g. alpha=0.5")
            for kw in call.keywords:
                if kw.arg is None:
                    raise ConfigError(f"{text!r}: '**' is not allowed")
                params[kw.arg] = ast.literal_eval(kw.value)
        except (SyntaxError, ValueError) as exc:
            raise ConfigError(f"cannot read the parameters of {text!r}: {exc}") from None
    return params


def canonical(name: str, params: Mapping[str, Any]) -> FnSpec:
    """Resolve ``name`` in the catalog (aliases -> the canonical name with presets)."""
    import actloss as al

    try:
        fn = al.get(name)
    except al.UnknownNameError as exc:
        raise ConfigError(str(exc)) from None
    merged = {**fn.preset, **params}
    try:
        fn.partial(**merged)  # checks parameter names
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
    return fn.info.name, tuple(sorted(merged.items()))


def parse_pair(text: str | Sequence[Any] | Mapping[str, Any]) -> tuple[FnSpec, FnSpec]:
    """``"LOSS:OUTPUT"`` (e.g. ``"hinge:tanh"``) or ``{loss = ..., output = ...}``."""
    if isinstance(text, Mapping):
        try:
            return parse_fn(text["loss"]), parse_fn(text["output"])
        except KeyError:
            raise ConfigError(f"a pair needs 'loss' and 'output', got {dict(text)!r}") from None
    if isinstance(text, (tuple, list)) and len(text) == 2:
        return parse_fn(text[0]), parse_fn(text[1])
    if not isinstance(text, str) or text.count(":") != 1:
        raise ConfigError(f"a pair is LOSS:OUTPUT_ACTIVATION (e.g. 'hinge:tanh'), got {text!r}")
    loss, out = text.split(":")
    return parse_fn(loss), parse_fn(out)


def fn_label(spec: FnSpec) -> str:
    name, params = spec
    if not params:
        return name
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in params)})"


# -------------------------------------------------------------------------- validation
OPTIMIZERS: tuple[str, ...] = ("adadelta", "adagrad", "adam", "adamax", "adamw", "asgd")
OPTIMIZERS += ("nadam", "radam", "rmsprop", "rprop", "sgd")
"""torch.optim names the batched training supports: elementwise updates, ``step()`` without a
closure (LBFGS needs one; SparseAdam needs sparse gradients)."""
MAX_LR = 10.0
"""Learning rates above this diverge on every dataset of the lab (standardized features)."""
_SEQUENCES = ("datasets", "hidden", "pairs", "widths", "lrs", "seeds")


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _finite(v: Any) -> bool:
    real = _is_int(v) or isinstance(v, (float, np.floating))
    return real and math.isfinite(float(v))


def _int_at_least(low: int) -> Callable[[Any], bool]:
    return lambda v: _is_int(v) and v >= low


def _in(low: float, high: float, closed: str = "()") -> Callable[[Any], bool]:
    """A finite number in the interval; ``closed`` gives its ends, e.g. ``"[)"``."""

    def check(v: Any) -> bool:
        if not _finite(v):
            return False
        above = low <= v if closed[0] == "[" else low < v
        below = v <= high if closed[1] == "]" else v < high
        return above and below

    return check


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: v is None or check(v)


def _each(check: Callable[[Any], bool], empty: bool = False) -> Callable[[Any], bool]:
    return lambda v: (empty or len(v) > 0) and all(check(x) for x in v)


def _distinct(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: check(v) and len(set(v)) == len(v)


# field -> (the check, what it expects); the functions and datasets are checked below
FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "widths": (_each(_int_at_least(1), empty=True), "a list of ints >= 1 ([]: a linear model)"),
    "lrs": (_each(_in(0, MAX_LR, "(]")), f"a non-empty list of numbers in (0, {MAX_LR:g}]"),
    "epochs": (_int_at_least(1), "an int >= 1"),
    "batch_size": (_int_at_least(1), "an int >= 1"),
    "seeds": (
        _distinct(_each(_int_at_least(0))),
        "a number of seeds (an int >= 1) or a non-empty list of distinct ints >= 0",
    ),
    "n_samples": (_optional(_int_at_least(20)), "None or an int >= 20"),
    "test_size": (_in(0, 1), "a number in (0, 1)"),
    "validation_split": (_in(0, 1), "a number in (0, 1)"),
    "data_seed": (_int_at_least(0), "an int >= 0"),
    "target": (_optional(_in(-math.inf, 1, "(]")), "None or a finite number <= 1 (accuracy, R2)"),
    "penalty": (_optional(lambda v: isinstance(v, str)), "None or a regularizer's name"),
    "penalty_coef": (_in(0, math.inf, "[)"), "a finite number >= 0"),
    "init": (lambda v: v in INITS, "one of " + ", ".join(INITS)),
    "dtype": (lambda v: v in DTYPES, "one of " + ", ".join(DTYPES)),
    "max_models": (_int_at_least(1), "an int >= 1"),
    "lr_decay": (lambda v: v in (None, *LR_DECAYS), "None or 'cosine'"),
    "outlier_fraction": (_optional(_in(0, 1, "[)")), "None or a number in [0, 1)"),
    "minority_fraction": (_optional(_in(0, 0.5, "(]")), "None or a number in (0, 0.5]"),
    "splits": (_int_at_least(1), "an int >= 1 (1: the single split of data_seed)"),
    "resample": (lambda v: v in RESAMPLES, "one of " + ", ".join(RESAMPLES)),
    "optimizer": (
        lambda v: isinstance(v, str) and _optimizer_ok(v),
        "one of " + ", ".join(OPTIMIZERS) + " with optional arguments, e.g. 'sgd(momentum=0.9)'",
    ),
}


def parse_optimizer(text: str) -> tuple[str, dict[str, Any]]:
    """``"sgd(momentum=0.9)"`` -> ``("sgd", {"momentum": 0.9})``; arguments given by name.

    The name is one of ``OPTIMIZERS`` (any case); the arguments must be keyword arguments of
    that ``torch.optim`` class other than the parameters and the learning rate.
    """
    m = _SPEC.match(text)
    if m is None or m.group(1).lower() not in OPTIMIZERS:
        raise ConfigError(
            f"optimizer must be one of {', '.join(OPTIMIZERS)} with optional arguments, "
            f"e.g. 'sgd(momentum=0.9)', got {text!r}"
        )
    params = _parse_args(text, m.group(2))
    import inspect

    allowed = set(inspect.signature(optimizer_class(m.group(1))).parameters) - {"params", "lr"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ConfigError(
            f"optimizer {m.group(1).lower()!r} takes no argument {unknown[0]!r}; "
            f"it takes {', '.join(sorted(allowed))}"
        )
    return m.group(1).lower(), params


def optimizer_label(name: str, params: Mapping[str, Any]) -> str:
    """The canonical spelling: ``sgd(momentum=0.9, nesterov=True)`` (arguments sorted)."""
    if not params:
        return name
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in sorted(params.items()))})"


def _optimizer_ok(text: str) -> bool:
    try:
        parse_optimizer(text)
    except ConfigError:
        return False
    return True


def _need(ok: bool, field: str, expected: str, got: Any) -> None:
    if not ok:
        raise ConfigError(f"{field} must be {expected}, got {got!r}")


def validate(cfg: Config) -> None:
    """Check every field's type and range; the error names the field and what it expected."""
    from .data import DATASETS, GENERATED, USER
    from .functions import changes_width

    for key in _SEQUENCES:
        _need(isinstance(getattr(cfg, key), tuple), key, "a list", getattr(cfg, key))
    for key, (check, expected) in FIELDS.items():
        value = getattr(cfg, key)
        _need(check(value), key, expected, list(value) if isinstance(value, tuple) else value)
    known = all(isinstance(d, str) and (d in DATASETS or d in USER) for d in cfg.datasets)
    names = "a non-empty list of names from " + ", ".join(DATASETS)
    _need(bool(cfg.datasets) and known, "datasets", names, list(cfg.datasets))
    if cfg.resample == "redraw":
        fixed = [d for d in cfg.datasets if d not in GENERATED]
        expected = "split or auto for a fixed dataset (only generated ones can be redrawn)"
        _need(not fixed, "resample", expected, f"redraw with {', '.join(fixed)}")
    _need(bool(cfg.hidden), "hidden", "a non-empty list of activations", cfg.hidden)
    for spec in cfg.hidden:
        _check_kind(spec, "hidden", "activation")
        keeps = not changes_width(spec)
        _need(
            keeps, "hidden", "activations that keep the width (the GLU family halves it)", spec[0]
        )
    _need(bool(cfg.pairs), "pairs", "a non-empty list of LOSS:OUTPUT pairs", cfg.pairs)
    for loss, output in cfg.pairs:
        _check_kind(loss, "pairs", "loss")
        _check_kind(output, "pairs", "activation")
    if cfg.penalty is not None:
        from .functions import penalty_name

        try:
            penalty_name(cfg.penalty)
        except (ValueError, LookupError) as exc:
            raise ConfigError(str(exc)) from None


def _check_kind(spec: FnSpec, field: str, kind: str) -> None:
    """A hidden or output function must be an activation; a pair's loss a loss, not a penalty."""
    import actloss as al

    info = al.get(spec[0]).info
    if kind == "loss" and info.family == "regularizer":
        raise ConfigError(
            f"{field}: {spec[0]} is a weight penalty, not a loss; "
            "give it as penalty (with penalty_coef)"
        )
    _need(
        info.kind == kind,
        field,
        f"a{'n' if kind[0] == 'a' else ''} {kind} in that place",
        f"{spec[0]} (a {info.kind})",
    )


def check_tasks(cfg: Config) -> None:
    """Multi-class losses (a softmax over a class axis) need more than one output.

    Checked when the runs are expanded (``runs.expand``), where the datasets are known: a
    user's data given to ``compare`` replaces the config's ``datasets``.

    With the single output of a binary or regression task the softmax is constant and the
    loss does not train. Other mismatches stay allowed on purpose (experiments compare
    them): regression losses on 0/1 labels (the tutorials' MSE + sigmoid), binary losses on
    one-hot rows (one-vs-rest), cross-entropy over multi-label rows (soft targets).
    """
    import actloss as al

    from .data import task_of

    for dataset in cfg.datasets:
        task = task_of(dataset)
        for (loss, _), _out in cfg.pairs:
            tasks = al.get(loss).info.task
            single = task in ("binary", "regression")
            if single and tasks and all("multi-class" in t for t in tasks):
                raise ConfigError(
                    f"pairs: {loss} is a multi-class loss (a class axis of scores), but dataset "
                    f"{dataset!r} is {task} with one output; use a multiclass dataset (digits, "
                    "wine) or a binary loss such as binary_cross_entropy_with_logits"
                )


def _optimizer_class(name: str) -> str:
    known = {c.lower(): c for c in dir(__import__("torch").optim) if c[:1].isupper()}
    return known.get(name.lower(), name)


def optimizer_class(name: str) -> Any:
    import torch

    return getattr(torch.optim, _optimizer_class(name))


# ------------------------------------------------------------------------ constructors
_LIST_KEYS = {"datasets", "widths", "lrs", "seeds"}


def from_mapping(data: Mapping[str, Any], base: Config | None = None) -> Config:
    """Build a Config from plain data (a TOML table or CLI options); unknown keys are errors."""
    valid = {f.name for f in fields(Config)}
    kw: dict[str, Any] = {}
    for key, value in data.items():
        key = key.replace("-", "_")
        if key == "seeds" and _is_int(value):  # a count: seeds 0 .. n-1
            if value < 1:
                raise ConfigError(f"seeds must be a number of seeds >= 1 or a list, got {value!r}")
            value = tuple(range(value))
        if key == "lr":
            key, value = "lrs", [value]
        if key == "dataset":
            key, value = "datasets", [value]
        if key not in valid:
            import difflib

            close = difflib.get_close_matches(key, sorted(valid), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown configuration key {key!r}{hint}")
        if key == "hidden":
            value = tuple(parse_fn(v) for v in _as_list(value))
        elif key == "pairs":
            value = tuple(parse_pair(v) for v in _as_list(value))
        elif key in _LIST_KEYS:
            value = tuple(_as_list(value))
        kw[key] = value
    return replace(base or Config(), **kw)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def load_toml(path: str | Path, base: Config | None = None) -> Config:
    """Read a config file: top-level keys, or a ``[compare]`` table.

    Example::

        hidden = ["relu", "gelu", {name = "leaky_relu", negative_slope = 0.1}]
        pairs = ["binary_cross_entropy:sigmoid", "hinge:tanh"]
        lrs = [1e-3, 3e-3]
        seeds = 10
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise ConfigError("TOML config files need Python 3.11+ or: pip install tomli") from None
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config {str(path)!r}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {str(path)!r} is not valid TOML: {exc}") from None
    section = data.get("compare", data)
    section = {k: v for k, v in section.items() if k != "tune"}
    return from_mapping(section, base)
