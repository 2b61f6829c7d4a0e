"""Bad input gets a TypeError/ValueError that names the argument and what was expected."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import actloss as al

from ._harness import ACTIVATIONS, ELEMENTWISE, GLU_FAMILY, VECTOR


def _x(fn):
    return np.linspace(-2.0, 2.0, 8).reshape(2, 4)


# --------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("typo", "meant"),
    [("relux", "relu"), ("gleu", "gelu"), ("softmaxx", "softmax"), ("swigl", "swiglu")],
)
def test_unknown_name_lists_close_names(typo, meant):
    with pytest.raises(al.UnknownNameError, match=rf"unknown function '{typo}'.*\b{meant}\b"):
        al.get(typo)
    assert issubclass(al.UnknownNameError, ValueError)
    assert issubclass(al.UnknownNameError, LookupError)


@pytest.mark.parametrize("fn", [f for f in ACTIVATIONS if f.info.params], ids=lambda f: f.name)
def test_unknown_parameter_names_it_and_suggests(fn):
    first = fn.info.params[0].name
    typo = first[:-1] + first[-1].upper() + "x"
    with pytest.raises(TypeError, match=rf"unexpected parameter '{typo}'.*Valid parameters: "):
        fn(_x(fn), **{typo: 1.0})


def test_unknown_parameter_on_a_parameterless_entry():
    with pytest.raises(TypeError, match=r"relu\(\) got an unexpected parameter 'alpha'"):
        al.get("relu")(np.ones(3), alpha=1.0)


# ------------------------------------------------------------------ parameter values
def _invalid_values(p):
    """Values that break a parameter's declared constraint (from its description)."""
    if p.kind == "choice":
        return ["foo", None]
    if p.kind == "int":
        return [1.5, "a"]
    if p.kind == "array":
        return [np.array([np.nan]), "a"]
    desc = p.constraint.description if p.constraint else ""
    out = [math.nan, math.inf, "a"] if p.constraint else ["a"]
    if "> 0" in desc:
        out += [0.0, -1.0]
    elif ">= 0" in desc:
        out += [-0.1]
    elif desc.startswith("a number in"):
        out += [-0.5, 1.5]
    return out


def _param_cases():
    return [
        pytest.param(fn, p.name, bad, id=f"{fn.name}-{p.name}={bad!r}")
        for fn in ACTIVATIONS
        for p in fn.info.params
        for bad in _invalid_values(p)
    ]


@pytest.mark.parametrize(("fn", "name", "bad"), _param_cases())
def test_invalid_parameter_value_names_the_parameter(fn, name, bad):
    with pytest.raises((TypeError, ValueError), match=rf"'{name}'|{name}"):
        fn(_x(fn), **{name: bad})


@pytest.mark.parametrize(
    ("name", "params", "pattern"),
    [
        ("celu", {"alpha": -1.0}, r"'alpha' must be a finite number > 0, got -1.0"),
        ("elu", {"alpha": -1.0}, r"'alpha' must be a finite number >= 0"),
        ("softshrink", {"lambd": -0.1}, r"'lambd' must be a finite number >= 0"),
        ("hardshrink", {"lambd": -0.1}, r"'lambd' must be a finite number >= 0"),
        ("hard_tanh", {"min_val": 1.0, "max_val": 1.0}, r"max_val must be greater than min_val"),
        ("hard_tanh", {"min_val": 2.0, "max_val": 1.0}, r"min_val=2.0, max_val=1.0"),
        ("squareplus", {"b": 0.0}, r"'b' must be a finite number > 0, got 0.0"),
        ("squareplus", {"b": -4.0}, r"'b' must be a finite number > 0"),
        ("gelu", {"approximate": "foo"}, r"'approximate' must be one of 'none', 'tanh', got 'foo'"),
        ("geglu", {"approximate": "foo"}, r"'approximate' must be one of 'none', 'tanh'"),
        ("rrelu", {"lower": 0.3, "upper": 0.1}, r"lower must be <= upper"),
        ("softplus", {"beta": 0.0}, r"'beta' must be a finite number > 0"),
        ("snake", {"a": 0.0}, r"'a' must be a finite number > 0"),
        ("prelu", {"weight": np.ones(5)}, r"weight must be a scalar or a 1-d array"),
    ],
)
def test_specific_invalid_parameters(name, params, pattern):
    with pytest.raises(ValueError, match=pattern):
        al.get(name)(np.ones((2, 4)), **params)


# ------------------------------------------------------------------------ inputs
BAD_INPUTS = {
    "string": "abc",
    "string array": np.array(["a", "b"]),
    "object array": np.array([1.0, None], dtype=object),
    "None": None,
    "bool array": np.array([True, False]),
    "complex array": np.array([1 + 1j, 2.0]),
    "torch bool": torch.tensor([True, False]),
    "torch complex": torch.tensor([1 + 1j, 2.0]),
}


@pytest.mark.parametrize("what", list(BAD_INPUTS))
@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.name)
def test_non_real_input_is_a_type_error_naming_x(fn, what):
    x = BAD_INPUTS[what]
    methods = [fn] + ([fn.grad, fn.grad2, fn.value_and_grad] if fn.info.elementwise else [])
    for method in methods:
        with pytest.raises(TypeError, match=r"^x must "):
            method(x)
    with pytest.raises(TypeError, match=r"^x must "):
        fn.vjp(x, np.ones(2))


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.name)
def test_wrong_cotangent_shape(fn):
    with pytest.raises(ValueError, match=r"cotangent must have the shape of x \(3,\), got \(4,\)"):
        fn.vjp(np.ones(3), np.ones(4))
    with pytest.raises(TypeError, match=r"cotangent must be"):
        fn.vjp(np.ones(3), "abc")


@pytest.mark.parametrize("fn", VECTOR, ids=lambda f: f.name)
def test_wrong_cotangent_shape_vector(fn):
    x = np.ones((2, 4))
    good = fn(x).shape
    bad = (good[0], good[1] + 1)
    with pytest.raises(ValueError, match=rf"cotangent must have the shape of {fn.name}\(x\)"):
        fn.vjp(x, np.ones(bad))


@pytest.mark.parametrize("fn", GLU_FAMILY, ids=lambda f: f.name)
def test_odd_axis_size_for_the_glu_family(fn):
    with pytest.raises(ValueError, match=r"size of axis -1 must be even, got 3"):
        fn(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"size of axis 0 must be even, got 5"):
        fn.vjp(np.ones((5, 2)), np.ones((2, 2)), axis=0)


@pytest.mark.parametrize("fn", VECTOR, ids=lambda f: f.name)
@pytest.mark.parametrize("axis", [2, -3, 7])
def test_axis_out_of_range(fn, axis):
    with pytest.raises(ValueError, match=rf"axis {axis} is out of range for an input with 2 dims"):
        fn(np.ones((2, 4)), axis=axis)


@pytest.mark.parametrize("fn", VECTOR, ids=lambda f: f.name)
def test_axis_must_be_an_integer(fn):
    with pytest.raises(ValueError, match=r"'axis' must be an integer, got 1.5"):
        fn(np.ones((2, 4)), axis=1.5)
    with pytest.raises(ValueError, match=r"axis -1 is out of range for an input with 0 dims"):
        fn(np.float64(1.0))


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.name)
def test_param_grad_of_an_unknown_parameter(fn):
    with pytest.raises(ValueError, match=r"has no derivative with respect to 'gamma'"):
        fn.param_grad(np.ones(3), "gamma")


def test_floating_point_errors_raise_in_this_session():
    """tests/conftest.py: divide/over/invalid raise, underflow is ignored."""
    assert np.geterr() == {
        "divide": "raise",
        "over": "raise",
        "under": "ignore",
        "invalid": "raise",
    }
    with pytest.raises(FloatingPointError):
        np.array([1e308]) * 10
    assert np.exp(np.array([-800.0]))[0] == 0.0  # gradual underflow to 0 is fine


def test_every_entry_has_a_readable_signature() -> None:
    """help(), editors and typer see each entry's real parameters, defaults and kinds."""
    import inspect

    sig = inspect.signature(al.get("elu"))
    assert str(sig) == "(x, /, *, alpha: 'float' = 1.0)"
    assert inspect.signature(al.get("gelu_tanh")).parameters["approximate"].default == "tanh"
    ce = inspect.signature(al.get("cross_entropy")).parameters
    assert list(ce)[:4] == ["y_true", "y_pred", "reduction", "sample_weight"]
    assert ce["ignore_index"].default == -100 and ce["weight"].annotation == "Array | None"
    for fn in al.catalog():
        params = inspect.signature(fn).parameters
        assert [p.name for p in fn.info.params] == [n for n in params if n in fn.info.defaults]
        for p in fn.info.params:
            assert params[p.name].default == fn.preset.get(p.name, p.default)
