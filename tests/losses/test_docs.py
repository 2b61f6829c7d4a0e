"""The loss modules' docstring examples run (doctest), and every loss has a rendered docstring."""

from __future__ import annotations

import doctest
import importlib

import pytest

import actloss as al
from actloss._docstring import plain_math

MODULES = ["actloss.losses", "actloss.losses.combined", "actloss.losses.custom"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("name", [f.name for f in al.catalog(kind="loss")])
def test_docstring_is_generated_from_the_spec(name: str) -> None:
    f = al.get(name)
    # the formula as plain text (the LaTeX stays in info; tests/docs/test_doctests.py checks
    # the sections and runs the example)
    assert f.__doc__ and plain_math(f.info.formula) in f.__doc__
