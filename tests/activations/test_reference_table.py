"""The reference table covers the catalog exactly, and every override says why."""

from __future__ import annotations

import numpy as np

import actloss as al

from ._harness import ACTIVATIONS, CHECKS
from .references import REFERENCES


def test_every_activation_has_a_reference():
    missing = sorted(f.name for f in ACTIVATIONS if f.name not in REFERENCES)
    assert not missing, f"add these to tests/activations/references.py: {missing}"


def test_no_reference_without_a_catalog_entry():
    names = {f.name for f in ACTIVATIONS}
    assert not sorted(set(REFERENCES) - names)


def test_reference_parameter_sets_are_valid():
    for fn in ACTIVATIONS:
        ref = REFERENCES[fn.name]
        assert ref.params[0] == {}, f"{fn.name}: the first sample set must be the defaults"
        assert ref.source in ("PyTorch", "formula"), fn.name
        valid = {p.name for p in fn.info.params}
        for params in ref.params:
            assert set(params) <= valid, (fn.name, params)
            fn(np.linspace(-2.0, 2.0, 4), **params)  # accepted by the catalog
        if fn.info.params and any(p.name != "axis" for p in fn.info.params):
            assert len(ref.params) >= 2, f"{fn.name}: add a non-default parameter set"


def test_differentiable_parameters_have_samples():
    for fn in ACTIVATIONS:
        declared = set(fn.kernels.param_grads)
        sampled = set(REFERENCES[fn.name].param_samples)
        assert declared == sampled, f"{fn.name}: param_grads {declared} vs samples {sampled}"
        learnable = {p.name for p in fn.info.params if p.learnable}
        assert learnable <= declared, f"{fn.name}: learnable {learnable} without a derivative"


def test_every_skip_override_and_exception_has_a_reason():
    for name, ref in REFERENCES.items():
        for check, reason in ref.skip.items():
            assert check in CHECKS and len(reason) > 15, (name, check)
        for check, tol in ref.tol.items():
            assert check in CHECKS and len(tol.reason) > 15, (name, check)
        for key, (_, reason) in ref.limits.items():
            assert key[0] in ("value", "grad", "grad2") and len(reason) > 10, (name, key)
        if ref.limit_probe != 1e300:
            assert len(ref.limit_probe_reason) > 15, name
        assert ref.pinned, f"{name}: pin at least one canonical value with its source"
        assert all(p.source for p in ref.pinned), name


def test_catalog_names_resolve():
    for fn in ACTIVATIONS:
        assert al.get(fn.name) is fn
        for alias in fn.info.aliases:
            assert al.get(alias).info is fn.info


def _torch_attr(path: str):
    import importlib

    module, _, attr = path.split()[0].rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_pytorch_is_the_reference_wherever_pytorch_has_the_function():
    """info.torch_equivalent names a real torch callable; where it is a function (not a
    Module class), the reference table uses PyTorch, and vice versa."""
    import inspect

    for fn in ACTIVATIONS:
        path = fn.info.torch_equivalent
        source = REFERENCES[fn.name].source
        if not path:
            assert source == "formula", f"{fn.name}: a PyTorch reference but no torch_equivalent"
            continue
        target = _torch_attr(path)
        assert callable(target), (fn.name, path)
        if not inspect.isclass(target):
            assert source == "PyTorch", f"{fn.name}: torch has {path}; use it as the reference"
