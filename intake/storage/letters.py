"""The ledger's record of what each provider was told, so a change is mailed once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import Ledger, _row, now
from intake.storage.tables import letters


def last_outcome(ledger: Ledger, agb: str, campaign: str | None = None) -> str | None:
    """What the provider was last told about its case in a campaign (default: the ledger's)."""
    with ledger.engine.connect() as c:
        row = c.execute(
            sa.select(letters.c.outcome)
            .where(
                letters.c.provider_agb == agb, letters.c.campaign == (campaign or ledger.campaign)
            )
            .order_by(letters.c.id.desc())
            .limit(1)
        ).first()
    return row[0] if row else None


def record_due(ledger: Ledger, **values: Any) -> bool:
    """True when recorded now; False when this very letter was recorded before."""
    values["campaign"] = values.get("campaign") or ledger.campaign
    with ledger.transaction() as c:
        exists = c.execute(
            sa.select(letters.c.id).where(letters.c.message_id == values["message_id"])
        ).first()
        if exists:
            return False
        c.execute(letters.insert().values(created_at=now(), **values))
    return True


def due(ledger: Ledger) -> list[dict[str, Any]]:
    with ledger.engine.connect() as c:
        rows = c.execute(sa.select(letters).where(letters.c.state == "due").order_by(letters.c.id))
        return [_row(r) for r in rows.mappings()]


def mark(ledger: Ledger, letter_id: int, state: str) -> None:
    with ledger.transaction() as c:
        c.execute(
            letters.update().where(letters.c.id == letter_id).values(state=state, sent_at=now())
        )


def claim(ledger: Ledger, message_id: str, before: str, after: str) -> bool:
    """Move one letter from state `before` to `after`; True for the one caller that did.

    The herschikking letters use this as decisions use their notifications: a letter
    is claimed (`pending -> sending`) before it is sent, so it is never sent twice.
    """
    with ledger.transaction() as c:
        result = c.execute(
            letters.update()
            .where(letters.c.message_id == message_id, letters.c.state == before)
            .values(state=after, sent_at=now())
        )
    return result.rowcount == 1


def of_event(ledger: Ledger, campaign: str, event: str) -> list[dict[str, Any]]:
    """Every letter recorded for one event of a campaign (a herschikking's letters)."""
    with ledger.engine.connect() as c:
        rows = c.execute(
            sa.select(letters)
            .where(letters.c.campaign == campaign, letters.c.event == event)
            .order_by(letters.c.id)
        )
        return [_row(r) for r in rows.mappings()]
