"""Adapter class names derived from the catalog (issue 13, item 21: ``SparsemaxLossLoss``)."""

from __future__ import annotations

import actloss as al
from actloss._classnames import class_name


def test_class_names_are_unique_and_say_loss_once() -> None:
    names = {fn.name: class_name(fn) for fn in al.catalog()}
    assert len(set(names.values())) == len(names)
    assert not [n for n in names.values() if n.endswith("LossLoss")]
    assert names["sparsemax_loss"] == "SparsemaxLoss" and names["focal"] == "FocalLoss"
    assert names["l2_penalty"] == "L2Penalty" and names["relu"] == "ReLU"
