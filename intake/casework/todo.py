"""The staff work queue: what waits for a person, oldest first, computed in one place.

The same list is the desk's home page (`/`, and `/api/todo`) and the to-do section of
the digest mailed to `[desk] digest_to`: both call `build_todo`, so they show the same
items in the same order. Every item says since when it waits, whose case it is (AGB,
name, campaign), which document or mail, why in words, the deadline it is measured
against and what to do; the Dutch wording lives in the rules' `[texts]` (`queue_*`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from intake.campaign.context import Context
from intake.campaign.rules import Rules
from intake.casework.cases import CaseRow, book, overview
from intake.domain import clock
from intake.domain.case_status import CaseStatus
from intake.service import PAIRING, extensions
from intake.service.app import App
from intake.storage.review_documents import ReviewDocument, ReviewDocuments

FAILED_MAIL_STATES = ("failed", "reply_uncertain")
# A mail stored or judged whose handling then failed carries an error: it lies in `Fout`.
STUCK_MAIL_STATES = ("received", "judged")
MAIL_ACTIONS = {"failed": "failed", "reply_uncertain": "uncertain", "judged": "unanswered"}
KINDS = ("review", "reopened", "notification", "overdue", "mail", "quarantine", "given_up")


@dataclass(frozen=True)
class Task:
    """One item of the work queue; `key` names it the same way in every view."""

    key: str
    kind: str  # one of KINDS
    at: datetime  # since when it waits
    title: str
    action: str
    why: str = ""  # the finding, the mail's error, the quarantine reason, in words
    subject: str = ""  # the document's file name or the mail's subject
    deadline: date | None = None
    deadline_label: str = ""
    agb: str | None = None
    naam: str | None = None
    campaign: str | None = None  # the case's campaign; None when nobody knows it
    default: bool = True  # the configured default campaign: its links need no parameter

    @property
    def link(self) -> str | None:
        if not self.agb:
            return None
        if self.campaign and not self.default:
            return f"/cases/{self.agb}?{urlencode({'campaign': self.campaign})}"
        return f"/cases/{self.agb}"

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "campaign": self.campaign,
            "at": self.at.isoformat(),
            "agb": self.agb,
            "naam": self.naam,
            "subject": self.subject,
            "title": self.title,
            "why": self.why,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_label": self.deadline_label,
            "action": self.action,
            "link": self.link,
        }


def _why(doc: ReviewDocument) -> str:
    return " ".join(message for code, message in doc.findings if code not in PAIRING)


def _waits_for_staff(doc: ReviewDocument) -> bool:
    """In review for a reason of its own, not only because its other half is missing."""
    return any(code not in PAIRING for code, _ in doc.findings) or not doc.findings


def _deadline(
    rules: Rules, granted: extensions.Granted, campaign: str | None, agb: str | None
) -> tuple[date, str]:
    """The date a case is measured against: its uitstel when one is in force, else the
    campaign's submission deadline; with the words that say which."""
    until = granted.get((campaign, agb)) if campaign and agb else None
    if until is not None:
        return until, rules.text("queue_deadline_extension")
    return rules.deadline, rules.text("queue_deadline_submission")


_REVIEWS: dict[tuple[int, str], tuple[list[CaseRow], tuple, list[Task]]] = {}


def _case_tasks(
    app: App, ctx: Context, rows: list[CaseRow], now: datetime, granted: extensions.Granted
) -> list[Task]:
    """Documents to review and reopened cases, then pairs overdue after their reminder.

    The first part changes only with the ledger: it is kept per process while `rows`
    (the case list, itself recomputed on every ledger change) and the uitstel in force
    stay the same. Whether a pair is overdue depends on the time, so it is never kept.
    """
    key = (id(app), ctx.campaign)
    stamp = tuple(sorted((k, v) for k, v in granted.items() if k[0] == ctx.campaign))
    kept = _REVIEWS.get(key)
    if kept is not None and kept[0] is rows and kept[1] == stamp:
        reviews = kept[2]
    else:
        reviews = _review_tasks(app, ctx, rows, granted)
        _REVIEWS[key] = (rows, stamp, reviews)
    return reviews + _overdue_tasks(app, ctx, rows, now)


def _review_tasks(
    app: App, ctx: Context, rows: list[CaseRow], granted: extensions.Granted
) -> list[Task]:
    rules, default = ctx.rules, ctx.campaign == app.ctx.campaign
    by_agb = {row.agb: row for row in rows}
    waiting: dict[str, list[ReviewDocument]] = {}
    for doc in ReviewDocuments(app.ledger.engine).of_campaign(ctx.campaign):
        waiting.setdefault(doc.agb, []).append(doc)
    action = rules.text("queue_review_action")
    tasks = []
    for agb, docs in waiting.items():
        row = by_agb.get(agb)
        if row is not None and row.status is CaseStatus.DECIDED:
            continue  # a standing decision settled these documents
        naam = row.naam if row else "?"
        for doc in docs:
            if not _waits_for_staff(doc):
                continue
            tasks.append(
                Task(
                    f"review:{doc.id}",
                    "review",
                    doc.received,
                    rules.text("queue_review_title", naam=naam, agb=agb),
                    action,
                    _why(doc),
                    doc.filename,
                    *_deadline(rules, granted, ctx.campaign, agb),
                    agb,
                    naam,
                    ctx.campaign,
                    default,
                )
            )
    reopened = [
        row
        for row in rows
        if row.status is CaseStatus.REVIEW and row.decision == "review" and row.agb not in waiting
    ]
    decisions = book(app).decisions.latest(ctx.campaign) if reopened else {}
    for row in reopened:
        decided = decisions.get(row.agb, {})
        tasks.append(
            Task(
                f"reopened:{ctx.campaign}:{row.agb}",
                "reopened",
                decided.get("decided_at") or row.last_document_at or datetime.now(UTC),
                rules.text("queue_reopened_title", naam=row.naam, agb=row.agb),
                rules.text("queue_reopened_action"),
                decided.get("reason") or "",
                "",
                *_deadline(rules, granted, ctx.campaign, row.agb),
                row.agb,
                row.naam,
                ctx.campaign,
                default,
            )
        )
    return tasks


def _overdue_tasks(app: App, ctx: Context, rows: list[CaseRow], now: datetime) -> list[Task]:
    rules, default = ctx.rules, ctx.campaign == app.ctx.campaign
    interval = timedelta(days=rules.reminder_interval_days)
    tasks = []
    for row in rows:
        reminded = row.last_reminder_at
        if row.status is CaseStatus.INCOMPLETE and reminded and now - reminded > interval:
            missing = rules.text("missing_plan" if row.model_status else "missing_model")
            tasks.append(
                Task(
                    f"overdue:{ctx.campaign}:{row.agb}",
                    "overdue",
                    reminded,
                    rules.text("queue_overdue_title", naam=row.naam, agb=row.agb),
                    rules.text("queue_overdue_action"),
                    rules.text(
                        "queue_overdue_why",
                        reminded=rules.local_date(reminded).strftime("%d-%m-%Y"),
                        missing=missing,
                    ),
                    "",
                    rules.local_date(reminded + interval),
                    rules.text("queue_deadline_reminder"),
                    row.agb,
                    row.naam,
                    ctx.campaign,
                    default,
                )
            )
    return tasks


def _notification_tasks(
    app: App, names: dict[tuple[str, str], str], granted: extensions.Granted
) -> list[Task]:
    tasks = []
    for note in book(app).decisions.notifications("pending", "sending", "failed"):
        ctx = app.ctx.for_campaign(note["campaign"])
        rules = ctx.rules
        state = "pending" if note["state"] == "pending" else "uncertain"
        tasks.append(
            Task(
                f"notification:{note['id']}",
                "notification",
                note["created_at"],
                rules.text(f"queue_notification_{state}_title", recipient=note["recipient"]),
                rules.text(f"queue_notification_{state}_action"),
                note["error"] or "",
                "",
                *_deadline(rules, granted, note["campaign"], note["agb"]),
                note["agb"],
                names.get((note["campaign"], note["agb"])),
                note["campaign"],
                note["campaign"] == app.ctx.campaign,
            )
        )
    return tasks


def _mail_tasks(app: App) -> list[Task]:
    rules = app.ctx.rules
    tasks = []
    for mail in book(app).mails.in_state(*FAILED_MAIL_STATES, *STUCK_MAIL_STATES):
        if mail["state"] in STUCK_MAIL_STATES and not mail["error"]:
            continue  # being handled right now
        subject = mail["subject"] or rules.text("queue_no_subject")
        state = MAIL_ACTIONS.get(mail["state"], "failed")
        tasks.append(
            Task(
                f"mail:{mail['id']}",
                "mail",
                mail["created_at"],
                rules.text("queue_mail_title", sender=mail["sender"] or "?", subject=subject),
                rules.text(f"queue_mail_{state}_action"),
                mail["error"] or rules.text("queue_unknown_error"),
                subject,
                rules.deadline,
                rules.text("queue_deadline_submission"),
            )
        )
    return tasks


def _encrypted_mail_tasks(app: App) -> list[Task]:
    """Encrypted mails answered with MAIL_ENCRYPTED, until the sender sends a readable one."""
    rules = app.ctx.rules
    return [
        Task(
            f"encrypted:{row['id']}",
            "mail",
            row["created_at"],
            rules.text("queue_encrypted_title", sender=row["sender"] or "?", file=row["filename"]),
            rules.text("queue_encrypted_action"),
            rules.text("queue_encrypted_why"),
            row["filename"],
            *_deadline(rules, {}, None, None),
        )
        for row in book(app).mails.unanswered_codes("MAIL_ENCRYPTED")
    ]


def _quarantine_tasks(app: App) -> list[Task]:
    folder = app.config.folder_path("quarantine")
    if not folder.is_dir():
        return []
    tasks = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".json") or path.name.startswith("."):
            continue
        beside = _verdict_beside(path)
        ctx = app.ctx.for_campaign(beside.get("campaign"))
        agb, naam = _provider_of(beside)
        rules = ctx.rules
        tasks.append(
            Task(
                f"quarantine:{path.name}",
                "quarantine",
                datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
                rules.text("queue_quarantine_title", file=path.name),
                rules.text("queue_quarantine_action"),
                _reasons(beside) or rules.text("queue_unknown_error"),
                path.name,
                rules.deadline,
                rules.text("queue_deadline_submission"),
                agb,
                naam,
                ctx.campaign if agb else None,
                ctx.campaign == app.ctx.campaign,
            )
        )
    return tasks


def _given_up_tasks(app: App, now: datetime) -> list[Task]:
    rules = app.ctx.rules
    return [
        Task(
            f"given_up:{item.id}",
            "given_up",
            item.updated_at or now,
            rules.text("queue_given_up_title", file=item.name),
            rules.text("queue_given_up_action", attempts=item.attempts),
            item.error or rules.text("queue_unknown_error"),
            item.name,
            rules.deadline,
            rules.text("queue_deadline_submission"),
        )
        for item in app.ledger.folder_items.given_up()
    ]


def _verdict_beside(path: Path) -> dict[str, Any]:
    """The verdict the drop folder wrote beside a quarantined file ({} when unreadable)."""
    try:
        data = json.loads(path.with_name(path.name + ".verdict.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _provider_of(verdict: dict[str, Any]) -> tuple[str | None, str | None]:
    provider = verdict.get("provider")
    if not isinstance(provider, dict):
        return None, None
    agb, naam = provider.get("agb"), provider.get("naam")
    if not (isinstance(agb, str) and agb.isdigit() and len(agb) == 8):
        return None, None
    return agb, naam if isinstance(naam, str) else None


def _reasons(verdict: dict[str, Any]) -> str:
    """The error findings of a quarantined file: why it could not be read."""
    found = verdict.get("findings")
    if not isinstance(found, list):
        return ""
    errors = [f for f in found if isinstance(f, dict) and f.get("severity") == "error"]
    return " ".join(m for f in errors if isinstance(m := f.get("message"), str) and m)


def build_todo(
    app: App, now: datetime | None = None, rows: dict[str, list[CaseRow]] | None = None
) -> list[Task]:
    """Every active campaign's work, oldest first; `rows` (per campaign) saves reading
    the case lists again when the caller already has them."""
    now = now or clock.now(UTC)
    tasks, names = [], {}
    granted = extensions.in_force(app)
    for ctx in app.ctx.campaigns:
        found = (rows or {}).get(ctx.campaign)
        found = found if found is not None else overview(app, ctx.campaign)
        tasks += _case_tasks(app, ctx, found, now, granted)
        names.update({(r.campaign, r.agb): r.naam for r in found})
    tasks += _notification_tasks(app, names, granted) + _mail_tasks(app)
    tasks += _encrypted_mail_tasks(app) + _quarantine_tasks(app) + _given_up_tasks(app, now)
    return sorted(tasks, key=lambda t: (t.at, t.key))


def case_rows(app: App) -> dict[str, list[CaseRow]]:
    """Every active campaign's case list, the default campaign first."""
    return {ctx.campaign: overview(app, ctx.campaign) for ctx in app.ctx.campaigns}
