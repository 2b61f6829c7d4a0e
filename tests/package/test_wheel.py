"""The wheel as a user gets it: built from the tracked sources, installed into a fresh
virtual environment (its own site-packages, no system ones, no source tree on the path),
imported, and its console script run.

The dependencies (numpy, array-api-compat, numba) are installed into the fresh environment by
pip (from its cache or the package index): the check is that the wheel's metadata names them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "src")


def _run(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built without build isolation from a copy of the sources (so that no
    build/ or egg-info folder lands in the working tree, and none of its leftovers get in)."""
    src = tmp_path_factory.mktemp("sdist-tree")
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("wheelhouse")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--disable-pip-version-check",
        "-q",
        "-w",
        out,
        src,
        cwd=src,
    )
    (whl,) = out.glob("actloss-*.whl")
    return whl


def test_wheel_contents(wheel: Path) -> None:
    import actloss

    assert wheel.name.startswith(f"actloss-{actloss.__version__}-py3-none-any")
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = f"actloss-{actloss.__version__}.dist-info"
    assert f"{dist_info}/licenses/LICENSE" in names
    assert "actloss/py.typed" in names
    assert "actloss/atlas/vendor/plotly-basic.min.js" in names  # the atlas's Plotly bundle
    assert "actloss/__init__.py" in names and "actloss/cli/app.py" in names
    top = {n.split("/")[0] for n in names}
    assert top == {"actloss", dist_info}, top
    unwanted = [
        n
        for n in names
        if any(part in n for part in ("__pycache__", ".pyc", "tests/", "test_", "conftest"))
        or n.startswith(("build/", "dist/", ".venv"))
    ]
    assert unwanted == []
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert f"Version: {actloss.__version__}" in metadata
    assert "License-Expression: MIT" in metadata
    for dep in ("numpy", "array-api-compat", "numba"):
        assert f"Requires-Dist: {dep}" in metadata


def test_installs_into_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-c",
        ROOT / "constraints.txt",
        wheel,
        cwd=tmp_path,
    )
    # run from an empty folder: neither the repository nor its src/ is on sys.path
    probe = (
        "import json, sys, actloss; "
        "print(json.dumps({'file': actloss.__file__, 'version': actloss.__version__, "
        "'path': sys.path, 'n': len(actloss.catalog())}))"
    )
    info = json.loads(_run(python, "-c", probe, cwd=tmp_path).stdout)
    assert Path(info["file"]).is_relative_to(env_dir)
    assert not any(str(ROOT) in p for p in info["path"])
    assert info["n"] > 50
    import actloss

    assert info["version"] == actloss.__version__
    # the console script runs; `list` needs the cli extra (typer, rich), so install it too
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-c",
        ROOT / "constraints.txt",
        "typer>=0.12",
        "rich>=13",
        cwd=tmp_path,
    )
    listing = _run(env_dir / "bin" / "actloss", "list", "--json", cwd=tmp_path).stdout
    names = {row["name"] for row in json.loads(listing)}
    assert {"relu", "gelu", "mse", "cross_entropy"} <= names
