"""Judge many batches on every core: a process pool over batches, order kept.

Judging is pure CPU in Python (XML, formulas, pandera), so one process keeps one core
busy however many the machine has. Rejudging a whole ledger hands its batches to a
pool of worker processes instead; each batch is judged by `judge_many` exactly as in
one process, so the verdicts are the same, only sooner. (`intake check` stays in one
process: on 300 models the pool's own cost, the fork, pandera's fixed cost per batch
and pickling, took all it gained; see benchmarks/speed.py, batch-cli.)

Workers are started fresh (`spawn`), never forked from the caller: polars (pandera's
backend) is not fork-safe once it has run a query, and a forked child that uses it
hangs; the caller may have judged before (a sweep, the desk, a benchmark). Nor do they
come from the process's fork server: that one serves the extraction workers, which run
under an address-space limit and must not inherit polars' large mappings. A fresh
worker imports the judging modules itself (about half a second, once per worker, while
the caller reads its work: see `Judges`) and inherits no threads or locks from the
desk's web server. Each worker receives the judging context once, when it starts. Only
a few batches are in flight at a time, so memory stays bounded by the pool's width,
not by the size of the ledger.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from intake.campaign.context import Context
from intake.checks import tables
from intake.domain import Submission, Verdict
from intake.judging.pipeline import judge_many

_worker_ctx: Context | None = None


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(ctx: Context) -> None:
    """Each worker's start: the judging context, and the table checks built once."""
    global _worker_ctx
    _worker_ctx = ctx
    tables.warm_up_campaigns(ctx)


def _ready() -> None:
    """A task that only makes sure its worker has started (and warmed up)."""


def _judge_in_worker(batch: Sequence[Submission]) -> list[Verdict]:
    assert _worker_ctx is not None, "the pool's initializer sets the context"
    return judge_many(batch, _worker_ctx)


def _context() -> Any:
    return multiprocessing.get_context("spawn")


class Judges:
    """`workers` processes that judge batches; with one, everything runs here.

    Entered before the caller gathers its work (`rejudge` reads the whole ledger), so
    the workers start, import and warm up meanwhile instead of after it.
    """

    def __init__(self, ctx: Context, workers: int) -> None:
        self.ctx = ctx
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Judges:
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(),
                initializer=_start_worker,
                initargs=(self.ctx,),
            )
            try:
                for _ in range(self.workers):
                    self._pool.submit(_ready)  # start every worker now, not at the first batch
            except BaseException:
                self._pool.shutdown(cancel_futures=True)
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def judge_batches(self, batches: Iterable[Sequence[Submission]]) -> Iterator[list[Verdict]]:
        """The verdicts of each batch, in the order of the batches."""
        if self._pool is None:
            for batch in batches:
                yield judge_many(batch, self.ctx)
            return
        pending: deque[Future[list[Verdict]]] = deque()
        for batch in batches:
            pending.append(self._pool.submit(_judge_in_worker, list(batch)))
            if len(pending) >= 2 * self.workers:  # every worker fed, never the whole ledger
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
