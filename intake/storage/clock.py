"""The database's clock: the one every worker sharing a ledger agrees on."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def database_now(c: sa.Connection) -> datetime:
    """The database server's time, UTC. On SQLite (one host) that host's clock, read by
    SQLite itself; on PostgreSQL the server's, whatever the worker's host thinks."""
    if c.dialect.name == "postgresql":
        moment = c.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = c.execute(sa.text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
