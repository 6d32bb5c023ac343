"""`check` and `report` on many files: read and judged a batch at a time, with progress.

Judging a batch shares the schema checks (several times faster per file than one at a
time, see the README's *Speed and memory*), but reading every file before judging the
first holds all of them in memory. So files are read in batches bounded by count and
bytes, judged, written out and let go; the verdicts are the same as judging each file
on its own.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from intake.cli.common import submissions_from
from intake.domain import Submission, Verdict

BATCH_FILES = 250
BATCH_BYTES = 64 << 20
# From about a hundred files on, a pool of workers is sooner than one process (measured
# on 300 models, two cores: benchmarks/speed.py, batch-cli).
POOL_FROM = 100


def batches(
    files: Sequence[Path],
    received: datetime | None,
    rules: Any,
    max_files: int = BATCH_FILES,
    max_bytes: int = BATCH_BYTES,
) -> Iterator[list[Submission]]:
    """The files as submissions, a batch at a time; a file is read when its batch is."""
    batch: list[Submission] = []
    size = 0
    for submission in submissions_from(files, received, rules):  # reads lazily
        batch.append(submission)
        size += len(submission.content)
        if len(batch) >= max_files or size >= max_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def judged(
    files: Sequence[Path],
    received: datetime | None,
    ctx: Any,
    bar: Any = None,
    max_files: int = BATCH_FILES,
    max_bytes: int = BATCH_BYTES,
    workers: int | None = None,
) -> Iterator[tuple[Submission, Verdict]]:
    """Each file with its verdict, in the order given, a batch in memory at a time.

    From POOL_FROM files on, the batches go to a pool of `workers` processes (default:
    one per core, and one per POOL_FROM / 2 files at most: each worker loads polars and
    pandera, which a share of fifty files repays).
    """
    from intake.judging.parallel import Judges, available_cores

    if workers is None:
        workers = min(available_cores(), len(files) // (POOL_FROM // 2)) or 1
    workers = max(1, min(workers, len(files)))
    if workers > 1:  # an equal share each: every batch pays pandera's fixed cost once
        max_files = min(max_files, -(-len(files) // workers))
    waiting: deque[list[Submission]] = deque()

    def read() -> Iterator[list[Submission]]:
        for batch in batches(files, received, ctx.rules, max_files, max_bytes):
            waiting.append(batch)
            yield batch

    # `check` and `report` hold no ledger or sockets: their workers may be forked.
    with Judges(ctx, workers, may_fork=True) as judges:
        for verdicts in judges.judge_batches(read()):
            for submission, verdict in zip(waiting.popleft(), verdicts, strict=True):
                yield submission, verdict
                if bar is not None:
                    bar.advance(submission.filename)


class _Lines:
    """Progress without a terminal (`--progress` under a pipe): one line per file."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0

    def advance(self, name: str) -> None:
        self.done += 1
        click.echo(f"[{self.done}/{self.total}] {name}", err=True)


@contextmanager
def progress(total: int, wanted: bool | None) -> Iterator[Any]:
    """A bar on stderr when it is a terminal (or when asked), lines when asked without
    one, nothing otherwise; stdout (the JSON) is never touched."""
    show = sys.stderr.isatty() if wanted is None else wanted
    if not show:
        yield None
        return
    if not sys.stderr.isatty():
        yield _Lines(total)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
        auto_refresh=False,  # no refresh thread: the judging workers may then be forked
    ) as bar:
        task = bar.add_task("", total=total)

        class _Bar:
            def advance(self, name: str) -> None:
                bar.update(task, advance=1, description=name[:40], refresh=True)

        yield _Bar()


PROGRESS = click.option(
    "--progress/--no-progress",
    "progress_wanted",
    default=None,
    help="Show progress on stderr (default: only when stderr is a terminal).",
)

WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=f"Processes that judge (default: one per core from {POOL_FROM} files on, else 1).",
)
# `report` writes its HTML and PDF files itself, which takes most of its time: more
# judging workers made no difference on 120 models, so it keeps to one unless asked.
REPORT_WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that judge; the reports are written by this one.",
)
