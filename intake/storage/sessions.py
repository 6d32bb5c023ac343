"""The desk's sessions, kept on the server.

The signed cookie carries only a random token; the row it names (by the token's
sha256, so the table alone opens nothing) says whose session it is and whether it
still runs. Logout, disabling the account and an idle timeout end the row, and with it
every copy of the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import now
from intake.storage.records import stored_moment
from intake.storage.tables import sessions

# `seen_at` is written at most this often: a request is not a write for every page.
TOUCH = timedelta(seconds=60)
KEEP = timedelta(days=30)  # ended or not, older rows are dropped when a session starts


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def start(self, user_name: str, address: str | None) -> str:
        """A new session; the token goes into the signed cookie, never into the table."""
        token = secrets.token_urlsafe(32)
        moment = now()
        with self.engine.begin() as c:
            c.execute(
                sessions.insert().values(
                    id=_key(token),
                    user_name=user_name,
                    address=(address or "")[:64] or None,
                    created_at=moment,
                    seen_at=moment,
                )
            )
            c.execute(sessions.delete().where(sessions.c.created_at < moment - KEEP))
        return token

    def user_of(self, token: str, idle: timedelta, lifetime: timedelta) -> str | None:
        """Whose running session this is, or None; an idle or too old one ends here."""
        key, moment = _key(token), now()
        with self.engine.connect() as c:
            row = c.execute(sa.select(sessions).where(sessions.c.id == key)).mappings().first()
        if row is None or row["ended_at"] is not None:
            return None
        if moment - stored_moment(row["seen_at"]) > idle:
            self._end(sessions.c.id == key, "idle")
            return None
        if moment - stored_moment(row["created_at"]) > lifetime:
            self._end(sessions.c.id == key, "expired")
            return None
        if moment - stored_moment(row["seen_at"]) > TOUCH:
            with self.engine.begin() as c:
                c.execute(sessions.update().where(sessions.c.id == key).values(seen_at=moment))
        return str(row["user_name"])

    def end(self, token: str, reason: str) -> None:
        self._end(sessions.c.id == _key(token), reason)

    def end_all_of(self, user_name: str, reason: str) -> int:
        """End every running session of an account (it was disabled)."""
        return self._end(sessions.c.user_name == user_name, reason)

    def _end(self, which: Any, reason: str) -> int:
        with self.engine.begin() as c:
            result = c.execute(
                sessions.update()
                .where(which, sessions.c.ended_at.is_(None))
                .values(ended_at=now(), end_reason=reason)
            )
        return int(result.rowcount or 0)
