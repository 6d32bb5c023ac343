"""Progress for long runs: a rich bar in a terminal, plain log lines under cron."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("intake.progress")


class _Plain:
    def __init__(self, description: str) -> None:
        self.description = description
        self.done = 0

    def advance(self, item: object = None) -> None:
        self.done += 1
        log.info("%s: %d done (%s)", self.description, self.done, item)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Any]:
    if not sys.stderr.isatty():
        yield _Plain(description)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)

        class _Rich:
            def advance(self, item: object = None) -> None:
                bar.advance(task)

        yield _Rich()
