# ruff: noqa: E501  (embedded CSS and JavaScript keep their natural line lengths)
"""The atlas page's stylesheet and script (no math: curves are looked up, never computed)."""

CSS = """
:root { --fg: #1d232a; --muted: #5b6670; --line: #d9dee3; --accent: #0072B2; --bg: #f6f8fa;
        --header-h: 7rem; }
* { box-sizing: border-box; }
html { scroll-behavior: auto; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--fg); background: var(--bg); overflow-wrap: break-word; }
/* every target of a link stops below the sticky header (its height is measured by the script) */
[id] { scroll-margin-top: calc(var(--header-h) + .6rem); }
header.top { position: sticky; top: 0; z-index: 5; background: #fff;
             border-bottom: 1px solid var(--line); padding: .6rem 1.2rem; }
header.top h1 { font-size: 1.2rem; margin: 0 1rem 0 0; display: inline-block; }
header.top nav { display: inline; }
header.top nav a { margin-right: .9rem; color: var(--accent); text-decoration: none; white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: .5rem; }
.filters input[type=search] { flex: 1 1 16rem; min-width: 0; padding: .35rem .6rem; font-size: 1rem; }
.filters select { padding: .3rem; max-width: 100%; min-width: 0; flex: 0 1 auto; }
main { padding: 1rem 1.2rem; max-width: 1500px; margin: auto; }
main > section { margin-bottom: 2rem; }
section > h2 { margin: 1.6rem 0 .6rem; padding-bottom: .3rem; border-bottom: 2px solid var(--line); }
section.family > h3, section.extra h3 { margin: 1.4rem 0 .2rem; font-size: 1.15rem; }
section.family > h3 small, nav.families small { color: var(--muted); font-weight: normal; }
.blurb { margin: 0 0 .6rem; color: var(--muted); }
nav.families { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .2rem .8rem; }
nav.families p { margin: .35rem 0; display: flex; flex-wrap: wrap; gap: .15rem .8rem; align-items: baseline; }
nav.families a { color: var(--accent); text-decoration: none; white-space: nowrap; }
.nav-kind { font-weight: 600; min-width: 6.5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem;
        min-width: 0; }
.card[hidden], section.family[hidden] { display: none; }
.card.wide { grid-column: 1 / -1; }
.card h4 { margin: 0; display: inline; font-size: 1.1rem; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .45rem; margin-left: .3rem;
         border-radius: 9px; background: #e8eef4; color: var(--muted); }
.badge.kind-loss { background: #fbe9dd; } .badge.kind-activation { background: #dff0fa; }
.summary { margin: .4rem 0; color: var(--muted); }
.math { margin: .3rem 0; }
.math .eq { margin: .3rem 0; }
.math .eq > span.lbl { display: block; color: var(--muted); font-size: .75rem; text-transform: uppercase;
                       letter-spacing: .04em; }
/* a formula wider than its card is scaled down to fit by the script (MathML does not wrap) */
.math .eq > .f { overflow: hidden; white-space: nowrap; }
.math .eq > .f.swipe { overflow-x: auto; }
math { font-size: 1.1rem; } mtd { padding: .35ex .7em .35ex 0; text-align: left; }
.plot { height: 250px; }
.controls label { display: flex; align-items: center; gap: .5rem; font-size: .9rem; }
.controls input[type=range] { flex: 1; min-width: 0; }
.controls output { min-width: 4rem; font-variant-numeric: tabular-nums; }
.skip, .invalid { color: #a0522d; font-size: .9rem; }
details { font-size: .9rem; margin-top: .4rem; } details ul { margin: .2rem 0; padding-left: 1.2rem; }
/* tables (recommendations, lab, claims): one style; below 700 px each row becomes a block */
main table { border-collapse: collapse; background: #fff; width: 100%; margin: .6rem 0; }
main th, main td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
                   vertical-align: top; font-size: .9rem; }
main th { background: #eef2f6; }
main pre { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); border-radius: 6px;
           padding: .6rem .8rem; font-size: .85rem; }
main img { max-width: 100%; height: auto; }
section.extra > .plotly-graph-div, section.extra > div > .plotly-graph-div {
  background: #fff; border: 1px solid var(--line); border-radius: 8px; max-width: 100%; }
.claim { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .2rem 1rem .8rem;
         margin: 1rem 0; }
.claim h3 { font-size: 1.05rem; }
.picker { display: flex; flex-wrap: wrap; gap: .2rem .9rem; max-height: 9rem; overflow-y: auto;
          background: #fff; border: 1px solid var(--line); padding: .5rem; border-radius: 6px; }
#compare-plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr));
                 gap: 1rem; margin-top: .5rem; }
.cmp-panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .4rem .6rem; min-width: 0; }
.cmp-panel h3 { font-size: 1rem; margin: .2rem 0; }
.cmp-panel .cmp-plot { height: 380px; }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 1.2rem; }
@media (max-width: 700px) {
  header.top { position: static; padding: .5rem .8rem; }
  [id] { scroll-margin-top: .5rem; }
  main { padding: .6rem .8rem; }
  .card { padding: .6rem .7rem; }
  .badge { margin-left: .15rem; }
  main table, main thead, main tbody, main tr, main th, main td { display: block; width: 100%; }
  main thead { display: none; }
  main tr { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; background: #fff; }
  main td { border: none; border-top: 1px solid var(--line); }
  main td:first-child { border-top: none; }
  main td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
"""

JS = r"""
(function () {
  const DATA = JSON.parse(document.getElementById("atlas-data").textContent);
  const byName = Object.fromEntries(DATA.entries.map((e) => [e.name, e]));
  const COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"];
  const CONFIG = { displaylogo: false, responsive: true };

  function layout(xlabel, ylabel, extra) {
    return Object.assign({
      margin: { l: 45, r: 10, t: 10, b: 40 }, xaxis: { title: { text: xlabel }, zeroline: true },
      yaxis: { title: { text: ylabel }, zeroline: true }, legend: { orientation: "h", y: 1.12 },
      paper_bgcolor: "#fff", plot_bgcolor: "#fff",
    }, extra || {});
  }

  function comboIndex(card, e) {
    let idx = 0;
    for (const c of e.controls) {
      const el = card.querySelector('[data-param="' + c.name + '"]');
      idx = idx * c.values.length + Number(el.value);
    }
    return idx;
  }

  function drawCard(card) {
    const e = byName[card.dataset.name];
    if (!e.plot) return;
    const idx = comboIndex(card, e);
    for (const c of e.controls) {
      const el = card.querySelector('[data-param="' + c.name + '"]');
      card.querySelector('output[data-for="' + c.name + '"]').textContent = c.values[Number(el.value)];
    }
    const row = e.plot.curves[idx];
    const div = card.querySelector(".plot");
    card.querySelector(".invalid").hidden = !!(row && row[0]);
    const traces = [];
    if (row && row[0]) traces.push({ x: e.plot.x, y: row[0], name: e.ylabel[0], line: { color: COLORS[0], width: 2.5 } });
    if (row && row[1]) traces.push({ x: e.plot.x, y: row[1], name: e.ylabel[1], line: { color: COLORS[1], width: 2, dash: "dash" } });
    const y = e.plot.yrange ? { title: { text: "" }, range: e.plot.yrange, zeroline: true } : undefined;
    Plotly.react(div, traces, layout(e.xlabel, "", y ? { yaxis: y } : {}), CONFIG);
    div.dataset.combo = String(idx);
  }

  const observer = new IntersectionObserver((items) => {
    for (const it of items) {
      if (it.isIntersecting) { drawCard(it.target); observer.unobserve(it.target); }
    }
  }, { rootMargin: "300px" });

  for (const card of document.querySelectorAll(".card")) {
    for (const el of card.querySelectorAll("[data-param]")) {
      el.addEventListener("input", () => drawCard(card));
    }
    if (byName[card.dataset.name].plot) observer.observe(card);
  }

  // ------------------------------------------------------------------ search and filters
  const search = document.getElementById("search"), kind = document.getElementById("f-kind");
  const prop = document.getElementById("f-prop"), task = document.getElementById("f-task");
  function applyFilters() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    const cards = document.querySelectorAll(".card");
    for (const card of cards) {
      const ok = words.every((w) => card.dataset.search.includes(w)) &&
        (!kind.value || card.dataset.kind === kind.value) &&
        (!prop.value || card.dataset.props.split(" ").includes(prop.value)) &&
        (!task.value || card.dataset.task.split(" ").includes(task.value));
      card.hidden = !ok;
      shown += ok;
    }
    for (const fam of document.querySelectorAll("section.family")) {
      fam.hidden = !fam.querySelector(".card:not([hidden])");
    }
    document.getElementById("count").textContent = shown + " of " + cards.length;
  }
  for (const el of [search, kind, prop, task]) el.addEventListener("input", applyFilters);
  applyFilters();

  // ------------------------------------------------------------------ comparison
  // One plot per kind of x (DATA.axes): an activation's input, a regression loss's prediction
  // and a classification loss's margin never share an x-axis. Each function keeps its colour,
  // dash pattern and marker, so curves that coincide (relu under leaky_relu) stay visible.
  const DASHES = ["solid", "dash", "dot", "dashdot", "longdash"];
  const SYMBOLS = ["circle", "square", "triangle-up", "diamond", "x", "cross", "star", "pentagon"];
  const picker = document.getElementById("picker");
  const panels = document.getElementById("compare-plots");
  function drawCompare() {
    const order = Number(document.querySelector('input[name="cmp-order"]:checked').value);
    const groups = new Map();
    let i = 0;
    for (const box of picker.querySelectorAll("input:checked")) {
      const e = byName[box.value];
      const row = e.plot.curves[e.plot.default];
      if (!row || !row[order]) continue;
      const n = e.plot.x.length, every = Math.max(1, Math.round(n / 8));
      const marks = e.plot.x.map((_, j) => ((j + Math.round(i * every / 3)) % every === 0 ? 7 : 0));
      if (!groups.has(e.axis)) groups.set(e.axis, { xlabel: e.xlabel, traces: [] });
      groups.get(e.axis).traces.push({
        x: e.plot.x, y: row[order], name: e.name + (order ? "'" : ""), mode: "lines+markers",
        line: { color: COLORS[i % COLORS.length], width: Math.max(1.4, 3 - 0.25 * i), dash: DASHES[i % DASHES.length] },
        marker: { symbol: SYMBOLS[i % SYMBOLS.length], size: marks, color: COLORS[i % COLORS.length] },
      });
      i += 1;
    }
    for (const div of Array.from(panels.children)) {
      if (!groups.has(div.dataset.axis)) { Plotly.purge(div.querySelector(".cmp-plot")); div.remove(); }
    }
    for (const [axis, g] of groups) {
      let div = panels.querySelector('.cmp-panel[data-axis="' + axis + '"]');
      if (!div) {
        div = document.createElement("div");
        div.className = "cmp-panel";
        div.dataset.axis = axis;
        div.innerHTML = "<h3></h3><div class='cmp-plot'></div>";
        div.querySelector("h3").textContent = DATA.axes[axis] || axis;
        panels.appendChild(div);
      }
      const xlabels = Array.from(new Set(g.traces.map((t) => byName[t.name.replace("'", "")].xlabel)));
      Plotly.react(div.querySelector(".cmp-plot"), g.traces,
        layout(xlabels.join(" | "), order ? "derivative" : "value", { legend: { orientation: "h", y: -0.25 }, margin: { l: 45, r: 10, t: 10, b: 40 } }), CONFIG);
    }
  }
  picker.addEventListener("change", drawCompare);
  for (const r of document.querySelectorAll('input[name="cmp-order"]')) r.addEventListener("change", drawCompare);
  drawCompare();

  // ------------------------------------------------------------------ layout
  // Formulas wider than their card are scaled down to fit (MathML does not wrap); a card whose
  // formula would shrink below 80% takes a whole row of the grid first, when the grid has more
  // than one column.
  const MIN_PX = 10;
  function fitMath() {
    const formulas = Array.from(document.querySelectorAll(".math .f")).filter((f) => f.offsetParent !== null);
    for (const card of document.querySelectorAll(".card.wide")) card.classList.remove("wide");
    for (const f of formulas) f.querySelector("math").style.fontSize = "";
    for (const f of formulas) {
      const grid = f.closest(".cards"), card = f.closest(".card");
      const columns = getComputedStyle(grid).gridTemplateColumns.split(" ").length;
      if (columns > 1 && f.querySelector("math").getBoundingClientRect().width > f.clientWidth / 0.8) {
        card.classList.add("wide");
      }
    }
    for (const f of formulas) {
      const m = f.querySelector("math");
      const avail = f.clientWidth, need = m.getBoundingClientRect().width;
      f.classList.remove("swipe");
      if (need > avail && avail > 0) {
        const size = parseFloat(getComputedStyle(m).fontSize);
        const fit = Math.floor(size * avail / need * 0.97 * 10) / 10;
        // never below MIN_PX: on a phone the few longest formulas scroll sideways instead
        m.style.fontSize = Math.max(fit, MIN_PX) + "px";
        if (fit < MIN_PX) f.classList.add("swipe");
      }
    }
  }
  // Link targets stop below the sticky header: its height, measured.
  const header = document.querySelector("header.top");
  function measureHeader() {
    document.documentElement.style.setProperty("--header-h", header.offsetHeight + "px");
  }
  // Narrow screens show each table row as a block: every cell is labelled with its column.
  for (const table of document.querySelectorAll("main table")) {
    const heads = Array.from(table.querySelectorAll("tr:first-child th")).map((th) => th.textContent.trim());
    if (!heads.length) continue;
    for (const tr of table.querySelectorAll("tr")) {
      Array.from(tr.children).forEach((td, j) => { if (td.tagName === "TD" && heads[j]) td.dataset.label = heads[j]; });
    }
  }
  // Plotly figures of the extra sections (the lab's) in the cards' style: white, light grid,
  // the legend below the plot on a phone.
  let narrowShown = null;
  function styleExtraPlots() {
    const narrow = window.innerWidth < 700;
    if (narrow === narrowShown) return;
    narrowShown = narrow;
    for (const div of document.querySelectorAll("section.extra .js-plotly-plot")) {
      Plotly.relayout(div, {
        paper_bgcolor: "#fff", plot_bgcolor: "#fff", "xaxis.gridcolor": "#e5e8eb", "yaxis.gridcolor": "#e5e8eb",
        "legend.orientation": narrow ? "h" : "v", "legend.x": narrow ? 0 : 1.02, "legend.y": narrow ? -0.25 : 1,
        "title.font.size": narrow ? 13 : 16,
      });
    }
  }
  let pending = 0;
  function relayout() { cancelAnimationFrame(pending); pending = requestAnimationFrame(() => { measureHeader(); fitMath(); styleExtraPlots(); }); }
  window.addEventListener("resize", relayout);
  for (const el of [search, kind, prop, task]) el.addEventListener("input", relayout);
  measureHeader();
  fitMath();
  styleExtraPlots();
  if (document.fonts) document.fonts.ready.then(fitMath);
  window.addEventListener("load", fitMath);
})();
"""
