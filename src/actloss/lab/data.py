"""Datasets: scikit-learn's generators and bundled sets, split and standardized.

Split as in the tutorials (Keras ``validation_split``): ``train_test_split`` with
``test_size`` and ``data_seed``, then the *last* ``validation_split`` of the
training part is held out for validation. Features are standardized with the
mean and standard deviation of the remaining training part; regression targets
too. Tasks: ``binary`` (labels 0/1, one output), ``multiclass`` (labels
0..C-1, C outputs), ``multilabel`` (0/1 per label), ``regression`` (one output).

Data replicates (``split=s``, s = 0 .. splits-1): each replicate has its own seed,
``split_seed(data_seed, s)``, which draws the train/test split and then the validation part
of the training part, both stratified by class for binary and multiclass tasks (unstratified
when a class has fewer than 2 examples in a part). With ``resample="split"`` every replicate
splits the one dataset drawn with ``data_seed``; with ``resample="redraw"`` (generated
datasets only) the replicate's seed also draws the dataset itself, so replicates are
independent datasets. ``split=None`` is the single split above (the tutorials' setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

# name -> (task, description)
DATASETS: dict[str, tuple[str, str]] = {
    "classification": ("binary", "make_classification(n_samples=1000, n_features=20)"),
    "imbalanced": ("binary", "make_classification, 20 features, 90/10 classes"),
    "rare": ("binary", "make_classification, 20 features, no label noise, 1% class 1"),
    "moons": ("binary", "make_moons(noise=0.2)"),
    "circles": ("binary", "make_circles(noise=0.1, factor=0.5)"),
    "breast_cancer": ("binary", "load_breast_cancer (569 samples, 30 features)"),
    "digits": ("multiclass", "load_digits (1797 samples, 64 features, 10 classes)"),
    "wine": ("multiclass", "load_wine (178 samples, 13 features, 3 classes)"),
    "multilabel": ("multilabel", "make_multilabel_classification(n_features=20, n_classes=5)"),
    "regression_outliers": ("regression", "make_regression(n_features=20, noise=10), 5% outliers"),
    "diabetes": ("regression", "load_diabetes (442 samples, 10 features)"),
}


@dataclass(frozen=True)
class Split:
    """Standardized arrays (float64) of one dataset; ``y`` int64 for multiclass."""

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    coef: np.ndarray | None = None  # regression_outliers: the true linear coefficients, scaled

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_outputs(self) -> int:
        if self.task == "multiclass":
            return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1
        return 1 if self.y_train.ndim == 1 else int(self.y_train.shape[1])


GENERATED: tuple[str, ...] = ("classification", "imbalanced", "rare", "moons", "circles")
GENERATED += ("multilabel", "regression_outliers")
"""Datasets drawn by a scikit-learn generator: ``resample="redraw"`` can draw them anew."""
RESAMPLES = ("auto", "split", "redraw")
"""What a data replicate varies: ``split`` the train/validation/test split of one dataset
draw, ``redraw`` the draw itself (and its split), ``auto`` redraw for generated datasets and
split for the others."""


def task_of(name: str) -> str:
    if name in USER:
        return USER[name][0]
    return DATASETS[name][0]


USER: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}
"""Datasets given as arrays (``actloss.lab.Data``, a user's file): name -> (task, X, y). The
name carries the data's content hash (``userdata.Data.name``); ``load`` splits them as the
built-in datasets (they are fixed data: ``resample="auto"`` means ``split``)."""


def register(name: str, task: str, x: np.ndarray, y: np.ndarray) -> str:
    """Make arrays loadable as dataset ``name`` in this process (workers register their own)."""
    USER[name] = (task, x, y)
    return name


def resample_of(name: str, resample: str) -> str:
    """The replicate kind for dataset ``name``: ``auto`` resolved to ``redraw`` or ``split``."""
    if resample not in RESAMPLES:
        raise ValueError(f"resample must be one of {', '.join(RESAMPLES)}, got {resample!r}")
    if resample == "auto":
        return "redraw" if name in GENERATED else "split"
    return resample


def split_seed(data_seed: int, split: int) -> int:
    """The seed of data replicate ``split`` (independent streams per replicate, via NumPy's
    ``SeedSequence``; a 31-bit int, as scikit-learn's ``random_state`` takes)."""
    state = np.random.SeedSequence([int(data_seed), int(split)]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def _raw(
    name: str,
    n_samples: int | None,
    seed: int,
    minority_fraction: float | None = None,
    contaminate: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as ds

    if name in USER:  # a user's data: fixed, subsampled as the bundled sets below
        x, y = USER[name][1:]
        if n_samples is not None and n_samples < len(y):
            keep = np.sort(np.random.default_rng(seed).choice(len(y), n_samples, replace=False))
            return x[keep], y[keep]
        return x, y
    n = n_samples or 1000
    if name == "imbalanced" and minority_fraction is not None:
        w = [1.0 - minority_fraction, minority_fraction]
        return ds.make_classification(n_samples=n, n_features=20, weights=w, random_state=seed)
    if name == "rare":  # no flipped labels (flip_y=0): at 1:1000 they would outnumber class 1
        f = 0.01 if minority_fraction is None else minority_fraction
        return ds.make_classification(
            n_samples=n, n_features=20, weights=[1.0 - f, f], flip_y=0.0, random_state=seed
        )
    if name == "regression_outliers" and not contaminate:
        return ds.make_regression(n_samples=n, n_features=20, noise=10.0, random_state=seed)
    if name == "classification":
        return ds.make_classification(n_samples=n, n_features=20, random_state=seed)
    if name == "imbalanced":
        return ds.make_classification(
            n_samples=n, n_features=20, weights=[0.9, 0.1], random_state=seed
        )
    if name == "moons":
        return ds.make_moons(n_samples=n, noise=0.2, random_state=seed)
    if name == "circles":
        return ds.make_circles(n_samples=n, noise=0.1, factor=0.5, random_state=seed)
    if name == "multilabel":
        return ds.make_multilabel_classification(
            n_samples=n, n_features=20, n_classes=5, random_state=seed
        )
    if name == "regression_outliers":
        x, y = ds.make_regression(n_samples=n, n_features=20, noise=10.0, random_state=seed)
        rng = np.random.default_rng(seed)
        idx = rng.choice(n, size=max(1, n // 20), replace=False)
        y = y.copy()
        y[idx] += rng.choice([-1.0, 1.0], size=idx.size) * 10.0 * y.std()  # gross outliers
        return x, y
    loader: Any = {
        "breast_cancer": ds.load_breast_cancer,
        "digits": ds.load_digits,
        "wine": ds.load_wine,
        "diabetes": ds.load_diabetes,
    }[name]
    x, y = loader(return_X_y=True)
    if n_samples is not None and n_samples < len(y):
        keep = np.random.default_rng(seed).choice(len(y), size=n_samples, replace=False)
        x, y = x[np.sort(keep)], y[np.sort(keep)]
    return x, y


@lru_cache(maxsize=16)
def load(
    name: str,
    n_samples: int | None = None,
    data_seed: int = 42,
    test_size: float = 0.2,
    validation_split: float = 0.2,
    outlier_fraction: float | None = None,
    minority_fraction: float | None = None,
    split: int | None = None,
    resample: str | None = None,
) -> Split:
    """The standardized train/validation/test split of dataset ``name``.

    ``outlier_fraction`` (``regression_outliers`` only): the data are generated
    clean and that fraction of the *training and validation* targets is moved by
    +-10 standard deviations, so the test set stays clean. ``minority_fraction``
    (``imbalanced``, ``rare``): the share of class 1 instead of 0.1 (``rare``: 0.01).
    ``split``: the data replicate (None: the single split of ``data_seed``),
    ``resample``: ``split`` or ``redraw`` (see the module's docstring).
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    if name not in DATASETS and name not in USER:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    task = task_of(name)
    seed = data_seed if split is None else split_seed(data_seed, split)
    kind = resample_of(name, resample or "auto")
    if split is not None and kind == "redraw" and name not in GENERATED:
        raise ValueError(f"resample='redraw' needs a generated dataset; {name!r} is fixed")
    draw = seed if split is not None and kind == "redraw" else data_seed
    x, y = _raw(name, n_samples, draw, minority_fraction, outlier_fraction is None)
    x, y = np.asarray(x, float), np.asarray(y)
    strat = split is not None and task in ("binary", "multiclass")
    if split is None:  # the tutorials' split: unstratified
        x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, random_state=seed)
    else:
        x_tr, x_te, y_tr, y_te = _split(x, y, test_size, seed, strat)
    n_val = _n_val(len(y_tr), validation_split)
    if outlier_fraction and name == "regression_outliers":
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(y_tr), size=round(outlier_fraction * len(y_tr)), replace=False)
        y_tr = np.asarray(y_tr, float).copy()
        y_tr[idx] += rng.choice([-1.0, 1.0], size=idx.size) * 10.0 * y_tr.std()
    if split is None:  # the last part of the training part for validation (Keras)
        x_tr, x_va, y_tr, y_va = x_tr[:-n_val], x_tr[-n_val:], y_tr[:-n_val], y_tr[-n_val:]
    else:
        x_tr, x_va, y_tr, y_va = _split(x_tr, y_tr, n_val, seed, strat)
    scaler = StandardScaler().fit(x_tr)
    xs = [scaler.transform(a) for a in (x_tr, x_va, x_te)]
    if task == "regression":
        mu, sd = float(y_tr.mean()), float(y_tr.std()) or 1.0
        ys = [(np.asarray(a, float) - mu) / sd for a in (y_tr, y_va, y_te)]
    elif task == "multiclass":
        ys = [np.asarray(a, np.int64) for a in (y_tr, y_va, y_te)]
    else:
        ys = [np.asarray(a, float) for a in (y_tr, y_va, y_te)]
    coef = None
    if name == "regression_outliers":  # y = x @ c + noise; in standardized units c sd_x / sd_y
        from sklearn.datasets import make_regression

        c = make_regression(
            n_samples=n_samples or 1000,
            n_features=20,
            noise=10.0,
            random_state=draw,
            coef=True,
        )[2]
        coef = np.asarray(c, float) * scaler.scale_ / sd
    return Split(name, task, xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], coef)


def _n_val(n_train: int, validation_split: float) -> int:
    n_val = round(n_train * validation_split)
    if n_val < 1 or n_val >= n_train:
        raise ValueError(f"validation_split={validation_split} leaves no validation or training")
    return n_val


def _split(
    x: np.ndarray, y: np.ndarray, test: float | int, seed: int, stratify: bool
) -> list[np.ndarray]:
    """``train_test_split`` stratified by class when asked and possible (every class with at
    least 2 examples and room for each class on both sides), else plain."""
    from sklearn.model_selection import train_test_split

    if stratify:
        try:
            return train_test_split(x, y, test_size=test, random_state=seed, stratify=y)
        except ValueError:  # a class too small to appear on both sides
            pass
    return train_test_split(x, y, test_size=test, random_state=seed)


def default_target(task: str) -> float:
    """Validation metric that counts as 'reached' when no target is given."""
    return {"binary": 0.85, "multiclass": 0.9, "multilabel": 0.85, "regression": 0.5}[task]


def metric_name(task: str) -> str:
    """Accuracy for classification (per label for multilabel), R^2 for regression."""
    return {
        "binary": "accuracy",
        "multiclass": "accuracy",
        "multilabel": "label accuracy",
        "regression": "R2",
    }[task]
