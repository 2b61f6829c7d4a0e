"""`actloss plot`'s figures read from the matplotlib objects: overlapping curves stay
visible, and losses whose x means different things never share an x-axis."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import actloss as al
from actloss import curves
from actloss.cli import _figure


def _panels(names: list[str], orders: tuple[int, ...] = (0, 1)) -> list[list[curves.Curve]]:
    return [[curves.section(al.get(n), order) for n in names] for order in orders]


def _lines(ax):  # the plotted curves (not the zero lines)
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_overlapping_curves_differ_in_dash_marker_and_colour():
    fig = _figure.figure(_panels(["relu", "leaky_relu", "gelu", "silu", "elu"]))
    for ax in fig.axes:
        lines = _lines(ax)
        assert len(lines) == 5
        styles = [(ln.get_linestyle(), ln.get_marker(), ln.get_color()) for ln in lines]
        for a, b in itertools.combinations(styles, 2):
            assert a[0] != b[0] or a[1] != b[1], styles  # dash or marker tells them apart
            assert a[2] != b[2]
    # relu and leaky_relu coincide for x > 0: relu (drawn first) is wider and solid, leaky_relu
    # dashed on top of it, and their markers sit at different places along the curve
    relu, leaky = _lines(fig.axes[0])[:2]
    np.testing.assert_array_equal(
        relu.get_ydata()[relu.get_xdata() > 0], leaky.get_ydata()[leaky.get_xdata() > 0]
    )
    assert relu.get_linestyle() == "-" and leaky.get_linestyle() == "--"
    assert relu.get_linewidth() > leaky.get_linewidth()
    assert relu.get_markevery() != leaky.get_markevery()


def test_overlay_dash_is_the_order_colour_the_function():
    fig = _figure.figure(_panels(["relu", "tanh"]), overlay=True)
    (ax,) = fig.axes
    by_label = {ln.get_label(): ln for ln in _lines(ax)}
    assert by_label["relu"].get_linestyle() == by_label["tanh"].get_linestyle() == "-"
    assert by_label["relu'"].get_linestyle() == by_label["tanh'"].get_linestyle() == "--"
    assert by_label["relu"].get_color() == by_label["relu'"].get_color()
    assert by_label["relu"].get_color() != by_label["tanh"].get_color()


def test_regression_and_classification_losses_never_share_an_x_axis():
    names = ["mse", "huber", "hinge", "binary_cross_entropy_with_logits", "binary_cross_entropy"]
    panels = [[curves.section(al.get(n), order, target=1.0) for n in names] for order in (0, 1)]
    fig = _figure.figure(panels)
    axis_of = {c.name: c.axis for c in panels[0]}
    assert axis_of["mse"] == axis_of["huber"] == "values"
    assert len({axis_of[n] for n in names[2:]} | {"values"}) == 4
    assert len(fig.axes) == 4 * 2  # a row per kind of x, a column per order
    xlabels = {}
    for ax in fig.axes:
        kinds = {axis_of[ln.get_label().rstrip("'")] for ln in _lines(ax)}
        assert len(kinds) == 1, (ax.get_title(), kinds)
        (kind,) = kinds
        xlabels.setdefault(kind, set()).add(ax.get_xlabel())
        assert curves.AXES[kind] in ax.get_title()
    assert all(len(labels) == 1 for labels in xlabels.values())
    assert "prediction" in xlabels["values"].pop()
    assert "margin" in xlabels["logits"].pop()
    assert "probability" in xlabels["probabilities"].pop()


def test_cli_json_names_each_curves_axis(cli, tmp_path):
    import json

    out = tmp_path / "losses.png"
    meta = json.loads(cli("plot", "mse", "hinge", "--out", str(out), "--json").stdout)
    assert {c["name"]: c["axis"] for c in meta["curves"]} == {"mse": "values", "hinge": "scores"}


@pytest.mark.parametrize("name", ["relu", "softmax", "glu"])
def test_activation_sections_share_the_x_axis(name):
    assert curves.section(al.get(name), 0).axis == "x"
