"""The atlas page's content, checked without a browser (test_atlas_browser.py runs it)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import actloss as al
from actloss import curves
from actloss.atlas import data as atlas_data


@pytest.fixture(scope="module")
def page(atlas_path) -> str:
    return atlas_path.read_text(encoding="utf-8")


def page_data(page: str) -> dict:
    blob = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)
    assert blob is not None
    return json.loads(blob.group(1).replace("<\\/", "</"))


def test_cli_writes_the_atlas(cli, tmp_path):
    out = tmp_path / "atlas.html"
    meta = json.loads(cli("atlas", "--out", str(out), "--json").stdout)
    assert meta == {"file": str(out), "bytes": out.stat().st_size}
    assert 1_000_000 < meta["bytes"] <= 3_000_000  # Plotly's basic bundle (1.2 MB) + data


def test_one_card_per_catalog_entry(page):
    ids = re.findall(r'<article class="card" id="fn-([\w]+)"', page)
    # grouped by family, in the page's order (atlas_data.FAMILIES)
    assert ids == [fn.name for _, members in atlas_data.grouped(al.catalog()) for fn in members]
    assert sorted(ids) == sorted(fn.name for fn in al.catalog())
    assert [e["name"] for e in page_data(page)["entries"]] == ids


def test_self_contained(page):
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)
    assert "Plotly" in page and "<math" in page  # Plotly inline, formulas as MathML


def test_extra_sections_hook(page):
    assert '<section class="extra" id="lab-results"><h2>Lab results</h2>' in page
    assert '<a href="#lab-results">Lab results</a>' in page
    assert "lab-marker" in page


def test_curves_are_the_catalog_curves(page):
    for e in page_data(page)["entries"]:
        fn = al.get(e["name"])
        if e["plot"] is None:
            assert e["reason"]
            with pytest.raises(curves.NotPlottable):
                curves.section(fn, 0)
            continue
        x = curves.section(fn, 0, x=curves.grid(fn, num=atlas_data.POINTS)).x  # unrounded
        np.testing.assert_allclose(np.asarray(e["plot"]["x"], dtype=float), x, rtol=6e-4)
        controls = e["controls"]
        assert len(e["plot"]["curves"]) == int(np.prod([len(c["values"]) for c in controls]))
        # the default combination holds the default-parameter curves (4 significant digits)
        row = e["plot"]["curves"][e["plot"]["default"]]
        want = curves.section(fn, 0, x=x).y
        np.testing.assert_allclose(np.asarray(row[0], dtype=float), want, rtol=6e-4, atol=1e-12)
        for c in controls:
            assert c["values"][c["default"]] == fn.info.param(c["name"]).default


def test_slider_combinations_hold_their_parameters():
    fn = al.get("leaky_relu")
    controls = atlas_data.sliders(fn)
    (c,) = controls
    table = atlas_data.entry_curves(fn, controls)
    x = curves.grid(fn, num=atlas_data.POINTS)
    for i, slope in enumerate(c["values"]):
        # a plain formula: max(x, 0) + slope * min(x, 0)
        want = np.where(x > 0, x, slope * x)
        np.testing.assert_allclose(table["curves"][i][0], want, rtol=6e-4, atol=1e-12)


def test_invalid_combinations_are_null():
    fn = al.get("rrelu")  # lower must be <= upper
    controls = atlas_data.sliders(fn)
    table = atlas_data.entry_curves(fn, controls)
    lowers, uppers = (c["values"] for c in controls)
    for i, row in enumerate(table["curves"]):
        lower, upper = lowers[i // len(uppers)], uppers[i % len(uppers)]
        assert (row[0] is None) == (lower > upper)


def test_recommendation_table_covers_every_task(page):
    from actloss import recommend as rules

    for task in rules.TASKS:
        assert f"<td>{task}</td>" in page
