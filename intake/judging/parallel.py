"""Judge many batches on every core: a process pool over batches, order kept.

Judging is pure CPU in Python (XML, formulas, pandera), so one process keeps one core
busy however many the machine has. Rejudging a whole ledger hands its batches to a
pool of worker processes instead; each batch is judged by `judge_many` exactly as in
one process, so the verdicts are the same, only sooner. (`intake check` stays in one
process: on 300 models the pool's own cost, the fork, pandera's fixed cost per batch
and pickling, took all it gained; see benchmarks/speed.py, batch-cli.)

Workers come from a fork server, never from a fork of the caller: polars (pandera's
backend) is not fork-safe once it has run a query, and a forked child that uses it
hangs; the caller may have judged before (a sweep, the desk, a benchmark). The fork
server is a fresh interpreter that imports the judging modules once and has never run
a query, so its children start in milliseconds and safely; it also inherits no threads
or locks from the desk's web server. Each worker receives the judging context once,
when it starts. Only a few batches are in flight at a time, so memory
stays bounded by the pool's width, not by the size of the ledger.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from intake.campaign.context import Context
from intake.domain import Submission, Verdict
from intake.extract.worker import PRELOAD
from intake.judging.pipeline import judge_many

_worker_ctx: Context | None = None


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(ctx: Context) -> None:
    global _worker_ctx
    _worker_ctx = ctx


def _judge_in_worker(batch: Sequence[Submission]) -> list[Verdict]:
    assert _worker_ctx is not None, "the pool's initializer sets the context"
    return judge_many(batch, _worker_ctx)


# What the fork server imports once for every worker (the extraction worker's own
# preload included: both use the one fork server of a process).
_PRELOAD = [*PRELOAD, "intake.judging.pipeline", "intake.checks.frames"]


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)  # no effect once the server runs
    return context


def judge_batches(
    batches: Iterable[Sequence[Submission]], ctx: Context, workers: int
) -> Iterator[list[Verdict]]:
    """The verdicts of each batch, in the order of the batches.

    With `workers` <= 1 everything runs here, one batch after the other.
    """
    if workers <= 1:
        for batch in batches:
            yield judge_many(batch, ctx)
        return
    context = _context()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(ctx,)
    ) as pool:
        pending: deque[Future[list[Verdict]]] = deque()
        for batch in batches:
            pending.append(pool.submit(_judge_in_worker, list(batch)))
            if len(pending) >= 2 * workers:  # keep every worker fed, never the whole ledger
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
