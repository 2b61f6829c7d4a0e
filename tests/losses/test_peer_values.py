"""Values pinned to other projects' own numbers (issue 13), each with its source.

Each test is a regression test for a defect those projects' test suites exposed.
"""

from __future__ import annotations

import numpy as np

import actloss as al


def test_multilabel_margin_counts_a_repeated_target_once_per_listing() -> None:
    # PyTorch 2.13: F.multilabel_margin_loss(x, t, reduction="none") = [2.8] (targets
    # [0, 0, 4, 1, 4] as in PyTorch's own tests; counting each class once gave 1.68)
    x = np.array([[0.1, 0.2, 0.4, 0.8, 0.3]])
    t = np.array([[0, 0, 4, 1, 4]])
    f = al.get("multilabel_margin")
    np.testing.assert_allclose(f(t, x, reduction="none"), [2.8], rtol=1e-14)
    # PyTorch autograd of the 'sum' loss
    np.testing.assert_allclose(
        f.grad(t, x, reduction="sum"), [[-0.8, -0.4, 1.0, 1.0, -0.8]], rtol=1e-14
    )
