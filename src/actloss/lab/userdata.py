"""Your data: features and a target from NumPy arrays, a pandas DataFrame or a file.

``Data(X, y, task=None)`` checks the arrays once, before anything trains, and says
what is wrong in one line naming the column: text or categorical features, missing or
infinite values, a target with a single class. The task is inferred from the target when
not given, and said how (``Data.how``):

- a target with two columns or more of 0/1 values: ``multilabel``;
- text, categories or booleans: ``binary`` (two classes) or ``multiclass``;
- integer values with 2 distinct values: ``binary``; 3 to ``MAX_CLASSES``: ``multiclass``;
- anything else (fractions, or more than ``MAX_CLASSES`` integers): ``regression``.

Class labels become 0 .. C-1 in sorted order (``Data.classes`` keeps the originals). The
data's name carries a content hash (``Data.digest``: features, target and task), so the
results store never takes runs on changed data for finished ones. ``read(path, target)``
reads CSV, Parquet (pyarrow) or ``.npz`` (arrays ``X`` and ``y``).

Splitting and standardization are those of the built-in datasets: ``configure`` registers
the arrays with ``data`` (``data.register``) and ``data.load`` splits them.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .config import DEFAULT_PAIRS, Config, parse_pair

TASKS = ("binary", "multiclass", "multilabel", "regression")
MAX_CLASSES = 20
"""An integer target with more distinct values than this is inferred as regression."""
SUFFIXES = (".csv", ".parquet", ".pq", ".npz")

TASK_PAIRS: dict[str, tuple[str, ...]] = {
    "binary": tuple(f"{loss}:{out}" for loss, out in DEFAULT_PAIRS),
    "multiclass": ("cross_entropy:identity", "multiclass_hinge:identity", "mse:softmax"),
    "multilabel": ("binary_cross_entropy_with_logits:identity", "mse:sigmoid"),
    "regression": ("mse:identity", "huber:identity", "mae:identity"),
}
"""The (loss, output) pairs compared on a user's data when the config keeps the default
pairs: multiclass targets get cross-entropy on logits, not the binary tutorial pairs."""


class DataError(ValueError):
    """Data that cannot be trained on; the message is one line and names the column."""


def _shown(values: Any, n: int = 3) -> str:
    """The first ``n`` values, as Python literals ("..." after them when there are more)."""
    vals = list(values)
    text = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in vals[:n])
    return text + (", ..." if len(vals) > n else "")


class Data:
    """A user's dataset: features ``X`` (n, d) and target ``y``, checked and encoded.

    ``X``: a 2-D array or a pandas DataFrame of numeric columns; ``y``: an array, a pandas
    Series, or the name of a column of the DataFrame ``X`` (then not a feature). ``task``:
    one of ``TASKS`` or None (inferred). ``name``: a label for tables and the store.

    After construction: ``x`` (float64), ``y`` (int64 labels 0..C-1, 0/1 floats, or
    floats), ``task``, ``how`` (how the task was decided), ``classes``, ``digest`` and
    ``name`` (``label@digest``).
    """

    def __init__(self, X: Any, y: Any, task: str | None = None, *, name: str = "data") -> None:
        if task is not None and task not in TASKS:
            raise DataError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
        target = "y"
        if isinstance(y, str):  # a column of the DataFrame X
            if not hasattr(X, "columns"):
                raise DataError(f"y={y!r} names a column, but X is not a pandas DataFrame")
            _need_column(X, y, name)
            target, y, X = y, X[y], X.drop(columns=[y])
        elif hasattr(y, "name") and isinstance(getattr(y, "name", None), str):
            target = y.name
        self.target = target
        self.label = name
        self.x = _features(X)
        self.y, self.task, self.how, self.classes = _target(y, task, target, len(self.x))
        h = hashlib.sha256()
        h.update(f"{self.task}|{self.x.shape}|{self.y.dtype}|{self.y.shape}|".encode())
        h.update(np.ascontiguousarray(self.x).tobytes())
        h.update(np.ascontiguousarray(self.y).tobytes())
        self.digest = h.hexdigest()[:16]
        self.name = f"{name}@{self.digest}"

    def __repr__(self) -> str:
        n, d = self.x.shape
        return f"Data({self.label!r}, {n} rows x {d} features, {self.task}, digest {self.digest})"


def _need_column(frame: Any, column: str, where: str) -> None:
    if column not in frame.columns:
        have = [str(c) for c in frame.columns]
        close = difflib.get_close_matches(column, have, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        shown = ", ".join(have[:12]) + (", ..." if len(have) > 12 else "")
        raise DataError(f"target column {column!r} is not in {where} (columns: {shown}){hint}")


def _features(X: Any) -> np.ndarray:
    """X as float64 (n, d); text/categorical columns and missing values are errors."""
    if hasattr(X, "columns"):  # a pandas DataFrame
        import pandas as pd

        for col in X.columns:
            s = X[col]
            if pd.api.types.is_bool_dtype(s):
                continue
            if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_complex_dtype(s):
                kind = "categorical" if isinstance(s.dtype, pd.CategoricalDtype) else str(s.dtype)
                raise DataError(
                    f"feature column {str(col)!r} is not numeric ({kind}, values like "
                    f"{_shown(s.dropna().unique())}); encode it as numbers first "
                    "(e.g. pandas.get_dummies) or drop it"
                )
        names = [str(c) for c in X.columns]
        arr = X.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        raw = np.asarray(X)
        if raw.dtype.kind not in "biuf":
            raise DataError(
                f"X must be numeric, got dtype {raw.dtype} (values like {_shown(raw.ravel())})"
            )
        arr = raw.astype(np.float64)
        names = [f"column {j}" for j in range(arr.shape[1])] if arr.ndim == 2 else []
    if arr.ndim != 2:
        raise DataError(f"X must be 2-D (samples, features), got shape {arr.shape}")
    if arr.shape[0] < 10 or arr.shape[1] < 1:
        raise DataError(f"X needs at least 10 rows and 1 feature, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        rows = np.flatnonzero(bad[:, j])
        what = "missing values" if np.isnan(arr[rows, j]).any() else "infinite values"
        raise DataError(
            f"feature column {names[j]!r} has {what} in {rows.size} rows (first: row "
            f"{int(rows[0])}); fill or drop them first"
        )
    return arr


def _target(
    y: Any, task: str | None, column: str, n: int
) -> tuple[np.ndarray, str, str, tuple[Any, ...]]:
    """(encoded y, task, how the task was decided, original class labels)."""
    import pandas as pd

    frame = y if hasattr(y, "columns") else None
    raw = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if len(raw) != n:
        raise DataError(f"target {column!r} has {len(raw)} rows, X has {n}")
    if raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if frame is None and raw.dtype.kind == "O":
        missing = pd.isna(raw)
    elif raw.dtype.kind in "fc":
        missing = np.isnan(raw)
    else:
        missing = np.zeros(raw.shape, bool)
    if missing.any():
        rows = np.flatnonzero(missing.reshape(n, -1).any(axis=1))
        raise DataError(
            f"target column {column!r} has missing values in {rows.size} rows (first: row "
            f"{int(rows[0])}); drop those rows first"
        )
    if raw.ndim == 2:
        return _two_d(raw, task, column)
    if raw.ndim != 1:
        raise DataError(f"target {column!r} must be 1-D or (samples, labels), got {raw.shape}")
    numeric = raw.dtype.kind in "iuf"
    if numeric and not np.all(np.isfinite(raw.astype(float))):
        raise DataError(f"target column {column!r} has infinite values")
    classes, codes = np.unique(raw, return_inverse=True)
    integral = numeric and bool(np.all(np.mod(raw.astype(float), 1) == 0))
    if task is None:
        if not numeric:
            task = "binary" if len(classes) <= 2 else "multiclass"
            how = f"{len(classes)} classes ({'booleans' if raw.dtype.kind == 'b' else 'labels'})"
        elif integral and len(classes) <= MAX_CLASSES:
            task = "binary" if len(classes) <= 2 else "multiclass"
            how = f"{len(classes)} integer classes"
        else:
            task = "regression"
            kind = "fractional values" if not integral else f"{len(classes)} distinct integers"
            how = f"{kind}, more than a classifier's {MAX_CLASSES} classes" if integral else kind
        how = f"inferred from target column {column!r}: {how}"
    else:
        how = "given"
    if task == "multilabel":
        raise DataError(
            f"task multilabel needs a target of several 0/1 columns, column {column!r} is one"
        )
    if task == "regression":
        if not numeric:
            raise DataError(
                f"task regression needs a numeric target, column {column!r} holds "
                f"{raw.dtype} values like {_shown(classes)}"
            )
        if len(classes) < 2:
            raise DataError(f"target column {column!r} is constant ({_shown(classes, 1)})")
        return raw.astype(np.float64), task, how, ()
    if len(classes) < 2:
        raise DataError(
            f"target column {column!r} has a single class ({_shown(classes, 1)}); "
            "a classifier needs at least 2"
        )
    if task == "binary" and len(classes) > 2:
        raise DataError(
            f"task binary needs 2 classes, target column {column!r} has {len(classes)} "
            f"({_shown(classes)}); use --task multiclass"
        )
    labels = tuple(c.item() if hasattr(c, "item") else c for c in classes)
    if task == "binary":
        return codes.astype(np.float64), task, how, labels
    return codes.astype(np.int64), task, how, labels


def _two_d(raw: np.ndarray, task: str | None, column: str) -> tuple[Any, str, str, tuple[Any, ...]]:
    if raw.dtype.kind not in "biuf":
        raise DataError(f"a target of several columns must be numeric, got {raw.dtype}")
    y = raw.astype(np.float64)
    binary = bool(np.all((y == 0) | (y == 1)))
    if task is None:
        task = "multilabel" if binary else "regression"
        how = f"inferred: {y.shape[1]} target columns of {'0/1' if binary else 'numbers'}"
    else:
        how = "given"
    if task == "multilabel" and not binary:
        raise DataError(f"task multilabel needs 0/1 targets, {column!r} holds other values")
    if task in ("binary", "multiclass"):
        raise DataError(f"task {task} needs one target column, got {y.shape[1]}")
    return y, task, how, ()


# ----------------------------------------------------------------------------- files
def read(path: str | Path, target: str | None = None, task: str | None = None) -> Data:
    """A CSV, Parquet or ``.npz`` file as ``Data``; ``target`` names the target column
    (CSV, Parquet); an ``.npz`` holds arrays ``X`` and ``y``. Errors are one line."""
    path = Path(path)
    where = f"data file {str(path)!r}"
    if not path.exists():
        raise DataError(f"{where} does not exist")
    if not path.is_file():
        raise DataError(f"{where} is not a file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(f"{where}: expected a .csv, .parquet or .npz file, got {suffix!r}")
    if path.stat().st_size == 0:
        raise DataError(f"{where} is empty")
    if suffix == ".npz":
        return _read_npz(path, where, target, task)
    if target is None:
        raise DataError(f"{where}: give the target column (--target-column NAME)")
    frame = _read_frame(path, suffix, where)
    if len(frame.columns) == 0 or len(frame) == 0:
        raise DataError(f"{where} has no rows" if len(frame.columns) else f"{where} is empty")
    _need_column(frame, target, where)
    if len(frame.columns) < 2:
        raise DataError(f"{where} has no feature columns besides the target {target!r}")
    return Data(frame, target, task, name=path.name)


def _read_frame(path: Path, suffix: str, where: str) -> Any:
    import pandas as pd

    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise DataError(
                f"{where}: reading Parquet needs pyarrow: pip install pyarrow"
            ) from None
        return pd.read_parquet(path)
    except DataError:
        raise
    except pd.errors.EmptyDataError:
        raise DataError(f"{where} is empty") from None
    except Exception as exc:  # a parser's, a codec's or pyarrow's error: one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {where}: {first}") from None


def _read_npz(path: Path, where: str, target: str | None, task: str | None) -> Data:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except Exception as exc:  # not a zip, truncated, pickled objects
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {where} as .npz: {first}") from None
    ykey = target or "y"
    for key in ("X", ykey):
        if key not in arrays:
            have = ", ".join(sorted(arrays)) or "none"
            raise DataError(f"{where} has no array {key!r} (it has: {have})")
    return Data(arrays["X"], _Named(arrays[ykey], ykey), task, name=path.name)


class _Named:
    """An array with the name the errors use for it (an .npz array's key)."""

    def __init__(self, values: np.ndarray, name: str) -> None:
        self.values, self.name = values, name

    def to_numpy(self) -> np.ndarray:
        return self.values


# ------------------------------------------------------------------------- the config
def configure(cfg: Config, data: Data) -> Config:
    """``cfg`` on ``data``: the data registered and in place of ``datasets``; the default
    pairs (the binary tutorial's) replaced by the task's ``TASK_PAIRS``."""
    from . import data as D

    D.register(data.name, data.task, data.x, data.y)
    pairs = cfg.pairs
    if pairs == Config.__dataclass_fields__["pairs"].default:
        pairs = tuple(parse_pair(p) for p in TASK_PAIRS[data.task])
    return replace(cfg, datasets=(data.name,), pairs=pairs)


def as_data(data: Any) -> Data:
    """``Data`` as given, or ``(X, y)`` made into ``Data``."""
    if isinstance(data, Data):
        return data
    if isinstance(data, tuple) and len(data) == 2:
        return Data(*data)
    raise TypeError(f"data must be actloss.lab.Data or a tuple (X, y), got {type(data).__name__}")
