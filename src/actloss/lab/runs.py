"""Runs: the configuration expanded into one record per trained model, and batches of them.

A run is identified by a hash of everything that determines its numbers (its
full configuration and the actloss version), so a results store can tell a
finished run from a new one. Runs that share an architecture shape, dataset,
optimizer, learning rate and schedule form one batch, trained as one batched
ensemble; functions and seeds may differ inside a batch.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

from .config import Config, FnSpec, fn_label
from .data import default_target, task_of


@dataclass(frozen=True)
class Run:
    """One model to train: every field that influences its numbers."""

    dataset: str
    n_samples: int | None
    data_seed: int
    test_size: float
    validation_split: float
    widths: tuple[int, ...]
    hidden: FnSpec
    loss: FnSpec
    output: FnSpec
    optimizer: str
    lr: float
    epochs: int
    batch_size: int
    penalty: str | None
    penalty_coef: float
    init: str
    dtype: str
    target: float
    seed: int
    # optional settings; left out of the hash while None, so earlier runs keep their ids
    lr_decay: str | None = None
    outlier_fraction: float | None = None
    minority_fraction: float | None = None
    split: int | None = None  # the data replicate; None: the single split of data_seed
    resample: str | None = None  # "split" or "redraw" (data.RESAMPLES) when split is set
    model: str | None = None  # a model factory (models.identity: name and source hash); None: MLP

    @property
    def stream_seed(self) -> int:
        """The seed of the run's random stream (initial weights, then batch order): ``seed``
        on the single split; with data replicates a seed derived from (seed, split), so seed k
        of one split does not start from seed k's weights of another (paired within a split:
        every combination of a split gets the same stream for seed k)."""
        if self.split is None:
            return self.seed
        from .data import split_seed

        return split_seed(self.seed, 1_000_003 + self.split)

    @property
    def task(self) -> str:
        return task_of(self.dataset)

    @cached_property
    def run_id(self) -> str:
        """sha256 of the canonical JSON of the run and the actloss version (20 hex digits)."""
        from actloss import __version__

        blob = json.dumps({"run": self.to_dict(), "actloss": __version__}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:20]

    @property
    def combination(self) -> str:
        """The label shared by the seeds of one combination (everything but the seed)."""
        return f"{fn_label(self.hidden)} | {fn_label(self.loss)} + {fn_label(self.output)}"

    @property
    def batch_key(self) -> tuple[Any, ...]:
        """Runs with equal keys can be trained as one batched ensemble."""
        return (
            self.dataset,
            self.n_samples,
            self.data_seed,
            self.test_size,
            self.validation_split,
            self.widths,
            self.optimizer,
            self.lr,
            self.epochs,
            self.batch_size,
            self.penalty,
            self.penalty_coef,
            self.init,
            self.dtype,
            self.lr_decay,
            self.outlier_fraction,
            self.minority_fraction,
            self.split,
            self.resample,
            self.model,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("hidden", "loss", "output"):
            name, params = getattr(self, key)
            d[key] = {"name": name, "params": {k: _plain(v) for k, v in params}}
        d["widths"] = list(self.widths)
        for key in _OPTIONAL:
            if d[key] is None:
                del d[key]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Run:
        kw = dict(d)
        for key in ("hidden", "loss", "output"):
            kw[key] = (d[key]["name"], tuple(sorted(d[key]["params"].items())))
        kw["widths"] = tuple(d["widths"])
        return cls(**kw)


_OPTIONAL = ("lr_decay", "outlier_fraction", "minority_fraction", "split", "resample", "model")


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def expand(cfg: Config) -> list[Run]:
    """Every (dataset, hidden, pair, lr, split, seed) combination, in that nesting order.

    ``cfg.splits == 1``: one split, ``split=None`` (runs and run ids as before data
    replicates existed); else splits 0 .. N-1, each with every seed.
    """
    from .config import check_tasks
    from .data import resample_of

    check_tasks(cfg)
    out = []
    splits: tuple[int | None, ...] = (None,) if cfg.splits == 1 else tuple(range(cfg.splits))
    for dataset, hidden, (loss, output), lr, split, seed in itertools.product(
        cfg.datasets, cfg.hidden, cfg.pairs, cfg.lrs, splits, cfg.seeds
    ):
        target = cfg.target if cfg.target is not None else default_target(task_of(dataset))
        out.append(
            Run(
                dataset=dataset,
                n_samples=cfg.n_samples,
                data_seed=cfg.data_seed,
                test_size=cfg.test_size,
                validation_split=cfg.validation_split,
                widths=tuple(cfg.widths),
                hidden=hidden,
                loss=loss,
                output=output,
                optimizer=cfg.optimizer.lower(),
                lr=float(lr),
                epochs=cfg.epochs,
                batch_size=cfg.batch_size,
                penalty=cfg.penalty,
                penalty_coef=float(cfg.penalty_coef),
                init=cfg.init,
                dtype=cfg.dtype,
                target=float(target),
                seed=int(seed),
                lr_decay=cfg.lr_decay,
                outlier_fraction=cfg.outlier_fraction,
                minority_fraction=cfg.minority_fraction,
                split=split,
                resample=None if split is None else resample_of(dataset, cfg.resample),
            )
        )
    return out


def batches(runs: Iterable[Run], max_models: int) -> list[list[Run]]:
    """Group runs by ``batch_key`` (first-seen order), each group cut into chunks."""
    groups: dict[tuple[Any, ...], list[Run]] = {}
    for r in runs:
        groups.setdefault(r.batch_key, []).append(r)
    out = []
    for members in groups.values():
        for i in range(0, len(members), max_models):
            out.append(members[i : i + max_models])
    return out


def labels(runs: Sequence[Run]) -> dict[str, str]:
    """run_id -> combination label, naming only what varies (hidden, pair, lr, dataset)."""
    multi_hidden = len({r.hidden for r in runs}) > 1
    multi_pair = len({(r.loss, r.output) for r in runs}) > 1 or not multi_hidden
    multi_lr = len({r.lr for r in runs}) > 1
    multi_ds = len({r.dataset for r in runs}) > 1
    out = {}
    for r in runs:
        parts = []
        if multi_ds:
            parts.append(f"{r.dataset}:")
        if multi_hidden:
            parts.append(fn_label(r.hidden))
        if multi_hidden and multi_pair:
            parts.append("|")
        if multi_pair:
            parts.append(f"{fn_label(r.loss)} + {fn_label(r.output)}")
        if multi_lr:
            parts.append(f"lr={r.lr:g}")
        out[r.run_id] = " ".join(parts)
    return out
