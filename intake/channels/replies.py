"""Composing the answers: feedback (HTML + text + PDF), no-attachment notes, reminders."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr

from intake.context import Context
from intake.domain import Verdict
from intake.migration import Migrated
from intake.register import Register
from intake.report.audience import sender_registered
from intake.report.html import render_html, render_text
from intake.report.model import build
from intake.report.pdf import render_pdf

_NO_REPLY_LOCALPARTS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply")


def address_of(header: str | None) -> str | None:
    _, addr = parseaddr(header or "")
    return addr.lower() or None


def reply_to(original: EmailMessage) -> str | None:
    for header in ("Reply-To", "From"):
        addresses = [a for _, a in getaddresses([str(original.get(header, ""))]) if a]
        if addresses:
            return addresses[0].lower()
    return None


def should_not_answer(original: EmailMessage, own_address: str) -> str | None:
    """Why an automatic answer would be wrong (RFC 3834), or None."""
    sender = address_of(str(original.get("From", "")))
    if not sender:
        return "no sender address"
    if sender == own_address.lower():
        return "sent by this mailbox itself"
    if sender.split("@")[0] in _NO_REPLY_LOCALPARTS:
        return f"sender {sender} does not take replies"
    auto = str(original.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"automatic message (Auto-Submitted: {auto})"
    if str(original.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list"}:
        return "bulk or list message"
    return None


def reply_message_id(message_key: str, own_address: str, kind: str = "reply") -> str:
    digest = hashlib.sha256(f"{kind}:{message_key}".encode()).hexdigest()[:32]
    domain = own_address.rpartition("@")[2] or "intake.invalid"
    return f"<intake.{kind}.{digest}@{domain}>"


def _subject(original: EmailMessage) -> str:
    subject = str(original.get("Subject", "")).strip() or "Aanvraag kwaliteitsbudget 2020"
    return subject if subject.lower().startswith(("re:", "antw:")) else f"Re: {subject}"


def _base(original: EmailMessage, own_address: str, to: str, message_id: str) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = own_address
    reply["To"] = to
    reply["Subject"] = _subject(original)
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = message_id
    reply["Auto-Submitted"] = "auto-replied"
    original_id = str(original.get("Message-ID", "")).strip()
    if original_id:
        reply["In-Reply-To"] = original_id
        references = str(original.get("References", "")).split()
        reply["References"] = " ".join([*references, original_id])
    return reply


def feedback(
    original: EmailMessage,
    verdicts: Sequence[Verdict],
    ctx: Context,
    register: Register | None,
    *,
    own_address: str,
    message_id: str,
    others: Sequence[Verdict] = (),
    corrected: dict[str, Migrated] | None = None,
) -> EmailMessage:
    """The letter about the documents of one mail; `others` are the provider's other
    current documents, `corrected` the old-model workbooks carried over (sent along
    only to a registered contact)."""
    to = reply_to(original) or ""
    sender = address_of(str(original.get("From", "")))
    registered = sender_registered(verdicts, register, sender)
    corrected = (corrected or {}) if registered else {}
    model = build(
        verdicts,
        ctx.rules,
        ctx.family,
        sender=sender,
        channel="mail",
        sender_registered=registered,
        others=others if registered else (),
        attached={k: m.filename for k, m in corrected.items()},
    )
    reply = _base(original, own_address, to, message_id)
    reply.set_content(render_text(model))
    reply.add_alternative(render_html(model), subtype="html")
    reply.add_attachment(
        render_pdf(model),
        maintype="application",
        subtype="pdf",
        filename=ctx.rules.mail.get("report_filename", "beoordeling.pdf"),
    )
    for migrated in corrected.values():
        reply.add_attachment(
            migrated.content,
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=migrated.filename,
        )
    return reply


def no_attachments(
    original: EmailMessage, ctx: Context, *, own_address: str, message_id: str
) -> EmailMessage:
    reply = _base(original, own_address, reply_to(original) or "", message_id)
    reply.set_content(ctx.rules.mail_text("no_attachments"))
    return reply


def reminder(
    to: str, naam: str, agb: str, missing: str, ctx: Context, *, own_address: str, message_id: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = own_address
    message["To"] = to
    message["Subject"] = ctx.rules.mail["reminder_subject"]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(ctx.rules.mail_text("reminder", naam=naam, agb=agb, missing=missing))
    return message
