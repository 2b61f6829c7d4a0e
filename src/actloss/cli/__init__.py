"""The ``actloss`` command line: list, show, plot, recommend, atlas (extra ``cli``).

Each command lives in its own module and registers itself on the typer app;
all of them print through one output sink (``output.Output``). Importing this
package needs nothing beyond the core: ``main`` says which extra to install when
typer or rich is missing, instead of a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["app", "main"]

CLI_MODULES = ("typer", "rich", "click")


try:
    from .app import app
except ModuleNotFoundError as _exc:  # the cli extra is missing: main() says which to install
    if _exc.name is None or _exc.name.split(".")[0] not in CLI_MODULES:
        raise
    _MISSING: str | None = _exc.name
else:
    _MISSING = None


def main() -> None:
    """Console-script entry point (``actloss``)."""
    if _MISSING is not None:
        sys.stderr.write(
            f"Error: the actloss command needs the 'cli' extra ({_MISSING} is not installed) "
            "(hint: pip install 'actloss[cli]')\n"
        )
        sys.exit(2)
    from .app import main as run

    run()
