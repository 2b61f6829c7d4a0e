"""Claim 14's distillation part: a teacher trained on the lab's data, students at several
temperatures (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network").

The lab trains models on fixed targets and keeps no weights, so the teacher and its
students are trained here, with the lab's pieces: its data split (``lab.data.load``), its
initialization and random streams (``training.initial_weights``, ``training.generator``),
Adam as the lab uses it, and the catalog's ``distillation`` loss through the lab's adapter
(``lab.functions.loss``): ``T^2 KL(softmax(teacher / T) || softmax(student / T))``. Per
seed: one teacher (hidden layers ``TEACHER`` wide, hard labels, cross-entropy), then one
student per temperature (one hidden layer of the budget's width) on the teacher's logits
only. Measured on the test set at temperature 1: the students' mean predictive entropy,
expected calibration error and accuracy.

Results are cached in ``distillation.json`` next to the store (keyed by every setting and
the actloss version), so a rerun trains nothing; the numbers are those of a fresh run.
"""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from ._common import Context

CACHE = "distillation.json"
TEACHER = (128, 128)
"""The teacher's hidden widths (ReLU): larger than the students, as in Hinton et al."""


def _key(settings: dict[str, Any]) -> str:
    from actloss import __version__

    blob = json.dumps({**settings, "actloss": __version__}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _mlp(seed: int, dims: list[int]) -> tuple[Any, list[Any]]:

    from ...lab.runs import Run
    from ...lab.training import generator, initial_weights

    g = generator(seed)
    he = cast(Run, SimpleNamespace(init="he_normal"))  # initial_weights reads only the init
    params = []
    for w, b in initial_weights(he, dims, g):
        params += [w.float().requires_grad_(), b.reshape(-1).float().requires_grad_()]
    return g, params


def _forward(params: list[Any], x: Any) -> Any:
    import torch

    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = torch.relu(h)
    return h


def _train(
    params: list[Any], g: Any, x: Any, target: Any, loss: Any, epochs: int, lr: float
) -> None:
    import torch

    opt = torch.optim.Adam(params, lr=lr)
    n, bs = x.shape[0], 32
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, bs):
            idx = perm[i : i + bs]
            opt.zero_grad(set_to_none=True)
            loss(_forward(params, x[idx]), target[idx]).mean().backward()
            opt.step()


def _numbers(logits: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Test-set entropy (nats), expected calibration error (10 bins) and accuracy."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    entropy = float(np.mean(-np.sum(p * np.log(np.clip(p, 1e-300, None)), axis=1)))
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    correct = (pred == y).astype(float)
    bins = np.minimum((conf * 10).astype(int), 9)
    ece = sum(
        abs(correct[bins == b].mean() - conf[bins == b].mean()) * np.mean(bins == b)
        for b in range(10)
        if np.any(bins == b)
    )
    return {"entropy": entropy, "ece": float(ece), "accuracy": float(correct.mean())}


def distill(ctx: Context, temperatures: list[float], seeds: tuple[int, ...]) -> dict[str, Any]:
    """seed -> {"teacher": numbers, "T=<t>": numbers of the student at temperature t}."""
    import torch

    from ...lab import functions as F
    from ...lab.data import load

    b = ctx.budget
    settings = {
        "dataset": "digits",
        "n_samples": b.n_samples,
        "epochs": b.epochs,
        "lr": b.lrs[0],
        "teacher": list(TEACHER),
        "student": [b.width],
    }
    path = ctx.folder / CACHE
    cache: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    split = load("digits", b.n_samples, 42)
    x_tr = torch.as_tensor(split.x_train, dtype=torch.float32)
    y_tr = torch.as_tensor(split.y_train, dtype=torch.int64)
    x_te = torch.as_tensor(split.x_test, dtype=torch.float32)
    n_in, n_out = split.n_features, split.n_outputs
    ce = F.loss(("cross_entropy", ()))
    out: dict[str, Any] = {}
    for seed in seeds:
        key = _key({**settings, "seed": seed, "temperatures": sorted(temperatures)})
        if key not in cache:
            g, teacher = _mlp(seed, [n_in, *TEACHER, n_out])
            _train(teacher, g, x_tr, y_tr, ce, b.epochs, b.lrs[0])
            with torch.no_grad():
                soft = _forward(teacher, x_tr)
                got = {"teacher": _numbers(_forward(teacher, x_te).double().numpy(), split.y_test)}
            for t in temperatures:
                kd = F.loss(("distillation", (("temperature", float(t)),)))
                g, student = _mlp(10_000 + seed, [n_in, b.width, n_out])
                _train(student, g, x_tr, soft, kd, b.epochs, b.lrs[0])
                with torch.no_grad():
                    logits = _forward(student, x_te).double().numpy()
                got[f"T={t:g}"] = _numbers(logits, split.y_test)
            cache[key] = got
            ctx.trained += 1 + len(temperatures)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")
        out[str(seed)] = cache[key]
    return out
