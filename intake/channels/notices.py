"""Mailing the letters the ledger holds as due: an application's outcome changed."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate

from intake.bootstrap import App
from intake.channels.smtp import SmtpSender
from intake.report.html import render_html, render_text
from intake.report.model import ReportModel
from intake.report.pdf import render_pdf
from intake.service import letters
from intake.service.migration import Migrated

log = logging.getLogger(__name__)
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def recipient(app: App, agb: str, campaign: str | None = None) -> str | None:
    """The provider's registered contact in the case's campaign (default: the configured
    one): the last sender when registered, else the first."""
    register = app.ctx.for_campaign(campaign).register
    entry = register.get(agb) if register else None
    if entry is None:
        return None
    state = app.ledger.provider(agb, campaign) or {}
    if state.get("contact") and entry.is_contact(state["contact"]):
        return state["contact"]
    return next((c for c in entry.contacts if not c.startswith("@")), None)


def compose(
    app: App,
    to: str,
    message_id: str,
    model: ReportModel,
    corrected: dict[str, Migrated],
    campaign: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = app.config.smtp.sender
    message["To"] = to
    message["Subject"] = f"{model.title} ({model.kenmerk})"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_text(model))
    message.add_alternative(render_html(model), subtype="html")
    rules = app.ctx.for_campaign(campaign).rules
    filename = rules.mail.get("report_filename", "beoordeling.pdf")
    message.add_attachment(
        render_pdf(model), maintype="application", subtype="pdf", filename=filename
    )
    for migrated in corrected.values():
        message.add_attachment(
            migrated.content, maintype=XLSX[0], subtype=XLSX[1], filename=migrated.filename
        )
    return message


def sender(app: App, smtp: SmtpSender) -> letters.Send:
    def send(
        agb: str,
        message_id: str,
        model: ReportModel,
        corrected: dict[str, Migrated],
        campaign: str | None = None,
    ) -> EmailMessage | None:
        to = recipient(app, agb, campaign)
        if to is None:
            log.info("%s: outcome changed but no registered address to tell", agb)
            return None
        message = compose(app, to, message_id, model, corrected, campaign)
        smtp.send(message)
        app.ledger.record_reply(
            provider_agb=agb,
            kind="letter",
            recipient=to,
            subject=str(message["Subject"]),
            message_id=message_id,
        )
        log.info("%s: letter sent to %s (%s)", agb, to, model.outcome_key)
        return message

    return send


def send_due(app: App, smtp: SmtpSender) -> int:
    """Letters recorded as due go out; without SMTP they wait for the next run."""
    if not smtp.enabled:
        return 0
    return letters.send_recorded(app, sender(app, smtp))
