"""Event counters in the ledger: extraction timeouts, SMTP failures, claims taken over,
successful sweeps.

These events leave no row of their own, and they happen in one-shot runs that exit
before anyone scrapes them. Counting them in the ledger lets the desk's `/metrics` and
the metrics file of every run report the same totals, whichever process saw the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from intake.storage.clock import database_now
from intake.storage.tables import counters

EXTRACTION_TIMEOUTS = "extraction_timeouts"
SMTP_FAILURES = "smtp_failures"
CLAIMS_TAKEN_OVER = "claims_taken_over"
SWEEPS_SUCCEEDED = "sweeps_succeeded"


@dataclass(frozen=True)
class Count:
    value: int
    updated_at: datetime  # the moment of the last event


def _upsert(dialect: str):  # type: ignore[no-untyped-def]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def bump(conn: sa.Connection, name: str, by: int = 1) -> None:
    """Add `by` to the counter `name` inside the caller's transaction (one statement,
    so two workers counting at once both count)."""
    stamp = database_now(conn)  # one clock for every host, as for the leases
    insert = _upsert(conn.dialect.name)
    statement = insert(counters).values(name=name, value=by, updated_at=stamp)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[counters.c.name],
            set_={"value": counters.c.value + by, "updated_at": stamp},
        )
    )


class Counters:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def bump(self, name: str, by: int = 1) -> None:
        with self.engine.begin() as c:
            bump(c, name, by)

    def smtp_failed(self, _exc: BaseException | None = None) -> None:
        """The hook an SMTP sender calls when a send fails."""
        self.bump(SMTP_FAILURES)

    def read(self) -> dict[str, Count]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(counters.c.name, counters.c.value, counters.c.updated_at))
            return {
                row.name: Count(
                    int(row.value),
                    row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC),
                )
                for row in rows
            }
