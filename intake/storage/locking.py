"""Database-level locks: SQLite transactions that lock at BEGIN, and migrations one at a time.

Two workers that start together on an empty database must not both create the
schema: on PostgreSQL the migration runs under a transaction-scoped advisory lock,
on SQLite under an exclusive lock on a file beside the database.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

# Any fixed number, the same for every intake process: "intake:migrate".
MIGRATION_LOCK_KEY = 0x696E74616B65


def sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, start transactions (IMMEDIATE where asked)."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN from the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get("intake_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that means to write: on SQLite it takes the write lock at BEGIN, so
    two writers never both hold a read snapshot they cannot upgrade (SQLITE_BUSY)."""
    connection = engine.connect().execution_options(intake_immediate=True)
    with connection, connection.begin():
        yield connection


@contextmanager
def migration_lock(engine: sa.Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = {"key": MIGRATION_LOCK_KEY}
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), key)
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), key)
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    descriptor = os.open(database + ".migrate-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
