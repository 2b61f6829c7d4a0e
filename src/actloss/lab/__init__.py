"""The lab: compare activations and losses by training many small networks at once.

A pipeline, one module per step: ``config`` (what to train) -> ``runs`` (one
record per model, hashed) -> ``training`` (batched ensembles on PyTorch, with
actloss's own functions through ``actloss.torch``) -> ``store`` (SQLite) ->
``stats`` (means, t-intervals, paired tests) -> ``report`` (table, plots, atlas).
``executors`` chooses where batches train; ``tune`` searches with Optuna.

>>> from actloss import lab                                   # doctest: +SKIP
>>> out = lab.compare(lab.Config(seeds=range(5)), "results")  # doctest: +SKIP
>>> lab.results("results").groupby("loss").test_metric.mean()  # doctest: +SKIP

Atlas hook: ``lab.atlas_section(folder)`` returns the ``actloss.atlas.Section``
with the latest comparison in ``folder`` (None if there is none).

Requires the ``lab`` extra (torch, scikit-learn, scipy, optuna, rich, matplotlib).
"""

from __future__ import annotations

from .config import Config, ConfigError, from_mapping, load_toml
from .pipeline import Outcome, analyse, compare, results, run
from .report import atlas_section
from .store import Store

__all__ = [
    "Config",
    "ConfigError",
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
