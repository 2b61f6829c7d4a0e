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


def test_ntxent_zero_embedding_matches_optax() -> None:
    # optax's own test (optax/losses/_self_supervised_test.py, NtxentTest.test_batched): the
    # embeddings ys with labels [0, 0, 1, 1], temperature 0.07, give 14.01032, and with ys[0]
    # set to zero 9.2889 (cos = 0 for a zero vector). optax's label pairs (0, 1), (2, 3) are
    # actloss's views z1 = ys[[0, 2]], z2 = ys[[1, 3]]; 'mean' averages the 4 anchors as optax.
    ys = np.array([[-1.9540, 1.0780], [0.2380, -0.5703], [1.8745, -0.0195], [-0.6719, -1.9210]])
    f = al.get("ntxent")
    assert abs(f(None, (ys[[0, 2]], ys[[1, 3]]), temperature=0.07) - 14.01032) < 1e-4
    ys[0] = 0.0
    assert abs(f(None, (ys[[0, 2]], ys[[1, 3]]), temperature=0.07) - 9.2889) < 1e-4
    g1, g2 = f.grad(None, (ys[[0, 2]], ys[[1, 3]]), temperature=0.07)
    assert np.isfinite(g1).all() and np.isfinite(g2).all()
    # the same convention as cosine_similarity: a zero vector has cos = 0
    assert al.get("cosine_similarity")(np.zeros((1, 2)), ys[1:2], reduction="none")[0] == 0.0


def test_gaussian_nll_takes_pytorchs_documented_broadcasting() -> None:
    # torch.nn.functional.gaussian_nll_loss (PyTorch 2.13) on the cases its documentation
    # lists: a (1, 3) target for a (2, 3) mean; a variance with one fewer dimension, with a
    # trailing 1, with one other dimension of 1; everything else stays an explicit error
    import pytest
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    mean, t = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    var = rng.uniform(0.5, 2.0, size=(2, 3))
    f = al.get("gaussian_nll")
    cases = [(t[:1], var), (t, var[:, 0]), (t, var[:, :1]), (t, var[:1])]
    for tt, vv in cases:
        ours = f(tt, (mean, vv), reduction="none")
        theirs = F.gaussian_nll_loss(
            torch.tensor(mean), torch.tensor(tt), torch.tensor(vv), reduction="none"
        )
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-14)
        assert f.grad(tt, (mean, vv))[1].shape == vv.shape
    for tt, vv, what in [(t, var[:, :2], "var must"), (np.ones((3, 3)), var, "y_true must")]:
        with pytest.raises(ValueError, match=what):
            f(tt, (mean, vv))


def test_zero_vectors_have_cos_zero_in_every_cosine_loss() -> None:
    # one convention for the catalog (issue 13, item 6): a zero feature has cos = 0 with
    # every class weight, so ArcFace's target logit is s cos(pi/2 + m) = -s sin m and the
    # others s * 0 (by hand, C = 2); CosFace's s (0 - m); the gradients stay finite
    import math

    labels, x, w = np.array([0]), np.zeros((1, 2)), np.array([[1.0, 0.0], [0.0, 1.0]])
    s, m = 64.0, 0.5
    arc = al.get("arcface")(labels, (x, w), scale=s, margin=m)
    assert math.isclose(float(arc), math.log1p(math.exp(s * math.sin(m))), rel_tol=1e-12)
    cos = al.get("cosface")(labels, (x, w), scale=s, margin=0.35)
    assert math.isclose(float(cos), math.log1p(math.exp(s * 0.35)), rel_tol=1e-12)
    for name in ("arcface", "cosface", "large_margin_softmax"):
        gx, gw = al.get(name).grad(labels, (x, w))
        assert np.isfinite(gx).all() and np.isfinite(gw).all(), name
