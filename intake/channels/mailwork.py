"""What the mailbox channel keeps per run and per message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

DONE = {"replied", "moved", "no_reply", "reply_uncertain"}


@dataclass
class MailStats:
    seen: int = 0
    answered: int = 0
    failed: int = 0
    skipped: int = 0
    given_up: int = 0
    busy: bool = False  # another worker was running the mailbox; this run left it alone
    errors: list[str] = field(default_factory=list)


@dataclass
class Work:
    """One message in progress: where it is and what the ledger knows of it."""

    uid: str
    folder: str
    raw: bytes
    received: datetime | None
    key: str
    mail_id: int
    state: str
    attempts: int
    error: str | None = None
    machine: str | None = None  # why the mail came from a machine or a list
    unjudged: int = 0  # documents in such a mail, not taken in
