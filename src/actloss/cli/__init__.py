"""The ``actloss`` command line: list, show, plot, recommend, atlas (extra ``cli``).

Each command lives in its own module and registers itself on the typer app;
all of them print through one output sink (``output.Output``).
"""

from __future__ import annotations

from .app import app, main

__all__ = ["app", "main"]
