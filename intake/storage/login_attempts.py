"""The desk's login attempts: the facts login throttling decides on.

One row per attempt that reached the password check, failed or not. The questions
asked are narrow (this account from this address, this account from anywhere, how many
accounts this address failed on), each answered by one indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import now
from intake.storage.records import stored_moment
from intake.storage.tables import login_attempts as attempts

KEEP = timedelta(days=30)  # older attempts answer no question throttling asks


@dataclass(frozen=True)
class Failures:
    """How many failures since a moment, and when the last one was."""

    count: int
    last: datetime | None


class LoginAttempts:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def record(
        self, account: str, address: str, succeeded: bool, at: datetime | None = None
    ) -> None:
        moment = at or now()
        with self.engine.begin() as c:
            c.execute(
                attempts.insert().values(
                    at=moment, account=account[:64], address=address[:64], succeeded=succeeded
                )
            )
            if succeeded:  # pruning on success keeps the table small without a timer
                c.execute(attempts.delete().where(attempts.c.at < moment - KEEP))

    def _failures(self, since: datetime, *where: Any) -> Failures:
        query = sa.select(sa.func.count(), sa.func.max(attempts.c.at)).where(
            attempts.c.succeeded.is_(False), attempts.c.at >= since, *where
        )
        with self.engine.connect() as c:
            count, last = c.execute(query).one()
        return Failures(int(count or 0), stored_moment(last))

    def last_success(self, account: str, address: str, since: datetime) -> datetime | None:
        """The last good login of this account from this address since `since`."""
        query = sa.select(sa.func.max(attempts.c.at)).where(
            attempts.c.account == account[:64],
            attempts.c.address == address[:64],
            attempts.c.succeeded.is_(True),
            attempts.c.at >= since,
        )
        with self.engine.connect() as c:
            return stored_moment(c.execute(query).scalar())

    def failures_of_pair(self, account: str, address: str, since: datetime) -> Failures:
        return self._failures(
            since, attempts.c.account == account[:64], attempts.c.address == address[:64]
        )

    def failures_of_account(self, account: str, since: datetime) -> Failures:
        return self._failures(since, attempts.c.account == account[:64])

    def failures_from(self, address: str, since: datetime) -> tuple[int, datetime | None]:
        """How many different accounts failed from this address, and the last failure."""
        query = sa.select(
            sa.func.count(sa.distinct(attempts.c.account)), sa.func.max(attempts.c.at)
        ).where(
            attempts.c.address == address[:64],
            attempts.c.succeeded.is_(False),
            attempts.c.at >= since,
        )
        with self.engine.connect() as c:
            count, last = c.execute(query).one()
        return int(count or 0), stored_moment(last)
