"""The atlas page: HTML for the cards, the comparison view and the recommendation table."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import actloss as al

from .. import curves
from . import assets, data


@dataclass(frozen=True)
class Section:
    """An extra section of the page (the lab's results, the claims...).

    ``html`` is inserted as is (trusted, produced by actloss itself) after the
    recommendation table and linked from the navigation bar; it may contain
    Plotly ``<div>``s with inline ``<script>``s, as Plotly is already loaded.
    """

    id: str
    title: str
    html: str


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


@cache
def mathml(latex: str) -> str:
    """LaTeX as MathML (rendered natively by current browsers); the source if conversion fails."""
    from latex2mathml.converter import convert

    try:
        return str(convert(latex.replace(r"\_", "_")))  # latex2mathml keeps the backslash
    except Exception:  # an unsupported construct: show the LaTeX source rather than nothing
        return f"<code>{_e(latex)}</code>"


def math_font_css(formulas: Sequence[str]) -> str:
    """An ``@font-face`` with STIX Two Math (shipped by ziamath, SIL OFL) cut to the characters
    the formulas use, so that braces of ``cases`` stretch in every browser (MathML needs an
    OpenType MATH font). Empty when ziamath or fontTools is missing: browsers then use their
    own math font."""
    import base64
    import importlib.util
    import io
    import re
    from pathlib import Path

    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return ""
    spec = importlib.util.find_spec("ziamath")  # only its font file is used: no import
    if spec is None or spec.origin is None:
        return ""
    source = Path(spec.origin).parent / "fonts" / "STIXTwoMath-Regular.ttf"
    if not source.exists():
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", " ".join(formulas)))
    chars = set(text) | set("{}()[]|‖")
    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff"
    font = TTFont(str(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        '@font-face { font-family: "actloss math"; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        'math { font-family: "actloss math", math; }'
    )


def _list(title: str, items: Sequence[str]) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{_e(i)}</li>" for i in items)
    return f"<p><b>{_e(title)}</b></p><ul>{lis}</ul>"


def card(fn: al.Function, entry: dict[str, Any]) -> str:
    info = fn.info
    words = [info.name, *info.aliases, info.family, info.kind, info.summary, *info.task]
    search = " ".join(words).lower()
    eqs = "".join(
        f'<div class="eq"><span class="lbl">{label}</span>'
        f'<div class="f">{mathml(latex)}</div></div>'
        for label, latex in (
            ("function", info.formula),
            ("derivative", info.derivative),
            ("2nd derivative", info.second_derivative),
        )
        if latex
    )
    controls = []
    for c in entry["controls"]:
        n = len(c["values"]) - 1
        controls.append(
            f'<label>{_e(c["name"])}<input type="range" min="0" max="{n}" step="1" '
            f'value="{c["default"]}" data-param="{_e(c["name"])}" aria-label="{_e(c["name"])}">'
            f'<output data-for="{_e(c["name"])}">{_e(c["values"][c["default"]])}</output></label>'
        )
    plot = (
        f'<div class="plot" data-name="{_e(info.name)}"></div>'
        '<p class="invalid" hidden>This parameter combination is invalid.</p>'
        f'<div class="controls">{"".join(controls)}</div>'
        if entry["plot"]
        else f'<p class="skip">Not plotted: {_e(entry["reason"])}</p>'
    )
    facts = [
        ("range", entry.get("range", "")),
        ("properties", ", ".join(entry["properties"])),
        ("aliases", ", ".join(info.aliases)),
        ("task", ", ".join(info.task)),
        ("y_pred", info.y_pred_kind),
        ("PyTorch", info.torch_equivalent),
        ("section", entry["note"]),
    ]
    params = [f"{p.name} = {p.default!r}: {p.doc} ({p.describe_expected()})" for p in info.params]
    kinks = [f"{k.where}: gradient there {k.subgradient}" for k in info.kinks]
    details = (
        "".join(f"<p><b>{t}</b>: {_e(v)}</p>" for t, v in facts if v)
        + _list("Parameters", params)
        + _list("Kinks", kinks)
        + _list("Pros", info.pros)
        + _list("Cons", info.cons)
        + _list("Conventions", info.conventions)
        + _list("Notes", info.notes)
        + _list("References", info.references)
    )
    badges = "".join(
        f'<span class="badge">{_e(p)}</span>' for p in entry["properties"] if p != info.family
    )
    return (
        f'<article class="card" id="fn-{_e(info.name)}" data-name="{_e(info.name)}" '
        f'data-kind="{_e(info.kind)}" data-props="{_e(" ".join(entry["properties"]))}" '
        f'data-task="{_e(" ".join(info.task))}" data-search="{_e(search)}">'
        f'<h4>{_e(info.name)}</h4><span class="badge kind-{_e(info.kind)}">{_e(info.kind)}</span>'
        f'<span class="badge">{_e(info.family)}</span>{badges}'
        f'<p class="summary">{_e(info.summary)}</p><div class="math">{eqs}</div>{plot}'
        f"<details><summary>Details</summary>{details}</details></article>"
    )


def _options(values: Sequence[str], everything: str) -> str:
    opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return f'<option value="">{_e(everything)}</option>{opts}'


def recommendation_table() -> str:
    rows = []
    for r in data.recommendation_rows():
        cells = []
        for ch in r["choices"]:
            args = ", ".join(f"{k}={v!r}" for k, v in ch["params"].items())
            ev = (
                f"<br><small>evidence: claim {_e(ch['evidence'])}</small>" if ch["evidence"] else ""
            )
            cells.append(
                f'<td><a href="#fn-{_e(ch["name"])}">{_e(ch["name"])}</a>'
                f"{_e(f'({args})' if args else '')}<br><small>{_e(ch['reason'])}</small>{ev}</td>"
            )
        rows.append(f"<tr><td>{_e(r['task'])}</td><td>{_e(r['when'])}</td>{''.join(cells)}</tr>")
    head = "<tr><th>task</th><th>when</th><th>output</th><th>loss</th><th>hidden</th></tr>"
    return f'<table class="rec"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def plotly_js() -> str:
    """Plotly's basic bundle (scatter, bar, pie), shipped in ``vendor/`` (see its README)."""
    from importlib.resources import files

    return (files(__package__) / "vendor" / "plotly-basic.min.js").read_text(encoding="utf-8")


def family_nav(groups: Sequence[tuple[data.Family, Sequence[al.Function]]]) -> str:
    """Links to the families, one line per kind."""
    lines = []
    for kind, title in (("activation", "Activations"), ("loss", "Losses")):
        links = "".join(
            f'<a href="#{_e(f.id)}">{_e(f.title)} <small>{len(m)}</small></a>'
            for f, m in groups
            if f.kind == kind
        )
        if links:
            lines.append(f'<p><span class="nav-kind">{title}</span>{links}</p>')
    return f'<nav class="families" aria-label="families">{"".join(lines)}</nav>'


def render(sections: Sequence[Section] = ()) -> str:
    """The whole page as one string: Plotly's JavaScript and all data inline."""
    from .. import recommend as rules

    groups = data.grouped(al.catalog())
    fns = [fn for _, members in groups for fn in members]  # the page's order: by family
    entries = [data.entry(fn) for fn in fns]
    for e in entries:
        if e["plot"]:  # index of the default parameter combination, for the comparison view
            idx = 0
            for c in e["controls"]:
                idx = idx * len(c["values"]) + c["default"]
            e["plot"]["default"] = idx
    by_name = {e["name"]: e for e in entries}
    families = "".join(
        f'<section class="family" id="{_e(f.id)}" data-family="{_e(f.name)}">'
        f"<h3>{_e(f.title)} <small>{len(members)}</small></h3>"
        + (f'<p class="blurb">{_e(f.blurb)}</p>' if f.blurb else "")
        + '<div class="cards">'
        + "".join(card(fn, by_name[fn.name]) for fn in members)
        + "</div></section>"
        for f, members in groups
    )
    formulas = [
        mathml(t)
        for fn in fns
        for t in (fn.info.formula, fn.info.derivative, fn.info.second_derivative)
        if t
    ]
    font = math_font_css(formulas)
    props = sorted({p for e in entries for p in e["properties"]})
    tasks = sorted({t for fn in fns for t in fn.info.task})
    preset = {r.choice for r in rules.RULES if r.slot in ("hidden", "output")}
    picker = "".join(
        f'<label><input type="checkbox" value="{_e(e["name"])}"'
        f"{' checked' if e['name'] in preset else ''}> {_e(e['name'])}</label>"
        for e in entries
        if e["plot"]
    )
    extra_nav = "".join(f'<a href="#{_e(s.id)}">{_e(s.title)}</a>' for s in sections)
    extra = "".join(
        f'<section class="extra" id="{_e(s.id)}"><h2>{_e(s.title)}</h2>{s.html}</section>'
        for s in sections
    )
    page_data = {"entries": entries, "axes": curves.AXES}
    blob = json.dumps(page_data, separators=(",", ":"), allow_nan=False)
    blob = blob.replace("</", "<\\/")  # never close the script element early
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>actloss atlas</title><style>{assets.CSS}{font}</style>
<script>{plotly_js()}</script></head>
<body>
<header class="top"><h1>actloss atlas</h1><nav><a href="#functions">Functions</a>
<a href="#compare">Compare</a><a href="#recommend">Recommendations</a>{extra_nav}</nav>
<div class="filters">
<input id="search" type="search" placeholder="Search names, aliases, families, tasks…"
 aria-label="search">
<select id="f-kind" aria-label="kind">{_options(["activation", "loss"], "all kinds")}</select>
<select id="f-prop" aria-label="property">{_options(props, "any property")}</select>
<select id="f-task" aria-label="task">{_options(tasks, "any task")}</select>
<span id="count"></span></div></header>
<main>
<section id="functions"><h2>Functions</h2>{family_nav(groups)}{families}</section>
<section id="compare"><h2>Compare</h2>
<p>Overlay any functions at their default parameters. Curves share a plot only when their x
means the same thing: activations against x, regression losses against the prediction,
classification losses against the margin or score.</p>
<div class="picker" id="picker">{picker}</div>
<p><label><input type="radio" name="cmp-order" value="0" checked> value</label>
<label><input type="radio" name="cmp-order" value="1"> derivative</label></p>
<div id="compare-plots"></div></section>
<section id="recommend"><h2>Recommendations</h2>
<p>Generated from the rules in <code>actloss.recommend</code>; <code>actloss recommend</code>
prints the same with a code snippet.</p>
{recommendation_table()}</section>
{extra}
</main>
<footer>Generated by actloss {_e(al.__version__)} from its verified catalog
({len(fns)} entries). Works offline.</footer>
<script type="application/json" id="atlas-data">{blob}</script>
<script>{assets.JS}</script>
</body></html>
"""
