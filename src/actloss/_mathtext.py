"""LaTeX from the catalog as readable plain text (terminals, tooltips, docstrings).

A primitive (no actloss imports): the generated docstrings and the CLI both use it.
pylatexenc (the ``cli`` extra) is imported on first use; without it ``latex_to_text``
raises ImportError and the docstrings keep the LaTeX.

pylatexenc does the parsing and the symbol table; this module adds the three
rules its defaults get wrong for our formulas: fractions keep their grouping
(``\\frac{a+b}{2}`` -> ``(a + b)/2``, not ``a + b/2``), multi-token
exponents keep theirs (``e^{x/a}`` -> ``e^(x/a)``), and ``cases`` becomes
``{ v1 if c1; v2 if c2 }``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_PRIME2 = "\x00PRIME2\x00"
_FUNCTIONS = (
    "sin",
    "cos",
    "tan",
    "tanh",
    "sinh",
    "cosh",
    "exp",
    "log",
    "ln",
    "max",
    "min",
    "arg",
    "sign",
    "sech",
    "erf",
    "sup",
    "inf",
)


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0


def _group(text: str) -> str:
    t = " ".join(text.split())
    if re.fullmatch(r"[^\s+\-−=<>/·,]+", t):
        return t
    if t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
        return t
    return f"({t})"


def _frac(node: Any, l2tobj: Any) -> str:
    args = [a for a in node.nodeargd.argnlist if a is not None]
    num, den = (l2tobj.nodelist_to_text([a]) for a in args)
    # a denominator that is more than a number or one symbol (with its subscript or
    # power) keeps its parentheses: 1/(2β), not 1/2β
    den = " ".join(den.split())
    single = re.fullmatch(r"\d+(\.\d+)?|∂?[^\W\d_]\w*(\^\w+)?|√\([^()]*\)", den)
    if not single and not (den.startswith("(") and den.endswith(")") and _balanced(den[1:-1])):
        den = f"({den})"
    return f"{_group(num)}/{den}"


def _cases(node: Any, l2tobj: Any) -> str:
    from pylatexenc import latexwalker as lw

    rows: list[list[list[Any]]] = []
    cells: list[list[Any]] = []
    cur: list[Any] = []
    for n in node.nodelist:
        if n.isNodeType(lw.LatexSpecialsNode) and n.specials_chars == "&":
            cells.append(cur)
            cur = []
        elif n.isNodeType(lw.LatexMacroNode) and n.macroname == "\\":
            rows.append([*cells, cur])
            cells, cur = [], []
        else:
            cur.append(n)
    rows.append([*cells, cur])
    out = []
    for row in rows:
        texts = [" ".join(l2tobj.nodelist_to_text(c).split()) for c in row]
        if not any(texts):
            continue
        value, cond = texts[0], " ".join(texts[1:])
        if cond and not re.match(r"(if|otherwise|for|else|where)\b", cond):
            cond = "if " + cond
        out.append(f"{value} {cond}".strip())
    return "{ " + "; ".join(out) + " }"


def _exponents(latex: str) -> str:
    """``^{ab}`` -> ``^{(ab)}`` for multi-token exponents, and ``_{i y_i}`` -> ``_{(i y_i)}``
    for subscripts of more than one word, so that grouping survives (``p_{ic}`` stays)."""
    out, i = [], 0
    while i < len(latex):
        if latex.startswith(("^{", "_{"), i):
            depth, j = 0, i + 1
            while j < len(latex):
                depth += (latex[j] == "{") - (latex[j] == "}")
                if depth == 0:
                    break
                j += 1
            inner = latex[i + 2 : j]
            word = r"-?\w" if latex[i] == "^" else r"[A-Za-z0-9]+"
            simple = re.fullmatch(rf"\s*({word}|\\[a-zA-Z]+)\s*", inner)
            group = inner if simple else "(" + _exponents(inner) + ")"
            out.append(latex[i] + "{" + group + "}")
            i = j + 1
        else:
            out.append(latex[i])
            i += 1
    return "".join(out)


@cache
def _converter() -> tuple[Any, Any]:
    from pylatexenc import latexwalker as lw
    from pylatexenc import macrospec as ms
    from pylatexenc.latex2text import (
        EnvironmentTextSpec,
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    fracs = ("frac", "dfrac", "tfrac")
    walker_db = lw.get_default_latex_context_db()
    walker_db.add_context_category(
        "actloss", prepend=True, macros=[ms.MacroSpec(m, "{{") for m in fracs]
    )
    text_db = get_default_latex_context_db()
    text_db.add_context_category(
        "actloss",
        prepend=True,
        macros=[MacroTextSpec(m, simplify_repl=_frac) for m in fracs]
        + [MacroTextSpec(m, simplify_repl=" ") for m in (",", ";", "quad", "qquad", "!")]
        + [MacroTextSpec("|", simplify_repl="‖")]
        # named functions keep a space before them: x\\tanh(x) -> "x tanh(x)", not "xtanh(x)"
        # and after them: \\log p -> "log p", not "logp" (the space before a bracket, a
        # subscript or an exponent is taken out again in latex_to_text)
        + [MacroTextSpec(m, simplify_repl=f" {m} ") for m in _FUNCTIONS],
        environments=[EnvironmentTextSpec(e, simplify_repl=_cases) for e in ("cases", "dcases")],
    )
    return walker_db, LatexNodes2Text(latex_context=text_db, math_mode="text")


def latex_to_text(latex: str) -> str:
    """A one-line plain-text reading of ``latex`` (empty in, empty out)."""
    if not latex.strip():
        return ""
    from pylatexenc.latexwalker import LatexWalker

    walker_db, l2t = _converter()
    source = _exponents(latex.replace("''", _PRIME2))
    nodes, _, _ = LatexWalker(
        source, latex_context=walker_db, tolerant_parsing=True
    ).get_latex_nodes()
    text = l2t.nodelist_to_text(nodes).replace(_PRIME2, "''")
    text = re.sub(r"([≤≥≠∈⊙])(?=\S)", r"\1 ", text)  # pylatexenc drops the space after these
    text = re.sub(rf"\b({'|'.join(_FUNCTIONS)}) +(?=[(\[_^])", r"\1", text)
    # a symbol macro eats the space after it: "θ+ m" -> "θ + m", "ℓ= 1" -> "ℓ = 1"
    text = re.sub(r"(?<=[^\s(\[{])([+=−-])(?= )", r" \1", text)
    text = re.sub(r"([(\[]) +", r"\1", " ".join(text.split()))
    return re.sub(r" +([)\],])", r"\1", text)
