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
        ("binary_cross_entropy", "sigmoid"),
        ("hinge", "tanh"),
        ("mse", "sigmoid"),
    }
    assert {r.lr for r in runs} == {1e-3} and {r.optimizer for r in runs} == {"adam"}
    # 5 data splits x 2 seeds per combination: one batched ensemble per split
    assert {r.split for r in runs} == set(range(5)) and {r.seed for r in runs} == {0, 1}
    assert len(batches(runs, 1000)) == 5
    assert len({r.run_id for r in runs}) == 30


def test_function_specs_resolve_aliases_and_params() -> None:
    assert parse_fn("leaky_relu(negative_slope=0.2)") == ("leaky_relu", (("negative_slope", 0.2),))
    assert parse_fn({"name": "elu", "alpha": 0.5}) == ("elu", (("alpha", 0.5),))
    bce = al.get("bce").name
    assert parse_pair("bce:logistic") == ((bce, ()), ("sigmoid", ()))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("relu(1)", "by name"),
        ("nosuchfn", "unknown function"),
        ("elu(alhpa=1)", "alpha"),
        ("elu(alpha=)", "cannot read"),
    ],
)
def test_bad_function_specs(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_fn(text)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"epochs": 0}, "epochs"),
        ({"datasets": ["mnist"]}, "datasets"),
        ({"optimizer": "adamm"}, "optimizer"),
        ({"pairs": ["hinge"]}, "LOSS:OUTPUT"),
        ({"epoch": 3}, "did you mean 'epochs'"),
    ],
)
def test_bad_configs(data: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        from_mapping(data)


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "sweep.toml"
    path.write_text(
        '[compare]\nhidden = ["relu", {name = "leaky_relu", negative_slope = 0.1}]\n'
        'pairs = ["cross_entropy:identity"]\ndatasets = ["digits"]\nlrs = [1e-3, 1e-2]\n'
        "seeds = 3\nwidths = [32]\nsplits = 1\n"
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
    # checked when the runs are expanded (a user's data given to compare replaces datasets)
    with pytest.raises(ConfigError, match="multi-class loss"):
        expand(from_mapping({"pairs": ["cross_entropy:identity"]}))
    expand(from_mapping({"pairs": ["cross_entropy:identity"], "dataset": "digits"}))
    expand(from_mapping({"pairs": ["hinge:tanh"], "dataset": "digits"}))  # one-vs-rest allowed
    expand(from_mapping({"pairs": ["cross_entropy:identity"], "dataset": "multilabel"}))


# Issue 13, items 13 and 16: every field is checked (type and range) before anything trains,
# and the error names the field. Each case below was misread or failed later without a name.
WRONG_VALUES = [
    ({"target": float("nan")}, "target"),
    ({"target": float("inf")}, "target"),
    ({"target": "x"}, "target"),
    ({"seeds": "4"}, "seeds"),
    ({"seeds": [1.5, 2.5]}, "seeds"),
    ({"seeds": ["a"]}, "seeds"),
    ({"seeds": 0}, "seeds"),
    ({"seeds": [True]}, "seeds"),
    ({"lr": "1e-3"}, "lrs"),
    ({"lrs": [float("inf")]}, "lrs"),
    ({"lrs": [1e308]}, "lrs"),
    ({"lrs": []}, "lrs"),
    ({"test_size": "0.2"}, "test_size"),
    ({"validation_split": 1.0}, "validation_split"),
    ({"penalty_coef": "0.1"}, "penalty_coef"),
    ({"penalty_coef": float("nan")}, "penalty_coef"),
    ({"n_samples": "100"}, "n_samples"),
    ({"n_samples": 100.0}, "n_samples"),
    ({"epochs": True}, "epochs"),
    ({"epochs": 2.0}, "epochs"),
    ({"batch_size": "32"}, "batch_size"),
    ({"max_models": 1.5}, "max_models"),
    ({"widths": [64, 0]}, "widths"),
    ({"widths": ["64"]}, "widths"),
    ({"data_seed": -1}, "data_seed"),
    ({"pairs": ["mse:mse"]}, "pairs"),
    ({"pairs": ["relu:sigmoid"]}, "pairs"),
    ({"pairs": ["l2_penalty:sigmoid"]}, "weight penalty"),
    ({"hidden": ["mse"]}, "hidden"),
    ({"optimizer": "lbfgs"}, "optimizer"),
    ({"optimizer": "sparseadam"}, "optimizer"),
    ({"optimizer": 3}, "optimizer"),
    ({"init": "zeros"}, "init"),
    ({"penalty": 2}, "penalty"),
    ({"outlier_fraction": "0.1"}, "outlier_fraction"),
    ({"minority_fraction": 0.9}, "minority_fraction"),
]


@pytest.mark.parametrize(("data", "field"), WRONG_VALUES, ids=[str(d) for d, _ in WRONG_VALUES])
def test_every_field_is_validated_with_its_name(data: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        from_mapping(data)


def test_python_callers_get_the_same_checks() -> None:
    with pytest.raises(ConfigError, match="target"):
        Config(target=float("nan"))
    cfg = Config(seeds=range(3), lrs=[1e-3], widths=[])  # ranges and lists become tuples
    assert cfg.seeds == (0, 1, 2) and cfg.lrs == (1e-3,) and cfg.widths == ()
    assert from_mapping({"seeds": 4}).seeds == (0, 1, 2, 3)  # a count
    assert from_mapping({"optimizer": "AdamW"}).optimizer == "AdamW"


def test_toml_values_of_the_wrong_type_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    for text, field in (
        ('seeds = "4"', "seeds"),
        ("epochs = true", "epochs"),
        ('lr = "0.01"', "lrs"),
        ("target = nan", "target"),
    ):
        path.write_text(text + "\n")
        with pytest.raises(ConfigError, match=field):
            load_toml(path)
