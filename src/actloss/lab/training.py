"""Batched training: M multilayer perceptrons of one shape trained together as one ensemble.

Layer ``l`` of every model is one stacked weight ``W_l`` of shape
``(M, d_l, d_{l+1})`` and bias ``(M, 1, d_{l+1})``; a step computes all M
forward passes with one ``torch.baddbmm`` per layer. Each model has its own
seed, which fixes its initialization and its data order (a
``torch.Generator`` seeded with the run's seed draws the weights, then one
``randperm`` of the training set per epoch), and its own hidden activation,
loss and output activation: models are sorted so that equal functions are
contiguous and each function is applied once to its slice. The objective is
``sum_m mean_i loss_m,i``: its gradient with respect to model m's weights is
the gradient of model m's own mean loss, and the optimizers (``torch.optim``,
elementwise) then update every model exactly as if it were trained alone.

Per-epoch diagnostics, for each layer ``l`` (hidden layers and the output):

- ``grad_norm``: the Frobenius norm of the gradient of (W_l, b_l), averaged over
  the epoch's steps;
- ``dead_fraction``: the fraction of the layer's units whose activation is
  exactly 0 for every sample of the validation set;
- ``mean_activation``: the mean of the layer's activations over the validation
  set and its units.

A run whose training or validation loss is NaN or +-inf is *diverged* at the
first such epoch (1-based); its later values are kept as they come (NaN).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from . import data as D
from . import functions as F
from .config import optimizer_class, parse_optimizer
from .runs import Run

EpochHook = Callable[[int, np.ndarray], None]
"""Called after each epoch with (epoch, validation metric per model in the batch's order)."""


@dataclass
class BatchResult:
    """Numbers of one trained batch; arrays have the batch's runs along axis 0."""

    run_ids: list[str]
    train_loss: np.ndarray  # (M, E): mean training loss (data term) over the epoch
    val_loss: np.ndarray  # (M, E)
    val_metric: np.ndarray  # (M, E)
    grad_norm: np.ndarray  # (M, E, L)
    dead_fraction: np.ndarray  # (M, E, L)
    mean_activation: np.ndarray  # (M, E, L)
    test_loss: np.ndarray  # (M,)
    test_metric: np.ndarray  # (M,)
    diverged_epoch: np.ndarray  # (M,) int, 0 when the run never diverged
    seconds: float  # wall time of the whole batch
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (M,), see extra_numbers
    failed: dict[str, str] = field(default_factory=dict)  # run_id -> why it did not train
    notes: list[str] = field(default_factory=list)  # e.g. why a model trained without vmap


# ------------------------------------------------------------------------- helpers
def initial_weights(run: Run, dims: Sequence[int], generator: torch.Generator) -> list[Any]:
    """[(W, b), ...] of one model, drawn from ``generator`` in float64 (biases 0)."""
    out = []
    for fan_in, fan_out in itertools.pairwise(dims):
        if run.init == "glorot_uniform":
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            w = torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64) * 2 - 1
            w = w * limit
        elif run.init == "he_uniform":
            limit = math.sqrt(6.0 / fan_in)
            w = torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64) * 2 - 1
            w = w * limit
        elif run.init == "normal":  # plain N(0, 1), torch.nn.init.normal_'s default
            w = torch.randn(fan_in, fan_out, generator=generator, dtype=torch.float64)
        elif run.init == "standard_uniform":  # U(+-1/sqrt(fan_in)), Glorot & Bengio's "standard"
            w = torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64) * 2 - 1
            w = w / math.sqrt(fan_in)
        else:  # he_normal
            w = torch.randn(fan_in, fan_out, generator=generator, dtype=torch.float64)
            w = w * math.sqrt(2.0 / fan_in)
        out.append((w, torch.zeros(1, fan_out, dtype=torch.float64)))
    return out


def generator(seed: int) -> torch.Generator:
    """The run's random stream: its weights first, then one permutation per epoch."""
    return torch.Generator().manual_seed(int(seed))


def encode_targets(
    task: str, loss: Callable[..., Any], y: np.ndarray, n_out: int, dtype: torch.dtype
) -> torch.Tensor:
    """Targets in the form the loss takes: class labels or one-hot rows (multiclass), else floats.

    For multiclass tasks the loss is asked once, on a tiny input, whether it
    accepts class labels; losses that do not (mse, hinge, ...) get one-hot rows.
    """
    if task == "multiclass":
        labels = torch.as_tensor(y, dtype=torch.int64)
        try:
            with torch.no_grad():
                loss(torch.zeros(2, n_out, dtype=dtype), labels[:2].clamp(0, n_out - 1))
            return labels
        except (TypeError, ValueError):
            return torch.nn.functional.one_hot(labels, n_out).to(dtype)
    t = torch.as_tensor(y, dtype=dtype)
    return t.reshape(-1, 1) if t.ndim == 1 else t


def slices(keys: Sequence[Any]) -> list[tuple[slice, Any]]:
    """Contiguous runs of equal keys -> [(slice, key), ...]."""
    out: list[tuple[slice, Any]] = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out.append((slice(start, i), keys[start]))
            start = i
    return out


def apply_groups(groups: Sequence[tuple[slice, Any]], z: torch.Tensor) -> torch.Tensor:
    if len(groups) == 1:
        return groups[0][1](z)
    return torch.cat([fn(z[s]) for s, fn in groups], dim=0)


@dataclass
class _Head:
    """A contiguous slice of models sharing output activation and loss."""

    where: slice
    loss: Callable[..., Any]
    threshold: float
    y_train: torch.Tensor
    y_val: torch.Tensor
    y_test: torch.Tensor


def make_optimizer(name: str, params: list[torch.Tensor], lr: float) -> torch.optim.Optimizer:
    """``torch.optim.<name>`` over the stacked parameters, fused into one kernel when supported.

    torch's optimizers are elementwise, so one optimizer over stacked weights
    updates each model as its own optimizer would; the fused CPU kernels (Adam,
    AdamW, SGD, Adagrad) compute the same update with fewer passes.
    """
    name, kw = parse_optimizer(name)  # "sgd(momentum=0.9)": the class and its arguments
    cls = optimizer_class(name)
    try:
        return cls(params, lr=lr, fused=True, **kw)
    except (TypeError, RuntimeError, ValueError):  # no fused variant of this optimizer
        return cls(params, lr=lr, **kw)


# --------------------------------------------------------------------------- training
@dataclass
class _Ensemble:
    """One batch of runs as a batched ensemble: sorted models, stacked weights, heads."""

    split: Any
    order: list[int]  # sorted position -> index into the given runs
    hidden: list[tuple[slice, Any]]  # hidden activations over contiguous model slices
    output: list[tuple[slice, Any]]  # output activations likewise
    heads: list[_Head]  # (output, loss) slices with their encoded targets
    params: list[torch.Tensor]  # [W1, b1, W2, b2, ...], each (models, ...)
    gens: list[torch.Generator]  # each model's stream: weights, then one permutation an epoch

    @property
    def n_layers(self) -> int:
        return len(self.params) // 2

    @property
    def weights(self) -> list[torch.Tensor]:
        return [self.params[2 * k] for k in range(self.n_layers)]

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        for layer in range(self.n_layers):
            z = torch.baddbmm(self.params[2 * layer + 1], h, self.params[2 * layer])
            h = apply_groups(self.hidden if layer < self.n_layers - 1 else self.output, z)
        return h

    def evaluate(self, params: Sequence[torch.Tensor], x: torch.Tensor, part: str) -> Any:
        ys = [getattr(h, f"y_{part}") for h in self.heads]
        return _evaluate(params, x, ys, self.heads, self.hidden, self.output, self.split.task)


def load_split(r0: Run) -> D.Split:
    """The standardized data split of a batch's runs."""
    return D.load(
        r0.dataset,
        r0.n_samples,
        r0.data_seed,
        r0.test_size,
        r0.validation_split,
        r0.outlier_fraction,
        r0.minority_fraction,
        split=r0.split,
        resample=r0.resample,
    )


def sort_order(runs: Sequence[Run]) -> list[int]:
    """Positions of ``runs`` sorted by (hidden, output, loss): equal functions contiguous."""
    return sorted(
        range(len(runs)),
        key=lambda i: (repr(runs[i].hidden), repr(runs[i].output), repr(runs[i].loss)),
    )


def make_heads(
    sruns: Sequence[Run], split: D.Split, dtype: torch.dtype, device: torch.device
) -> list[_Head]:
    """The (output activation, loss) slices of sorted runs with their encoded targets."""
    heads = []
    for s, (out_spec, loss_spec) in slices([(r.output, r.loss) for r in sruns]):
        loss = F.loss(loss_spec)
        ys = [
            encode_targets(split.task, loss, y, split.n_outputs, dtype).to(device)
            for y in (split.y_train, split.y_val, split.y_test)
        ]
        heads.append(_Head(s, loss, F.threshold(out_spec), *ys))
    return heads


def _ensemble(runs: Sequence[Run], dtype: torch.dtype, device: torch.device) -> _Ensemble:
    """Load the data, sort the models by their functions, draw and stack their weights."""
    r0 = runs[0]
    split = load_split(r0)
    order = sort_order(runs)
    sruns = [runs[i] for i in order]
    dims = [split.n_features, *r0.widths, split.n_outputs]
    hidden = [(s, F.activation(k)) for s, k in slices([r.hidden for r in sruns])]
    output = [(s, F.activation(k)) for s, k in slices([r.output for r in sruns])]
    heads = make_heads(sruns, split, dtype, device)
    gens = [generator(r.stream_seed) for r in sruns]
    per_model = [initial_weights(r, dims, g) for r, g in zip(sruns, gens, strict=True)]
    params: list[torch.Tensor] = []
    for layer in range(len(dims) - 1):
        for k in (0, 1):  # the weight, then the bias
            t = torch.stack([pm[layer][k] for pm in per_model]).to(device, dtype)
            params.append(t.requires_grad_())
    return _Ensemble(split, order, hidden, output, heads, params, gens)


def cosine_lr(base: float, step: int, total: int) -> float:
    """lr (1 + cos(pi t / T)) / 2 at step t of T."""
    return base * 0.5 * (1 + math.cos(math.pi * step / total))


DEVICES = ("auto", "cpu", "cuda")


def check_device(name: str) -> str:
    """``name`` if it is ``auto``, ``cpu``, ``cuda`` or ``cuda:N``; else a ValueError."""
    kind, _, index = str(name).partition(":")
    if kind not in DEVICES or (index and (kind != "cuda" or not index.isdigit())):
        raise ValueError(f"device must be one of {', '.join(DEVICES)} (or cuda:N), got {name!r}")
    return name


def resolve_device(name: str | torch.device | None = "auto") -> torch.device:
    """``auto``: CUDA when torch sees a GPU, else the CPU; ``cuda`` without one is an error."""
    if isinstance(name, torch.device):
        return name
    name = check_device(name or "auto")
    kind = name.split(":")[0]
    if kind == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but torch sees no CUDA GPU; use cpu or auto")
    return torch.device(name)


@dataclass(frozen=True)
class Setup:
    """What a batch needs besides its runs; picklable, so workers receive it with the batch.

    ``device``: ``auto``, ``cpu`` or ``cuda`` (resolved where the batch trains);
    ``factory``: the model factory of runs with ``Run.model`` (``models``);
    ``user_data``: datasets given as arrays, ``(name, task, X, y)``, registered by workers.
    """

    device: str = "auto"
    factory: Callable[..., Any] | None = None
    user_data: tuple[tuple[str, str, np.ndarray, np.ndarray], ...] = ()


def train_batch(
    runs: Sequence[Run], on_epoch: EpochHook | None = None, setup: Setup | None = None
) -> BatchResult:
    """Train ``runs`` (equal ``batch_key``) as one batched ensemble and return their numbers."""
    t0 = time.perf_counter()
    if len({r.batch_key for r in runs}) != 1:
        raise ValueError("train_batch needs runs with one batch_key (see runs.batches)")
    setup = setup or Setup()
    for name, task, x, y in setup.user_data:
        D.register(name, task, x, y)
    device = resolve_device(setup.device)
    r0 = runs[0]
    if r0.model is not None:
        from .models import train_models

        if setup.factory is None:
            raise ValueError(f"runs of model {r0.model!r} need its factory (Setup.factory)")
        return train_models(runs, setup.factory, on_epoch, device)
    dtype = torch.float64 if r0.dtype == "float64" else torch.float32
    ens = _ensemble(runs, dtype, device)
    split, params, n_layers, m_total = ens.split, ens.params, ens.n_layers, len(runs)
    opt = make_optimizer(r0.optimizer, params, r0.lr)
    penalty = None
    if r0.penalty is not None and r0.penalty_coef > 0:
        penalty = F.penalty(r0.penalty, r0.penalty_coef)

    x_tr = torch.as_tensor(split.x_train, dtype=dtype, device=device)
    x_va = torch.as_tensor(split.x_val, dtype=dtype, device=device)
    x_te = torch.as_tensor(split.x_test, dtype=dtype, device=device)
    n_train, bs = x_tr.shape[0], r0.batch_size
    steps = math.ceil(n_train / bs)
    n_epochs = r0.epochs

    shape_e = (m_total, n_epochs)
    train_loss = np.full(shape_e, np.nan)
    val_loss = np.full(shape_e, np.nan)
    val_metric = np.full(shape_e, np.nan)
    grad_norm = np.full((*shape_e, n_layers), np.nan)
    dead = np.full((*shape_e, n_layers), np.nan)
    mean_act = np.full((*shape_e, n_layers), np.nan)
    diverged = np.zeros(m_total, dtype=np.int64)
    # early-stopping checkpoint: each model's weights at its best validation metric so far
    best_val = np.full(m_total, -np.inf)
    best_params = [p.detach().clone() for p in params]

    def train_step(idx: torch.Tensor) -> torch.Tensor:
        """One optimizer step on mini-batch ``idx`` (models, batch); returns the data losses."""
        h = ens.forward(x_tr[idx])
        per = []
        for head in ens.heads:
            li = head.loss(h[head.where], head.y_train[idx[head.where]])
            per.append(li.reshape(li.shape[0], -1).mean(dim=1))
        losses = per[0] if len(per) == 1 else torch.cat(per)
        objective = losses
        if penalty is not None:  # weights only (as Keras' kernel_regularizer)
            objective = losses + penalty(ens.weights)
        opt.zero_grad(set_to_none=True)
        objective.sum().backward()
        return losses.detach()

    for epoch in range(n_epochs):
        perm = torch.stack([torch.randperm(n_train, generator=g) for g in ens.gens]).to(device)
        loss_sum = torch.zeros(m_total, dtype=dtype, device=device)
        gn_sum = torch.zeros(n_layers, m_total, dtype=dtype, device=device)
        for step in range(steps):
            if r0.lr_decay == "cosine":
                for group in opt.param_groups:
                    group["lr"] = cosine_lr(r0.lr, epoch * steps + step, n_epochs * steps)
            idx = perm[:, step * bs : (step + 1) * bs]
            losses = train_step(idx)
            with torch.no_grad():
                gn_sum += _grad_norms(params)
                loss_sum += losses * (idx.shape[1] / n_train)
            opt.step()
        ev = ens.evaluate(params, x_va, "val")
        train_loss[:, epoch] = loss_sum.double().cpu().numpy()
        val_loss[:, epoch], val_metric[:, epoch] = ev["loss"], ev["metric"]
        grad_norm[:, epoch] = (gn_sum / steps).double().cpu().numpy().T
        dead[:, epoch], mean_act[:, epoch] = ev["dead"], ev["mean_act"]
        bad = ~(np.isfinite(train_loss[:, epoch]) & np.isfinite(val_loss[:, epoch]))
        diverged[(diverged == 0) & bad] = epoch + 1
        better = val_metric[:, epoch] > best_val  # NaN never is: a diverged model keeps its best
        if better.any():
            best_val = np.where(better, val_metric[:, epoch], best_val)
            keep = torch.as_tensor(better, device=device).reshape(-1, 1, 1)
            pairs = zip(params, best_params, strict=True)
            best_params = [torch.where(keep, p.detach(), b) for p, b in pairs]
        if on_epoch is not None:
            back = np.empty(m_total)
            back[ens.order] = val_metric[:, epoch]
            on_epoch(epoch + 1, back)

    te = ens.evaluate(params, x_te, "test")
    inv = np.argsort(ens.order)  # sorted position of each original run
    y_test = [h.y_test for h in ens.heads]
    extra = extra_numbers(split.task, te["out"], y_test, ens.heads, ens.weights, split.coef)
    te_best = ens.evaluate(best_params, x_te, "test")
    extra["test_metric_best_val"] = np.where(np.isfinite(best_val), te_best["metric"], np.nan)
    return BatchResult(
        run_ids=[r.run_id for r in runs],
        train_loss=train_loss[inv],
        val_loss=val_loss[inv],
        val_metric=val_metric[inv],
        grad_norm=grad_norm[inv],
        dead_fraction=dead[inv],
        mean_activation=mean_act[inv],
        test_loss=te["loss"][inv],
        test_metric=te["metric"][inv],
        diverged_epoch=diverged[inv],
        seconds=time.perf_counter() - t0,
        extra={k: v[inv] for k, v in extra.items()},
    )


def _grad_norms(params: Sequence[torch.Tensor]) -> torch.Tensor:
    """(layers, models): each model's gradient norm per layer, weights and bias together."""
    out = []
    for layer in range(len(params) // 2):
        gw, gb = params[2 * layer].grad, params[2 * layer + 1].grad
        assert gw is not None and gb is not None
        norm_w = torch.linalg.vector_norm(gw, dim=(1, 2))
        out.append(torch.hypot(norm_w, torch.linalg.vector_norm(gb, dim=(1, 2))))
    return torch.stack(out)


@torch.no_grad()
def _evaluate(
    params: Sequence[torch.Tensor],
    x: torch.Tensor,
    ys: Sequence[torch.Tensor],
    heads: Sequence[_Head],
    hidden_groups: Sequence[tuple[slice, Any]],
    out_groups: Sequence[tuple[slice, Any]],
    task: str,
) -> dict[str, np.ndarray]:
    """Full-batch loss, metric and per-layer activation statistics of every model on ``x``."""
    n_layers = len(params) // 2
    h = x
    dead, mean_act = [], []
    for layer in range(n_layers):
        z = torch.matmul(h, params[2 * layer]) + params[2 * layer + 1]
        h = apply_groups(hidden_groups if layer < n_layers - 1 else out_groups, z)
        dead.append((h == 0).all(dim=1).double().mean(dim=1))
        mean_act.append(h.double().mean(dim=(1, 2)))
    loss, metric = score(h, ys, heads, task)
    return {
        "loss": loss,
        "metric": metric,
        "dead": torch.stack(dead, dim=1).cpu().numpy(),
        "mean_act": torch.stack(mean_act, dim=1).cpu().numpy(),
        "out": h.double().cpu().numpy(),
    }


@torch.no_grad()
def score(
    h: torch.Tensor, ys: Sequence[torch.Tensor], heads: Sequence[_Head], task: str
) -> tuple[np.ndarray, np.ndarray]:
    """(loss, metric) per model of outputs ``h`` (models, samples, outputs) for targets ``ys``."""
    losses, metrics = [], []
    for head, y in zip(heads, ys, strict=True):
        out = h[head.where]
        li = head.loss(out, y.expand(out.shape[0], *y.shape))
        losses.append(li.reshape(li.shape[0], -1).double().mean(dim=1))
        metrics.append(task_metric(task, out, y, head.threshold))
    return torch.cat(losses).cpu().numpy(), torch.cat(metrics).cpu().numpy()


def task_metric(task: str, out: torch.Tensor, y: torch.Tensor, threshold: float) -> torch.Tensor:
    """Accuracy (binary: output > threshold; multiclass: argmax; multilabel: per label) or R^2."""
    if task == "multiclass":
        labels = y if y.ndim == 1 else y.argmax(dim=-1)
        return (out.argmax(dim=-1) == labels).double().mean(dim=1)
    if task == "regression":
        resid = (out - y).double().square().sum(dim=(1, 2))
        total = (y - y.mean()).double().square().sum()
        return 1.0 - resid / total
    hits = ((out > threshold) == (y > 0.5)).double()
    return hits.reshape(out.shape[0], -1).mean(dim=1)


NEAR_ZERO = 1e-2
"""|w| below this counts as a near-zero weight (Adam moves weights by about lr per step)."""


def average_precision(scores: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """Average precision of every row of ``scores`` (models, samples) for labels ``positive``.

    As scikit-learn's ``average_precision_score``: AP = sum_k (R_k - R_{k-1}) P_k over the
    distinct score thresholds (tied scores form one threshold), written per sample as
    AP = sum_i y_i P(end of i's tie group) / #positives. Vectorized over models (one sort,
    one batched ``searchsorted``), where scikit-learn would take one call per model.
    """
    order = np.argsort(-scores, axis=1, kind="stable")
    desc = np.take_along_axis(scores, order, axis=1)
    y = positive[order].astype(float)
    precision = np.cumsum(y, axis=1) / np.arange(1, scores.shape[1] + 1)
    neg = torch.as_tensor(-desc)  # ascending: the last index of each tie group by searchsorted
    end = (torch.searchsorted(neg, neg, right=True) - 1).numpy()
    at_end = np.take_along_axis(precision, end, axis=1)
    return (y * at_end).sum(axis=1) / max(float(positive.sum()), 1.0)


def extra_numbers(
    task: str,
    out: np.ndarray,
    ys: Sequence[torch.Tensor],
    heads: Sequence[_Head],
    weights: Sequence[torch.Tensor],
    coef: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per-model numbers beyond loss and metric, on the test set and the final weights.

    - ``near_zero_weights``: fraction of weights (all layers, biases excluded) with
      ``|w| < NEAR_ZERO``; ``weight_l2``: their Euclidean norm; ``weight_l1``: sum ``|w|``;
    - a linear model (no hidden layer) of data with known coefficients ``coef`` (in the
      standardized units of the split): ``parameter_error``, ``||w - coef|| / ||coef||``;
    - binary tasks: ``average_precision`` (scikit-learn, the output as the score) and
      ``minority_recall``, the recall of class 1 at the output's threshold;
    - multiclass tasks: ``entropy``, the mean entropy (nats) of the predicted distribution
      (the output if its rows are distributions, else its softmax: logits), and ``ece``,
      the expected calibration error of the top class over 10 equal-width bins.
    """
    m_total = out.shape[0]
    with torch.no_grad():
        w = [p.detach().double().cpu().reshape(m_total, -1) for p in weights]
        flat = torch.cat(w, dim=1)
    res: dict[str, np.ndarray] = {
        "near_zero_weights": (flat.abs() < NEAR_ZERO).double().mean(dim=1).numpy(),
        "weight_l2": flat.square().sum(dim=1).sqrt().numpy(),
        "weight_l1": flat.abs().sum(dim=1).numpy(),
    }
    if coef is not None and len(weights) == 1:  # a linear model of data with known coefficients
        lin = weights[0].detach().double().cpu().numpy()[:, :, 0]
        res["parameter_error"] = np.linalg.norm(lin - coef, axis=1) / np.linalg.norm(coef)
    if task == "binary":
        ap, rec = np.full(m_total, np.nan), np.full(m_total, np.nan)
        for head, y in zip(heads, ys, strict=True):
            yt = y.cpu().numpy().reshape(-1) > 0.5
            score = out[head.where].reshape(head.where.stop - head.where.start, -1)
            ok = np.all(np.isfinite(score), axis=1) & yt.any()
            ap[head.where] = np.where(
                ok, average_precision(np.where(ok[:, None], score, 0.0), yt), np.nan
            )
            hit = (score[:, yt] > head.threshold).mean(axis=1) if yt.any() else np.nan
            rec[head.where] = np.where(ok, hit, np.nan)
        res["average_precision"], res["minority_recall"] = ap, rec
    elif task == "multiclass":
        labels = np.concatenate(
            [
                np.broadcast_to(
                    (y if y.ndim == 1 else y.argmax(dim=-1)).cpu().numpy(),
                    (h.where.stop - h.where.start, out.shape[1]),
                )
                for h, y in zip(heads, ys, strict=True)
            ]
        )
        finite = np.all(np.isfinite(out), axis=(1, 2))  # diverged models: NaN, not a FP error
        out = np.where(finite[:, None, None], out, 0.0)
        is_dist = np.all(out >= 0, axis=(1, 2)) & np.all(np.abs(out.sum(-1) - 1) < 1e-4, axis=1)
        z = out - out.max(axis=-1, keepdims=True)  # softmax with the max shift
        soft = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        p = np.where(is_dist[:, None, None], out, soft)
        safe = np.where(p > 0, p, 1.0)  # 0 log 0 = 0; NaN stays NaN through p * log(1)
        plogp = np.where(p > 0, p * np.log(safe), np.where(np.isnan(p), np.nan, 0.0))
        res["entropy"] = np.where(finite, -plogp.sum(axis=-1).mean(axis=-1), np.nan)
        conf, pred = p.max(axis=-1), p.argmax(axis=-1)
        correct = (pred == labels).astype(float)
        bins = np.minimum((np.where(np.isfinite(conf), conf, 0.0) * 10).astype(int), 9)
        ece = np.where(np.isfinite(conf).all(axis=1), 0.0, np.nan)
        for b in range(10):
            gap = np.abs(np.where(bins == b, conf - correct, 0.0).sum(axis=1))
            ece = ece + gap / out.shape[1]
        res["ece"] = np.where(finite, ece, np.nan)
    return res
