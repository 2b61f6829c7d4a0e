"""Every command on every catalog entry, through the real app (typer's CliRunner).

JSON output is parsed and compared with the catalog; values with independent
formulas where the section is not the catalog call itself (vector and loss
layouts), and every plotted derivative against finite differences of the
plotted value.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

import actloss as al
from actloss import curves
from actloss import recommend as rules
from actloss.cli.output import jsonable

ALL = al.catalog()
NAMES = [fn.name for fn in ALL]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", head[16:24])


def plottable(fn: al.Function) -> bool:
    try:
        curves.section(fn, 0)
    except curves.NotPlottable:
        return False
    return True


# ------------------------------------------------------------------------------ list
def test_list_json_is_the_catalog(cli):
    out = json.loads(cli("list", "--json").stdout)
    assert out == [jsonable(fn.info.to_dict()) for fn in ALL]


@pytest.mark.parametrize("kind", ["activation", "loss"])
def test_list_kind_filter(cli, kind):
    out = json.loads(cli("list", "--kind", kind, "--json").stdout)
    assert [d["name"] for d in out] == [fn.name for fn in al.catalog(kind=kind)]
    assert {d["kind"] for d in out} <= {kind}


def test_list_task_filter(cli):
    tasks = sorted({t for fn in ALL for t in fn.info.task})
    if not tasks:
        pytest.skip("no catalog entry declares a task yet")
    for task in tasks:
        out = json.loads(cli("list", "--task", task, "--json").stdout)
        assert [d["name"] for d in out] == [fn.name for fn in ALL if task in fn.info.task]


def test_list_table_names_every_entry(cli):
    text = cli("list", env_columns := "--kind", "activation").stdout
    del env_columns
    for fn in al.catalog(kind="activation"):
        assert fn.name in text


# ------------------------------------------------------------------------------ show
POINTS = [-1.7, -0.3, 0.45, 1.2]


@pytest.mark.parametrize("name", NAMES)
def test_show_json_matches_catalog(cli, name):
    fn = al.get(name)
    at = ",".join(str(p) for p in POINTS)
    out = json.loads(cli("show", name, f"--at={at}", "--json").stdout)
    assert out["info"] == jsonable(fn.info.to_dict())
    assert out["text"]["formula"] and "\\" not in out["text"]["formula"]
    table = out["table"]
    if not plottable(fn):
        assert "value" in table["skipped"]
        return
    xs = np.asarray(table["x"])
    assert xs.size <= len(POINTS)
    for order, key in enumerate(("value", "derivative", "second_derivative")):
        if key in table["skipped"]:
            assert table["skipped"][key]
            continue
        expected = curves.section(fn, order, x=xs).y
        np.testing.assert_allclose(np.asarray(table[key], dtype=float), expected, rtol=1e-12)
    if fn.info.kind == "activation" and fn.info.elementwise:
        np.testing.assert_allclose(table["value"], np.asarray(fn(np.asarray(POINTS))), rtol=1e-12)


def test_show_human_card(cli):
    text = cli("show", "elu", "--param", "alpha=0.5", "--at=-1,0,1").stdout
    assert "f(x) = { x if x > 0; α (e^x - 1) if x ≤ 0 }" in text
    assert "\\begin{cases}" in text  # the LaTeX source is shown too
    # ELU(-1) with alpha = 0.5: 0.5 * (e^-1 - 1), by hand
    assert f"{0.5 * (np.exp(-1.0) - 1.0):.6g}" in text
    assert "Clevert" in text  # references
    assert "●" in text  # the terminal plot


def test_show_alias_and_param(cli):
    out = json.loads(cli("show", "swish", "-p", "beta=2", "--at=1", "--json").stdout)
    assert out["params"] == {"beta": 2}
    # x * sigmoid(2x) at x = 1, a plain formula
    assert out["table"]["value"][0] == pytest.approx(1.0 / (1.0 + np.exp(-2.0)), rel=1e-12)


# ------------------------------------------------------------------------------ sections
def test_vector_sections_have_closed_forms():
    x = np.linspace(-4, 4, 33)
    sig = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(curves.section(al.get("softmax"), 0, x=x).y, sig, rtol=1e-12)
    np.testing.assert_allclose(curves.section(al.get("softmax"), 1, x=x).y, sig * (1 - sig))
    np.testing.assert_allclose(curves.section(al.get("glu"), 0, x=x).y, sig, rtol=1e-12)
    np.testing.assert_allclose(curves.section(al.get("swiglu"), 0, x=x).y, x * sig, rtol=1e-12)


def test_loss_sections_have_closed_forms():
    x = np.linspace(-3, 3, 25)
    mse = curves.section(al.get("mse"), 0, x=x, target=0.5)
    np.testing.assert_allclose(mse.y, (x - 0.5) ** 2, rtol=1e-12)
    np.testing.assert_allclose(curves.section(al.get("mse"), 1, x=x, target=0.5).y, 2 * (x - 0.5))
    mae = curves.section(al.get("mae"), 0, x=x, target=0.0)
    np.testing.assert_allclose(mae.y, np.abs(x), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_plotted_derivative_is_the_derivative_of_the_plotted_value(name):
    fn = al.get(name)
    if not plottable(fn):
        pytest.skip("no generic section (the plot command reports the reason)")
    lo, hi = curves.default_range(fn)
    # points off any round number, so that no sample sits on a kink
    x = np.linspace(lo, hi, 23)[1:-1] + 0.01234 * (hi - lo)
    x = x[x < hi]
    h = 1e-6 * max(1.0, hi - lo)
    try:
        d = curves.section(fn, 1, x=x)
    except curves.NotPlottable:
        pytest.skip("no derivative section")
    up, down = curves.section(fn, 0, x=x + h), curves.section(fn, 0, x=x - h)
    fd = (up.y - down.y) / (2 * h)
    np.testing.assert_allclose(d.y, fd, rtol=1e-4, atol=1e-5 * (1 + np.abs(fd).max()))


# ------------------------------------------------------------------------------ plot
FAMILIES = sorted({(fn.info.kind, fn.info.family) for fn in ALL})


@pytest.mark.parametrize(("kind", "family"), FAMILIES, ids=[f"{k}-{f}" for k, f in FAMILIES])
def test_plot_every_entry(cli, tmp_path, kind, family):
    """One comparison plot per family (every entry in one, as a user would compare them)."""
    fns = al.catalog(kind=kind, family=family)
    names = [fn.name for fn in fns]
    good = [fn.name for fn in fns if plottable(fn)]
    out = tmp_path / "p.png"
    if not good:
        r = cli("plot", *names, "--out", str(out), code=2)
        skips = [line for line in r.stderr.splitlines() if line.startswith("skipped ")]
        assert len(skips) == len(names) and "nothing to plot" in r.stderr
        return
    r = cli("plot", *names, "--derivative", "--out", str(out), "--json")
    meta = json.loads(r.stdout)
    assert {c["name"] for c in meta["curves"] if c["order"] == 0} == set(good)
    assert {s["name"] for s in meta["skipped"] if s["order"] == "all"} <= set(names) - set(good)
    for s in meta["skipped"]:  # every skip is reported on stderr with its reason
        assert f"skipped {s['name']}: {s['reason']}" in r.stderr
    width, height = png_size(out)
    panels = len({c["order"] for c in meta["curves"]})  # losses without a gradient: one
    assert width >= 450 * panels and height >= 400
    assert out.stat().st_size > 10_000 and meta["bytes"] == out.stat().st_size


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_plot_vector_formats_and_param_sweep(cli, tmp_path, suffix):
    out = tmp_path / f"elu{suffix}"
    meta = json.loads(
        cli(
            "plot",
            "elu",
            "relu",
            "-p",
            "elu.alpha=0.5",
            "-p",
            "elu.alpha=2",
            "--derivative",
            "--second-derivative",
            "--x-range",
            "-3",
            "2",
            "--out",
            str(out),
            "--json",
        ).stdout
    )
    assert out.stat().st_size > 5_000
    head = out.read_bytes()[:5]
    assert head == (b"%PDF-" if suffix == ".pdf" else head)
    elu0 = [c for c in meta["curves"] if c["name"] == "elu" and c["order"] == 0]
    assert [c["params"] for c in elu0] == [{"alpha": 0.5}, {"alpha": 2}]
    assert all(c["x_range"] == [-3.0, 2.0] for c in meta["curves"])
    assert len(meta["curves"]) == 3 * 3


def test_plot_default_file_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = cli("plot", "tanh", "sigmoid", "--derivative", "--overlay").stdout
    assert (tmp_path / "actloss-tanh-sigmoid-d.png").exists()
    assert "actloss-tanh-sigmoid-d.png" in text


def test_plot_losses_against_prediction(cli, tmp_path):
    losses = [fn.name for fn in al.catalog(kind="loss") if plottable(fn)]
    if len(losses) < 2:
        pytest.skip("fewer than two plottable losses in the catalog")
    out = tmp_path / "losses.png"
    meta = json.loads(cli("plot", *losses[:4], "--target", "1", "--out", str(out), "--json").stdout)
    assert png_size(out)[0] >= 400
    assert {c["name"] for c in meta["curves"]} == set(losses[:4])


# ------------------------------------------------------------------------------ recommend
CASES = [(t, c) for t in rules.TASKS for c in ((), ("imbalanced",), ("outliers",), ("deep",))]


@pytest.mark.parametrize(("task", "conditions"), CASES)
def test_recommend_json(cli, task, conditions):
    flags = [f"--{c}" for c in conditions]
    out = json.loads(cli("recommend", "--task", task, *flags, "--json").stdout)
    expected = rules.recommend(task, **{c: True for c in conditions})
    assert [c["name"] for c in out["choices"]] == [c.name for c in expected.values()]
    assert [c["slot"] for c in out["choices"]] == ["output", "loss", "hidden"]
    assert all(c["reason"] for c in out["choices"])
    assert out["snippet"] == rules.snippet(expected, "torch")


def test_recommend_keras_snippet(cli):
    out = json.loads(
        cli("recommend", "-t", "regression", "--outliers", "-f", "keras", "--json").stdout
    )
    assert 'alk.get_loss("huber", delta=1.0)' in out["snippet"]


def test_recommend_human(cli):
    text = cli("recommend", "--task", "binary", "--imbalanced").stdout
    assert "focal" in text and "claim 12" in text and "import torch" in text


def test_more_specific_rules_win():
    assert rules.recommend("regression")["loss"].name == "mse"
    assert rules.recommend("regression", outliers=True)["loss"].name == "huber"
    assert rules.recommend("binary", deep=True)["hidden"].name == "gelu"
    assert rules.recommend("binary")["hidden"].name == "relu"
    with pytest.raises(ValueError, match="task must be one of"):
        rules.recommend("clustering")


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: f"{r.slot}-{r.task}-{r.choice}")
def test_rules_name_catalog_entries_with_valid_params(rule):
    try:
        fn = al.get(rule.choice)
    except al.UnknownNameError:
        if rule.slot == "loss":
            pytest.skip(f"loss {rule.choice!r} is not in the catalog yet (losses issue)")
        raise
    fn.partial(**rule.params)  # parameter names exist
    for name, value in rule.params.items():
        assert value == fn.resolve_params(rule.params, np, np.zeros(1))[name]
    assert rule.evidence == "" or rule.evidence.isdigit()


# ------------------------------------------------------------------------------ errors and help
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["show", "rleu"], "Did you mean: relu"),
        (["plot", "gelu", "sigmiod"], "Did you mean: sigmoid"),
        (["show", "relu", "--bogus"], "No such option: --bogus"),
        (["list", "--kind", "neuron"], "--kind"),
        (["list", "--task", "regresion"], "did you mean regression"),
        (["recommend", "--task", "clustering"], "unknown task 'clustering'"),
        (["recommend"], "--task"),
        (["plot", "elu", "--x-range", "3", "1"], "LOW < HIGH"),
        (["plot", "elu", "--param", "elu.alpah=1"], "Did you mean 'alpha'"),
        (["plot", "elu", "--param", "alpha"], "NAME.PARAM=VALUE"),
        (["plot", "elu", "--param", "elu.alpha=-1"], "alpha"),
        (["plot", "elu", "--out", "x.gif"], ".png, .svg, .pdf"),
        (["plot", "relu", "mse"], "activations and losses"),
        (["show", "elu", "--at", "a,b"], "--at"),
        (["atlas", "--out", "atlas.txt"], ".html"),
        (["frobnicate"], "No such command"),
    ],
)
def test_errors_are_one_line_with_exit_2(cli, args, fragment):
    r = cli(*args, code=2)
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("Error: ") and "hint" in lines[0]
    assert fragment in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("command", ["list", "show", "plot", "recommend", "atlas"])
def test_help_has_examples(cli, command):
    text = cli(command, "--help").stdout
    assert "Examples:" in text and f"actloss {command}" in text


def test_no_arguments_prints_help(cli):
    text = cli().stdout
    assert all(c in text for c in ("list", "show", "plot", "recommend", "atlas"))
