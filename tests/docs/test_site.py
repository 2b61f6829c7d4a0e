"""The documentation site: built from nothing with ``mkdocs build --strict`` (warnings fail),
a page per catalog entry generated from its spec, and offline (no CDN, no web fonts).

The browser half opens the built site in Debian's chromium through Playwright, served from
127.0.0.1 (Material's search runs in a web worker, which file:// URLs do not allow): the home
page, one function's page and a search, with no console errors and no failed requests.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from _browser import ARGS, CHROMIUM

import actloss as al
from actloss import curves

pytest.importorskip("mkdocs", reason="the documentation needs the 'docs' extra")
pytest.importorskip("material", reason="the documentation needs the 'docs' extra")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    pages = sorted(out.rglob("*.html"))
    ARTIFACTS.mkdir(exist_ok=True)
    stats = {"build_seconds": round(seconds, 1), "html_pages": len(pages)}
    (ARTIFACTS / "docs-build.json").write_text(json.dumps(stats))
    print(f"docs site: {stats}")
    return out


def test_a_page_per_catalog_entry(site):
    for fn in al.catalog():
        page = site / "functions" / f"{fn.name}.html"
        text = page.read_text(encoding="utf-8")
        assert "<math" in text, fn.name  # formulas as MathML, made at build time
        assert fn.info.summary.split()[0] in text
        for p in fn.info.params:
            assert f"<code>{p.name}</code>" in text
        try:
            curves.section(fn, 0)
        except curves.NotPlottable:
            assert not (site / "functions" / f"{fn.name}.svg").exists()
        else:
            svg = (site / "functions" / f"{fn.name}.svg").read_text(encoding="utf-8")
            assert svg.startswith("<?xml") and "<svg" in svg
            assert f'src="{fn.name}.svg"' in text
    index = (site / "functions" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{fn.name}.html"' in index for fn in al.catalog())


def test_examples_ran_at_build_time(site):
    page = (site / "functions" / "relu.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # the code as shown, without highlighting
    assert 'f = al.get("relu")' in text and "Output:" in text
    assert "[0.  0.  0.  0.5 2. ]" in text  # relu of [-2, -0.5, 0, 0.5, 2], computed


def test_errata_and_frameworks(site):
    text = (site / "functions" / "sigmoid.html").read_text(encoding="utf-8")
    assert (
        "Printed wrongly" in text
        and "actloss.torch.Sigmoid" in text
        and "actloss.jax.sigmoid" in text
    )
    assert "torch.sigmoid" in text or "torch.nn.functional.sigmoid" in text


def test_api_reference_and_guides(site):
    ref = (site / "reference.html").read_text(encoding="utf-8")
    assert 'id="actloss.get"' in ref and 'id="actloss.Loss"' in ref
    # docstring examples (doctests) shown as code, not as Markdown quotes
    assert '<span class="gp">&gt;&gt;&gt; </span>' in ref and "<blockquote>" not in ref
    assert (site / "changelog.html").exists()


def test_offline(site):
    """Nothing is loaded from another host: scripts, styles, fonts and images are local."""
    remote = re.compile(r'<(script|link|img|iframe)\b[^>]*\b(src|href)="(https?:)?//', re.I)
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not remote.search(text), page
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
    for css in site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?https?:", css.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's 'chromium' (make test does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.problems = problems  # type: ignore[attr-defined]
        page.requests = requests  # type: ignore[attr-defined]
        yield page
        browser.close()


def _local_only(page, served):
    assert all(u.startswith((served, "data:", "blob:")) for u in page.requests), [
        u for u in page.requests if not u.startswith((served, "data:", "blob:"))
    ]


def test_home_page(browser_page, served):
    page = browser_page
    page.goto(f"{served}/index.html", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().rstrip("¶") == "actloss"
    assert page.locator("nav.md-nav").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-home.png"))
    assert page.problems == []
    _local_only(page, served)


def test_function_page(browser_page, served):
    page = browser_page
    page.goto(f"{served}/functions/gelu.html", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().rstrip("¶") == "gelu"
    box = page.locator(".al-math math").first.bounding_box()
    assert box is not None and box["width"] > 60 and box["height"] > 10  # laid-out MathML
    img = page.locator("img.al-plot")
    assert img.evaluate("i => i.complete && i.naturalWidth > 100")
    page.screenshot(path=str(ARTIFACTS / "docs-gelu.png"), full_page=True)
    assert page.problems == []
    _local_only(page, served)


def test_search(browser_page, served):
    page = browser_page
    page.goto(f"{served}/index.html", wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type("leaky")  # Material listens to key events, not to a filled value
    page.wait_for_selector(".md-search-result__item a", timeout=20_000)
    links = page.eval_on_selector_all(
        ".md-search-result__item a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert any("functions/leaky_relu.html" in h for h in links)
    page.screenshot(path=str(ARTIFACTS / "docs-search.png"))
    assert page.problems == []
    _local_only(page, served)
