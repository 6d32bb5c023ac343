"""Mailing the letters the ledger holds as due: an application's outcome changed."""

from __future__ import annotations

import logging
from email.message import EmailMessage

from intake.adapters.smtp import SmtpSender
from intake.report.model import ReportModel
from intake.service import letters, mailing
from intake.service.app import App
from intake.service.migration import Migrated

log = logging.getLogger(__name__)


def compose(
    app: App,
    to: str,
    message_id: str,
    model: ReportModel,
    corrected: dict[str, Migrated],
    campaign: str | None = None,
) -> EmailMessage:
    subject = f"{model.title} ({model.kenmerk})"
    message = mailing.envelope(app.config.smtp.sender, to, subject, message_id)
    rules = app.ctx.for_campaign(campaign).rules
    return mailing.attach_letter(message, model, rules, corrected.values())


def sender(app: App, smtp: SmtpSender) -> letters.Send:
    def send(
        agb: str,
        message_id: str,
        model: ReportModel,
        corrected: dict[str, Migrated],
        campaign: str | None = None,
    ) -> EmailMessage | None:
        to = mailing.recipient(app, agb, campaign or app.ctx.campaign)
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
            campaign=campaign or app.ctx.campaign,
        )
        log.info("%s: letter sent to %s (%s)", agb, to, model.outcome_key)
        return message

    return send


def send_due(app: App, smtp: SmtpSender) -> int:
    """Letters recorded as due go out; without SMTP they wait for the next run."""
    if not smtp.enabled:
        return 0
    return letters.send_recorded(app, sender(app, smtp))
