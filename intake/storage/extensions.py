"""Uitstel in the ledger: one provider, one campaign, a date and the reason why.

Grants are records, like decisions: a revoked extension keeps its row (who revoked
it and when), and the newest grant that is not revoked is the one in force, so a
second grant moves the date either way without editing the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import Ledger, _row, now
from intake.storage.tables import extensions


@dataclass(frozen=True)
class Extension:
    id: int
    campaign: str
    agb: str
    until: date
    reason: str
    actor: str
    granted_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "campaign": self.campaign,
            "agb": self.agb,
            "until": self.until.isoformat(),
            "reason": self.reason,
            "actor": self.actor,
            "granted_at": self.granted_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


def _extension(row: Any) -> Extension:
    values = _row(row._mapping)
    return Extension(**{k: values[k] for k in Extension.__dataclass_fields__})


def add(
    conn: sa.Connection, *, campaign: str, agb: str, until: date, reason: str, actor: str
) -> int:
    result = conn.execute(
        extensions.insert().values(
            campaign=campaign,
            agb=agb,
            until=until,
            reason=reason,
            actor=actor[:64],
            granted_at=now(),
        )
    )
    return int(result.inserted_primary_key[0])


def revoke(conn: sa.Connection, extension_id: int, actor: str) -> bool:
    """True when this call revoked it; False when it was already revoked or is unknown."""
    result = conn.execute(
        extensions.update()
        .where(extensions.c.id == extension_id, extensions.c.revoked_at.is_(None))
        .values(revoked_at=now(), revoked_by=actor[:64])
    )
    return result.rowcount == 1


def get(ledger: Ledger, extension_id: int) -> Extension | None:
    with ledger.engine.connect() as c:
        row = c.execute(sa.select(extensions).where(extensions.c.id == extension_id)).first()
    return _extension(row) if row else None


def of_case(ledger: Ledger, campaign: str, agb: str) -> list[Extension]:
    """Every grant of a case, oldest first, revoked ones included."""
    with ledger.engine.connect() as c:
        rows = c.execute(
            sa.select(extensions)
            .where(extensions.c.campaign == campaign, extensions.c.agb == agb)
            .order_by(extensions.c.id)
        ).all()
    return [_extension(r) for r in rows]


def in_force(ledger: Ledger, campaign: str, agb: str) -> Extension | None:
    """The newest grant that is not revoked: the extension that counts."""
    active = [e for e in of_case(ledger, campaign, agb) if e.active]
    return active[-1] if active else None


def all_of(
    ledger: Ledger, campaign: str | None = None, *, revoked: bool = False
) -> list[Extension]:
    query = sa.select(extensions).order_by(extensions.c.id)
    if campaign:
        query = query.where(extensions.c.campaign == campaign)
    if not revoked:
        query = query.where(extensions.c.revoked_at.is_(None))
    with ledger.engine.connect() as c:
        return [_extension(r) for r in c.execute(query).all()]


def in_force_by_case(ledger: Ledger) -> dict[tuple[str, str], date]:
    """(campaign, agb) -> the date in force, for judging a batch without a query per document."""
    result: dict[tuple[str, str], date] = {}
    for extension in all_of(ledger):  # oldest first: the newest grant wins
        result[(extension.campaign, extension.agb)] = extension.until
    return result
