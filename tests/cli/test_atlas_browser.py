"""The atlas in a real browser: headless Chromium (Debian's package) driven by Playwright.

Checks that the page renders without console errors, that search filters the cards, that
moving a slider changes the plotted curve and that the comparison view draws; and, measured
from the DOM at a phone's width (400 px) and a desktop's (1400 px): no horizontal overflow,
every formula inside its card with no inner scrollbar, section headings not hidden under the
sticky header, cards grouped by family in the page's order, and the extra sections (lab,
claims) styled as the rest. Saves screenshots and the load time under test-artifacts/ (not
committed; the time is recorded, not asserted).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _browser import ARGS, CHROMIUM

import actloss as al
from actloss.atlas import data as atlas_data

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = (400, 1400)

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package (make test does "
        "where apt-get is usable) or set ACTLOSS_CHROMIUM",
        allow_module_level=True,
    )
playwright = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture(scope="module")
def full_atlas(tmp_path_factory):
    """The atlas with both extra sections: a stand-in lab section (a Plotly figure, a table and
    a <pre>, as the lab writes) and the real claims section (the errata need no results)."""
    from actloss.atlas import Section, build
    from actloss.claims.atlas import atlas_section

    lab = Section(
        "lab-results",
        "Lab results",
        "<p id='lab-marker'>from the lab</p>"
        # a Plotly figure as the lab writes it (plotly's to_html, default template)
        "<div id='lab-plot' class='plotly-graph-div' style='height:300px; width:100%;'></div>"
        "<script>Plotly.newPlot('lab-plot', [{x: [1, 2, 3], y: [0.7, 0.8, 0.85], "
        "name: 'bce + sigmoid'}], {plot_bgcolor: '#E5ECF6', title: {text: 'accuracy'}}, "
        "{responsive: true})</script>"
        "<table><thead><tr><th>combination</th><th>test accuracy</th><th>95% CI</th></tr>"
        "</thead><tbody><tr><td>bce + sigmoid</td><td>0.91</td><td>[0.90, 0.92]</td></tr>"
        "</tbody></table><pre>bce + sigmoid vs hinge + tanh: p = 0.03</pre>",
    )
    folder = tmp_path_factory.mktemp("no-claims")
    return build(tmp_path_factory.mktemp("atlas") / "atlas.html", [lab, atlas_section(folder)])


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int):
    pg = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    failed: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("requestfailed", lambda r: failed.append(r.url))
    pg.goto(path.as_uri())
    pg.wait_for_selector(".card .plot .main-svg", timeout=30_000)
    pg.wait_for_function("document.fonts.status === 'loaded'")
    pg.errors = errors  # type: ignore[attr-defined]
    pg.failed = failed  # type: ignore[attr-defined]
    return pg


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, full_atlas):
    pg = _open(browser, full_atlas, request.param)
    pg.width = request.param  # type: ignore[attr-defined]
    yield pg
    pg.close()


@pytest.fixture(scope="module")
def wide(browser, full_atlas):
    pg = _open(browser, full_atlas, 1400)
    yield pg
    pg.close()


def test_renders_without_console_errors(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"atlas-{page.width}.png"))
    assert page.errors == [] and page.failed == []
    assert page.locator(".card").count() == len(al.catalog())
    # the math is laid out (MathML has a real size), not left as source
    box = page.locator("#fn-sigmoid math").first.bounding_box()
    assert box is not None and box["width"] > 40 and box["height"] > 10
    # load time, recorded for the closing notes (the machine decides it: no assertion)
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd,"
        " bytes: n.decodedBodySize}; })()"
    )
    path = ARTIFACTS / "atlas-timing.json"
    runs = json.loads(path.read_text()) if path.exists() else {}
    runs[f"{page.width}px"] = timing
    path.write_text(json.dumps(runs, indent=1))
    print(f"atlas at {page.width}px: {timing}")


def test_at_most_3_mb(full_atlas):
    assert full_atlas.stat().st_size <= 3_000_000


def test_no_horizontal_overflow(page):
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # no element sticks out on the right (the page could clip it without scrolling); the
    # contents of a formula that scrolls sideways (.swipe, on a phone) are in their scroller
    wider = page.evaluate(
        """w => Array.from(document.querySelectorAll('header *, main *'))
             .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > w + 1
                          && !e.closest('.js-plotly-plot, .swipe'))
             .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)""",
        width,
    )
    assert wider == []


def test_formulas_fit_their_cards(page):
    """Every formula inside its card's content box; no formula (or anything else in a card)
    with an inner scrollbar or clipped content."""
    bad = page.evaluate(
        """() => Array.from(document.querySelectorAll('.card .math .f:not(.swipe)')).flatMap(f => {
             const card = f.closest('.card'), c = card.getBoundingClientRect();
             const m = f.querySelector('math').getBoundingClientRect();
             const out = m.left < c.left || m.right > c.right || f.scrollWidth > f.clientWidth;
             return out ? [card.dataset.name + ': ' + Math.round(m.width) + ' px in '
                           + Math.round(c.width)] : [];
           })"""
    )
    assert bad == []
    scrollers = page.evaluate(
        """() => Array.from(document.querySelectorAll('.card *')).filter(e => {
             const s = getComputedStyle(e);
             return ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth;
           }).map(e => e.closest('.card').dataset.name)"""
    )
    swipe = page.eval_on_selector_all(
        ".card .math .f.swipe", "els => els.map(f => f.closest('.card').dataset.name)"
    )
    sizes = page.eval_on_selector_all(
        ".card math", "els => els.map(m => parseFloat(getComputedStyle(m).fontSize))"
    )
    if page.width >= 1400:
        # every formula fits, none scrolls, none shrunk below 80% (wide ones take a whole row)
        assert scrollers == [] and swipe == []
        assert min(sizes) >= 0.8 * 1.1 * 15 - 0.5
    else:
        # on a phone the longest formulas (a few cards) scroll sideways at a readable 10 px
        assert set(scrollers) <= set(swipe) and len(set(swipe)) <= 8
        assert min(sizes) >= 10


def test_headings_not_hidden_under_the_header(page):
    links = page.eval_on_selector_all(
        "header.top nav a, nav.families a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert {"#functions", "#compare", "#recommend", "#lab-results", "#claims"} <= set(links)
    for href in links:
        page.evaluate("h => { location.hash = ''; location.hash = h; }", href)
        page.wait_for_timeout(50)
        header = page.locator("header.top").bounding_box()
        sticky = page.evaluate("getComputedStyle(document.querySelector('header.top')).position")
        heading = page.locator(f"{href} > h2, {href} > h3").first.bounding_box()
        assert heading is not None
        floor = header["y"] + header["height"] if sticky == "sticky" else 0
        assert heading["y"] >= floor - 1, (href, heading, header)
        assert heading["y"] < 900 - heading["height"]  # and on screen
    page.evaluate("window.scrollTo(0, 0)")


def test_cards_grouped_by_family(wide):
    groups = atlas_data.grouped(al.catalog())
    sections = wide.eval_on_selector_all(
        "section.family",
        "els => els.map(s => [s.id, [...s.querySelectorAll('.card')].map(c => c.dataset.name)])",
    )
    assert sections == [[f.id, [fn.name for fn in members]] for f, members in groups]
    order = [f.name for f, _ in groups]
    assert order[:4] == ["sigmoidal", "rectifier", "exponential", "smooth"]
    assert order.index("regression") < order.index("classification")
    kinds = [f.kind for f, _ in groups]
    assert kinds == sorted(kinds)  # activations first, then losses
    nav = wide.eval_on_selector_all("nav.families a", "els => els.map(a => a.hash.slice(1))")
    assert nav == [s[0] for s in sections]
    # filtering hides the families left empty
    wide.locator("#search").fill("relu")
    shown = wide.eval_on_selector_all("section.family:not([hidden])", "els => els.map(s => s.id)")
    assert "family-activation-rectifier" in shown and "family-loss-regression" not in shown
    wide.locator("#search").fill("")


def test_extra_sections_share_the_style(page):
    style = """sel => { const e = document.querySelector(sel), s = getComputedStyle(e);
                 return [s.borderCollapse, s.backgroundColor, s.display, s.width]; }"""
    rec = page.evaluate(style, "table.rec")
    for sel in ("#lab-results table", "#claims table"):
        got = page.evaluate(style, sel)
        assert got[:3] == rec[:3]
    for sel in ("#lab-results > h2", "#claims > h2"):
        assert page.evaluate(
            "s => getComputedStyle(document.querySelector(s)).borderBottomStyle", sel
        ) == page.evaluate(
            "getComputedStyle(document.querySelector('#recommend > h2')).borderBottomStyle"
        )
    # the lab's Plotly figure is drawn white like the cards' plots, and fits the page
    lab_plot = page.evaluate(
        "(() => { const d = document.getElementById('lab-plot');"
        " return [d.layout.plot_bgcolor, d.getBoundingClientRect().right]; })()"
    )
    assert lab_plot[0] == "#fff" and lab_plot[1] <= page.width
    pre = page.locator("#lab-results pre").bounding_box()
    assert pre is not None and pre["x"] + pre["width"] <= page.width


def test_tables_readable_when_narrow(browser, full_atlas):
    """At 400 px a table row is a block of labelled cells, not a word per line."""
    pg = _open(browser, full_atlas, 400)
    cells = pg.eval_on_selector_all(
        "table.rec td, #claims table td",
        "els => els.map(td => [td.getBoundingClientRect().width, td.dataset.label || ''])",
    )
    assert cells and all(w > 300 for w, _ in cells)
    assert all(label for _, label in cells)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.locator("#recommend").scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "atlas-400-recommend.png"))
    assert pg.errors == []
    pg.close()


def test_search_filters_cards(wide):
    search = wide.locator("#search")
    search.fill("relu")
    visible = wide.locator(".card:not([hidden])")
    names = [visible.nth(i).get_attribute("data-name") for i in range(visible.count())]
    assert "relu" in names and "leaky_relu" in names and "sigmoid" not in names
    assert wide.locator("#count").inner_text().startswith(f"{len(names)} of ")
    search.fill("no-such-function-anywhere")
    assert wide.locator(".card:not([hidden])").count() == 0
    search.fill("")
    wide.select_option("#f-kind", "loss")
    kinds = wide.eval_on_selector_all(".card:not([hidden])", "els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"loss"}
    wide.select_option("#f-kind", "")
    assert wide.errors == []


def test_slider_changes_the_curve(wide):
    card = wide.locator("#fn-elu")
    card.scroll_into_view_if_needed()
    wide.wait_for_selector("#fn-elu .plot .main-svg")
    get_y = "el => Array.from(el.querySelector('.plot').data[0].y)"
    before = card.evaluate(get_y)
    slider = card.locator('input[data-param="alpha"]')
    slider.focus()
    wide.keyboard.press("ArrowRight")
    wide.keyboard.press("ArrowRight")
    after = card.evaluate(get_y)
    assert before != after
    # ELU at x = -5 is -alpha (1 - e^-5): the plotted left end follows the shown alpha
    alpha = float(card.locator('output[data-for="alpha"]').inner_text())
    assert after[0] == pytest.approx(-alpha * (1 - 2.718281828459045**-5), rel=1e-3)
    assert alpha > 1.0
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "atlas-elu-card.png"))
    assert wide.errors == []


def test_comparison_view_overlays_choices(wide):
    wide.locator("#compare").scroll_into_view_if_needed()
    traces = "a => document.querySelector('.cmp-panel[data-axis=\"' + a + '\"] .cmp-plot').data"
    n_before = len(wide.evaluate(traces, "x"))
    wide.locator('#picker input[value="tanh"]').check()
    names = [t["name"] for t in wide.evaluate(traces, "x")]
    assert len(names) == n_before + 1 and "tanh" in names
    # overlapping curves differ in dash and marker
    styles = {(t["line"]["dash"], t["marker"]["symbol"]) for t in wide.evaluate(traces, "x")}
    assert len(styles) == len(names)
    wide.locator('input[name="cmp-order"][value="1"]').check()
    names = [t["name"] for t in wide.evaluate(traces, "x")]
    assert "tanh'" in names
    wide.locator('input[name="cmp-order"][value="0"]').check()


def test_comparison_never_mixes_x_axes(wide):
    """Activations, regression losses and classification losses get a panel each, with
    their own x label."""
    for name in ("mse", "binary_cross_entropy_with_logits", "relu"):
        box = wide.locator(f'#picker input[value="{name}"]')
        if not box.is_checked():
            box.check()
    panels = wide.eval_on_selector_all(
        ".cmp-panel",
        """els => els.map(p => [p.dataset.axis,
             p.querySelector('.cmp-plot').data.map(t => t.name),
             p.querySelector('.cmp-plot').layout.xaxis.title.text])""",
    )
    axis = {name: a for a, names, _ in panels for name in names}
    assert axis["relu"] == "x" and axis["mse"] == "values"
    assert axis["binary_cross_entropy_with_logits"] == "logits"
    xlabels = {a: label for a, _, label in panels}
    assert "prediction" in xlabels["values"] and "margin" in xlabels["logits"]
    assert len({a for a, _, _ in panels}) == len(panels)
    wide.locator("#compare").screenshot(path=str(ARTIFACTS / "atlas-compare.png"))
    assert wide.errors == []
