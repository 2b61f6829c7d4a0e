"""Session-wide test settings: NumPy floating-point errors raise; hypothesis is bounded.

``np.seterr`` turns divide-by-zero, overflow and invalid operations into
``FloatingPointError`` for the whole session, so a kernel whose untaken ``where``
branch overflows or divides by zero fails loudly. Underflow is ignored: gradual
underflow to a subnormal or to 0 (e.g. ``exp(-800) == 0``) is the correctly
rounded result, not an error.

The hypothesis profile bounds ``max_examples`` so that the property tests stay
within the suite's time budget on a 2-core machine, and derandomizes them so a
run is reproducible (set ``HYPOTHESIS_PROFILE=thorough`` for a longer search).
"""

from __future__ import annotations

import os
from typing import Any

# Keras 3 picks its backend at import; the suite has no TensorFlow, so every test that
# imports keras (actloss.keras, the tutorials) runs it on PyTorch.
os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "actloss",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "actloss"))


def pytest_configure(config: pytest.Config) -> None:
    # Set at configure time so that collection (parametrize arguments) runs under it too.
    np.seterr(divide="raise", over="raise", invalid="raise", under="ignore")
    config.addinivalue_line(
        "markers",
        "compile_full: torch.compile with inductor over the whole catalog (minutes; run with "
        "--compile-full; the default run compiles every entry with aot_eager and a "
        "representative set with inductor)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--compile-full"):
        return
    keep = [i for i in items if "compile_full" not in i.keywords]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if "compile_full" in i.keywords])
        items[:] = keep


# ------------------------------------------------------------- actloss.fast on / off
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--compile-full",
        action="store_true",
        help="also run the compile_full tests (inductor over the whole catalog)",
    )
    parser.addoption(
        "--fast-path",
        choices=("default", "on", "off", "both"),
        default="default",
        help="actloss's fused NumPy kernels (actloss.fast): 'on' or 'off' for every test, "
        "'both' runs each test twice (ids end in fast-on / fast-off); 'default' keeps the "
        "library's setting (ACTLOSS_FAST_PATH).",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        "fast_path" in metafunc.fixturenames
        and metafunc.config.getoption("--fast-path") == "both"
        and metafunc.definition.get_closest_marker("fused_path") is None
    ):
        metafunc.parametrize("fast_path", ["on", "off"], indirect=True, ids=lambda m: f"fast-{m}")


@pytest.fixture(autouse=True)
def fast_path(request: pytest.FixtureRequest) -> Any:
    """The fast-path setting of this test: --fast-path's, or this parametrization's; "on"
    for the tests of actloss.fast itself (marked ``fused_path``), whatever the option."""
    import actloss.fast

    mode = getattr(request, "param", request.config.getoption("--fast-path"))
    if request.node.get_closest_marker("fused_path") is not None:
        mode = "on"
    if mode in ("on", "off"):
        with actloss.fast.use(mode == "on"):
            yield mode
    else:
        yield mode
