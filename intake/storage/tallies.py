"""What the ledger holds, counted for monitoring: documents and mails by outcome."""

from __future__ import annotations

import sqlalchemy as sa

from intake.storage.tables import documents, mails

# A mail's state, as the outcome monitoring graphs; mails still being worked are left out.
MAIL_OUTCOMES = {
    "replied": "answered",
    "moved": "answered",
    "no_reply": "no_reply",
    "failed": "failed",
    "reply_uncertain": "failed",
}


def documents_by(engine: sa.Engine) -> dict[tuple[str, str, str], int]:
    """Documents per (channel, status, campaign)."""
    key = (documents.c.channel, documents.c.status, documents.c.campaign)
    query = sa.select(*key, sa.func.count()).group_by(*key)
    with engine.connect() as c:
        return {(ch, st, cp or ""): int(n) for ch, st, cp, n in c.execute(query)}


def mails_by_outcome(engine: sa.Engine) -> dict[str, int]:
    """Mails per outcome: answered, no_reply, failed (each present, zero when none)."""
    query = sa.select(mails.c.state, sa.func.count()).group_by(mails.c.state)
    found = dict.fromkeys(sorted(set(MAIL_OUTCOMES.values())), 0)
    with engine.connect() as c:
        for state, n in c.execute(query):
            if state in MAIL_OUTCOMES:
                found[MAIL_OUTCOMES[state]] += int(n)
    return found
