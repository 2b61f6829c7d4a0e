"""The loss reference table covers the catalog exactly, and every override says why."""

from __future__ import annotations

import actloss as al

from ._harness import NAMES
from .references import GRAD_RTOL, RTOL32, TABLE, USER_LOSSES


def test_every_loss_has_a_reference() -> None:
    missing = [n for n in NAMES if n not in TABLE]
    assert not missing, f"add these to tests/losses/references.py: {missing}"
    assert len(NAMES) >= 49
    for name in TABLE:
        assert al.get(name).info.kind == "loss", name


def test_every_tolerance_override_has_a_reason() -> None:
    for name, e in TABLE.items():
        if (e.rtol32, e.grad_rtol) != (RTOL32, GRAD_RTOL):
            assert len(e.tol_reason) > 15, f"{name}: say why its tolerance differs"
        for pin in e.pinned:
            assert len(pin.source) > 10, name
            if pin.rtol != 1e-12:
                assert len(pin.reason) > 15, f"{name}: say why the pinned tolerance differs"


def test_losses_with_a_library_equivalent_are_pinned() -> None:
    """Where PyTorch (info.torch_equivalent) or scikit-learn or SciPy (the table's ``sklearn``) has
    the loss, at least one value is pinned from it, with the version."""
    for fn in al.catalog(kind="loss"):
        e = TABLE[fn.name]
        if fn.info.torch_equivalent.startswith("torch.") or e.sklearn is not None:
            assert e.pinned, f"{fn.name}: pin a value from {fn.info.torch_equivalent or 'sklearn'}"
            assert any(
                lib in p.source for p in e.pinned for lib in ("PyTorch", "scikit-learn", "SciPy")
            )


def test_every_catalog_loss_has_a_pinned_value() -> None:
    built_in = [f.name for f in al.catalog(kind="loss") if f.name not in USER_LOSSES]
    unpinned = [name for name in built_in if not TABLE[name].pinned]
    assert not unpinned, f"pin a canonical value with its source for: {unpinned}"
