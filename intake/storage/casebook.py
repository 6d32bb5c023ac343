"""The desk's records in the ledger, one small class per role, each owning its tables.

Decisions, notes and downloads are records (actor, time, reason), never edits: the
computed verdicts stay untouched beside them. Case queries filter on the campaign
wherever the ledger's tables carry one.
"""

from __future__ import annotations

import sqlalchemy as sa

from intake.storage.accounts import Accounts
from intake.storage.audit import AuditTrail
from intake.storage.cases import Cases
from intake.storage.decisions import Decisions
from intake.storage.mailbook import MailRecords
from intake.storage.notes import Notes


class Casebook:
    """The desk's view of one ledger: `book.decisions.of_case(...)`, `book.audit.record(...)`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.accounts = Accounts(engine)
        self.audit = AuditTrail(engine)
        self.cases = Cases(engine)
        self.decisions = Decisions(engine)
        self.mails = MailRecords(engine)
        self.notes = Notes(engine)

    def ping(self) -> None:
        with self.engine.connect() as c:
            c.execute(sa.select(1))
