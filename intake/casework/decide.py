"""Staff decisions and notes, and the one mail a decision may send.

Exactly-once: the decision and the intent to mail (a `pending` notification with a
fixed Message-ID) are stored in one transaction, keyed by the form's idempotency
key, before anything is sent. A repeated POST finds its decision again; sending
first claims the notification (`pending -> sending`, one winner), so a second
attempt never sends; a crash after the claim leaves it `sending`, shown to staff as
uncertain and never resent by itself. A crash before the claim leaves it `pending`,
delivered by the next desk start or sweep.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa

from intake.adapters.smtp import SmtpSender
from intake.adapters.tls import TlsRefused
from intake.casework.cases import UnknownCampaign, book, campaign
from intake.domain import Decision, Status
from intake.report.html import render_html
from intake.report.model import ReportModel
from intake.report.pdf import render_pdf
from intake.service import letters, mailing
from intake.service.app import App
from intake.service.status_log import record_status
from intake.storage import letters as told
from intake.storage.files import atomic_write

log = logging.getLogger(__name__)
DECISIONS = ("accepted", "rejected", "review")
MAX_REASON = 4000
# Refused before any data went out: safe to try again later.
_NOT_SENT = (
    TlsRefused,
    ConnectionRefusedError,
    smtplib.SMTPConnectError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
)


class CaseworkError(ValueError):
    """A form value that cannot be used; the message is Dutch, nothing was changed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Decided:
    decision_id: int
    repeated: bool
    notification: str | None  # the notification's state, or None without notify


def form_campaign(app: App, form: dict[str, str]) -> str:
    """The campaign a form posts to: a hidden field, checked against the active ones."""
    try:
        return campaign(app, (form.get("campaign") or "").strip() or None)
    except UnknownCampaign as exc:
        raise CaseworkError("campaign", exc.message) from None


def recipient(app: App, agb: str, name: str | None = None) -> str | None:
    """Where a decision goes: the same registered contact as every other letter."""
    return mailing.recipient(app, agb, campaign(app, name))


def validate_decision(
    app: App, agb: str, form: dict[str, str], name: str
) -> tuple[str, str, bool, str]:
    status = (form.get("decision") or "").strip()
    reason = (form.get("reason") or "").strip()
    notify = (form.get("notify") or "").strip().lower() in {"1", "on", "true", "ja", "yes"}
    key = (form.get("idempotency_key") or "").strip()
    if status not in DECISIONS:
        raise CaseworkError("decision", "Kies een beslissing: toekennen, afwijzen of beoordelen.")
    if not reason:
        raise CaseworkError("reason", "Een reden is verplicht.")
    if len(reason) > MAX_REASON:
        raise CaseworkError("reason", f"De reden mag hoogstens {MAX_REASON} tekens hebben.")
    if not (8 <= len(key) <= 64) or not key.replace("-", "").isalnum():
        raise CaseworkError("idempotency_key", "Het formulier is verlopen; laad de pagina opnieuw.")
    if notify and not SmtpSender(app.config.smtp).enabled:
        raise CaseworkError("notify", "Verzenden kan niet: er is geen mailserver ingesteld.")
    if notify and recipient(app, agb, name) is None:
        raise CaseworkError("notify", "Deze zorgaanbieder heeft geen geregistreerd e-mailadres.")
    return status, reason, notify, key


def decide(
    app: App,
    agb: str,
    form: dict[str, str],
    actor: str,
    address: str | None,
    smtp: SmtpSender | None = None,
) -> Decided:
    name = form_campaign(app, form)
    status, reason, notify, key = validate_decision(app, agb, form, name)
    cb = book(app)
    existing = cb.decisions.by_key(key)
    if existing is None:
        try:
            decision_id = _store(app, agb, status, reason, notify, key, actor, address, name)
        except sa.exc.IntegrityError:  # the same form posted twice at the same moment
            existing = cb.decisions.by_key(key)
            if existing is None:
                raise
    if existing is not None:
        if (existing["campaign"], existing["agb"]) != (name, agb):
            raise CaseworkError("idempotency_key", "Het formulier hoort bij een andere zaak.")
        notes = cb.decisions.notifications(agb=agb)
        state = next((n["state"] for n in notes if n["decision_id"] == existing["id"]), None)
        return Decided(existing["id"], True, state)
    write_decision_report(app, agb, decision_id, name)
    # The outbox letters now carry the decision and its reason.
    letters.render_again(app, agb, name)
    state = None
    if notify:
        state = deliver_pending(
            app,
            smtp or SmtpSender(app.config.smtp, app.ledger.counters.smtp_failed),
            decision_id=decision_id,
        )
    log.info("decision %s on %s/%s by %s (notify=%s)", status, name, agb, actor, notify)
    return Decided(decision_id, False, state)


def _store(
    app: App,
    agb: str,
    status: str,
    reason: str,
    notify: bool,
    key: str,
    actor: str,
    address: str | None,
    name: str | None = None,
) -> int:
    cb, name = book(app), campaign(app, name)
    with app.ledger.transaction() as conn:
        decision_id = cb.decisions.add(
            conn,
            campaign=name,
            agb=agb,
            status=status,
            reason=reason,
            actor=actor,
            notify=notify,
            form_key=key,
        )
        cb.audit.record(
            actor,
            "decision",
            address=address,
            campaign=name,
            agb=agb,
            detail=f"{status}: {reason}",
            conn=conn,
        )
        if notify:
            own = app.config.smtp.sender
            cb.decisions.add_notification(
                conn,
                decision_id=decision_id,
                campaign=name,
                agb=agb,
                recipient=recipient(app, agb, name) or "",
                message_id=mailing.reply_message_id(
                    f"decision:{name}:{decision_id}", own, "decision"
                ),
            )
    record_status(app, [(name, agb)], actor=actor, event="decision", reason=reason)
    return decision_id


def add_note(
    app: App, agb: str, text: str, actor: str, address: str | None, name: str | None = None
) -> None:
    """An internal note on the case in campaign `name` (already checked; None: default)."""
    text = (text or "").strip()
    if not text:
        raise CaseworkError("text", "Een notitie mag niet leeg zijn.")
    if len(text) > MAX_REASON:
        raise CaseworkError("text", f"Een notitie mag hoogstens {MAX_REASON} tekens hebben.")
    book(app).notes.add(campaign(app, name), agb, actor, text, address)


def as_decision(row: dict) -> Decision:
    return Decision(Status(row["status"]), row["reason"], row["actor"], row["decided_at"])


def decision_report(app: App, agb: str, decision: dict) -> ReportModel:
    """The provider's letter on the whole case, with the decision and its reason."""
    current = letters.current_documents(app, agb, decision["campaign"])
    return letters.letter(app, current, decision=as_decision(decision))


def write_decision_report(app: App, agb: str, decision_id: int, name: str) -> None:
    """The provider's letters in the outbox rendered again with the decision, plus one
    letter on the whole case named after the decision."""
    decision = next(d for d in book(app).decisions.of_case(name, agb) if d["id"] == decision_id)
    letters.render_again(app, agb, name, as_decision(decision))
    report = decision_report(app, agb, decision)
    outbox = app.folder("outbox")
    atomic_write(outbox / f"besluit-{agb}-{decision_id}.html", render_html(report))
    atomic_write(outbox / f"besluit-{agb}-{decision_id}.pdf", render_pdf(report))


def _message(app: App, notification: dict, decision: dict) -> EmailMessage:
    report = decision_report(app, notification["agb"], decision)
    rules = app.ctx.for_campaign(decision["campaign"]).rules
    subject = rules.mail_text("decision_subject", agb=notification["agb"])
    message = mailing.envelope(
        app.config.smtp.sender,
        notification["recipient"],
        subject,
        notification["message_id"],
        automatic=False,
    )
    return mailing.attach_letter(message, report, rules)


def deliver_pending(app: App, smtp: SmtpSender, decision_id: int | None = None) -> str | None:
    """Send every pending decision mail (or one), each at most once. Returns the last state."""
    cb, state = book(app), None
    for note in cb.decisions.notifications("pending"):
        if decision_id is not None and note["decision_id"] != decision_id:
            continue
        if not smtp.enabled or not cb.decisions.claim_notification(note["id"]):
            continue
        decision = next(
            d
            for d in cb.decisions.of_case(note["campaign"], note["agb"])
            if d["id"] == note["decision_id"]
        )
        state = _send(app, smtp, note, decision)
    return state


def _send(app: App, smtp: SmtpSender, note: dict, decision: dict) -> str:
    cb = book(app)
    try:
        message = _message(app, note, decision)
        smtp.send(message)
    except _NOT_SENT as exc:
        cb.decisions.finish_notification(note["id"], "pending", f"{type(exc).__name__}: {exc}")
        log.warning("decision mail for %s not sent, will retry: %s", note["agb"], exc)
        return "pending"
    except Exception as exc:  # may or may not have gone out: never resent by itself
        cb.decisions.finish_notification(note["id"], "failed", f"{type(exc).__name__}: {exc}")
        log.warning("decision mail for %s uncertain: %s", note["agb"], exc)
        return "failed"
    with app.ledger.transaction() as conn:
        app.ledger.record_reply(
            conn,
            provider_agb=note["agb"],
            kind="decision",
            recipient=note["recipient"],
            subject=str(message["Subject"]),
            message_id=note["message_id"],
            campaign=note["campaign"],
        )
    cb.decisions.finish_notification(note["id"], "sent", None)
    # What the provider was told now: a later rejudge mails only a change from this.
    report = decision_report(app, note["agb"], decision)
    told.record_due(
        app.ledger,
        provider_agb=note["agb"],
        campaign=note["campaign"],
        outcome=report.outcome_key,
        event="decision",
        message_id=note["message_id"],
        state="sent",
    )
    return "sent"
