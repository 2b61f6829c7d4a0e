"""The atlas in a real browser: headless Chromium (Debian's package) driven by Playwright.

Checks that the page renders without console errors, that search filters the
cards, that moving a slider changes the plotted curve, and that the comparison
view draws; saves screenshots under test-artifacts/ (not committed).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ACTLOSS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package (make test does "
        "where apt-get is usable) or set ACTLOSS_CHROMIUM",
        allow_module_level=True,
    )
playwright = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture(scope="module")
def page(atlas_path):
    path = atlas_path
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.goto(path.as_uri())
        pg.wait_for_selector(".card .plot .main-svg", timeout=30_000)
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def test_renders_without_console_errors(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "atlas.png"))
    assert page.errors == []
    import actloss as al

    assert page.locator(".card").count() == len(al.catalog())
    # the math is laid out (MathML has a real size), not left as source
    box = page.locator("#fn-sigmoid math").first.bounding_box()
    assert box is not None and box["width"] > 40 and box["height"] > 10


def test_search_filters_cards(page):
    search = page.locator("#search")
    search.fill("relu")
    visible = page.locator(".card:not([hidden])")
    names = [visible.nth(i).get_attribute("data-name") for i in range(visible.count())]
    assert "relu" in names and "leaky_relu" in names and "sigmoid" not in names
    assert page.locator("#count").inner_text().startswith(f"{len(names)} of ")
    search.fill("no-such-function-anywhere")
    assert page.locator(".card:not([hidden])").count() == 0
    search.fill("")
    page.select_option("#f-kind", "loss")
    kinds = page.eval_on_selector_all(".card:not([hidden])", "els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"loss"}
    page.select_option("#f-kind", "")
    assert page.errors == []


def test_slider_changes_the_curve(page):
    card = page.locator("#fn-elu")
    card.scroll_into_view_if_needed()
    page.wait_for_selector("#fn-elu .plot .main-svg")
    get_y = "el => Array.from(el.querySelector('.plot').data[0].y)"
    before = card.evaluate(get_y)
    slider = card.locator('input[data-param="alpha"]')
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    after = card.evaluate(get_y)
    assert before != after
    # ELU at x = -5 is -alpha (1 - e^-5): the plotted left end follows the shown alpha
    alpha = float(card.locator('output[data-for="alpha"]').inner_text())
    assert after[0] == pytest.approx(-alpha * (1 - 2.718281828459045**-5), rel=1e-3)
    assert alpha > 1.0
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "atlas-elu-card.png"))
    assert page.errors == []


def test_comparison_view_overlays_choices(page):
    page.locator("#compare").scroll_into_view_if_needed()
    n_before = page.evaluate("document.getElementById('compare-plot').data.length")
    box = page.locator('#picker input[value="tanh"]')
    box.check()
    names = page.evaluate("document.getElementById('compare-plot').data.map(t => t.name)")
    assert len(names) == n_before + 1 and "tanh" in names
    page.locator('input[name="cmp-order"][value="1"]').check()
    names = page.evaluate("document.getElementById('compare-plot').data.map(t => t.name)")
    assert "tanh'" in names
    page.screenshot(path=str(ARTIFACTS / "atlas-compare.png"))
    assert page.errors == []
