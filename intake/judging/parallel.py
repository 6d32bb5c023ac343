"""Judge many batches on every core: a process pool over batches, order kept.

Judging is pure CPU in Python (XML, formulas, pandera), so one process keeps one core
busy however many the machine has. Rejudging a whole ledger, and `check` or `report` of
a hundred files or more, hand their batches to a pool of worker processes instead; each
batch is judged by `judge_many` exactly as in one process, so the verdicts are the same,
only sooner.

How a worker starts matters. Polars (pandera's backend) is not fork-safe once it has run
a query: a forked child that uses it hangs. A worker is therefore forked only where the
caller allows it (it holds no ledger connections or sockets a child must not share) and
the fork is safe: one thread, polars not loaded; `check` and `report` are such callers.
Everywhere else (a sweep, the desk, `rejudge`, which may have judged before) workers
start fresh (`spawn`): each imports the judging modules itself, about half a second,
while the caller reads its work (see `Judges`), and inherits no threads or locks from
the desk's web server. Neither comes from the process's fork server: that one serves the
extraction workers, which run under an address-space limit and must not inherit polars'
large mappings. Each worker receives the judging context once, when it starts. Only a
few batches are in flight at a time, so memory stays bounded by the pool's width, not
by the size of the ledger.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from intake.campaign.context import Context
from intake.checks import tables
from intake.domain import Submission, Verdict
from intake.extract.worker import fork_is_safe
from intake.judging.pipeline import judge_many

_worker_ctx: Context | None = None


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(ctx: Context) -> None:
    """Each worker's start: the judging context, and the table checks built once.

    Ctrl-C reaches every process of the terminal's group; the caller decides what it
    means and ends the workers, which would otherwise each print a traceback."""
    global _worker_ctx
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_ctx = ctx
    tables.warm_up_campaigns(ctx)


def _ready() -> None:
    """A task that only makes sure its worker has started (and warmed up)."""


def _judge_in_worker(batch: Sequence[Submission]) -> list[Verdict]:
    assert _worker_ctx is not None, "the pool's initializer sets the context"
    return judge_many(batch, _worker_ctx)


def _context(may_fork: bool) -> Any:
    """A fork where the caller allows it and it is safe (`fork_is_safe`, the extraction
    worker's rule): it costs a few milliseconds where a fresh interpreter costs a fifth
    of a second. Otherwise `spawn`."""
    if may_fork and fork_is_safe():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Judges:
    """`workers` processes that judge batches; with one, everything runs here.

    Entered before the caller gathers its work (`rejudge` reads the whole ledger), so
    the workers start, import and warm up meanwhile instead of after it.
    """

    def __init__(self, ctx: Context, workers: int, *, may_fork: bool = False) -> None:
        """`may_fork`: the caller holds nothing a child must not inherit (no ledger
        connections, no open sockets), so workers may be forked from it when safe."""
        self.ctx = ctx
        self.workers = workers
        self.may_fork = may_fork
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Judges:
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(self.may_fork),
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

    def __exit__(self, kind: object, *exc: object) -> None:
        if self._pool is None:
            return
        if kind is None:
            self._pool.shutdown(cancel_futures=True)
            return
        # Interrupted or failed: the batches being judged are no longer wanted, and
        # waiting for them would keep Ctrl-C waiting too.
        workers = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join()

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
