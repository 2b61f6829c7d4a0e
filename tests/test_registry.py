"""The catalog is the only registry: what a new entry needs is its definition and its
reference row; every listing is derived from the catalog."""

from __future__ import annotations

import actloss as al
import actloss.activations
import actloss.losses
from actloss._classnames import class_name


def test_package_attributes_and_all_are_the_catalog() -> None:
    for package, kind in ((actloss.activations, "activation"), (actloss.losses, "loss")):
        names = {fn.info.name for fn in al.catalog(kind=kind)}
        assert names <= set(package.__all__)
        for name in names:
            assert getattr(package, name) is al.get(name), name
    extra = set(actloss.losses.__all__) - {fn.info.name for fn in al.catalog(kind="loss")}
    api = {"CombinedLoss", "Term", "combine", "register_loss", "serial", "term", "weight_at"}
    assert extra == api
    assert set(actloss.activations.__all__) == {f.info.name for f in al.catalog("activation")}


def test_class_names_are_derived_without_collisions() -> None:
    names = {class_name(fn) for fn in al.catalog()}
    assert len(names) == len(al.catalog())
