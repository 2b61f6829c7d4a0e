"""Bad input gets a clear TypeError/ValueError naming the argument and what was expected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import actloss as al

Z = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]])
Y = np.array([0, 2])
P = np.array([0.2, 0.9, 0.5])
T = np.array([0.0, 1.0, 1.0])


def call(name: str, *args: Any, **kw: Any) -> Callable[[], Any]:
    return lambda: al.get(name)(*args, **kw)


CASES = [
    # shapes
    (
        "shape mismatch",
        call("mse", np.zeros(3), np.zeros(4)),
        ValueError,
        r"mse\(\): y_true and y_pred must have the same shape, got \(3,\) and \(4,\)",
    ),
    (
        "labels shape",
        call("cross_entropy", np.array([0, 1, 2]), Z),
        ValueError,
        r"y_true must have shape \(2,\) \(class labels\)",
    ),
    (
        "pair shape",
        call("margin_ranking", np.ones(3), (np.zeros(3), np.zeros(2))),
        ValueError,
        "x2 must have the same shape",
    ),
    # labels
    (
        "label out of range",
        call("cross_entropy", np.array([0, 3]), Z),
        ValueError,
        r"class label 3, out of range for 3 classes \(expected 0..2 or ignore_index=-100\)",
    ),
    ("negative label", call("nll", np.array([-1, 0]), Z), ValueError, "class label -1"),
    (
        "non-integer labels",
        call("cross_entropy", np.array([0.5, 1.0]), Z),
        TypeError,
        "y_true must hold integer class labels, got non-integer values",
    ),
    (
        "NaN labels",
        call("multiclass_hinge", np.array([np.nan, 1.0]), Z),
        TypeError,
        "integer class labels",
    ),
    ("string labels", call("cross_entropy", np.array(["a", "b"]), Z), TypeError, "y_true"),
    (
        "hinge labels",
        call("hinge", np.array([0, 1, 2]), P),
        ValueError,
        r"binary labels, either all in \{-1, 1\} or all in \{0, 1\}",
    ),
    ("mixed encodings", call("perceptron", np.array([-1, 0, 1]), P), ValueError, "binary labels"),
    (
        "contrastive labels",
        call("contrastive", np.array([0.0, 2.0, 1.0]), P),
        ValueError,
        r"0 \(dissimilar\) or 1 \(similar\)",
    ),
    # probabilities vs logits
    (
        "logits to BCE",
        call("binary_cross_entropy", T, np.array([2.5, -1.0, 0.3])),
        ValueError,
        r"probabilities in \[0, 1\], got values in \[-1, 2.5\].*'binary_cross_entropy_with_logits'",
    ),
    (
        "logits to categorical",
        call("categorical_cross_entropy", Y, Z),
        ValueError,
        "'cross_entropy'",
    ),
    (
        "targets outside [0,1]",
        call("binary_cross_entropy", np.array([0.0, 2.0, 1.0]), P),
        ValueError,
        r"y_true must hold probabilities",
    ),
    (
        "dice logits",
        call("dice", np.zeros((1, 3)), np.array([[3.0, 0.1, 0.2]])),
        ValueError,
        "probabilities",
    ),
    # parameters
    (
        "negative delta",
        call("huber", T, P, delta=-1.0),
        ValueError,
        r"huber\(\): parameter 'delta' must be a finite number > 0, got -1.0",
    ),
    ("zero delta", call("huber", T, P, delta=0.0), ValueError, "'delta'"),
    ("negative beta", call("smooth_l1", T, P, beta=-0.5), ValueError, "'beta'"),
    ("gamma < 0", call("focal", T, P, gamma=-1.0), ValueError, "'gamma' must be"),
    ("gamma < 0 softmax", call("softmax_focal", Y, Z, gamma=-0.1), ValueError, "'gamma'"),
    ("q = 1", call("quantile", T, P, q=1.0), ValueError, r"'q' must be a number in \(0, 1\)"),
    ("q = 0", call("quantile", T, P, q=0.0), ValueError, "'q'"),
    ("gce q = 0", call("generalized_cross_entropy", Y, Z, q=0.0), ValueError, "'q'"),
    ("alpha", call("focal", T, P, alpha=1.5), ValueError, "'alpha' must be a number in"),
    (
        "smoothing",
        call("cross_entropy", Y, Z, label_smoothing=1.5),
        ValueError,
        "'label_smoothing'",
    ),
    (
        "class weight shape",
        call("cross_entropy", Y, Z, weight=np.ones(4)),
        ValueError,
        r"weight must have shape \(3,\)",
    ),
    (
        "negative class weight",
        call("nll", Y, Z, weight=np.array([1.0, -1.0, 1.0])),
        ValueError,
        "'weight'",
    ),
    (
        "pos_weight shape",
        call("binary_cross_entropy_with_logits", T, P, pos_weight=np.ones(2)),
        ValueError,
        "pos_weight must be a scalar or have shape",
    ),
    (
        "variant",
        call("multiclass_hinge", Y, Z, variant="ovr"),
        ValueError,
        "'variant' must be one of 'crammer_singer', 'weston_watkins'",
    ),
    (
        "unknown param",
        call("huber", T, P, dleta=1.0),
        TypeError,
        r"huber\(\) got an unexpected parameter 'dleta'. Did you mean 'delta'\?",
    ),
    (
        "margin int",
        call("large_margin_softmax", np.array([0]), (np.ones((1, 2)), np.ones((2, 2))), margin=2.5),
        ValueError,
        "'margin' must be",
    ),
    (
        "axis out of range",
        call("cross_entropy", Y, Z, axis=2),
        ValueError,
        "axis 2 is out of range for y_pred with 2 dims",
    ),
    (
        "axis not int",
        call("cross_entropy", Y, Z, axis=1.0),
        ValueError,
        "'axis' must be an integer",
    ),
    # reduction and sample weights
    (
        "unknown reduction",
        call("mse", T, P, reduction="avg"),
        ValueError,
        r"Expected one of 'mean', 'sum', 'none', got 'avg'",
    ),
    (
        "batchmean",
        call("kl_divergence", np.eye(2), np.eye(2), reduction="batchmean"),
        ValueError,
        "Expected one of",
    ),
    (
        "sample_weight shape",
        call("mse", T, P, sample_weight=np.ones(2)),
        ValueError,
        r"sample_weight must have shape \(3,\) or a leading part of it",
    ),
    (
        "negative sample_weight",
        call("mse", T, P, sample_weight=np.array([1.0, -1, 1])),
        ValueError,
        "sample_weight must be finite and >= 0",
    ),
    # structure
    (
        "pair expected",
        call("margin_ranking", np.ones(3), np.zeros(3)),
        TypeError,
        r"y_pred must be a tuple \(x1, x2\)",
    ),
    (
        "no targets",
        call("triplet_margin", np.ones(2), (np.ones((2, 2)),) * 3),
        TypeError,
        "takes no targets",
    ),
    (
        "penalty targets",
        call("l2_penalty", np.ones(2), [np.ones(2)]),
        TypeError,
        r"l2_penalty\(None, \[w1, w2, ...\]\)",
    ),
    ("penalty list", call("l2_penalty", None, np.ones(2)), TypeError, "a list of parameter arrays"),
    ("y_true missing", call("mse", None, P), TypeError, "y_true is required"),
    (
        "complex input",
        call("mse", T, np.ones(3, dtype=complex)),
        TypeError,
        "real floating or integer dtype",
    ),
    # domains
    (
        "msle domain",
        call("msle", np.array([0.0, -2.0]), np.array([0.0, 1.0])),
        ValueError,
        "y_true must be > -1",
    ),
    ("negative variance", call("gaussian_nll", T, (P, -P)), ValueError, "var must be >= 0"),
    ("rate domain", call("poisson_nll", T, -P, log_input=False), ValueError, "rate >= 0"),
]


@pytest.mark.parametrize(("what", "fn", "exc", "match"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(
    what: str, fn: Callable[[], Any], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match) as info:
        fn()
    assert type(info.value).__module__.startswith(("actloss", "builtins")), info.value


def test_grad_of_zero_one_says_it_has_none() -> None:
    with pytest.raises(al.NoGradientError, match=r"zero_one has no gradient.*surrogate"):
        al.get("zero_one").grad(Y, Z)


def test_nan_is_never_an_error_and_never_replaced() -> None:
    p = np.array([0.2, np.nan, 0.5])
    v = al.get("binary_cross_entropy")(T, p, reduction="none")
    assert np.isnan(v[1]) and np.isfinite(v[[0, 2]]).all()
    z = Z.copy()
    z[1, 1] = np.nan
    v = al.get("cross_entropy")(Y, z, reduction="none")
    assert np.isnan(v[1]) and np.isfinite(v[0])
    g = al.get("cross_entropy").grad(Y, z)
    assert np.isnan(g[1]).all() and np.isfinite(g[0]).all()
