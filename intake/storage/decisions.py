"""Staff decisions and the one mail each may send (tables `decisions`, `notifications`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import now
from intake.storage.records import Records
from intake.storage.tables import (
    decisions,
    notifications,
)


class Decisions(Records):
    def by_key(self, form_key: str) -> dict[str, Any] | None:
        return self._first(sa.select(decisions).where(decisions.c.form_key == form_key))

    def add(
        self,
        conn: sa.Connection,
        *,
        campaign: str,
        agb: str,
        status: str,
        reason: str,
        actor: str,
        notify: bool,
        form_key: str,
    ) -> int:
        result = conn.execute(
            decisions.insert().values(
                campaign=campaign,
                agb=agb,
                status=status,
                reason=reason,
                actor=actor,
                decided_at=now(),
                notify=notify,
                form_key=form_key,
            )
        )
        return int(result.inserted_primary_key[0])

    def add_notification(
        self,
        conn: sa.Connection,
        *,
        decision_id: int,
        campaign: str,
        agb: str,
        recipient: str,
        message_id: str,
    ) -> None:
        stamp = now()
        conn.execute(
            notifications.insert().values(
                decision_id=decision_id,
                campaign=campaign,
                agb=agb,
                recipient=recipient,
                message_id=message_id,
                state="pending",
                created_at=stamp,
                updated_at=stamp,
            )
        )

    def of_case(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(decisions)
            .where(decisions.c.campaign == campaign, decisions.c.agb == agb)
            .order_by(decisions.c.decided_at, decisions.c.id)
        )

    def latest(self, campaign: str) -> dict[str, dict[str, Any]]:
        rows = self._all(
            sa.select(decisions).where(decisions.c.campaign == campaign).order_by(decisions.c.id)
        )
        return {row["agb"]: row for row in rows}

    def notifications(
        self, *states: str, agb: str | None = None, campaign: str | None = None
    ) -> list[dict[str, Any]]:
        query = sa.select(notifications).order_by(notifications.c.id)
        if states:
            query = query.where(notifications.c.state.in_(states))
        if agb is not None:
            query = query.where(notifications.c.agb == agb)
        if campaign is not None:
            query = query.where(notifications.c.campaign == campaign)
        return self._all(query)

    def claim_notification(self, notification_id: int) -> bool:
        """pending -> sending, for one caller only: the update is the lock."""
        with self.engine.begin() as c:
            result = c.execute(
                notifications.update()
                .where(notifications.c.id == notification_id, notifications.c.state == "pending")
                .values(state="sending", updated_at=now())
            )
        return result.rowcount == 1

    def finish_notification(self, notification_id: int, state: str, error: str | None) -> None:
        with self.engine.begin() as c:
            c.execute(
                notifications.update()
                .where(notifications.c.id == notification_id)
                .values(state=state, error=error, updated_at=now())
            )
