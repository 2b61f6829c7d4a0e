"""The atlas's "Claims" section: the verdict table, one plot per claim, and the errata.

``atlas_section(folder)`` reads ``folder/claims.json`` (written by ``runner``) and the
plots next to it (embedded as PNG data URIs, so the page stays one offline file). The
errata need no training and are always present: as a table in the section, and on each
function's card (a small inline script adds a "Printed wrongly" box to the card
``#fn-NAME``, through the atlas's extra-sections hook).
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from .errata import check_all
from .runner import DEFAULT_OUT, load_summary

VERDICT_COLOR = {
    "supported": "#1a7f37",
    "refuted": "#cf222e",
    "inconclusive": "#9a6700",
    "mixed": "#8250df",
}


def _e(v: Any) -> str:
    return html.escape(str(v))


def _num(v: Any) -> str:
    return "–" if v is None else f"{v:.3g}"


def _effect(d: dict[str, Any]) -> str:
    if d.get("ci") is None:
        return f"max error {_num(d['effect'])}"
    unit = f" {d['unit']}" if d.get("unit") else ""
    return f"{_num(d['effect'])} [{_num(d['ci'][0])}, {_num(d['ci'][1])}]{unit}, n = {d['n']}"


def _parts(d: dict[str, Any]) -> str:
    """Each cell (a part of the claim under one condition) with its own verdict and effect."""
    items = "".join(
        f"<li>{_e(p.get('label') or p['part'])}"
        + (f" <i>(the source's setting: {_e(p['source'])})</i>" if p.get("source") else "")
        + f": <b>{_e(p['verdict'])}</b>, {_e(_effect({**d, **p}))}</li>"
        for p in d.get("parts", [])
    )
    if not items:
        return ""
    return f"<p><b>Per condition</b> (each decided by the rule):</p><ul>{items}</ul>"


def _image(path: str | None, folder: Path) -> str:
    if not path:
        return ""
    p = Path(path)
    if not p.exists():
        p = folder / p.name
    if not p.exists():
        return ""
    data = base64.b64encode(p.read_bytes()).decode("ascii")
    return f'<img alt="plot" style="max-width:100%" src="data:image/png;base64,{data}">'


def claims_html(folder: str | Path = DEFAULT_OUT) -> str:
    """The verdicts (when ``folder`` holds results) followed by the errata."""
    folder = Path(folder)
    results = load_summary(folder)
    parts = []
    if results:
        parts.append(
            "<p>Each claim is an experiment run through the lab over several seeds; the "
            "effect is the mean of per-seed paired differences (positive = as claimed) with "
            "its 95% t-interval, and the verdict is computed by the rule shown.</p>"
        )
        for d in results.values():
            color = VERDICT_COLOR.get(d["verdict"], "#444")
            parts.append(
                f'<article class="claim" id="claim-{_e(d["id"])}"><h3>{_e(d["id"])}. '
                f'{_e(d["statement"])} — <span style="color:{color}">{_e(d["verdict"])}</span>'
                f"</h3><p><b>Effect</b>: {_e(_effect(d))} ({_e(d['metric'])})</p>"
                f"<p><b>Overall</b>: {_e(d.get('overall', d['verdict']))}</p>"
                f"{_parts(d)}"
                f"<p><b>Rule</b>: {_e(d['rule'])}; {_e(d.get('seed_rule', ''))}</p>"
                f"<p><b>Source</b>: {_e(d.get('source_setting', ''))}</p>"
                f"<p><b>Experiment</b>: {_e(d['experiment'])}; swept: {_e(d['condition'])}; "
                f"budget {_e(d['budget'])}.</p>"
                f"<p><b>Source wording</b>: {_e(d['source'])}</p>"
                f"{_image(d.get('plot'), folder)}</article>"
            )
    else:
        parts.append(f"<p>No claim results in {_e(folder)}/: run <code>actloss claims</code>.</p>")
    checks = check_all()
    rows = "".join(
        f"<tr><td>{_e(c.erratum.function)}</td><td>{_e(c.erratum.wrong)}</td>"
        f"<td>{_e(c.erratum.right)}</td><td>{_num(c.max_difference)}</td>"
        f"<td>{_num(c.fd_error if c.fd_error == c.fd_error else None)}</td></tr>"
        for c in checks
    )
    parts.append(
        "<h3>Errata</h3><p>Formulas printed wrongly in tutorials, with the largest difference "
        "between the printed and the right form at a few points, and the catalog's derivative "
        "against a central finite difference.</p><table><thead><tr><th>function</th>"
        "<th>printed (wrong)</th><th>right</th><th>max |wrong - right|</th>"
        f"<th>catalog vs finite difference</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    boxes: dict[str, list[str]] = {}
    for c in checks:
        e = c.erratum
        boxes.setdefault(e.function, []).append(
            f"<p><b>Printed wrongly</b> ({_e(e.quantity)}): {_e(e.wrong)}<br><b>Right</b>: "
            f"{_e(e.right)} (they differ by up to {_num(c.max_difference)})</p>"
        )
    script = (
        "<script>(function(){const boxes="
        + json.dumps({k: "".join(v) for k, v in boxes.items()})
        + ";for(const [name,box] of Object.entries(boxes)){const card=document.getElementById("
        "'fn-'+name);if(!card)continue;const d=document.createElement('div');"
        "d.className='erratum';d.style.cssText='border-left:3px solid #cf222e;padding:0 8px;"
        "margin:6px 0;font-size:0.9em';d.innerHTML=box;const det=card.querySelector('details');"
        "card.insertBefore(d,det);}})();</script>"
    )
    return "".join(parts) + script


def atlas_section(folder: str | Path = DEFAULT_OUT) -> Any:
    """The ``actloss.atlas.Section`` titled "Claims" (always: the errata need no results)."""
    from ..atlas import Section

    return Section("claims", "Claims", claims_html(folder))
