"""Progress of long commands: rich progress bars on a terminal, a plain line now and then otherwise."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.cli.output import console

PLAIN_EVERY = 10.0  # seconds between plain lines when not on a terminal


@contextmanager
def stage_progress(enabled: bool = True):
    """Yields a ``progress(stage, done, total)`` callback (None when disabled)."""
    if not enabled:
        yield None
        return
    if sys.stderr.isatty():
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bars:
            tasks: dict[str, int] = {}

            def update(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bars.add_task(stage, total=total)
                bars.update(tasks[stage], completed=done, total=total)

            yield update
        return
    last = {"at": 0.0}

    def line(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if total and (done == total or now - last["at"] >= PLAIN_EVERY):
            last["at"] = now
            print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)

    yield line
