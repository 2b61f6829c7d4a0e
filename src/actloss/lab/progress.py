"""Progress sinks: a rich progress bar, JSON lines for scripts, or nothing (quiet)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


class Progress:
    """Quiet base: receives events, shows nothing."""

    def start(self, total: int, skipped: int) -> None:
        pass

    def epoch(self, epoch: int, epochs: int, n_runs: int) -> None:
        """Epoch ``epoch`` of ``epochs`` of the running batch of ``n_runs`` runs is done."""

    def batch_done(self, n_runs: int, best: str | None) -> None:
        pass

    def stop(self) -> None:
        pass


class JsonLines(Progress):
    """One JSON object per event on ``stream`` (stdout)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.done = 0
        self.total = 0

    def emit(self, **event: Any) -> None:
        self.stream.write(json.dumps(event) + "\n")
        self.stream.flush()

    def start(self, total: int, skipped: int) -> None:
        self.total = total
        self.done = skipped
        self.emit(event="start", runs=total, already_done=skipped)

    def batch_done(self, n_runs: int, best: str | None) -> None:
        self.done += n_runs
        self.emit(event="batch_done", runs_done=self.done, runs_total=self.total, best=best)


class Bar(Progress):
    """A rich progress bar: runs done/total, elapsed, ETA, the current epoch and best run."""

    def __init__(self, console: Any = None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            TextColumn("runs"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=console,
            transient=False,
        )
        self.task: Any = None
        self.done = 0

    def start(self, total: int, skipped: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("runs", total=total, completed=skipped, info="")
        self.done = skipped

    def epoch(self, epoch: int, epochs: int, n_runs: int) -> None:
        # fractional progress inside a batch, so that the ETA moves with the epochs
        self.bar.update(
            self.task,
            completed=self.done + n_runs * epoch / epochs,
            info=f"batch epoch {epoch}/{epochs}",
        )

    def batch_done(self, n_runs: int, best: str | None) -> None:
        self.done += n_runs
        self.bar.update(self.task, completed=self.done, info=f"best: {best}" if best else "")

    def stop(self) -> None:
        self.bar.stop()
