"""Every snippet `actloss recommend` can print trains (issue 13, item 18).

For every task, every combination of conditions and both frameworks, the snippet is executed
as printed (only its ``n_features, n_outputs = ...`` line, marked "your sizes", is set to the
data's sizes), trained on a small dataset bundled with scikit-learn (no download) and must
reach the accuracy stated in ``TASKS`` on held-out data. The Keras snippets run on the torch
backend. By default the snippet without conditions runs for every task and framework; the
variants (``--imbalanced``, ``--outliers``, ``--deep``) are marked ``slow`` (``pytest -m
slow``).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from actloss import recommend as rules

pytest.importorskip("sklearn")
torch = pytest.importorskip("torch")
pytest.importorskip("actloss.torch")


@dataclass(frozen=True)
class Data:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-8
    return (x_train - mean) / std, (x_test - mean) / std


def _split(x: np.ndarray, y: np.ndarray, standardize: bool = True) -> Data:
    from sklearn.model_selection import train_test_split

    xa, xb, ya, yb = train_test_split(x, y, test_size=0.3, random_state=0)
    if standardize:
        xa, xb = _standardize(xa, xb)
    return Data(xa.astype("float32"), ya, xb.astype("float32"), yb)


def binary() -> Data:
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    return _split(x, y.astype("float32")[:, None])


def multiclass() -> Data:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return _split(x, y.astype("int64"))


def multilabel() -> Data:
    """Digits with five yes/no labels: even, >= 5, has a loop (0 6 8 9), 1 4 7, 2 3 5."""
    from sklearn.datasets import load_digits

    x, d = load_digits(return_X_y=True)
    sets = [{0, 2, 4, 6, 8}, {5, 6, 7, 8, 9}, {0, 6, 8, 9}, {1, 4, 7}, {2, 3, 5}]
    y = np.stack([np.isin(d, list(s)) for s in sets], axis=1).astype("float32")
    return _split(x, y)


def regression(outliers: bool) -> Data:
    """Diabetes, standardized target; with outliers, 5% of training targets moved by 10 std."""
    from sklearn.datasets import load_diabetes

    x, y = load_diabetes(return_X_y=True)
    data = _split(x, ((y - y.mean()) / y.std()).astype("float32")[:, None])
    if outliers:
        y_train = data.y_train.copy()
        rows = np.random.default_rng(0).choice(len(y_train), len(y_train) // 20, replace=False)
        y_train[rows] += 10.0
        data = Data(data.x_train, y_train, data.x_test, data.y_test)
    return data


def segmentation() -> Data:
    """Digit images with noise in, the clean strokes (pixel >= 8 of 16) as the mask out."""
    from sklearn.datasets import load_digits

    images = load_digits().data / 16.0
    noisy = images + np.random.default_rng(0).normal(0.0, 0.3, images.shape)
    return _split(noisy, (images >= 0.5).astype("float32"), standardize=False)


def _accuracy(predicted: np.ndarray, data: Data, task: str) -> float:
    """The stated metric on the test set (see TASKS)."""
    y = data.y_test
    if task == "multiclass":
        return float((predicted.argmax(axis=1) == y).mean())
    if task == "regression":
        return float(1 - ((predicted - y) ** 2).sum() / ((y - y.mean()) ** 2).sum())
    if task == "segmentation":  # the Dice overlap of the thresholded masks, mean over images
        p, t = predicted > 0.5, y > 0.5
        return float(
            np.mean(2 * (p & t).sum(axis=1) / np.maximum(p.sum(axis=1) + t.sum(axis=1), 1))
        )
    return float(((predicted > 0.5) == (y > 0.5)).mean())


def _pairs(data: Data, train: bool, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y = (data.x_train, data.y_train) if train else (data.x_test, data.y_test)
    rng = np.random.default_rng(1 if train else 2)
    a, b = rng.integers(0, len(x), n), rng.integers(0, len(x), n)
    keep = y[a, 0] != y[b, 0]
    a, b = a[keep], b[keep]
    return x[a], x[b], np.where(y[a] > y[b], 1.0, -1.0).astype("float32")


# task -> (data, metric, the accuracy the snippet must reach, epochs)
TASKS: dict[str, tuple[Callable[[dict], Data], str, float, int]] = {
    "binary": (lambda f: binary(), "accuracy", 0.93, 30),
    "multiclass": (lambda f: multiclass(), "accuracy", 0.9, 15),
    "multilabel": (lambda f: multilabel(), "label accuracy", 0.85, 15),
    "regression": (lambda f: regression(f.get("outliers", False)), "R2 (clean test)", 0.3, 30),
    "ranking": (lambda f: regression(False), "pairwise accuracy", 0.7, 15),
    "segmentation": (lambda f: segmentation(), "Dice overlap", 0.7, 20),
}


def _cases() -> list[object]:
    """One case per distinct snippet: (task, flags, framework); gelu variants marked slow."""
    seen: dict[str, object] = {}
    for task, framework in itertools.product(rules.TASKS, rules.FRAMEWORKS):
        for flags in itertools.product((False, True), repeat=3):
            kw = dict(zip(("imbalanced", "outliers", "deep"), flags, strict=True))
            choices = rules.recommend(task, **kw)
            code = rules.snippet(choices, framework)
            if code in seen:
                continue
            on = {k: v for k, v in kw.items() if v}
            # by default one snippet per task and framework (no condition); the others are slow
            variant = bool(on)
            marks = [pytest.mark.slow] if variant else []
            name = "-".join([task, framework, *on])
            seen[code] = pytest.param(task, on, framework, id=name, marks=marks)
    return list(seen.values())


CASES = _cases()
# Keras's fit converts torch tensors with NumPy 2's __array__(copy=...) (not ours)
KERAS_ARRAY_WARNING = "ignore:__array__ implementation doesn't accept a copy keyword"


def _with_sizes(code: str, data: Data, task: str) -> str:
    n_out = 10 if task == "multiclass" else data.y_train.shape[1] if task != "ranking" else 1
    sizes = f"n_features, n_outputs = {data.x_train.shape[1]}, {n_out}"
    new, count = re.subn(r"^n_features, n_outputs = .*$", sizes, code, flags=re.M)
    assert count == 1, code
    return new


def test_every_task_and_framework_has_snippets() -> None:
    got = {(p.values[0], p.values[2]) for p in CASES}  # type: ignore[attr-defined]
    assert got == set(itertools.product(rules.TASKS, rules.FRAMEWORKS))


@pytest.mark.filterwarnings(KERAS_ARRAY_WARNING)
@pytest.mark.parametrize(("task", "flags", "framework"), CASES)
def test_snippet_trains_to_the_stated_accuracy(task: str, flags: dict, framework: str) -> None:
    make, metric, need, epochs = TASKS[task]
    data = make(flags)
    code = rules.snippet(rules.recommend(task, **flags), framework)
    scope: dict = {}
    if framework == "keras":
        pytest.importorskip("keras")
        os.environ["KERAS_BACKEND"] = "torch"
        import keras

        keras.utils.set_random_seed(0)
        exec(_with_sizes(code, data, task), scope)
        got = _train_keras(scope, data, task, epochs)
    else:
        torch.manual_seed(0)
        exec(_with_sizes(code, data, task), scope)
        got = _train_torch(scope, data, task, epochs)
    assert got >= need, f"{metric} {got:.3f} < {need} for\n{code}"


BATCH = 64


def _batches(n: int, epochs: int, size: int = BATCH):  # type: ignore[no-untyped-def]
    gen = np.random.default_rng(0)
    for _ in range(epochs):
        order = gen.permutation(n)
        for i in range(0, n, size):
            yield order[i : i + size]


def _train_torch(scope: dict, data: Data, task: str, epochs: int) -> float:
    model, loss_fn, predict, opt = (scope[k] for k in ("model", "loss_fn", "predict", "optimizer"))
    t = torch.as_tensor
    if task == "ranking":
        xa, xb, target = _pairs(data, True, 2000)
        for idx in _batches(len(target), epochs, size=128):
            opt.zero_grad()
            loss_fn(model(t(xa[idx])), model(t(xb[idx])), t(target[idx])).backward()
            opt.step()
        ta, tb, tt = _pairs(data, False, 2000)
        with torch.no_grad():
            diff = (model(t(ta)) - model(t(tb))).numpy()
        return float((np.sign(diff) == tt).mean())
    for idx in _batches(len(data.x_train), epochs):
        opt.zero_grad()
        loss_fn(model(t(data.x_train[idx])), t(data.y_train[idx])).backward()
        opt.step()
    with torch.no_grad():
        predicted = predict(model(t(data.x_test))).numpy()
    return _accuracy(predicted, data, task)


KERAS_BATCH, KERAS_LR = 128, 1e-2
"""A Keras step costs more than a PyTorch one: larger batches, a 10x rate, a third of the
epochs (the snippet's model, loss and Adam are kept)."""


def _train_keras(scope: dict, data: Data, task: str, epochs: int) -> float:
    model, predict = scope["model"], scope["predict"]
    model.optimizer.learning_rate = KERAS_LR
    epochs = max(1, epochs // 3)
    fit = {"epochs": epochs, "batch_size": KERAS_BATCH, "verbose": 0}
    if task == "ranking":
        xa, xb, target = _pairs(data, True, 2000)
        model.fit([xa, xb], target, **fit)
        ta, tb, tt = _pairs(data, False, 2000)
        scores = np.asarray(model.predict([ta, tb], verbose=0))
        return float((np.sign(scores[:, :1] - scores[:, 1:]) == tt).mean())
    model.fit(data.x_train, data.y_train, **fit)
    scores = model.predict(data.x_test, verbose=0)
    predicted = np.asarray(predict(scores).detach().cpu())
    return _accuracy(predicted, data, task)
