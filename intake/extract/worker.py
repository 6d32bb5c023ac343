"""Run one extraction in a child process that is killed when it overruns.

Parsers of hostile PDFs and winmail.dat files can loop for minutes or grow without
bound; a thread cannot be stopped, a process can. In a single-threaded process that
has not loaded polars (`intake check` of plans) the child is a plain fork, which costs
milliseconds; otherwise (watchers, the desk, a process that judged workbooks) it comes
from a fork server (started once, parsers preloaded), so it inherits no threads, locks,
sockets or polars' mappings, and its address-space limit leaves a document all its room.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from intake.extract.container import ContainerError

_PRELOAD = ["intake.extract.plan", "pypdfium2", "lxml.etree", "tnefparse"]
# The verdict signal that says a document's extraction ran out of time (counted for /metrics).
TIMEOUT_SIGNAL = "extraction_timeout"


class ExtractionTimeout(ContainerError):
    """The child did not finish within its time limit and was killed."""


_server: Any = None


def fork_is_safe() -> bool:
    """Whether a plain fork of this process is safe: one thread (no lock is copied
    half-held) and no polars loaded (a forked child that uses polars hangs, and its
    native threads and large mappings would come along)."""
    return threading.active_count() == 1 and "polars" not in sys.modules


def _ctx() -> Any:
    """A plain fork where that is cheap and safe (also: the child's address-space limit
    then leaves a hostile document all its room). Otherwise the fork server, which loads
    only the extraction modules."""
    global _server
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    if _server is None:
        _server = multiprocessing.get_context("forkserver")
        _server.set_forkserver_preload(_PRELOAD)
    return _server


def _limit_memory(memory: int) -> None:
    """Lower the address-space limit to `memory`; never above a limit already imposed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if memory <= 0:
        return
    ceiling = hard if hard != resource.RLIM_INFINITY else memory
    wanted = min(memory, ceiling)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _child(conn: Connection, func: Callable[..., Any], args: tuple, memory: int) -> None:
    try:
        _limit_memory(memory)
        conn.send(("ok", func(*args)))
    except ContainerError as exc:
        conn.send(("container", exc.code, exc.key, exc.values))
    except MemoryError:
        conn.send(("container", "FILE_TOO_LARGE", "too_much_memory", {}))
    except BaseException as exc:  # reported to the parent, which decides
        conn.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_limited(func: Callable[..., Any], args: tuple, *, seconds: float, memory: int) -> Any:
    """`func(*args)` in a child; ContainerError on timeout, memory or a reported failure."""
    context = _ctx()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, func, args, memory), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise ExtractionTimeout(
                "FILE_UNREADABLE", "extraction_timeout", {"seconds": f"{seconds:.0f}"}
            )
        message = receive.recv()
    except EOFError as exc:  # the child died: killed by the memory limit or a crash
        raise ContainerError("FILE_UNREADABLE", "document_unreadable") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()
    if message[0] == "ok":
        return message[1]
    if message[0] == "container":
        raise ContainerError(message[1], message[2], message[3])
    raise RuntimeError(message[1])
