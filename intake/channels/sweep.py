"""The nightly sweep: both channels once, retries, pairs, reminders, the staff digest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from intake.adapters.smtp import SmtpSender
from intake.campaign.rules import Rules
from intake.casework.decide import deliver_pending
from intake.casework.digest import send_digest, write_digest
from intake.channels import folder, notices, replies
from intake.channels.mail import MailChannel, MailStats
from intake.channels.progress import progress
from intake.domain import Status, Verdict, clock
from intake.service import mailing, settle_pairs
from intake.service.app import App
from intake.service.status_log import record_status
from intake.storage.casebook import Casebook
from intake.storage.claims import channel_run
from intake.storage.counters import SWEEPS_SUCCEEDED

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    folder: list[Verdict] = field(default_factory=list)
    mail: MailStats | None = None
    settled: list[Verdict] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    digest: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # work that could not be done
    busy: bool = False  # another sweep was running; this one did nothing

    @property
    def rejected(self) -> bool:
        return any(v.status is Status.REJECTED for v in self.folder)

    @property
    def failed(self) -> bool:
        """Part of the work could not be done (exit code 1); verdicts never count."""
        return bool(self.problems)


def _missing(state: dict, rules: Rules) -> str | None:
    if state["model_document_id"] and not state["plan_document_id"]:
        return rules.text("missing_plan")
    if state["plan_document_id"] and not state["model_document_id"]:
        return rules.text("missing_model")
    return None


def send_reminders(
    app: App, smtp: SmtpSender, now: datetime, problems: list[str] | None = None
) -> list[str]:
    """At most one reminder per provider per `reminder_interval_days`, to registered contacts.

    A reminder that cannot be sent is noted in `problems` and tried again next night;
    the others are still sent.
    """
    if not smtp.enabled:
        return []
    own = app.config.smtp.sender
    sent = []
    for state in app.ledger.all_providers():
        case_ctx = app.ctx.for_campaign(state["campaign"])  # each case under its campaign
        if case_ctx.register is None:
            continue
        interval = timedelta(days=case_ctx.rules.reminder_interval_days)
        missing = _missing(state, case_ctx.rules)
        last = state["last_reminder_at"]
        quiet_since = state["updated_at"]
        if (
            missing is None
            or (last and now - last < interval)
            or (quiet_since and now - quiet_since < timedelta(days=1))
        ):
            continue
        entry = case_ctx.register.get(state["agb"])
        if entry is None:
            continue
        recipients = [c for c in entry.contacts if not c.startswith("@")]
        if state["contact"] and entry.is_contact(state["contact"]):
            recipients = [state["contact"]]
        if not recipients:
            log.info("%s: reminder due but no registered address to send it to", state["agb"])
            continue
        key = f"reminder:{state['campaign']}:{state['agb']}:{now.date().isoformat()}"
        message_id = mailing.reply_message_id(key, own, "reminder")
        message = replies.reminder(
            recipients[0],
            entry.naam,
            entry.agb,
            missing,
            case_ctx,
            own_address=own,
            message_id=message_id,
        )
        try:
            smtp.send(message)
        except Exception as exc:
            log.error("%s: reminder to %s not sent: %s", entry.agb, recipients[0], exc)
            if problems is not None:
                problems.append(f"herinnering aan {entry.agb} niet verstuurd: {exc}")
            continue
        app.ledger.mark_reminded(state["agb"], now, state["campaign"])
        app.ledger.record_reply(
            provider_agb=entry.agb,
            kind="reminder",
            recipient=recipients[0],
            subject=str(message["Subject"]),
            message_id=message_id,
            campaign=state["campaign"],
        )
        sent.append(entry.agb)
        log.info("%s: reminder sent to %s (missing %s)", entry.agb, recipients[0], missing)
    return sent


def _step(result: SweepResult, what: str, action: Callable[[], T]) -> T | None:
    """Run one part of the sweep; a failure is noted and the rest still runs."""
    try:
        return action()
    except Exception as exc:
        log.error("sweep: %s failed: %s: %s", what, type(exc).__name__, exc)
        log.debug("sweep: %s failed", what, exc_info=True)
        result.problems.append(f"{what}: {type(exc).__name__}: {exc}")
        return None


def _folder(app: App, result: SweepResult) -> None:
    waiting = list(folder.files_waiting(app))
    log.info("sweep: %d file(s) waiting in %s", len(waiting), app.folder("inbox"))
    with progress("drop folder", total=len(waiting)) as bar:
        taken = folder.run_once(app, progress=bar.advance)
    result.folder = list(taken)
    result.problems += [f"bestand {f}" for f in taken.failed]


def _mail(app: App, smtp: SmtpSender, result: SweepResult) -> None:
    if not app.config.mail_enabled:
        log.info("sweep: no mailbox configured ([imap] host), mail channel skipped")
        return
    with progress("mailbox") as bar:
        result.mail = MailChannel(app, smtp).run_once(retry_failed=True, progress=bar.advance)
    result.problems += [f"bericht {e}" for e in result.mail.errors]


def _record(app: App, result: SweepResult) -> None:
    """The audit trail notes each sweep: the desk's /healthz shows when the last one ran."""
    detail = f"{len(result.folder)} bestand(en), {len(result.problems)} probleem/problemen"
    Casebook(app.ledger.engine).audit.record(
        "sweep", "sweep", campaign=app.ctx.rules.campaign, detail=detail
    )


def _deliver_decisions(app: App, smtp: SmtpSender) -> None:
    """Decision mails whose intent was stored but not sent (desk stopped in between)."""
    deliver_pending(app, smtp)


def sweep(app: App, *, smtp: SmtpSender | None = None, now: datetime | None = None) -> SweepResult:
    """Everything the night needs, each part on its own: one failing part never stops
    the others, and the digest is always written (with what failed in it)."""
    now = now or clock.now(UTC)
    smtp = smtp or SmtpSender(app.config.smtp, app.ledger.counters.smtp_failed)
    result = SweepResult()
    with channel_run(app.ledger.claims, "sweep") as held:
        if not held:
            log.info(
                "sweep: another sweep is running (%s); nothing to do",
                app.ledger.claims.holder("channel:sweep#0"),
            )
            result.busy = True
            return result
        _step(result, "map", lambda: _folder(app, result))
        _step(result, "mailbox", lambda: _mail(app, smtp, result))
        result.settled = _step(result, "paren bijwerken", lambda: settle_pairs(app)) or []
        # Catches up a status change a crash kept from being recorded (and older ledgers).
        _step(
            result,
            "statusgeschiedenis",
            lambda: record_status(app, None, actor="intake", event="sync"),
        )
        _step(result, "berichten na nieuwe beoordeling", lambda: notices.send_due(app, smtp))
        result.reminded = (
            _step(result, "herinneringen", lambda: send_reminders(app, smtp, now, result.problems))
            or []
        )
        today: date = now.astimezone(app.ctx.rules.timezone).date()
        result.digest = (
            _step(result, "dagoverzicht", lambda: write_digest(app, today, result.problems, now))
            or []
        )
        # After the file is written, so it cannot list this one; staff see it on stderr.
        _step(result, "dagoverzicht mailen", lambda: send_digest(app, smtp, today, now))
        _step(result, "beslissingsmails", lambda: _deliver_decisions(app, smtp))
        _step(result, "logboek", lambda: _record(app, result))
        if not result.problems:  # monitoring alerts when this moment grows old
            _step(result, "teller", lambda: app.ledger.counters.bump(SWEEPS_SUCCEEDED))
    log.info(
        "sweep done: %d file(s), %s, %d pair(s) completed, %d reminder(s), digest %s, "
        "%d problem(s)",
        len(result.folder),
        f"{result.mail.seen} mail(s)" if result.mail else "no mail",
        len(result.settled),
        len(result.reminded),
        result.digest[0] if result.digest else "-",
        len(result.problems),
    )
    return result
