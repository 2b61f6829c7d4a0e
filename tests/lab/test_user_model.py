"""The lab on a user's model (issue 17, items 2 and 3, and its bad inputs).

The batched ensemble (``torch.func.vmap`` over stacked parameters) against the same models
trained one at a time; models vmap cannot run fall back with a note; a factory that raises,
returns no module, the wrong output size or NaN fails (or diverges) its runs only, with the
reason, and nothing stored before is lost; the device option on the CPU.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from actloss.lab import Config, Store, compare, report
from actloss.lab.executors import ray_gpus
from actloss.lab.models import FactoryError, digits_cnn, identity, load_factory, train_models
from actloss.lab.runs import expand
from actloss.lab.training import check_device, resolve_device
from actloss.lab.userdata import Data, configure


def cnn(activation: nn.Module, n_inputs: int, n_outputs: int) -> nn.Module:
    """The docs' small CNN for scikit-learn's 8x8 digits (the 64 features as an image)."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 4, 3, padding=1),
        activation,
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 16),
        activation,
        nn.Linear(16, n_outputs),
    )


def with_batch_norm(activation: nn.Module, n_inputs: int, n_outputs: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(n_inputs, 8), nn.BatchNorm1d(8), activation, nn.Linear(8, n_outputs)
    )


class Branchy(nn.Module):
    """Data-dependent control flow: a Python ``if`` on a tensor's value."""

    def __init__(self, activation: nn.Module, n_inputs: int, n_outputs: int) -> None:
        super().__init__()
        self.a, self.b, self.act = nn.Linear(n_inputs, 8), nn.Linear(8, n_outputs), activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(self.a(x))
        if h.sum() > 0:
            h = h * 0.5
        return self.b(h)


def digits(n: int = 120) -> Data:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return Data(x[:n], y[:n], name="digits120")


def tiny(**kw: object) -> Config:
    base: dict[str, object] = {
        "hidden": ["relu", "gelu", "silu"],
        "pairs": ["cross_entropy:identity"],
        "seeds": (0, 1),
        "splits": 1,
        "epochs": 2,
        "dtype": "float64",
    }
    base.update(kw)
    return Config(**base)  # type: ignore[arg-type]


def runs_of(factory: object, cfg: Config | None = None) -> list:  # type: ignore[type-arg]
    cfg = configure(cfg or tiny(), digits())
    return [replace(r, model=identity(factory)) for r in expand(cfg)]  # type: ignore[arg-type]


FIELDS = ("train_loss", "val_loss", "val_metric", "grad_norm", "test_loss", "test_metric")


def assert_same(batched: object, alone: list) -> None:  # type: ignore[type-arg]
    for name in FIELDS:
        mine = getattr(batched, name)
        ref = np.concatenate([getattr(a, name) for a in alone])
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-12, err_msg=name)
    for key, values in batched.extra.items():  # type: ignore[attr-defined]
        ref = np.concatenate([a.extra[key] for a in alone])
        np.testing.assert_allclose(values, ref, rtol=1e-9, atol=1e-12, err_msg=key)


def test_batched_cnn_ensemble_equals_the_models_trained_one_at_a_time() -> None:
    # trained sorted by activation (gelu, relu, silu), given relu, silu, gelu: a 3-cycle,
    # so results in the wrong order cannot pass
    runs = runs_of(cnn, tiny(hidden=["relu", "silu", "gelu"]))
    batched = train_models(runs, cnn)
    assert batched.notes == [] and batched.failed == {}  # vmap really ran
    assert batched.run_ids == [r.run_id for r in runs]
    alone = [train_models([r], cnn, batched=False) for r in runs]
    assert_same(batched, alone)
    # the seeds differ, the activations differ: no two models end equal
    assert len({round(float(v), 12) for v in batched.train_loss[:, -1]}) == len(runs)


@pytest.mark.parametrize(
    ("factory", "why"),
    [
        (with_batch_norm, "batch norm in training mode (1) updates its running statistics"),
        (Branchy, "torch.func.vmap cannot run it"),
    ],
)
def test_models_vmap_cannot_run_train_one_at_a_time_with_a_note(factory: object, why: str) -> None:
    runs = runs_of(factory, tiny(hidden=["relu"]))
    res = train_models(runs, factory)  # type: ignore[arg-type]
    assert len(res.notes) == 1 and why in res.notes[0] and "one at a time" in res.notes[0]
    alone = [train_models([r], factory, batched=False) for r in runs]  # type: ignore[arg-type]
    assert_same(res, alone)
    assert np.all(np.isfinite(res.test_metric))


def test_the_docs_cnn_comparison_relu_gelu_silu_with_5_seeds(tmp_path: Path) -> None:
    """The docs' example at test size: 120 digits, 2 epochs (the docs run the full set)."""
    cfg = tiny(seeds=tuple(range(5)), dtype="float32")
    out = compare(cfg, tmp_path, data=digits(), model=digits_cnn, device="cpu")
    assert {r.label for r in out.rows} == {"relu", "gelu", "silu"}
    assert all(r.n == 5 for r in out.rows) and out.trained == 15
    assert not out.failed and not out.notes and len(out.tests) == 3
    assert out.plot is not None and out.plot.stat().st_size > 1000
    assert compare(cfg, tmp_path, data=digits(), model=digits_cnn).trained == 0


# ----------------------------------------------------------------------- bad factories
def raises(activation: nn.Module, n_inputs: int, n_outputs: int) -> nn.Module:
    raise RuntimeError("no such layer")


def not_a_module(activation: nn.Module, n_inputs: int, n_outputs: int) -> object:
    return lambda x: x


def wrong_size(activation: nn.Module, n_inputs: int, n_outputs: int) -> nn.Module:
    return nn.Linear(n_inputs, n_outputs + 1)


class NaNOut(nn.Module):
    def __init__(self, activation: nn.Module, n_inputs: int, n_outputs: int) -> None:
        super().__init__()
        self.lin = nn.Linear(n_inputs, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x) * torch.nan


def fails_for_gelu(activation: nn.Module, n_inputs: int, n_outputs: int) -> nn.Module:
    if "gelu" in type(activation).__name__.lower():
        raise ValueError("gelu not supported here")
    return cnn(activation, n_inputs, n_outputs)


@pytest.mark.parametrize(
    ("factory", "reason"),
    [
        (raises, "the model factory raised RuntimeError: no such layer"),
        (not_a_module, "the model factory returned a function, not a torch.nn.Module"),
        (wrong_size, "the model returns (2, 11) for 2 samples; expected (2, 10) raw outputs"),
    ],
)
def test_a_failing_factory_fails_its_runs_with_the_reason_and_loses_nothing(
    tmp_path: Path, factory: object, reason: str
) -> None:
    first = compare(tiny(hidden=["relu"]), tmp_path, data=digits(), model=cnn, plot=False)
    assert first.trained == 2
    store = tmp_path / "actloss-results.sqlite"
    with sqlite3.connect(store) as con:
        before = con.execute("SELECT * FROM runs ORDER BY run_id").fetchall()
    out = compare(tiny(), tmp_path, data=digits(), model=factory, plot=False)  # type: ignore[arg-type]
    (why,) = set(out.failed.values())
    assert why.startswith(reason) and len(out.failed) == 6 and out.trained == 0
    assert out.failure_summary() == f"6 of 6 runs failed: {why} (6)"
    assert any(why in w for w in out.warnings)
    summary = json.loads((tmp_path / report.SUMMARY_FILE).read_text())
    assert {f["reason"] for f in summary["failed"]} == {why}
    with sqlite3.connect(store) as con:  # the earlier runs are there as they were, no others
        assert con.execute("SELECT * FROM runs ORDER BY run_id").fetchall() == before
    assert Store(tmp_path).failures() == out.failed  # recorded with the reason, not finished
    again = compare(tiny(), tmp_path, data=digits(), model=factory, plot=False)  # type: ignore[arg-type]
    assert again.failed == out.failed and again.trained == 0  # tried again, failed again


def test_a_store_from_before_the_failures_table_is_read_and_written(tmp_path: Path) -> None:
    compare(tiny(hidden=["relu"]), tmp_path, data=digits(), model=cnn, plot=False)
    with sqlite3.connect(tmp_path / "actloss-results.sqlite") as con:
        con.execute("DROP TABLE failures")
    assert Store(tmp_path).failures() == {} and len(Store(tmp_path).runs()) == 2
    out = compare(tiny(), tmp_path, data=digits(), model=fails_for_gelu, plot=False)
    assert len(Store(tmp_path).failures()) == 2 == len(out.failed)


def test_one_activation_failing_leaves_the_others_training(tmp_path: Path) -> None:
    out = compare(tiny(), tmp_path, data=digits(), model=fails_for_gelu, plot=False)
    assert len(out.failed) == 2 and out.trained == 4
    assert {r.label for r in out.rows} == {"relu", "silu"}
    assert "2 of 6 runs failed: the model factory raised ValueError" in str(out.failure_summary())


def test_a_model_that_produces_nan_is_recorded_as_diverged(tmp_path: Path) -> None:
    out = compare(tiny(hidden=["relu"]), tmp_path, data=digits(), model=NaNOut, plot=False)
    assert not out.failed
    with sqlite3.connect(tmp_path / "actloss-results.sqlite") as con:
        rows = con.execute("SELECT status, diverged_epoch FROM runs").fetchall()
    assert rows == [("diverged", 1), ("diverged", 1)]
    assert all(r.diverged == 2 for r in out.rows)


# --------------------------------------------------------------------- --model, device
def test_cli_model_option_imports_module_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from actloss.cli import app

    (tmp_path / "h17_nets.py").write_text(
        "from torch import nn\n\n"
        "def mlp(activation, n_inputs, n_outputs):\n"
        "    return nn.Sequential(nn.Linear(n_inputs, 8), activation, nn.Linear(8, n_outputs))\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "h17_nets", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    args = ["compare", "--dataset", "moons", "--epochs", "2", "--seeds", "2", "--splits", "1"]
    res = CliRunner().invoke(
        app, [*args, "--model", "h17_nets:mlp", "--out", "r", "--jsonl", "--device", "cpu"]
    )
    assert res.exit_code == 0, res.stderr
    summary = json.loads(res.stdout.splitlines()[-1])
    assert summary["trained"] == 6 and summary["failed"] == {}
    for ref, message in [
        ("h17_nets", "must be package.module:function"),
        ("h17_nets:nope", "has no 'nope'"),
        ("no_such_module_h17:f", "cannot import 'no_such_module_h17'"),
    ]:
        res = CliRunner().invoke(app, [*args, "--model", ref])
        assert res.exit_code == 2 and message in res.stderr, res.stderr
    with pytest.raises(FactoryError, match="is a int, not a function"):
        (tmp_path / "h17_consts.py").write_text("X = 3\n")
        load_factory("h17_consts:X")


def test_identity_changes_with_the_factory_source() -> None:
    assert identity(cnn) == identity(cnn)
    assert identity(cnn).startswith(f"{__name__}:cnn#")
    assert identity(cnn) != identity(with_batch_norm)


def test_device_option_on_the_cpu() -> None:
    assert check_device("cuda:1") == "cuda:1"
    for bad in ("tpu", "cpu:0", "cuda:x"):
        with pytest.raises(ValueError, match="device must be one of auto, cpu, cuda"):
            check_device(bad)
    assert resolve_device("cpu") == torch.device("cpu")
    want = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == want
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch sees no CUDA GPU"):
            resolve_device("cuda")
        with pytest.raises(ValueError, match="torch sees no CUDA GPU"):
            compare(tiny(), "unused-folder", data=digits(), device="cuda")
    # Ray tasks ask for a GPU for cuda, and for auto when the cluster has one
    assert [ray_gpus(d, 0) for d in ("cpu", "auto", "cuda")] == [0, 0, 1]
    assert [ray_gpus(d, 2) for d in ("cpu", "auto", "cuda:1")] == [0, 1, 1]


def test_process_workers_need_an_importable_factory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="module-level function"):
        compare(
            tiny(),
            tmp_path,
            data=digits(),
            model=lambda a, i, o: cnn(a, i, o),
            jobs=2,
            executor="process",
        )


@pytest.mark.slow  # about 40 s each on 2 cores: worker start-up (torch, scikit-learn, Ray)
@pytest.mark.parametrize("executor", ["process", "ray"])
def test_workers_get_the_data_the_factory_and_the_device(tmp_path: Path, executor: str) -> None:
    """Process and Ray workers register the user's data, build the factory's models on the
    device asked for, and give the numbers of the in-process run (2 batches: 2 splits)."""
    if executor == "ray":
        ray = pytest.importorskip("ray")
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    cfg = tiny(hidden=["relu", "gelu"], splits=2, epochs=1)
    kw = {"data": digits(), "model": digits_cnn, "device": "cpu", "plot": False}
    try:
        there = compare(cfg, tmp_path / executor, executor=executor, jobs=2, **kw)
    finally:
        if executor == "ray":
            ray.shutdown()
    here = compare(cfg, tmp_path / "inprocess", **kw)
    assert there.trained == here.trained == 8 and not there.failed
    with (
        sqlite3.connect(tmp_path / executor / "actloss-results.sqlite") as a,
        sqlite3.connect(tmp_path / "inprocess" / "actloss-results.sqlite") as b,
    ):
        query = "SELECT run_id, test_metric, test_loss FROM runs ORDER BY run_id"
        got, want = a.execute(query).fetchall(), b.execute(query).fetchall()
    assert [g[0] for g in got] == [w[0] for w in want]
    np.testing.assert_allclose([g[1:] for g in got], [w[1:] for w in want], rtol=1e-12)
