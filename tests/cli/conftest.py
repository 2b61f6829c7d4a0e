"""Fixtures for the CLI tests: a typer CliRunner invoking the real app."""

from __future__ import annotations

import pytest

pytest.importorskip("typer", reason="the CLI needs the 'cli' extra (typer, rich, matplotlib)")
pytest.importorskip("matplotlib", reason="the CLI needs the 'cli' extra")

from typer.testing import CliRunner

from actloss.cli import app


class Invoke:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == code, (
            f"exit {result.exit_code} != {code} for {args}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\n{result.exception!r}"
        )
        return result


@pytest.fixture(scope="session")
def cli() -> Invoke:
    return Invoke()


@pytest.fixture(scope="session")
def atlas_path(tmp_path_factory):
    """The atlas, built once per session with one extra section (the hook the lab uses)."""
    from actloss.atlas import Section, build

    extra = Section("lab-results", "Lab results", "<p id='lab-marker'>from the lab</p>")
    return build(tmp_path_factory.mktemp("atlas") / "atlas.html", [extra])
