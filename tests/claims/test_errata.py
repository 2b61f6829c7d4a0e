"""Errata: each printed wrong form differs from the verified one, which matches the math."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actloss.claims.errata import ERRATA, check


@pytest.mark.parametrize("erratum", ERRATA, ids=lambda e: f"{e.function}-{e.quantity}")
def test_wrong_form_is_told_apart(erratum) -> None:  # type: ignore[no-untyped-def]
    result = check(erratum)
    assert result.wrong_is_wrong, result.to_dict()
    assert result.max_difference > 0.1
    if erratum.quantity == "derivative":
        assert result.fd_error < 1e-8
    else:
        assert math.isnan(result.fd_error)


def test_right_forms_by_hand() -> None:
    # sigma'(0) = 1/4 while the printed form gives 0; softsign'(-0.5) = 1/(1.5)^2 vs 1/(0.5)^2
    sig = next(e for e in ERRATA if e.function == "sigmoid")
    assert float(sig.right_form(np.array(0.0))) == 0.25
    assert float(sig.wrong_form(np.array(0.0))) == 0.0
    soft = next(e for e in ERRATA if e.function == "softsign")
    assert float(soft.right_form(np.array(-0.5))) == pytest.approx(1 / 2.25)
    assert float(soft.wrong_form(np.array(-0.5))) == pytest.approx(4.0)
