"""Internal notes on a case (table `notes`), each one in the audit trail too."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from intake.storage.audit import AuditTrail
from intake.storage.ledger import now
from intake.storage.records import Records
from intake.storage.tables import (
    notes,
)


class Notes(Records):
    def add(self, campaign: str, agb: str, actor: str, text: str, address: str | None) -> None:
        with self.engine.begin() as c:
            c.execute(
                notes.insert().values(campaign=campaign, agb=agb, actor=actor, at=now(), text=text)
            )
            AuditTrail(self.engine).record(
                actor, "note", address=address, campaign=campaign, agb=agb, conn=c
            )

    def of_case(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(notes)
            .where(notes.c.campaign == campaign, notes.c.agb == agb)
            .order_by(notes.c.at, notes.c.id)
        )
