# ruff: noqa: E501  (embedded CSS and JavaScript keep their natural line lengths)
"""The atlas page's stylesheet and script (no math: curves are looked up, never computed)."""

CSS = """
:root { --fg: #1d232a; --muted: #5b6670; --line: #d9dee3; --accent: #0072B2; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--fg); background: var(--bg); }
header.top { position: sticky; top: 0; z-index: 5; background: #fff;
             border-bottom: 1px solid var(--line); padding: .6rem 1.2rem; }
header.top h1 { font-size: 1.2rem; margin: 0 1rem 0 0; display: inline-block; }
header.top nav a { margin-right: .9rem; color: var(--accent); text-decoration: none; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: .5rem; }
.filters input[type=search] { flex: 1 1 18rem; padding: .35rem .6rem; font-size: 1rem; }
.filters select { padding: .3rem; }
main { padding: 1rem 1.2rem; max-width: 1500px; margin: auto; }
section > h2 { margin: 1.6rem 0 .6rem; }
#cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
.card[hidden] { display: none; }
.card h3 { margin: 0; display: inline; font-size: 1.1rem; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .45rem; margin-left: .3rem;
         border-radius: 9px; background: #e8eef4; color: var(--muted); }
.badge.kind-loss { background: #fbe9dd; } .badge.kind-activation { background: #dff0fa; }
.summary { margin: .4rem 0; color: var(--muted); }
.math { overflow-x: auto; margin: .3rem 0; }
.math .eq { margin: .25rem 0; }
.math .eq > span.lbl { display: inline-block; width: 5.5rem; color: var(--muted); font-size: .8rem; }
math { font-size: 1.1rem; } mtd { padding: .35ex .7em .35ex 0; text-align: left; }
.plot { height: 250px; }
.controls label { display: flex; align-items: center; gap: .5rem; font-size: .9rem; }
.controls input[type=range] { flex: 1; }
.controls output { min-width: 4rem; font-variant-numeric: tabular-nums; }
.skip, .invalid { color: #a0522d; font-size: .9rem; }
details { font-size: .9rem; margin-top: .4rem; } details ul { margin: .2rem 0; padding-left: 1.2rem; }
table.rec { border-collapse: collapse; background: #fff; width: 100%; }
table.rec th, table.rec td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
                             vertical-align: top; font-size: .9rem; }
.picker { display: flex; flex-wrap: wrap; gap: .2rem .9rem; max-height: 9rem; overflow-y: auto;
          background: #fff; border: 1px solid var(--line); padding: .5rem; border-radius: 6px; }
#compare-plot { height: 420px; background: #fff; border: 1px solid var(--line); margin-top: .5rem; }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 1.2rem; }
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
    document.getElementById("count").textContent = shown + " of " + cards.length;
  }
  for (const el of [search, kind, prop, task]) el.addEventListener("input", applyFilters);
  applyFilters();

  // ------------------------------------------------------------------ comparison
  const picker = document.getElementById("picker");
  function drawCompare() {
    const order = Number(document.querySelector('input[name="cmp-order"]:checked').value);
    const traces = [];
    let i = 0;
    for (const box of picker.querySelectorAll("input:checked")) {
      const e = byName[box.value];
      const row = e.plot.curves[e.plot.default];
      if (!row || !row[order]) continue;
      traces.push({ x: e.plot.x, y: row[order], name: e.name + (order ? "'" : ""),
                    line: { color: COLORS[i % COLORS.length], width: 2.2, dash: ["solid", "dash", "dot"][Math.floor(i / COLORS.length) % 3] } });
      i += 1;
    }
    Plotly.react("compare-plot", traces, layout("x (or prediction / margin for losses)", order ? "derivative" : "value"), CONFIG);
  }
  picker.addEventListener("change", drawCompare);
  for (const r of document.querySelectorAll('input[name="cmp-order"]')) r.addEventListener("change", drawCompare);
  drawCompare();
})();
"""
