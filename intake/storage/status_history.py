"""The case's status history: one record per change (from, to, when, who, why), kept as
zaakgericht systems keep it, instead of being derived again on every visit. This class
owns the `status_history` table; nothing else reads or writes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import _row, now
from intake.storage.tables import status_history


@dataclass(frozen=True)
class StatusChange:
    campaign: str
    agb: str
    from_status: str | None
    to_status: str
    actor: str
    event: str  # document | pair | decision | rejudge | extension | sync
    reason: str = ""


class StatusHistory:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, changes: Iterable[StatusChange], at: datetime | None = None) -> int:
        rows = [
            {
                "campaign": c.campaign,
                "agb": c.agb,
                "from_status": c.from_status,
                "to_status": c.to_status,
                "at": at or now(),
                "actor": c.actor[:320],
                "event": c.event,
                "reason": c.reason or None,
            }
            for c in changes
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(status_history.insert(), rows)
        return len(rows)

    def latest(self, campaign: str, agbs: Iterable[str] | None = None) -> dict[str, str]:
        """The last recorded status per case of one campaign (of the given AGB codes)."""
        newest = (
            sa.select(sa.func.max(status_history.c.id))
            .where(status_history.c.campaign == campaign)
            .group_by(status_history.c.agb)
        )
        if agbs is not None:
            newest = newest.where(status_history.c.agb.in_(list(agbs)))
        query = sa.select(status_history.c.agb, status_history.c.to_status).where(
            status_history.c.id.in_(newest)
        )
        with self.engine.connect() as conn:
            return {row.agb: row.to_status for row in conn.execute(query)}

    def of_case(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        """Every change of one case, oldest first."""
        query = (
            sa.select(status_history)
            .where(status_history.c.campaign == campaign, status_history.c.agb == agb)
            .order_by(status_history.c.id)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings()]
