"""The experiment configuration: what to train, read from options or a TOML file.

A ``Config`` names the functions by catalog name with parameters
(``"leaky_relu(negative_slope=0.2)"`` or, in TOML, an inline table
``{name = "leaky_relu", negative_slope = 0.2}``); nothing here knows a list of
functions. The defaults reproduce the tutorials' experiment: binary
cross-entropy + sigmoid, hinge + tanh and MSE + sigmoid on
``make_classification(n_samples=1000, n_features=20)``, a 64-32 ReLU network,
50 epochs, batch 32, Adam 1e-3, an 80/20 split with 20% of the training part
held out for validation, and 10 seeds per combination.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

FnSpec = tuple[str, tuple[tuple[str, Any], ...]]
"""A catalog name with its parameters, sorted by parameter name (hashable, canonical)."""

DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("binary_cross_entropy", "sigmoid"),
    ("hinge", "tanh"),
    ("mse", "sigmoid"),
)
LR_DECAYS = ("cosine",)
DTYPES = ("float32", "float64")
INITS = ("glorot_uniform", "he_uniform", "he_normal")


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
    seeds: tuple[int, ...] = tuple(range(10))
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

    def __post_init__(self) -> None:
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
    name, args = m.group(1), m.group(2)
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
    return canonical(name, params)


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
def validate(cfg: Config) -> None:
    from .data import DATASETS

    def need(ok: bool, fname: str, expected: str, got: Any) -> None:
        if not ok:
            raise ConfigError(f"{fname} must be {expected}, got {got!r}")

    for d in cfg.datasets:
        need(d in DATASETS, "datasets", "names from " + ", ".join(DATASETS), d)
    need(bool(cfg.datasets), "datasets", "a non-empty list", cfg.datasets)
    need(bool(cfg.hidden), "hidden", "a non-empty list of activations", cfg.hidden)
    from .functions import changes_width

    for spec in cfg.hidden:
        need(not changes_width(spec), "hidden",
             "activations that keep the width (the GLU family halves it)", spec[0])  # fmt: skip
    need(bool(cfg.pairs), "pairs", "a non-empty list of LOSS:OUTPUT pairs", cfg.pairs)
    _check_tasks(cfg)
    need(all(isinstance(w, int) and w > 0 for w in cfg.widths), "widths", "positive ints",
         cfg.widths)  # fmt: skip
    need(bool(cfg.lrs) and all(lr > 0 for lr in cfg.lrs), "lrs", "positive numbers", cfg.lrs)
    need(isinstance(cfg.epochs, int) and cfg.epochs >= 1, "epochs", "an int >= 1", cfg.epochs)
    need(isinstance(cfg.batch_size, int) and cfg.batch_size >= 1, "batch_size", "an int >= 1",
         cfg.batch_size)  # fmt: skip
    need(bool(cfg.seeds) and len(set(cfg.seeds)) == len(cfg.seeds), "seeds",
         "a non-empty list of distinct ints", cfg.seeds)  # fmt: skip
    need(0 < cfg.test_size < 1, "test_size", "in (0, 1)", cfg.test_size)
    need(0 < cfg.validation_split < 1, "validation_split", "in (0, 1)", cfg.validation_split)
    if cfg.penalty is not None:
        from .functions import penalty_name

        try:
            penalty_name(cfg.penalty)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    need(cfg.penalty_coef >= 0, "penalty_coef", ">= 0", cfg.penalty_coef)
    need(cfg.init in INITS, "init", "one of " + ", ".join(INITS), cfg.init)
    need(cfg.dtype in DTYPES, "dtype", "one of " + ", ".join(DTYPES), cfg.dtype)
    need(cfg.max_models >= 1, "max_models", ">= 1", cfg.max_models)
    need(cfg.lr_decay in (None, *LR_DECAYS), "lr_decay", "None or 'cosine'", cfg.lr_decay)
    need(cfg.outlier_fraction is None or 0 <= cfg.outlier_fraction < 1, "outlier_fraction",
         "None or in [0, 1)", cfg.outlier_fraction)  # fmt: skip
    need(cfg.minority_fraction is None or 0 < cfg.minority_fraction <= 0.5, "minority_fraction",
         "None or in (0, 0.5]", cfg.minority_fraction)  # fmt: skip
    need(cfg.n_samples is None or cfg.n_samples >= 20, "n_samples", "None or >= 20",
         cfg.n_samples)  # fmt: skip
    import torch

    known = hasattr(torch.optim, _optimizer_class(cfg.optimizer))
    need(known, "optimizer", "a torch.optim name (adam, adamw, sgd, ...)", cfg.optimizer)


def _check_tasks(cfg: Config) -> None:
    """Multi-class losses (a softmax over a class axis) need more than one output.

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
        if key == "seeds" and isinstance(value, int):
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
