"""The nightly sweep: both channels once, retries, pairs, reminders, the staff digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from intake.bootstrap import App
from intake.channels import folder, notices, replies
from intake.channels.digest import send_digest, write_digest
from intake.channels.mail import MailChannel, MailStats
from intake.channels.smtp import SmtpSender
from intake.domain import Status, Verdict
from intake.progress import progress
from intake.service import settle_pairs
from intake.storage.casebook import Casebook

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    folder: list[Verdict] = field(default_factory=list)
    mail: MailStats | None = None
    settled: list[Verdict] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    digest: list[Path] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(v.status is Status.REJECTED for v in self.folder)

    @property
    def failed(self) -> bool:
        return bool(self.mail and self.mail.failed)


def _missing(state: dict) -> str | None:
    if state["model_document_id"] and not state["plan_document_id"]:
        return "het Kwaliteitsplan verpleeghuiszorg 2020"
    if state["plan_document_id"] and not state["model_document_id"]:
        return "het ingevulde aanvraagmodel kwaliteitsbudget 2020"
    return None


def send_reminders(app: App, smtp: SmtpSender, now: datetime) -> list[str]:
    """At most one reminder per provider per `reminder_interval_days`, to registered contacts."""
    if not smtp.enabled or app.register is None:
        return []
    interval = timedelta(days=app.ctx.rules.reminder_interval_days)
    own = app.config.smtp.sender
    sent = []
    for state in app.ledger.all_providers():
        missing = _missing(state)
        last = state["last_reminder_at"]
        quiet_since = state["updated_at"]
        if (
            missing is None
            or (last and now - last < interval)
            or (quiet_since and now - quiet_since < timedelta(days=1))
        ):
            continue
        entry = app.register.get(state["agb"])
        if entry is None:
            continue
        recipients = [c for c in entry.contacts if not c.startswith("@")]
        if state["contact"] and entry.is_contact(state["contact"]):
            recipients = [state["contact"]]
        if not recipients:
            log.info("%s: reminder due but no registered address to send it to", state["agb"])
            continue
        key = f"reminder:{state['agb']}:{now.date().isoformat()}"
        message_id = replies.reply_message_id(key, own, "reminder")
        message = replies.reminder(
            recipients[0],
            entry.naam,
            entry.agb,
            missing,
            app.ctx,
            own_address=own,
            message_id=message_id,
        )
        smtp.send(message)
        app.ledger.mark_reminded(state["agb"], now)
        app.ledger.record_reply(
            provider_agb=entry.agb,
            kind="reminder",
            recipient=recipients[0],
            subject=str(message["Subject"]),
            message_id=message_id,
        )
        sent.append(entry.agb)
        log.info("%s: reminder sent to %s (missing %s)", entry.agb, recipients[0], missing)
    return sent


def _mail_digest(app: App, smtp: SmtpSender, today: date) -> None:
    try:
        send_digest(app, smtp, today)
    except Exception as exc:  # the digest file is written; a mail problem must not stop the sweep
        log.warning("digest not mailed: %s: %s", type(exc).__name__, exc)


def _deliver_decisions(app: App, smtp: SmtpSender) -> None:
    """Decision mails whose intent was stored but not sent (desk stopped in between)."""
    from intake.casework.decide import deliver_pending

    deliver_pending(app, smtp)


def sweep(app: App, *, smtp: SmtpSender | None = None, now: datetime | None = None) -> SweepResult:
    now = now or datetime.now(UTC)
    smtp = smtp or SmtpSender(app.config.smtp)
    result = SweepResult()
    waiting = list(folder.files_waiting(app))
    log.info("sweep: %d file(s) waiting in %s", len(waiting), app.folder("inbox"))
    with progress("drop folder", total=len(waiting)) as bar:
        result.folder = folder.run_once(app, progress=bar.advance)
    if app.config.mail_enabled:
        with progress("mailbox") as bar:
            result.mail = MailChannel(app, smtp).run_once(retry_failed=True, progress=bar.advance)
    else:
        log.info("sweep: no mailbox configured ([imap] host), mail channel skipped")
    result.settled = settle_pairs(app)
    notices.send_due(app, smtp)
    result.reminded = send_reminders(app, smtp, now)
    today: date = now.astimezone(app.ctx.rules.timezone).date()
    result.digest = write_digest(app, today)
    _mail_digest(app, smtp, today)
    _deliver_decisions(app, smtp)
    Casebook(app.ledger.engine).record("sweep", "sweep", campaign=app.ctx.rules.campaign)
    log.info(
        "sweep done: %d file(s), %s, %d pair(s) completed, %d reminder(s), digest %s",
        len(result.folder),
        f"{result.mail.seen} mail(s)" if result.mail else "no mail",
        len(result.settled),
        len(result.reminded),
        result.digest[0] if result.digest else "-",
    )
    return result
