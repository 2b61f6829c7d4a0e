"""The one output sink of the CLI: rich tables for people, JSON with ``--json``; errors.

Every command builds a JSON-able payload and a function that renders it for a
terminal; ``Output.emit`` chooses. Errors the user can fix are ``CliError``:
the app prints them on stderr as one line with a hint and exits with status 2.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from .._spec import jsonable

EXIT_USAGE = 2


class CliError(Exception):
    """A user error: printed as ``Error: <message> (hint: <hint>)``, exit status 2."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        msg = " ".join(self.message.split())
        return f"Error: {msg}" + (f" (hint: {self.hint})" if self.hint else "")


class Output:
    """Where a command's result goes: a rich console or JSON on stdout."""

    def __init__(self, as_json: bool = False) -> None:
        self.as_json = as_json
        self._console: Any = None

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "110"))
            self._console = Console(width=width, highlight=False, soft_wrap=False)
        return self._console

    def emit(self, payload: Any, render: Callable[[Any], None]) -> None:
        """Print ``payload`` as JSON, or call ``render(console)`` for people."""
        if self.as_json:
            sys.stdout.write(json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n")
        else:
            render(self.console)

    def note(self, message: str) -> None:
        """A one-line remark on stderr (e.g. a skipped entry); never mixed into JSON."""
        sys.stderr.write(" ".join(message.split()) + "\n")
