"""The one place a letter becomes a mail: text, HTML, the PDF and corrected workbooks.

Replies to a provider's mail, letters sent after a change and decision mails differ only
in their envelope; what they carry is assembled here, so the three never drift apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate

from intake.campaign.rules import Rules
from intake.report.html import render_html, render_text
from intake.report.model import ReportModel
from intake.report.pdf import render_pdf
from intake.service.app import App
from intake.service.migration import Migrated

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def reply_message_id(message_key: str, own_address: str, kind: str = "reply") -> str:
    """A Message-ID fixed by what it answers, so a retried send is recognisably the same."""
    digest = hashlib.sha256(f"{kind}:{message_key}".encode()).hexdigest()[:32]
    domain = own_address.rpartition("@")[2] or "intake.invalid"
    return f"<intake.{kind}.{digest}@{domain}>"


def recipient(app: App, agb: str, campaign: str) -> str | None:
    """The provider's registered contact in the case's campaign: the last sender when
    registered, else the first registered address."""
    register = app.ctx.for_campaign(campaign).register
    entry = register.get(agb) if register else None
    if entry is None:
        return None
    state = app.ledger.provider(agb, campaign) or {}
    if state.get("contact") and entry.is_contact(state["contact"]):
        return state["contact"]
    return next((c for c in entry.contacts if not c.startswith("@")), None)


def envelope(
    sender: str, to: str, subject: str, message_id: str, automatic: bool = True
) -> EmailMessage:
    """A new (not answering) mail from the care office's mailbox; `automatic` marks it
    Auto-Submitted (RFC 3834), which a mail about a person's decision is not."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    if automatic:
        message["Auto-Submitted"] = "auto-generated"
    return message


def attach_letter(
    message: EmailMessage,
    model: ReportModel,
    rules: Rules,
    corrected: Iterable[Migrated] = (),
) -> EmailMessage:
    """Body (text and HTML), the letter as PDF, and any corrected workbooks."""
    message.set_content(render_text(model))
    message.add_alternative(render_html(model), subtype="html")
    filename = rules.mail.get("report_filename", "beoordeling.pdf")
    message.add_attachment(
        render_pdf(model), maintype="application", subtype="pdf", filename=filename
    )
    for migrated in corrected:
        message.add_attachment(
            migrated.content, maintype=XLSX[0], subtype=XLSX[1], filename=migrated.filename
        )
    return message


def attach_rendered(
    message: EmailMessage, text: str, html: str, pdf: bytes, filename: str
) -> EmailMessage:
    """A letter rendered elsewhere (the herschikking's): text and HTML body, the PDF."""
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message
