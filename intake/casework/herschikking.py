"""The herschikking at the desk: upload, preview, confirm, and mail the letters once.

An admin uploads the declarations file with the region's budget; it is validated
and computed exactly as on the command line and kept aside under the hash of file
and budget (the preview). Confirming writes the JSON, the staff workbook and the
letters to the outbox and records who did it. Mailing the letters is exactly-once
like a decision's mail: each letter is recorded with a fixed Message-ID before
anything is sent, claimed (`pending -> sending`) by one sender, and a repeat finds
it recorded and sends nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa

from intake.adapters.smtp import SmtpSender
from intake.adapters.tls import TlsRefused
from intake.campaign.herschikking import (
    DeclarationsError,
    HerschikkingRules,
    load_herschikking_rules,
    parse_budget,
    parse_declarations,
)
from intake.casework.cases import book
from intake.domain import fmt
from intake.domain.herschikking import BudgetTooSmall
from intake.service import mailing
from intake.service.app import App
from intake.service.herschikking import Herschikking, compute, letter_name, write_outputs
from intake.service.herschikking_letter import (
    render_letter_html,
    render_letter_pdf,
    render_letter_text,
)
from intake.storage import letters as told
from intake.storage.files import atomic_write

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
EVENT = "herschikking"
PENDING, SENDING, SENT, FAILED, NO_RECIPIENT = (
    "herschikking_pending",
    "sending",
    "sent",
    "failed",
    "no_recipient",
)
_KEY = re.compile(r"^[0-9a-f]{64}$")
# Refused before any data went out: safe to try again.
_NOT_SENT = (
    TlsRefused,
    ConnectionRefusedError,
    smtplib.SMTPConnectError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
)


class HerschikkingRefused(ValueError):
    """The upload cannot be used; `problems` are the Dutch lines staff read. Nothing changed."""

    def __init__(self, heading: str, problems: list[str]) -> None:
        super().__init__(heading)
        self.heading = heading
        self.problems = problems


@dataclass(frozen=True)
class Staged:
    key: str
    filename: str
    result: Herschikking


@dataclass
class Mailed:
    sent: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # recorded before: not sent again
    no_recipient: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # refused by the server: try again
    failed: list[str] = field(default_factory=list)  # uncertain: never resent by itself


def rules() -> HerschikkingRules:
    return load_herschikking_rules()


def _staging(app: App) -> Path:
    folder = app.config.data_dir / "desk" / "herschikking-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def output_folder(app: App, key: str) -> Path:
    return app.folder("outbox") / "herschikking" / key[:16]


def _compute(app: App, data: bytes, filename: str, budget_text: str | None) -> Herschikking:
    hs = rules()
    try:
        budget = parse_budget(budget_text, hs) if budget_text else None
        declarations = parse_declarations(data, filename, hs)
        return compute(declarations, hs, budget, app.register, filename)
    except DeclarationsError as exc:
        raise HerschikkingRefused(exc.heading, [str(p) for p in exc.problems]) from None
    except BudgetTooSmall as exc:
        why = hs.problem(
            "budget_too_small", budget=fmt.euro(float(exc.budget)), fixed=fmt.euro(float(exc.fixed))
        )
        raise HerschikkingRefused(why, []) from None
    except ValueError as exc:  # the budget as typed
        raise HerschikkingRefused(str(exc), []) from None


def stage(app: App, data: bytes, filename: str, budget_text: str | None) -> Staged:
    """Validate and compute an upload and keep it aside for the confirm: the preview."""
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // 1_000_000
        raise HerschikkingRefused(rules().problem("too_large", megabytes=limit), [])
    budget_text = (budget_text or "").strip() or None
    result = _compute(app, data, filename, budget_text)
    key = hashlib.sha256(data + b"\0" + (budget_text or "").encode()).hexdigest()
    atomic_write(_staging(app) / key, data)
    meta = {"filename": filename[:200], "budget": budget_text}
    atomic_write(_staging(app) / f"{key}.json", json.dumps(meta))
    return Staged(key, filename, result)


def load_staged(app: App, key: str) -> Staged:
    if not _KEY.match(key or "") or not (_staging(app) / key).is_file():
        raise HerschikkingRefused(rules().message("upload_missing"), [])
    meta = json.loads((_staging(app) / f"{key}.json").read_text(encoding="utf-8"))
    data = (_staging(app) / key).read_bytes()
    return Staged(key, meta["filename"], _compute(app, data, meta["filename"], meta["budget"]))


def confirmed(app: App, key: str) -> bool:
    return (output_folder(app, key) / f"{rules().output_name}.json").is_file()


def confirm(app: App, key: str, actor: str, address: str | None) -> Staged:
    """Write JSON, workbook and letters to the outbox; recorded in the audit trail."""
    staged = load_staged(app, key)
    write_outputs(staged.result, output_folder(app, key))
    division = staged.result.division
    book(app).audit.record(
        actor,
        "herschikking",
        address=address,
        detail=f"{staged.filename}: {len(division.shares)} zorgaanbieders, "
        f"totaal {fmt.euro(float(division.total))} ({key[:16]})",
    )
    log.info("herschikking %s confirmed by %s", key[:16], actor)
    return staged


def _message_id(app: App, key: str, agb: str) -> str:
    return mailing.reply_message_id(f"{key}:{agb}", app.config.smtp.sender, EVENT)


def _message(app: App, staged: Staged, agb: str, to: str, message_id: str) -> EmailMessage:
    result = staged.result
    share = next(s for s in result.division.shares if s.agb == agb)
    subject = f"{result.rules.text('title')} — {result.kenmerk(agb)}"
    return mailing.attach_rendered(
        mailing.envelope(app.config.smtp.sender, to, subject, message_id),
        render_letter_text(result, share),
        render_letter_html(result, share),
        render_letter_pdf(result, share),
        f"{letter_name(share)}.pdf",
    )


def _record(app: App, staged: Staged) -> dict[str, str]:
    """Every letter of the run recorded before anything is sent; returns agb -> message id."""
    ids = {}
    campaign = staged.result.rules.id
    for share in staged.result.division.shares:
        to = mailing.recipient(app, share.agb, app.ctx.campaign)
        message_id = _message_id(app, staged.key, share.agb)
        # A second click may record the same letter at the same moment: it is recorded.
        with contextlib.suppress(sa.exc.IntegrityError):
            told.record_due(
                app.ledger,
                provider_agb=share.agb,
                campaign=campaign,
                outcome=EVENT,
                event=EVENT,
                message_id=message_id,
                recipient=to,
                state=PENDING if to else NO_RECIPIENT,
            )
        ids[share.agb] = message_id
    return ids


def mail_letters(
    app: App, key: str, actor: str, address: str | None, smtp: SmtpSender | None = None
) -> Mailed:
    """Mail each provider its letter, at most once, to its registered contact."""
    if not confirmed(app, key):
        raise HerschikkingRefused(rules().message("confirm_first"), [])
    smtp = smtp or SmtpSender(app.config.smtp, app.ledger.counters.smtp_failed)
    if not smtp.enabled:
        raise HerschikkingRefused(rules().message("no_mailserver"), [])
    staged = load_staged(app, key)
    ids = _record(app, staged)
    rows = {r["message_id"]: r for r in told.of_event(app.ledger, staged.result.rules.id, EVENT)}
    outcome = Mailed()
    for agb, message_id in ids.items():
        row = rows[message_id]
        if row["state"] == NO_RECIPIENT:
            outcome.no_recipient.append(agb)
            continue
        if not told.claim(app.ledger, message_id, PENDING, SENDING):
            outcome.repeated.append(agb)
            continue
        _send(app, smtp, staged, agb, row["recipient"], message_id, outcome)
    book(app).audit.record(
        actor,
        "herschikking_mail",
        address=address,
        detail=f"{key[:16]}: {len(outcome.sent)} verzonden, {len(outcome.repeated)} al eerder, "
        f"{len(outcome.no_recipient)} zonder adres",
    )
    return outcome


def _send(
    app: App, smtp: SmtpSender, staged: Staged, agb: str, to: str, message_id: str, out: Mailed
) -> None:
    try:
        message = _message(app, staged, agb, to, message_id)
        smtp.send(message)
    except _NOT_SENT as exc:
        told.claim(app.ledger, message_id, SENDING, PENDING)
        log.warning("herschikking letter for %s not sent, can be tried again: %s", agb, exc)
        out.pending.append(agb)
        return
    except Exception as exc:  # may or may not have gone out: never resent by itself
        told.claim(app.ledger, message_id, SENDING, FAILED)
        log.warning("herschikking letter for %s uncertain: %s", agb, exc)
        out.failed.append(agb)
        return
    told.claim(app.ledger, message_id, SENDING, SENT)
    with app.ledger.transaction() as conn:
        app.ledger.record_reply(
            conn,
            provider_agb=agb,
            kind=EVENT,
            recipient=to,
            subject=str(message["Subject"]),
            message_id=message_id,
        )
    out.sent.append(agb)
