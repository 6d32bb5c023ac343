"""Claims with leases: which worker handles which mail, file or channel run.

Several workers may share one ledger (two hosts, or a timer beside a watcher).
Before a worker touches a mail or a file it claims it here; a claim is a row with
an owner and an expiry. A claim whose lease ran out, or whose owner was a process
on this host that no longer exists (killed with SIGKILL), is taken over.

On PostgreSQL the row is read with `SELECT … FOR UPDATE SKIP LOCKED`, so a worker
never waits for a claim another worker is taking at that moment: it skips it. On
SQLite the claim runs in a `BEGIN IMMEDIATE` transaction, which holds the
database's write lock from the first read on.

Leases are measured by the database's clock, never the worker's: workers on several
hosts share one PostgreSQL server, and a host whose clock runs ahead would otherwise
take over live claims (or, running behind, keep dead ones). On SQLite, which lives on
one host, the database's clock is that host's.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from intake.storage.clock import database_now
from intake.storage.counters import CLAIMS_TAKEN_OVER, bump
from intake.storage.locking import write_transaction
from intake.storage.tables import claims

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Worker:
    """One running process, named so that a stale claim can be recognised."""

    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    token: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def id(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_is_gone(owner: str, me: Worker) -> bool:
    """A claim of a process on this host that no longer runs can be taken at once."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != me.host or not pid_text.isdigit() or int(pid_text) == me.pid:
        return False
    return not _pid_alive(int(pid_text))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Claims:
    def __init__(self, engine: sa.Engine, worker: Worker, lease: timedelta) -> None:
        self.engine = engine
        self.worker = worker
        self.lease = lease

    def claim(self, name: str) -> bool:
        """Take `name` for this worker; False when another live worker holds it."""
        with write_transaction(self.engine) as c:
            now = database_now(c)
            query = sa.select(claims.c.owner, claims.c.expires_at).where(claims.c.name == name)
            if c.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = c.execute(query).first()
            values = {"owner": self.worker.id, "expires_at": now + self.lease}
            if row is None:
                return self._insert(c, name, values, now)
            mine = row.owner == self.worker.id
            if not (mine or _aware(row.expires_at) <= now or owner_is_gone(row.owner, self.worker)):
                return False
            if not mine:
                log.info("%s: taking over the claim of %s", name, row.owner)
                bump(c, CLAIMS_TAKEN_OVER)
            c.execute(claims.update().where(claims.c.name == name).values(claimed_at=now, **values))
            return True

    def _insert(self, c: sa.Connection, name: str, values: dict, now: datetime) -> bool:
        row = {"name": name, "claimed_at": now, **values}
        if c.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert

            statement = insert(claims).values(**row).on_conflict_do_nothing()
            # no row back: another worker is claiming it at this very moment
            return c.execute(statement.returning(claims.c.name)).first() is not None
        c.execute(claims.insert().values(**row))
        return True

    def renew(self, name: str) -> bool:
        """Extend the lease; False when the claim was lost (taken over after expiry)."""
        with self.engine.begin() as c:
            done = c.execute(
                claims.update()
                .where(claims.c.name == name, claims.c.owner == self.worker.id)
                .values(expires_at=database_now(c) + self.lease)
            )
            return done.rowcount == 1

    def release(self, name: str) -> None:
        with self.engine.begin() as c:
            c.execute(
                claims.delete().where(claims.c.name == name, claims.c.owner == self.worker.id)
            )

    def holder(self, name: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(sa.select(claims.c.owner).where(claims.c.name == name)).scalar()

    @contextmanager
    def held(self, name: str) -> Iterator[bool]:
        """Claim for the length of a block; yields whether the claim was had."""
        got = self.claim(name)
        try:
            yield got
        finally:
            if got:
                self.release(name)


class Heartbeat:
    """Keeps the leases of long-held claims (a channel run) alive from a thread."""

    def __init__(self, claims_: Claims, names: list[str]) -> None:
        self.claims = claims_
        self.names = names
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="intake-lease", daemon=True)

    def _beat(self) -> None:
        interval = max(self.claims.lease.total_seconds() / 3, 0.5)
        while not self.stop.wait(interval):
            for name in self.names:
                try:
                    if not self.claims.renew(name):
                        log.error("%s: lease lost to another worker", name)
                except Exception:  # a ledger hiccup: try again on the next beat
                    log.warning("%s: could not renew the lease", name, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


@contextmanager
def channel_run(claims_: Claims, channel: str, slots: int = 1) -> Iterator[bool]:
    """Hold one of the channel's `slots` run locks for the block, or yield False.

    With one slot (the default) runs of a channel never overlap: a watcher and a
    nightly sweep take turns. More slots let several workers share the channel;
    the claims on each mail and file keep them from doing the same work twice.
    """
    for slot in range(max(1, slots)):
        name = f"channel:{channel}#{slot}"
        if claims_.claim(name):
            try:
                with Heartbeat(claims_, [name]):
                    yield True
            finally:
                claims_.release(name)
            return
    yield False
