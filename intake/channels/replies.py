"""Composing the answers: feedback (HTML + text + PDF), no-attachment notes, reminders."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate

from intake.campaign.context import Context
from intake.campaign.register import Register
from intake.channels import answerable, headers
from intake.domain import Verdict
from intake.report.audience import sender_registered
from intake.report.model import build
from intake.service import mailing
from intake.service.migration import Migrated


def _subject(original: EmailMessage, fallback: str) -> str:
    subject = headers.subject_of(original) or fallback
    return subject if subject.lower().startswith(("re:", "antw:")) else f"Re: {subject}"


def _base(
    original: EmailMessage, own_address: str, to: str, message_id: str, fallback: str = ""
) -> EmailMessage:
    """The envelope of an answer: to the checked From address only, threaded verbatim."""
    reply = headers.new_message()
    reply["From"] = own_address
    reply["To"] = to
    reply["Subject"] = _subject(original, fallback)
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = message_id
    reply["Auto-Submitted"] = "auto-replied"
    for name, value in headers.thread_headers(original).items():
        reply[name] = value
    return reply


def feedback(
    original: EmailMessage,
    verdicts: Sequence[Verdict],
    ctx: Context,
    register: Register | None,
    *,
    to: str | None = None,
    own_address: str,
    message_id: str,
    others: Sequence[Verdict] = (),
    corrected: dict[str, Migrated] | None = None,
) -> EmailMessage:
    """The letter about the documents of one mail, to `to` (the checked From address,
    never Reply-To); figures only when it is a registered contact. `others` are the
    provider's other current documents, `corrected` the old-model workbooks carried
    over (sent along only to a registered contact)."""
    to = to or answerable.checked_sender(original) or ""
    sender = to
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
    reply = _base(original, own_address, to, message_id, ctx.rules.text("reply_subject"))
    return mailing.attach_letter(reply, model, ctx.rules, corrected.values())


def no_attachments(
    original: EmailMessage, ctx: Context, *, to: str, own_address: str, message_id: str
) -> EmailMessage:
    reply = _base(original, own_address, to, message_id, ctx.rules.text("reply_subject"))
    reply.set_content(ctx.rules.mail_text("no_attachments"))
    return reply


def reminder(
    to: str, naam: str, agb: str, missing: str, ctx: Context, *, own_address: str, message_id: str
) -> EmailMessage:
    message = headers.new_message()
    message["From"] = own_address
    message["To"] = to
    message["Subject"] = ctx.rules.mail["reminder_subject"]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(ctx.rules.mail_text("reminder", naam=naam, agb=agb, missing=missing))
    return message
