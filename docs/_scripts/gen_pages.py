"""Generate the catalog's pages at build time (mkdocs-gen-files), from the spec only.

For every catalog entry: ``functions/NAME.md`` (summary, formula and derivatives as MathML,
parameters with defaults and constraints, properties, conventions, errata, the adapters and
other frameworks' names, a runnable example whose output is computed here) and
``functions/NAME.svg`` (the function and its derivatives, drawn by matplotlib). Also the
catalog's index by family, the math font subset, and copies of the repository's CHANGELOG.md
(and ARCHITECTURE.md, CONTRIBUTING.md where they exist).
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import io
import re
from pathlib import Path
from typing import Any

import mkdocs_gen_files
import numpy as np

import actloss as al
from actloss import curves
from actloss._classnames import class_name
from actloss.atlas.data import grouped
from actloss.atlas.page import math_font_css, mathml
from actloss.cli import _figure

ROOT = Path(__file__).resolve().parents[2]
ROOT_PAGES = {
    "CHANGELOG.md": "changelog.md",
    "ARCHITECTURE.md": "architecture.md",
    "CONTRIBUTING.md": "contributing.md",
}


def e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def math_block(latex: str) -> str:
    return f'<div class="al-math">{mathml(latex)}</div>'


def html_list(items: Any) -> str:
    return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"


# ------------------------------------------------------------------------------ plot
def plot_svg(fn: al.Function) -> str | None:
    """The function and its derivatives as SVG (text kept as text), or None if not plottable."""
    from matplotlib import rc_context

    panels = []
    for order in (0, 1, 2):
        try:
            panels.append([curves.section(fn, order, x=curves.grid(fn, num=161))])
        except curves.NotPlottable:
            if order == 0:
                return None
    buf = io.StringIO()
    # one axes (the orders told apart by dash pattern): a third of the time of three panels
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "actloss"}):
        fig = _figure.figure(panels, overlay=True, layout=None)  # fixed margins: faster
        fig.set_size_inches(6.4, 3.6)
        fig.subplots_adjust(left=0.11, right=0.98, bottom=0.14, top=0.97)
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


# ------------------------------------------------------------------------------ example
_ACTIVATION_INPUTS = (
    "np.array([-2.0, -0.5, 0.0, 0.5, 2.0])",
    "np.array([[1.0, 2.0, 0.5]])",
    "np.array([[1.0, -0.5, 2.0, 0.3]])",
)
# (y_true, y_pred) candidates, tried in this order; the first that runs is shown
_LOSS_INPUTS = {
    "values": (
        ("np.array([0.0, 1.0, 2.0])", "np.array([0.5, 1.0, 3.0])"),
        ("np.array([-1.0, 1.0, 1.0])", "np.array([0.5, 2.0, -0.3])"),
        ("np.array([0, 2])", "np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])"),
    ),
    "logits": (
        ("np.array([0.0, 1.0, 1.0])", "np.array([-1.0, 2.0, 0.5])"),
        ("np.array([0, 2])", "np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])"),
    ),
    "probabilities": (
        ("np.array([0.0, 1.0, 1.0])", "np.array([0.2, 0.9, 0.6])"),
        (
            "np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])",
            "np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])",
        ),
    ),
    "log_probabilities": (
        ("np.array([1, 0])", "np.log(np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]]))"),
    ),
    "distances": (("np.array([1.0, 0.0, 1.0])", "np.array([0.2, 1.5, 0.8])"),),
}


def _run(code: str) -> str | None:
    out = io.StringIO()
    with (
        np.errstate(all="raise"),
        np.printoptions(precision=4, suppress=True),
        contextlib.redirect_stdout(out),
    ):
        try:
            exec(code, {})
        except Exception:
            return None
    return out.getvalue()


def example(fn: al.Function) -> tuple[str, str] | None:
    """A short program using ``fn`` and its output, run here; None when no generic input fits."""
    head = f'import numpy as np\nimport actloss as al\n\nf = al.get("{fn.name}")\n'
    if fn.info.kind == "activation":
        for x in _ACTIVATION_INPUTS:
            body = (
                f"x = {x}\nprint(f(x))\nprint(f.grad(x))\n"
                if fn.info.elementwise
                else f"x = {x}\ny = f(x)\nprint(y)\nprint(f.vjp(x, np.ones_like(y)))  # "
                "d sum(f(x)) / dx\n"
            )
            code = head + body
            output = _run(code)
            if output is not None:
                return code, output
        return None
    kind = curves.pred_kind(fn)
    candidates = list(_LOSS_INPUTS.get(kind, ()))
    multiclass = any("multi-class" in t for t in fn.info.task)
    if multiclass and not any("binary" in t for t in fn.info.task):
        candidates.sort(key=lambda pair: pair[1].count("["), reverse=True)  # 2-d inputs first
    for y_true, y_pred in candidates:
        code = (
            head
            + f"y_true = {y_true}\ny_pred = {y_pred}\n"
            + 'print(f(y_true, y_pred))  # reduction="mean" by default\n'
            + "print(f.grad(y_true, y_pred))  # d loss / d y_pred\n"
        )
        output = _run(code)
        if output is not None:
            return code, output
    return None


# ------------------------------------------------------------------------------ a page
def _errata() -> dict[str, list[Any]]:
    try:
        from actloss.claims.errata import check_all
    except ImportError:  # the claims need the lab extra
        return {}
    out: dict[str, list[Any]] = {}
    for c in check_all():
        out.setdefault(c.erratum.function, []).append(c)
    return out


def page(fn: al.Function, errata: list[Any], has_plot: bool) -> str:
    info = fn.info
    lines = [f"# {info.name}", ""]
    badges = [info.kind, info.family, *_properties(info)]
    lines.append(
        '<p class="al-badges">'
        + " ".join(f'<span class="al-badge">{e(b)}</span>' for b in dict.fromkeys(badges))
        + "</p>"
    )
    lines += [f'<p class="al-summary">{e(info.summary)}</p>', ""]
    if info.aliases:
        lines += [
            f"<p><b>Aliases</b>: {', '.join(f'<code>{e(a)}</code>' for a in info.aliases)}</p>",
            "",
        ]
    lines += ["## Formula", "", math_block(info.formula), ""]
    derivs = [("Derivative", info.derivative), ("Second derivative", info.second_derivative)]
    for title, latex in derivs:
        if latex:
            lines += [f"## {title}", "", math_block(latex), ""]
    if has_plot:
        lines += [
            "## Plot",
            "",
            f"![{info.name} and its derivatives]({info.name}.svg){{ .al-plot }}",
            "",
        ]
    lines += ["## Parameters", ""]
    if info.params:
        rows = "".join(
            f"<tr><td><code>{e(p.name)}</code></td><td><code>{e(repr(p.default))}</code></td>"
            f"<td>{e(p.describe_expected())}</td><td>{'yes' if p.learnable else ''}</td>"
            f"<td>{e(p.doc)}</td></tr>"
            for p in info.params
        )
        lines += [
            "<table><thead><tr><th>name</th><th>default</th><th>constraint</th>"
            f"<th>learnable</th><th>meaning</th></tr></thead><tbody>{rows}</tbody></table>",
            "",
        ]
    else:
        lines += ["None.", ""]
    lines += ["## Properties", "", _facts(fn), ""]
    if info.kinks:
        lines += [
            "## Kinks and the subgradient used there",
            "",
            html_list(f"{k.where}: {k.subgradient}" for k in info.kinks),
            "",
        ]
    if info.conventions:
        lines += ["## Conventions", "", html_list(info.conventions), ""]
    if errata:
        items = "".join(
            f"<li><b>Printed wrongly</b> ({e(c.erratum.quantity)}): <code>{e(c.erratum.wrong)}"
            f"</code><br><b>Right</b>: <code>{e(c.erratum.right)}</code> (they differ by up to "
            f"{c.max_difference:.3g})</li>"
            for c in errata
        )
        lines += [
            "## Printed wrongly in tutorials",
            "",
            f'<div class="admonition warning"><ul>{items}</ul></div>',
            "",
        ]
    lines += ["## In PyTorch, Keras and JAX", "", _frameworks(fn), ""]
    ex = example(fn)
    lines += ["## Example", ""]
    if ex is None:
        inputs = getattr(fn.kernels, "inputs", ("y_pred",))
        lines += [
            f"<p><code>{e(info.name)}</code> takes {e(', '.join(inputs))}: see the "
            '<a href="../reference.html">API reference</a> for its call.</p>',
            "",
        ]
    else:
        code, output = ex
        lines += [
            "```python",
            code.rstrip(),
            "```",
            "",
            "Output:",
            "",
            "```text",
            output.rstrip(),
            "```",
            "",
        ]
    for title, items in (
        ("Pros", info.pros),
        ("Cons", info.cons),
        ("Notes", info.notes),
        ("References", info.references),
    ):
        if items:
            lines += [f"## {title}", "", html_list(items), ""]
    return "\n".join(lines)


def _properties(info: Any) -> list[str]:
    return list(info.property_words())


def _facts(fn: al.Function) -> str:
    info = fn.info
    facts = [
        ("range", info.range_description() if info.kind == "activation" else ""),
        ("elementwise", "yes" if info.elementwise else "no (along an axis)"),
        ("smoothness", info.smoothness),
        ("monotonic", {True: "yes", False: "no", None: ""}[info.monotonic]),
        ("zero-centred", {True: "yes", False: "no", None: ""}[info.zero_centered]),
        ("task", ", ".join(info.task)),
        ("y_pred", info.y_pred_kind),
    ]
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts if v)
    return f"<table><tbody>{rows}</tbody></table>"


def _frameworks(fn: al.Function) -> str:
    info = fn.info
    cls = class_name(fn)
    items = [
        f"<li>actloss adapters: <code>actloss.torch.{e(cls)}</code> (a <code>torch.nn.Module"
        f"</code>) and <code>actloss.keras.{e(cls)}</code> (a registered, serializable Keras "
        "class); both call this catalog entry.</li>"
    ]
    if importlib.util.find_spec("actloss.jax") is not None:
        items.append(
            f"<li>On JAX: <code>actloss.jax.{e(info.name)}</code>, a JAX function whose "
            "derivatives are this entry's (under <code>jit</code>, <code>grad</code> and "
            "<code>vmap</code>).</li>"
        )
    if info.torch_equivalent:
        items.append(f"<li>PyTorch's own: <code>{e(info.torch_equivalent)}</code></li>")
    others = [c for c in info.conventions if re.search(r"keras|jax|tensorflow|optax", c, re.I)]
    items += [f"<li>{e(c)}</li>" for c in others]
    if not info.torch_equivalent and not others:
        items.append(
            "<li>No PyTorch, Keras or JAX function of this name is recorded in the catalog.</li>"
        )
    return f"<ul>{''.join(items)}</ul>"


# ------------------------------------------------------------------------------ all pages
def main() -> None:
    errata = _errata()
    groups = grouped(al.catalog())
    index = [
        "# The catalog",
        "",
        f"{len(al.catalog())} functions, grouped as in the atlas. Every page is generated "
        "from the function's spec when the site is built.",
        "",
    ]
    for family, members in groups:
        index += [
            f"## {family.title}",
            "",
            family.blurb,
            "",
            "| function | summary |",
            "| --- | --- |",
        ]
        for fn in members:
            svg = plot_svg(fn)
            if svg is not None:
                with mkdocs_gen_files.open(f"functions/{fn.name}.svg", "w") as f:
                    f.write(svg)
            with mkdocs_gen_files.open(f"functions/{fn.name}.md", "w") as f:
                f.write(page(fn, errata.get(fn.name, []), svg is not None))
            summary = fn.info.summary.replace("|", "\\|").replace("*", "\\*")
            index.append(f"| [{fn.name}]({fn.name}.md) | {summary} |")
        index.append("")
    with mkdocs_gen_files.open("functions/index.md", "w") as f:
        f.write("\n".join(index))
    formulas = [
        mathml(t)
        for fn in al.catalog()
        for t in (fn.info.formula, fn.info.derivative, fn.info.second_derivative)
        if t
    ]
    with mkdocs_gen_files.open("assets/math.css", "w") as f:
        f.write(math_font_css(formulas))
    for source, target in ROOT_PAGES.items():
        path = ROOT / source
        if path.exists():
            with mkdocs_gen_files.open(target, "w") as f:
                f.write(site_links(path.read_text(encoding="utf-8")))


def site_links(text: str) -> str:
    """Links of a repository-root page as the site needs them: ``docs/X`` -> ``X``, other
    pages of the site by their name, and files outside the site as plain code (a link to
    them would fail the strict build)."""
    pages = {target: target for target in ROOT_PAGES.values()} | {
        source: target for source, target in ROOT_PAGES.items()
    }

    def repl(m: re.Match[str]) -> str:
        label, target = m.group(1), m.group(2)
        path, _, anchor = target.partition("#")
        if target.startswith(("http:", "https:", "mailto:", "#")):
            return m.group(0)
        if path.startswith("docs/") and (ROOT / path).exists():
            return f"[{label}]({path[len('docs/') :]}{'#' + anchor if anchor else ''})"
        if path in pages:
            return f"[{label}]({pages[path]}{'#' + anchor if anchor else ''})"
        return label if label.strip("`") == path else f"{label} (`{path}`)"

    text = text.replace("](docs/images/", "](images/")
    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", repl, text)


main()
