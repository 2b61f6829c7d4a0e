"""The lab: compare activations and losses by training many small networks at once.

A pipeline, one module per step: ``config`` (what to train) -> ``runs`` (one
record per model, hashed) -> ``training`` (batched ensembles on PyTorch, with
actloss's own functions through ``actloss.torch``) -> ``store`` (SQLite) ->
``stats`` (means, t-intervals, paired tests) -> ``report`` (table, plots, atlas).
``executors`` chooses where batches train; ``tune`` searches with Optuna.
``userdata`` reads a user's data (``Data``, CSV/Parquet/.npz) and ``models`` trains a user's
model factory as one ``torch.func`` ensemble.

>>> from actloss import lab                                   # doctest: +SKIP
>>> out = lab.compare(lab.Config(seeds=range(5)), "results")  # doctest: +SKIP
>>> lab.results("results").groupby("loss").test_metric.mean()  # doctest: +SKIP

Atlas hook: ``lab.atlas_section(folder)`` returns the ``actloss.atlas.Section``
with the latest comparison in ``folder`` (None if there is none).

Requires the ``lab`` extra (torch, scikit-learn, scipy, optuna, rich, matplotlib).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config, ConfigError, from_mapping, load_toml
    from .pipeline import Outcome, analyse, compare, results, run
    from .report import atlas_section
    from .store import Store
    from .userdata import Data, DataError

# name -> module: imported on first use, so ``actloss.lab.store`` (the default results folder,
# read by the CLI) does not import torch
_WHERE = {
    "Config": "config",
    "ConfigError": "config",
    "from_mapping": "config",
    "load_toml": "config",
    "Outcome": "pipeline",
    "analyse": "pipeline",
    "compare": "pipeline",
    "results": "pipeline",
    "run": "pipeline",
    "atlas_section": "report",
    "Store": "store",
    "Data": "userdata",
    "DataError": "userdata",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'actloss.lab' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


__all__ = [
    "Config",
    "ConfigError",
    "Data",
    "DataError",
    "Outcome",
    "Store",
    "analyse",
    "atlas_section",
    "compare",
    "from_mapping",
    "load_toml",
    "results",
    "run",
]
