"""The tails against mpmath at 40 digits: where PyTorch's own formulas cancel.

The reference table gives several PyTorch references an absolute error floor (their
s (1 - s), 1 - tanh^2, 1 + erf and x - tanh x cancel in the tails). Here the same
functions are written once more in mpmath, differentiated by ``mp.diff``
(with enough digits for the differences in e^-700 tails), and ours must match to a
few eps relative, conditioning included:
|ours - exact| <= 8 eps (|f| + |x f'|) for the value (likewise for f' and f'').
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import actloss as al

mp.mp.dps = 40
EPS = float(np.finfo(np.float64).eps)


def _sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def _softplus(x):
    return mp.log1p(mp.exp(x)) if x < 0 else x + mp.log1p(mp.exp(-x))


def _elu(alpha):
    return lambda x: x if x > 0 else alpha * mp.expm1(x)


SELU = (mp.mpf(1.6732632423543772848170429916717), mp.mpf(1.0507009873554804934193349852946))

# name -> (params, plain mpmath formula)
EXACT = {
    "sigmoid": ({}, _sigmoid),
    "tanh": ({}, mp.tanh),
    "log_sigmoid": ({}, lambda x: -_softplus(-x)),
    "silu": ({}, lambda x: x * _sigmoid(x)),
    "swish": ({"beta": 1.7}, lambda x: x * _sigmoid(mp.mpf(1.7) * x)),
    "gelu": ({}, lambda x: x * mp.ncdf(x)),
    "gelu-tanh": (
        {"approximate": "tanh"},
        lambda x: x * _sigmoid(2 * mp.sqrt(2 / mp.pi) * (x + mp.mpf(0.044715) * x**3)),
    ),
    "mish": ({}, lambda x: x * mp.tanh(_softplus(x))),
    "softplus": ({}, lambda x: _softplus(x) if x <= 20 else x),
    "tanhshrink": ({}, lambda x: x - mp.tanh(x)),
    "squareplus": ({}, lambda x: (x + mp.sqrt(x * x + 4)) / 2),
    "softsign": ({}, lambda x: x / (1 + abs(x))),
    "elu": ({}, _elu(1)),
    "celu": ({"alpha": 0.5}, lambda x: x if x > 0 else mp.mpf(0.5) * mp.expm1(2 * x)),
    "selu": ({}, lambda x: SELU[1] * (x if x > 0 else SELU[0] * mp.expm1(x))),
    "exponential": ({}, mp.exp),
    "snake": ({"a": 0.6}, lambda x: x + mp.sin(mp.mpf(0.6) * x) ** 2 / mp.mpf(0.6)),
}


def _exp_tail(x):
    """Digits lost by mp.diff's differences to terms e^-2|x| next to O(1) ones."""
    return 0.87 * abs(x)


DIGITS = {
    "gelu": lambda x: 0.22 * x * x,  # e^(-x^2 / 2)
    "gelu-tanh": lambda x: 0.07 * abs(x) ** 3,  # e^(-2u), u ~ 0.0357 x^3
}
POINTS = [
    -700.0,
    -100.0,
    -37.5,
    -20.5,
    -9.5,
    -4.25,
    -1e-3,
    -1e-8,
    1e-8,
    1e-3,
    4.25,
    9.5,
    20.5,
    37.5,
    100.0,
    700.0,
]


@pytest.mark.parametrize("beta", [1.7, -0.5])
def test_swish_beta_derivative_tails(beta):
    """d swish / d beta = x^2 sigma'(beta x), exact in the tails (PyTorch's cancels)."""
    x = np.array(POINTS)
    got = al.get("swish").param_grad(x, "beta", beta=beta)
    for xi, g in zip(POINTS, got, strict=True):
        t = mp.mpf(xi)
        with mp.workdps(60 + int(_exp_tail(xi * beta))):
            exact = mp.diff(lambda b, t=t: t * _sigmoid(b * t), mp.mpf(beta))
            cond = abs(t * mp.diff(lambda b, t=t: t * _sigmoid(b * t), mp.mpf(beta), 2))
        assert abs(mp.mpf(float(g)) - exact) <= 8 * EPS * (abs(exact) + cond) + mp.mpf("1e-320"), (
            xi,
            g,
            mp.nstr(exact, 17),
        )


def test_every_smooth_tail_is_covered():
    """Each entry whose reference declares a cancellation floor is checked here."""
    covered = {key.split("-")[0] for key in EXACT}
    from .references import REFERENCES

    floored = {
        n for n, r in REFERENCES.items() if any("mpmath" in t.reason for t in r.tol.values())
    }
    assert floored <= covered, floored - covered


@pytest.mark.parametrize("key", list(EXACT))
def test_tails_against_mpmath(key):
    params, f = EXACT[key]
    fn = al.get(key.split("-")[0])
    x = np.array(POINTS)
    ours = [fn(x, **params), fn.grad(x, **params), fn.grad2(x, **params)]
    for i, xi in enumerate(POINTS):
        if key == "softplus" and abs(xi - 20.0) < 1:  # the declared switch at threshold
            continue
        t = mp.mpf(xi)
        if key.startswith("gelu") and abs(xi) > 21:  # f'' underflows; mp.ncdf is slow there
            continue
        with mp.workdps(60 + int(DIGITS.get(key, _exp_tail)(xi))):
            d = [mp.diff(f, t, n) for n in range(4)]
        for k in range(3):
            exact = d[k]
            allowed = 8 * EPS * (abs(exact) + abs(t * d[k + 1])) + mp.mpf("1e-320")
            err = abs(mp.mpf(float(ours[k][i])) - exact)
            assert err <= allowed, (
                f"{key} derivative {k} at x = {xi}: got {ours[k][i]!r}, "
                f"exact {mp.nstr(exact, 17)} (error {mp.nstr(err, 3)} > {mp.nstr(allowed, 3)})"
            )
