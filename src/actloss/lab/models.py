"""Your model: networks from a factory, trained together as one batched ensemble (torch.func).

A factory ``factory(activation, n_inputs, n_outputs) -> torch.nn.Module`` builds one
network with the hidden activation (an ``actloss.torch`` module) in its slots; the
network returns raw outputs (samples, n_outputs), to which the run's output activation
and loss are applied as for the lab's own MLP (``training``). Each model is built with
torch's global random stream seeded by its run's seed (``Run.stream_seed``) and the
stream restored afterwards, so its initial weights depend on its seed only; its data
order is one ``randperm`` per epoch from ``training.generator`` of the same seed.

The models of a batch that share a hidden activation have one architecture: their
parameters and buffers are stacked (``torch.func.stack_module_state``) and one
``torch.func.vmap`` of ``torch.func.functional_call`` computes all their forward passes;
one optimizer updates every stacked parameter (torch's optimizers are elementwise, so each
model is updated as if alone). A model that cannot be vmapped (batch norm in training mode
updates its running statistics in place; data-dependent control flow; random operations
such as dropout, whose stream is not per model under vmap) trains with one forward call
per model, over the same stacked parameters, and the batch's notes say why.

A factory that raises, returns something that is not an ``nn.Module``, or a model whose
output does not have the shape (samples, n_outputs) fails its run with the reason
(``BatchResult.failed``); the other runs train. A NaN or inf loss is a divergence, as
for the MLP. Diagnostics have one "layer": the whole model's gradient norm; the dead
fraction and mean activation are those of the output activation's values.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import inspect
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from . import functions as F
from .config import fn_label
from .runs import Run
from .training import (
    BatchResult,
    EpochHook,
    apply_groups,
    cosine_lr,
    extra_numbers,
    generator,
    load_split,
    make_heads,
    make_optimizer,
    score,
    slices,
    sort_order,
)

Factory = Callable[[nn.Module, int, int], nn.Module]


class FactoryError(ValueError):
    """A ``--model`` reference that cannot be imported or is not callable."""


def identity(factory: Callable[..., Any]) -> str:
    """``module:qualname#hash``: the factory's name and a hash of its source code (of its
    ``repr`` when the source is not available), so an edited factory gets new run ids."""
    module = getattr(factory, "__module__", None) or "?"
    name = getattr(factory, "__qualname__", None) or type(factory).__qualname__
    try:
        text = inspect.getsource(factory)
    except (OSError, TypeError):
        text = f"{module}:{name}"
    return f"{module}:{name}#{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def load_factory(ref: str) -> Factory:
    """``package.module:function`` -> the function (the current folder is importable)."""
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise FactoryError(f"--model must be package.module:function, got {ref!r}")
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")  # as `python -m` does: modules in the current folder
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise FactoryError(f"--model {ref!r}: cannot import {module_name!r}: {exc}") from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise FactoryError(f"--model {ref!r}: module {module_name!r} has no {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise FactoryError(f"--model {ref!r} is a {type(obj).__name__}, not a function")
    return obj


def digits_cnn(activation: nn.Module, n_inputs: int, n_outputs: int) -> nn.Module:
    """The docs' example factory: a small CNN for square images given as flat features
    (scikit-learn's digits: 64 features, 8x8). Two 3x3 convolutions (8 and 16 channels),
    each followed by the activation and a 2x2 max pool, then 32 hidden units and the
    output layer. ``--model actloss.lab.models:digits_cnn``."""
    side = math.isqrt(n_inputs)
    if side * side != n_inputs or side % 4:
        raise ValueError(
            f"digits_cnn needs n_inputs = side^2 with side divisible by 4, got {n_inputs}"
        )
    return nn.Sequential(
        nn.Unflatten(1, (1, side, side)),
        nn.Conv2d(1, 8, 3, padding=1),
        activation,
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        activation,
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * (side // 4) ** 2, 32),
        activation,
        nn.Linear(32, n_outputs),
    )


class Failed(Exception):
    """A run that cannot train; the message is the reason stored with it."""


def build(factory: Factory, run: Run, n_in: int, n_out: int, probe: torch.Tensor) -> nn.Module:
    """Model of ``run`` from ``factory`` (global stream seeded by the run), checked on
    ``probe`` (2 samples on the device, in the dtype): a module with outputs (2, n_out)."""
    with torch.random.fork_rng(devices=[]):  # the caller's stream is left as it was
        torch.manual_seed(run.stream_seed)
        try:
            activation: Any = F.activation(run.hidden)  # an actloss.torch module
            model = factory(activation, n_in, n_out)
        except Exception as exc:  # the user's code: any error fails this run only
            raise Failed(f"the model factory raised {type(exc).__name__}: {exc}") from None
    if not isinstance(model, nn.Module):
        raise Failed(f"the model factory returned a {type(model).__name__}, not a torch.nn.Module")
    model = model.to(probe.device, probe.dtype)
    try:
        with torch.no_grad():
            out = copy.deepcopy(model)(probe)  # a copy: batch norm's statistics stay untouched
    except Exception as exc:
        raise Failed(f"the model's forward raised {type(exc).__name__}: {exc}") from None
    shape = tuple(getattr(out, "shape", ()))
    if not isinstance(out, torch.Tensor) or shape != (probe.shape[0], n_out):
        got = shape if isinstance(out, torch.Tensor) else type(out).__name__
        raise Failed(
            f"the model returns {got} for {probe.shape[0]} samples; expected "
            f"({probe.shape[0]}, {n_out}) raw outputs (samples, n_outputs)"
        )
    return model


def why_not_vmap(model: nn.Module) -> str | None:
    """Why ``model`` cannot run under vmap, from its modules (None: try it)."""
    for name, mod in model.named_modules():
        norm = isinstance(mod, nn.modules.batchnorm._BatchNorm)
        if norm and mod.track_running_stats and mod.training:
            where = f" ({name})" if name else ""
            return f"batch norm in training mode{where} updates its running statistics in place"
    return None


@dataclass
class _Group:
    """Models of one architecture (a hidden activation): stacked parameters and buffers."""

    where: slice  # the models' positions in the batch (sorted order)
    base: nn.Module  # a copy of the first model: the code functional_call runs
    params: dict[str, torch.Tensor]  # name -> (models, ...), leaves that require grad
    buffers: dict[str, torch.Tensor]  # name -> (models, ...)
    batched: bool  # vmap over the models (else one call per model)

    def forward(self, x: torch.Tensor, shared: bool = False) -> torch.Tensor:
        """Raw outputs (models, samples, n_out); ``x`` (models, ...) or, ``shared``, (...)."""
        if self.batched:
            fn = vmap(self._call, in_dims=(0, 0, None if shared else 0), randomness="error")
            return fn(self.params, self.buffers, x)
        n = self.where.stop - self.where.start
        outs = []
        for i in range(n):
            p = {k: v[i] for k, v in self.params.items()}
            b = {k: v[i] for k, v in self.buffers.items()}
            outs.append(self._call(p, b, x if shared else x[i]))
        return torch.stack(outs)

    def _call(self, p: Any, b: Any, x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.base, (p, b), (x,))

    def mode(self, train: bool) -> None:
        self.base.train(train)


def _group(
    models: Sequence[nn.Module], where: slice, probe: Any, vmap_ok: bool
) -> tuple[_Group, str | None]:
    """Stack ``models``; decide vmap by their modules and a vmapped forward and backward."""
    params, buffers = stack_module_state(list(models))
    base = copy.deepcopy(models[0])
    reason = None if vmap_ok else "asked for one model at a time"
    reason = reason or why_not_vmap(base)
    group = _Group(where, base, params, buffers, reason is None)
    if reason is None:
        try:  # a dry run on copies: nothing of the real parameters or buffers changes
            trial = _Group(
                where,
                base,
                {k: v.detach().clone().requires_grad_() for k, v in params.items()},
                {k: v.clone() for k, v in buffers.items()},
                True,
            )
            out = trial.forward(probe.expand(len(models), *probe.shape))
            out.sum().backward()
        except Exception as exc:  # vmap's own errors: in-place updates, control flow, RNG
            line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            reason = f"torch.func.vmap cannot run it ({type(exc).__name__}: {line})"
            group.batched = False
    return group, reason


def train_models(
    runs: Sequence[Run],
    factory: Factory,
    on_epoch: EpochHook | None = None,
    device: torch.device | None = None,
    batched: bool = True,
) -> BatchResult:
    """Train the factory models of ``runs`` (one batch_key): the runs whose factory fails
    are in ``failed`` and not in the result's arrays. ``batched=False``: no vmap."""
    t0 = time.perf_counter()
    device = device or torch.device("cpu")
    r0 = runs[0]
    dtype = torch.float64 if r0.dtype == "float64" else torch.float32
    split = load_split(r0)
    n_in, n_out = split.n_features, split.n_outputs
    x_tr, x_va, x_te = (
        torch.as_tensor(a, dtype=dtype, device=device)
        for a in (split.x_train, split.x_val, split.x_test)
    )
    probe = x_tr[:2]
    failed: dict[str, str] = {}
    models: dict[int, nn.Module] = {}
    for i, run in enumerate(runs):
        try:
            models[i] = build(factory, run, n_in, n_out, probe)
        except Failed as exc:
            failed[run.run_id] = str(exc)
    kept = [i for i in sort_order(runs) if i in models]
    if not kept:
        return _empty(r0, failed, time.perf_counter() - t0)
    sruns = [runs[i] for i in kept]
    notes: list[str] = []
    groups = []
    for where, hidden in slices([r.hidden for r in sruns]):
        members = [models[kept[j]] for j in range(where.start, where.stop)]
        group, reason = _group(members, where, probe, batched)
        if reason is not None and batched:
            notes.append(f"{fn_label(hidden)} models trained one at a time: {reason}")
        groups.append(group)
    inv = np.argsort(kept)  # the sorted position of each kept run, in the runs' order
    hook = None
    if on_epoch is not None:
        hook = lambda e, v: on_epoch(e, v[inv])  # noqa: E731
    try:
        result = _fit(sruns, groups, split, (x_tr, x_va, x_te), dtype, device, hook)
    except Exception as exc:  # the user's model failed during training: every run of it
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        why = f"training raised {type(exc).__name__}: {line}"
        failed.update({r.run_id: why for r in sruns})
        return _empty(r0, failed, time.perf_counter() - t0)
    in_order = [sruns[k] for k in inv]
    arrays = {k: v[inv] for k, v in result.items() if k != "extra"}
    return BatchResult(
        run_ids=[r.run_id for r in in_order],
        seconds=time.perf_counter() - t0,
        extra={k: v[inv] for k, v in result["extra"].items()},
        failed=failed,
        notes=notes,
        **arrays,
    )


def _empty(r0: Run, failed: dict[str, str], seconds: float) -> BatchResult:
    e = np.zeros((0, r0.epochs))
    d = np.zeros((0, r0.epochs, 1))
    none = np.zeros(0)
    return BatchResult(
        [], e, e, e, d, d, d, none, none, np.zeros(0, np.int64), seconds, failed=failed
    )


def _fit(
    sruns: Sequence[Run],
    groups: Sequence[_Group],
    split: Any,
    xs: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    dtype: torch.dtype,
    device: torch.device,
    on_epoch: EpochHook | None,
) -> dict[str, Any]:
    """The training loop of ``training.train_batch`` over factory models (sorted runs)."""
    r0, m_total = sruns[0], len(sruns)
    x_tr, x_va, x_te = xs
    heads = make_heads(sruns, split, dtype, device)
    output = [(s, F.activation(k)) for s, k in slices([r.output for r in sruns])]
    gens = [generator(r.stream_seed) for r in sruns]
    params = [p for g in groups for p in g.params.values()]
    owners = [g.where for g in groups for _ in g.params]  # each stacked tensor's models
    names = [k for k in groups[0].params if k.endswith("weight")]  # biases are not penalized

    def weights() -> list[torch.Tensor]:
        """Every model's weights as (models, ...) tensors, one per parameter name."""
        return [torch.cat([g.params[k] for g in groups]) for k in names]

    opt = make_optimizer(r0.optimizer, params, r0.lr)
    penalty = None
    if r0.penalty is not None and r0.penalty_coef > 0:
        penalty = F.penalty(r0.penalty, r0.penalty_coef)

    def forward(x: torch.Tensor, shared: bool = False) -> torch.Tensor:
        raw = [g.forward(x if shared else x[g.where], shared) for g in groups]
        return apply_groups(output, torch.cat(raw) if len(raw) > 1 else raw[0])

    def evaluate(part: str, x: torch.Tensor) -> dict[str, Any]:
        for g in groups:
            g.mode(False)
        with torch.no_grad():
            h = forward(x, shared=True)
        for g in groups:
            g.mode(True)
        loss, metric = score(h, [getattr(hd, f"y_{part}") for hd in heads], heads, split.task)
        return {"loss": loss, "metric": metric, "out": h.double().cpu().numpy()}

    def grad_norm() -> torch.Tensor:
        total = torch.zeros(m_total, dtype=torch.float64, device=device)
        for g in groups:
            for p in g.params.values():
                if p.grad is not None:
                    total[g.where] += (
                        p.grad.detach().double().reshape(p.shape[0], -1).square().sum(1)
                    )
        return total.sqrt()

    n_train, bs, n_epochs = x_tr.shape[0], r0.batch_size, r0.epochs
    steps = math.ceil(n_train / bs)
    shape_e = (m_total, n_epochs)
    out: dict[str, Any] = {
        k: np.full(shape_e, np.nan) for k in ("train_loss", "val_loss", "val_metric")
    }
    for k in ("grad_norm", "dead_fraction", "mean_activation"):
        out[k] = np.full((*shape_e, 1), np.nan)
    diverged = np.zeros(m_total, dtype=np.int64)
    best_val = np.full(m_total, -np.inf)
    best = [p.detach().clone() for p in params]
    for epoch in range(n_epochs):
        perm = torch.stack([torch.randperm(n_train, generator=g) for g in gens]).to(device)
        loss_sum = torch.zeros(m_total, dtype=dtype, device=device)
        gn_sum = torch.zeros(m_total, dtype=torch.float64, device=device)
        for step in range(steps):
            if r0.lr_decay == "cosine":
                for pg in opt.param_groups:
                    pg["lr"] = cosine_lr(r0.lr, epoch * steps + step, n_epochs * steps)
            idx = perm[:, step * bs : (step + 1) * bs]
            h = forward(x_tr[idx])
            per = []
            for head in heads:
                li = head.loss(h[head.where], head.y_train[idx[head.where]])
                per.append(li.reshape(li.shape[0], -1).mean(dim=1))
            losses = torch.cat(per) if len(per) > 1 else per[0]
            objective = losses if penalty is None else losses + penalty(weights())
            opt.zero_grad(set_to_none=True)
            objective.sum().backward()
            with torch.no_grad():
                gn_sum += grad_norm()
                loss_sum += losses.detach() * (idx.shape[1] / n_train)
            opt.step()
        ev = evaluate("val", x_va)
        out["train_loss"][:, epoch] = loss_sum.double().cpu().numpy()
        out["val_loss"][:, epoch], out["val_metric"][:, epoch] = ev["loss"], ev["metric"]
        out["grad_norm"][:, epoch, 0] = (gn_sum / steps).cpu().numpy()
        vals = ev["out"]
        with np.errstate(invalid="ignore"):
            out["dead_fraction"][:, epoch, 0] = (vals == 0).all(axis=1).mean(axis=1)
            out["mean_activation"][:, epoch, 0] = vals.mean(axis=(1, 2))
        bad = ~(np.isfinite(out["train_loss"][:, epoch]) & np.isfinite(out["val_loss"][:, epoch]))
        diverged[(diverged == 0) & bad] = epoch + 1
        better = out["val_metric"][:, epoch] > best_val
        if better.any():
            best_val = np.where(better, out["val_metric"][:, epoch], best_val)
            keep = torch.as_tensor(better, device=device)
            best = [
                torch.where(keep[w].reshape(-1, *[1] * (p.ndim - 1)), p.detach(), b)
                for p, b, w in zip(params, best, owners, strict=True)
            ]
        if on_epoch is not None:
            on_epoch(epoch + 1, out["val_metric"][:, epoch].copy())
    te = evaluate("test", x_te)
    extra = extra_numbers(split.task, te["out"], [h.y_test for h in heads], heads, weights())
    final = [p.detach().clone() for p in params]
    with torch.no_grad():
        for p, b in zip(params, best, strict=True):
            p.copy_(b)
    te_best = evaluate("test", x_te)
    with torch.no_grad():
        for p, f in zip(params, final, strict=True):
            p.copy_(f)
    extra["test_metric_best_val"] = np.where(np.isfinite(best_val), te_best["metric"], np.nan)
    out.update(test_loss=te["loss"], test_metric=te["metric"], diverged_epoch=diverged)
    out["extra"] = extra
    return out
