"""What every small class that owns a ledger table shares: the engine and plain rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import _row


def stored_moment(value: Any) -> datetime | None:
    """A stored time as an aware datetime: text or naive from SQLite, aware from PostgreSQL."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def in_campaign(table: sa.Table, campaign: str) -> Any:
    """A filter on the table's campaign column, or no filter when it has none."""
    return table.c.campaign == campaign if "campaign" in table.c else sa.true()


class Records:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _all(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [_row(r) for r in c.execute(query).mappings()]

    def _first(self, query: Any) -> dict[str, Any] | None:
        rows = self._all(query.limit(1))
        return rows[0] if rows else None
