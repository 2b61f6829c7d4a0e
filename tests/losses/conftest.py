"""Register the test table's user-defined losses around each loss test module only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import actloss as al

from .references import USER_LOSSES


@pytest.fixture(scope="module", autouse=True)
def user_losses() -> Iterator[None]:
    for name, (fn, gradient) in USER_LOSSES.items():
        al.losses.register_loss(name, fn, gradient=gradient, formula=name)
    try:
        yield
    finally:
        for name in USER_LOSSES:
            al.unregister(name)
