"""Every catalog entry explains itself: its generated docstring has the sections in the fixed
order, and its example runs as a doctest (on the default call path, while the printed output
was produced on the Array API definition when the docstring was rendered)."""

from __future__ import annotations

import doctest

import pytest

import actloss as al
from actloss._docstring import plain_math

ENTRIES = al.catalog()
SECTIONS = ("Formula:", "Args:", "Returns:", "Example:")


@pytest.mark.parametrize("fn", ENTRIES, ids=[f.name for f in ENTRIES])
def test_the_example_runs_as_a_doctest(fn: al.Function) -> None:
    doc = fn.__doc__
    assert doc, fn.name
    test = doctest.DocTestParser().get_doctest(doc, {}, fn.name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.FAIL_FAST)
    failures: list[str] = []
    runner.report_failure = lambda out, t, ex, got: failures.append(  # type: ignore[method-assign]
        f"{ex.source.strip()}\nexpected: {ex.want.strip()}\ngot:      {got.strip()}"
    )
    runner.report_unexpected_exception = lambda out, t, ex, info: failures.append(  # type: ignore[method-assign]
        f"{ex.source.strip()}\nraised {info[1]!r}"
    )
    result = runner.run(test, clear_globs=True)
    assert not failures, f"{fn.name}: " + "\n".join(failures)
    assert result.failed == 0
    # the imports, the entry, its inputs, and at least one printed value
    assert result.attempted >= 5, f"{fn.name}: the example ran {result.attempted} statements"
    assert "the example failed" not in doc, doc


@pytest.mark.parametrize("fn", ENTRIES, ids=[f.name for f in ENTRIES])
def test_docstring_sections_in_the_fixed_order(fn: al.Function) -> None:
    doc = fn.__doc__
    assert doc is not None
    assert doc.startswith(f"{fn.name}("), doc.splitlines()[0]
    assert fn.info.summary in doc
    positions = [doc.index(s) for s in SECTIONS]
    assert positions == sorted(positions), fn.name
    for section, text in (
        ("Conventions:", fn.info.conventions),
        ("References:", fn.info.references),
    ):
        if text:
            assert positions[-1] < doc.index(section), (fn.name, section)
    # the math as plain text; the LaTeX stays in info
    assert plain_math(fn.info.formula) in doc
    assert "\\frac" not in doc and "\\begin" not in doc, fn.name
    for p in fn.info.params:
        assert f"    {p.name}: " in doc, (fn.name, p.name)


def test_rendering_is_lazy_and_cached() -> None:
    """Nothing is rendered at import (the adapters render theirs when they build classes);
    the second access returns the same text without running the example again."""
    fresh = al.get("elu").partial(alpha=0.5)
    assert "_rendered_doc" not in fresh.__dict__
    doc = fresh.__doc__
    assert doc is fresh.__doc__
    assert "alpha: " in doc and "Default 0.5" in doc
    assert ".partial(alpha=0.5)" in doc  # the example evaluates the preset
    assert type(fresh).__doc__ and "activation" in type(fresh).__doc__


def test_help_reads_well() -> None:
    import pydoc

    text = pydoc.render_doc(al.get("elu"), renderer=pydoc.plaintext)
    assert "elu(x, /, *, alpha=1.0)" in text
    assert "f(x) = { x if x > 0; α (e^x - 1) if x ≤ 0 }" in text
    assert ">>> print(np.round(f(x), 4) + 0.0)" in text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        # grouping that pylatexenc's defaults lose: subscripts of several words, compound
        # denominators, the space after a named function, norm bars, a symbol before "="
        (r"w_{y_i} \log p_{i y_i}", "w_(y_i) log p_(i y_i)"),
        (r"\frac{1}{2\beta} d^2", "1/(2β) d^2"),
        (r"\frac{\partial y_i}{\partial x_j}", "∂y_i/∂x_j"),
        (r"\|a_i - p_i\|_p", "‖a_i - p_i‖_p"),
        (r"\ell = \max(\theta + m, 0)", "ℓ = max(θ + m, 0)"),
        (r"e^{x/a}", "e^(x/a)"),
        (r"\frac{x}{\sqrt{2}}", "x/√(2)"),
    ],
)
def test_plain_math_keeps_the_grouping(latex: str, text: str) -> None:
    assert plain_math(latex) == text


def test_a_function_not_in_the_catalog_by_name_has_no_example() -> None:
    """A combined loss cannot be got by its name: its docstring has every other section."""
    combined = al.losses.combine(al.get("mse"), al.get("mae"))
    doc = combined.__doc__
    assert doc and "Formula:" in doc and "Returns:" in doc
    assert "Example:" not in doc and "the example failed" not in doc
