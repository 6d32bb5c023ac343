"""Who did what when (table `audit`): every login, decision, note and download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import now
from intake.storage.records import Records
from intake.storage.tables import (
    audit,
)


class AuditTrail(Records):
    def record(
        self,
        actor: str,
        action: str,
        *,
        address: str | None = None,
        campaign: str | None = None,
        agb: str | None = None,
        detail: str | None = None,
        conn: sa.Connection | None = None,
    ) -> None:
        statement = audit.insert().values(
            at=now(),
            actor=actor[:64],
            address=(address or "")[:64] or None,
            action=action,
            campaign=campaign,
            agb=agb,
            detail=detail,
        )
        if conn is not None:
            conn.execute(statement)
            return
        with self.engine.begin() as c:
            c.execute(statement)

    def of_case(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(audit)
            .where(audit.c.campaign == campaign, audit.c.agb == agb)
            .order_by(audit.c.at, audit.c.id)
        )

    def last_activity(self, action: str) -> datetime | None:
        row = self._first(
            sa.select(audit.c.at).where(audit.c.action == action).order_by(audit.c.at.desc())
        )
        return row["at"] if row else None
