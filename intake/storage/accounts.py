"""The desk's accounts (table `users`): who may log in, with which role."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import now
from intake.storage.records import Records
from intake.storage.tables import (
    users,
)


class Accounts(Records):
    def add(self, name: str, role: str, password_hash: str) -> None:
        with self.engine.begin() as c:
            c.execute(
                users.insert().values(
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    disabled=False,
                    created_at=now(),
                )
            )

    def get(self, name: str) -> dict[str, Any] | None:
        return self._first(sa.select(users).where(users.c.name == name))

    def all(self) -> list[dict[str, Any]]:
        return self._all(sa.select(users).order_by(users.c.name))

    def update(self, name: str, **values: Any) -> bool:
        with self.engine.begin() as c:
            result = c.execute(users.update().where(users.c.name == name).values(**values))
        return bool(result.rowcount)
