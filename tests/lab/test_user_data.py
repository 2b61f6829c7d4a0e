"""The lab on a user's data (issue 17, item 1): arrays, DataFrames, CSV, Parquet and .npz.

Each bad input gets one line naming the column before anything trains; the split and the
standardization are the built-in datasets' (checked by feeding the digits arrays as user
data); the run ids carry the data's content hash.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from typer.testing import CliRunner  # noqa: E402

from actloss.cli import app  # noqa: E402
from actloss.lab import Config, compare  # noqa: E402
from actloss.lab import data as D  # noqa: E402
from actloss.lab.config import parse_pair  # noqa: E402
from actloss.lab.runs import expand  # noqa: E402
from actloss.lab.userdata import TASK_PAIRS, Data, DataError, configure, read  # noqa: E402

TINY = {"epochs": 2, "seeds": (0, 1), "splits": 1, "widths": (8,)}


def wine_frame() -> object:
    from sklearn.datasets import load_wine

    return load_wine(as_frame=True).frame  # 13 numeric features, "target" 0/1/2


def xy(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), rng.normal(size=n)


# ------------------------------------------------------------------ the task, inferred
INFERRED = [
    ("0/1 integers", np.tile([0, 1], 20), "binary", (0, 1)),
    ("-1/+1 labels", np.tile([-1, 1], 20), "binary", (-1, 1)),
    ("two strings", np.tile(["no", "yes"], 20), "binary", ("no", "yes")),
    ("booleans", np.tile([False, True], 20), "binary", (False, True)),
    ("5 integer classes", np.arange(40) % 5, "multiclass", (0, 1, 2, 3, 4)),
    ("3 strings", np.array(["a", "b", "c", "a"] * 10), "multiclass", ("a", "b", "c")),
    ("fractions", np.linspace(0, 1, 40), "regression", ()),
    ("40 distinct integers", np.arange(40), "regression", ()),
    ("0/1 columns", np.tile([[0, 1, 1], [1, 0, 1]], (20, 1)), "multilabel", ()),
]


@pytest.mark.parametrize(("case", "y", "task", "classes"), INFERRED, ids=[c[0] for c in INFERRED])
def test_the_task_is_inferred_from_the_target_and_said_how(
    case: str, y: np.ndarray, task: str, classes: tuple[object, ...]
) -> None:
    d = Data(xy()[0], y)
    assert d.task == task and d.classes == classes
    assert d.how.startswith("inferred")
    if task in ("binary", "multiclass"):  # labels 0 .. C-1 in the sorted order of the classes
        assert set(np.unique(d.y)) == set(range(len(classes)))
    assert Data(xy()[0], y, task=task).how == "given"


def test_a_dataframe_with_the_target_column_named() -> None:
    frame = wine_frame()
    d = Data(frame, "target", name="wine")
    assert d.x.shape == (178, 13) and d.task == "multiclass" and d.target == "target"
    assert np.array_equal(d.x, frame.drop(columns="target").to_numpy(float))
    assert d.name == f"wine@{d.digest}"


# ------------------------------------------------------------------ errors, one line each
def _frame_with(**columns: object) -> object:
    frame = wine_frame()
    for k, v in columns.items():
        frame[k] = v
    return frame


def _with_nan() -> object:
    frame = wine_frame()
    frame.loc[7, "ash"] = np.nan
    return frame


BAD = [
    ("text column", lambda: Data(_frame_with(city="Oslo"), "target"), "feature column 'city'"),
    (
        "categorical column",
        lambda: Data(_frame_with(kind=pd.Categorical(["a", "b"] * 89)), "target"),
        "feature column 'kind' is not numeric (categorical",
    ),
    ("missing feature", lambda: Data(_with_nan(), "target"), "'ash' has missing values in 1"),
    (
        "missing target",
        lambda: Data(xy()[0], np.r_[np.nan, np.ones(39)]),
        "target column 'y' has missing values",
    ),
    (
        "no such target",
        lambda: Data(wine_frame(), "targt"),
        "'targt' is not in data (columns: alcohol",
    ),
    ("single class", lambda: Data(xy()[0], np.ones(40, int)), "has a single class (1)"),
    (
        "binary with 3 classes",
        lambda: Data(xy()[0], np.arange(40) % 3, task="binary"),
        "task binary needs 2 classes",
    ),
    ("text as regression", lambda: Data(xy()[0], ["a"] * 40, task="regression"), "numeric target"),
    ("unknown task", lambda: Data(*xy(), task="ranking"), "task must be one of binary"),
    ("text array", lambda: Data(np.full((40, 2), "x"), xy()[1]), "X must be numeric"),
    ("rows differ", lambda: Data(xy()[0], np.ones(39)), "target 'y' has 39 rows, X has 40"),
]


@pytest.mark.parametrize(("case", "make", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_data_is_one_line_naming_the_column(case: str, make: object, message: str) -> None:
    with pytest.raises(DataError) as info:
        make()  # type: ignore[operator]
    assert message in str(info.value) and "\n" not in str(info.value)


def test_files_missing_empty_unreadable_or_wrong(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("a,b\n")
    (tmp_path / "junk.parquet").write_text("not parquet")
    (tmp_path / "junk.npz").write_text("not a zip")
    (tmp_path / "data.txt").write_text("a,b\n1,2\n")
    np.savez(tmp_path / "noy.npz", X=np.ones((20, 2)))
    cases = {
        "missing.csv": "does not exist",
        "empty.csv": "is empty",
        "header.csv": "has no rows",
        "junk.parquet": "cannot read data file",
        "junk.npz": "cannot read data file",
        "data.txt": "expected a .csv, .parquet or .npz file",
        "noy.npz": "has no array 'y' (it has: X)",
    }
    for name, message in cases.items():
        with pytest.raises(DataError) as info:
            read(tmp_path / name, None if name.endswith(".npz") else "a")
        text = str(info.value)
        assert message in text and name in text and "\n" not in text, text
    with pytest.raises(DataError, match="give the target column"):
        read(tmp_path / "header.csv")


def test_csv_parquet_and_npz_give_the_arrays_and_hash_of_the_frame(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = wine_frame()
    frame.to_csv(tmp_path / "wine.csv", index=False)
    frame.to_parquet(tmp_path / "wine.parquet")
    x, y = frame.drop(columns="target").to_numpy(float), frame["target"].to_numpy()
    np.savez(tmp_path / "wine.npz", X=x, y=y)
    digests = {Data(frame, "target").digest}
    for name in ("wine.csv", "wine.parquet", "wine.npz"):
        d = read(tmp_path / name, None if name.endswith("npz") else "target")
        assert np.array_equal(d.x, x) and np.array_equal(d.y, y) and d.task == "multiclass"
        digests.add(d.digest)
    assert len(digests) == 1  # the hash is of the content, not of the file


# --------------------------------------------------------------- the built-in split
def test_user_data_are_split_and_standardized_as_the_built_in_datasets() -> None:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    d = Data(x, y, name="digits-as-user-data")
    cfg = configure(Config(splits=1), d)
    mine = D.load(cfg.datasets[0])
    ref = D.load("digits")
    for part in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(mine, part), getattr(ref, part)), part
    # standardized with the training part's statistics only: mean 0 there, not elsewhere
    assert np.allclose(mine.x_train.mean(axis=0), 0.0, atol=1e-12)
    assert not np.allclose(mine.x_test.mean(axis=0), 0.0, atol=1e-3)


def test_default_pairs_follow_the_task_and_given_pairs_stay() -> None:
    d = Data(*wine_frame_xy())
    cfg = configure(Config(), d)
    assert cfg.pairs == tuple(parse_pair(p) for p in TASK_PAIRS["multiclass"])
    assert cfg.pairs[0] == (("cross_entropy", ()), ("identity", ()))
    mine = configure(Config(pairs=["mse:softmax"]), d)
    assert mine.pairs == (parse_pair("mse:softmax"),)
    # a multi-class loss needs a multi-class target (checked when the runs are expanded)
    binary = Data(xy()[0], np.tile([0, 1], 20))
    with pytest.raises(ValueError, match="multi-class loss"):
        expand(configure(Config(pairs=["cross_entropy:identity"]), binary))


def wine_frame_xy() -> tuple[object, object]:
    frame = wine_frame()
    return frame.drop(columns="target"), frame["target"]


def test_run_ids_carry_the_data_hash() -> None:
    x, y = wine_frame_xy()
    a = {r.run_id for r in expand(configure(Config(**TINY), Data(x, y)))}
    assert a == {r.run_id for r in expand(configure(Config(**TINY), Data(x, y)))}
    changed = x.copy()
    changed.iloc[0, 0] += 0.5  # one value
    b = {r.run_id for r in expand(configure(Config(**TINY), Data(changed, y)))}
    assert not a & b


# ---------------------------------------------------------------- compare, end to end
def test_compare_on_user_data_resumes_and_keeps_older_runs(tmp_path: Path) -> None:
    x, y = wine_frame_xy()
    out = compare(Config(**TINY), tmp_path, data=Data(x, y, name="wine"), plot=False)
    assert out.task == "multiclass" and "inferred" in out.task_how
    assert out.trained == len(out.runs) == 6 and not out.failed
    assert {r.label for r in out.rows} == {p.replace(":", " + ") for p in TASK_PAIRS["multiclass"]}
    again = compare(Config(**TINY), tmp_path, data=Data(x, y, name="wine"), plot=False)
    assert again.trained == 0
    changed = x.copy()
    changed.iloc[3, 2] *= 1.01
    third = compare(Config(**TINY), tmp_path, data=Data(changed, y, name="wine"), plot=False)
    assert third.trained == 6  # changed data: new runs, the old ones kept
    with sqlite3.connect(tmp_path / "actloss-results.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 12


def test_cli_compare_data_file(tmp_path: Path) -> None:
    frame = wine_frame()
    frame.to_csv(tmp_path / "wine.csv", index=False)
    base = ["compare", "--epochs", "2", "--seeds", "2", "--splits", "1", "--widths", "8"]
    data = ["--data", str(tmp_path / "wine.csv"), "--target-column", "target"]
    out = ["--out", str(tmp_path / "r"), "--jsonl", "--no-plot", "--device", "cpu"]
    res = CliRunner().invoke(app, [*base, *data, *out])
    assert res.exit_code == 0, res.stderr
    summary = json.loads(res.stdout.splitlines()[-1])
    assert summary["task"] == "multiclass" and summary["trained"] == 6
    assert "inferred from target column 'target': 3 integer classes" in summary["task_how"]
    res = CliRunner().invoke(
        app, [*base, "--data", str(tmp_path / "wine.csv"), "--target-column", "targt"]
    )
    assert res.exit_code == 2 and "did you mean 'target'?" in res.stderr
    res = CliRunner().invoke(app, [*base, "--data", str(tmp_path / "none.csv")])
    assert res.exit_code == 2 and "does not exist" in res.stderr
    res = CliRunner().invoke(
        app, [*base, "--data", str(tmp_path / "wine.csv"), "--dataset", "moons"]
    )
    assert res.exit_code == 2 and "not both" in res.stderr
