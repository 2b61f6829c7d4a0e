"""Configuration: catalog names with parameters, TOML files, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import actloss as al
from actloss.lab import Config, ConfigError, from_mapping, load_toml
from actloss.lab.config import parse_fn, parse_pair
from actloss.lab.runs import batches, expand


def test_defaults_are_the_tutorial_experiment() -> None:
    cfg = Config()
    runs = expand(cfg)
    assert len(runs) == 30 and cfg.epochs == 50 and cfg.batch_size == 32
    assert {(r.loss[0], r.output[0]) for r in runs} == {
        ("binary_cross_entropy", "sigmoid"), ("hinge", "tanh"), ("mse", "sigmoid")}  # fmt: skip
    assert {r.lr for r in runs} == {1e-3} and {r.optimizer for r in runs} == {"adam"}
    assert len(batches(runs, 1000)) == 1  # one batched ensemble
    assert len({r.run_id for r in runs}) == 30


def test_function_specs_resolve_aliases_and_params() -> None:
    assert parse_fn("leaky_relu(negative_slope=0.2)") == ("leaky_relu", (("negative_slope", 0.2),))
    assert parse_fn({"name": "elu", "alpha": 0.5}) == ("elu", (("alpha", 0.5),))
    bce = al.get("bce").name
    assert parse_pair("bce:logistic") == ((bce, ()), ("sigmoid", ()))


@pytest.mark.parametrize(
    ("text", "match"),
    [("relu(1)", "by name"), ("nosuchfn", "unknown function"), ("elu(alhpa=1)", "alpha"),
     ("elu(alpha=)", "cannot read")],
)  # fmt: skip
def test_bad_function_specs(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_fn(text)


@pytest.mark.parametrize(
    ("data", "match"),
    [({"epochs": 0}, "epochs"), ({"datasets": ["mnist"]}, "datasets"),
     ({"optimizer": "adamm"}, "optimizer"), ({"pairs": ["hinge"]}, "LOSS:OUTPUT"),
     ({"epoch": 3}, "did you mean 'epochs'")],
)  # fmt: skip
def test_bad_configs(data: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        from_mapping(data)


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "sweep.toml"
    path.write_text(
        '[compare]\nhidden = ["relu", {name = "leaky_relu", negative_slope = 0.1}]\n'
        'pairs = ["cross_entropy:identity"]\ndatasets = ["digits"]\nlrs = [1e-3, 1e-2]\n'
        "seeds = 3\nwidths = [32]\n"
    )
    cfg = load_toml(path)
    assert cfg.hidden[1] == ("leaky_relu", (("negative_slope", 0.1),))
    assert cfg.seeds == (0, 1, 2) and cfg.lrs == (1e-3, 1e-2) and cfg.widths == (32,)
    runs = expand(cfg)
    assert len(runs) == 2 * 2 * 3 and len(batches(runs, 1000)) == 2  # one batch per lr
    path.write_text("epochs = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_toml(path)


def test_run_id_depends_on_everything_but_nothing_else() -> None:
    a, b = expand(Config(seeds=(0,))), expand(Config(seeds=(0,)))
    assert [r.run_id for r in a] == [r.run_id for r in b]
    c = expand(Config(seeds=(0,), epochs=49))
    assert not {r.run_id for r in a} & {r.run_id for r in c}


def test_multiclass_losses_need_a_multiclass_dataset() -> None:
    with pytest.raises(ConfigError, match="multi-class loss"):
        from_mapping({"pairs": ["cross_entropy:identity"]})
    from_mapping({"pairs": ["cross_entropy:identity"], "dataset": "digits"})
    from_mapping({"pairs": ["hinge:tanh"], "dataset": "digits"})  # one-vs-rest stays allowed
    from_mapping({"pairs": ["cross_entropy:identity"], "dataset": "multilabel"})  # soft targets
