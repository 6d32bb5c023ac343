"""Mails in and out as staff see them (tables `mails`, `replies`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from intake.storage.records import Records
from intake.storage.tables import (
    documents,
    findings,
    mails,
    replies,
)


class MailRecords(Records):
    def of_case(self, mail_ids: set[int]) -> list[dict[str, Any]]:
        if not mail_ids:
            return []
        return self._all(sa.select(mails).where(mails.c.id.in_(mail_ids)).order_by(mails.c.id))

    def replies_of_case(
        self, agb: str, mail_ids: set[int], campaign: str | None = None
    ) -> list[dict[str, Any]]:
        """Mails out about one case: to its provider in its campaign (or in none named),
        and the answers to the mails its documents came in."""
        who = replies.c.provider_agb == agb
        if campaign is not None:
            who = sa.and_(who, sa.or_(replies.c.campaign == campaign, replies.c.campaign.is_(None)))
        if mail_ids:
            who = sa.or_(who, replies.c.mail_id.in_(mail_ids))
        return self._all(sa.select(replies).where(who).order_by(replies.c.sent_at))

    def in_state(self, *states: str) -> list[dict[str, Any]]:
        return self._all(sa.select(mails).where(mails.c.state.in_(states)).order_by(mails.c.id))

    def unanswered_codes(self, code: str) -> list[dict[str, Any]]:
        """Documents with finding `code` whose sender sent no document without it since:
        a mail we could not open (MAIL_ENCRYPTED) waits for staff until a readable one
        comes from the same address."""
        marked = sa.select(findings.c.document_id).where(findings.c.code == code)
        rows = self._all(
            sa.select(
                documents.c.id, documents.c.sender, documents.c.filename, documents.c.created_at
            )
            .where(documents.c.id.in_(marked))
            .order_by(documents.c.id)
        )
        waiting = []
        for row in rows:
            later = (
                sa.select(sa.func.count())
                .select_from(documents)
                .where(
                    documents.c.sender == row["sender"],
                    documents.c.id > row["id"],
                    documents.c.id.not_in(marked),
                )
            )
            with self.engine.connect() as c:
                if not c.execute(later).scalar():
                    waiting.append(row)
        return waiting

    def count(self, *states: str) -> int:
        query = sa.select(sa.func.count()).select_from(mails).where(mails.c.state.in_(states))
        with self.engine.connect() as c:
            return int(c.execute(query).scalar() or 0)
