"""The staff digest: the desk's work queue with links to the cases, the case counts and
where every provider stands, per campaign; written as `digest-YYYY-MM-DD.html/.pdf` and
mailed to `[desk] digest_to`."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from intake.adapters.smtp import SmtpSender
from intake.campaign.rules import Rules
from intake.casework.cases import CaseRow, counts
from intake.casework.todo import build_todo, case_rows
from intake.domain import fmt
from intake.domain.case_status import DOCUMENT_LABELS, LABELS, CaseStatus
from intake.report.digest import (
    DigestModel,
    ProviderLine,
    render_digest_html,
    render_digest_pdf,
    render_digest_text,
)
from intake.service.app import App
from intake.service.mailing import reply_message_id
from intake.storage.files import atomic_write
from intake.storage.ledger import StoredDocument

log = logging.getLogger(__name__)


def _not_done(problems: Sequence[str]) -> list[str]:
    """What tonight's run could not do (a channel unreachable, a step that failed)."""
    return [str(p) for p in problems]


def _document_counts(
    app: App, docs: Sequence[StoredDocument], day: date
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Documents per verdict status and campaign: received on `day` (the date of receipt,
    as the letters have it), and in all."""
    today: dict[str, Counter[str]] = {c.campaign: Counter() for c in app.ctx.campaigns}
    total: dict[str, Counter[str]] = {c.campaign: Counter() for c in app.ctx.campaigns}
    for d in docs:
        name = app.ctx.for_campaign(d.verdict.campaign).campaign
        total[name][d.verdict.status.value] += 1
        if app.ctx.for_campaign(name).rules.local_date(d.verdict.received) == day:
            today[name][d.verdict.status.value] += 1
    return {k: dict(v) for k, v in today.items()}, {k: dict(v) for k, v in total.items()}


def _describe(stored: StoredDocument | None, rules: Rules) -> str:
    """A current document as the provider table shows it: its status and day of receipt."""
    if stored is None:
        return "—"
    received = fmt.day(rules.local_date(stored.verdict.received))
    return f"{DOCUMENT_LABELS[stored.verdict.status.value]} ({received})"


def _provider_lines(
    app: App, rows: dict[str, list[CaseRow]], docs: Sequence[StoredDocument]
) -> list[ProviderLine]:
    """Every case with its status in the words of the counts above it, and its documents."""
    by_id = {d.id: d for d in docs}
    lines = []
    for name, found in rows.items():
        rules = app.ctx.for_campaign(name).rules
        states = {p["agb"]: p for p in app.ledger.all_providers(name)}

        for row in found:
            state = states.get(row.agb, {})
            reminded = row.last_reminder_at
            lines.append(
                ProviderLine(
                    row.agb,
                    row.naam,
                    row.label,
                    _describe(by_id.get(state.get("model_document_id") or 0), rules),
                    _describe(by_id.get(state.get("plan_document_id") or 0), rules),
                    fmt.day(rules.local_date(reminded)) if reminded else "—",
                    name,
                )
            )
    return lines


def build_digest(
    app: App, day: date, problems: Sequence[str] = (), now: datetime | None = None
) -> DigestModel:
    """The digest of `day`: the work queue (as on the desk's `/`), the case counts of
    every active campaign, where each provider stands, and what the run could not do."""
    rules = app.ctx.rules
    docs = app.ledger.all_documents()
    rows = case_rows(app)
    counts_today, counts_total = _document_counts(app, docs, day)
    return DigestModel(
        tasks=queue_lines(app, rows, now),
        case_counts={
            name: {LABELS[CaseStatus(k)]: n for k, n in counts(found).items()}
            for name, found in rows.items()
        },
        desk_url=app.config.desk.base_url.rstrip("/"),
        title=rules.text("digest_title"),
        day=fmt.day(day),
        office=rules.care_office,
        counts_today=counts_today,
        counts_total=counts_total,
        providers=_provider_lines(app, rows, docs),
        problems=_not_done(problems),
    )


def write_digest(
    app: App, day: date, problems: Sequence[str] = (), now: datetime | None = None
) -> list[Path]:
    model = build_digest(app, day, problems, now)
    outbox = app.folder("outbox")
    html_path = outbox / f"digest-{day.isoformat()}.html"
    pdf_path = outbox / f"digest-{day.isoformat()}.pdf"
    atomic_write(html_path, render_digest_html(model))
    atomic_write(pdf_path, render_digest_pdf(model))
    return [html_path, pdf_path]


def queue_lines(
    app: App, rows: dict[str, list[CaseRow]] | None = None, now: datetime | None = None
) -> list[dict[str, str]]:
    """The work queue as the digest prints it: the desk's items, in the desk's order,
    with times in the campaign's zone and absolute links into the desk."""
    base = app.config.desk.base_url.rstrip("/")
    lines = []
    for task in build_todo(app, now=now, rows=rows):
        zone = app.ctx.for_campaign(task.campaign).rules.timezone
        lines.append(
            {
                "key": task.key,
                "kind": task.kind,
                "at": task.at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
                "campaign": task.campaign or "",
                "title": task.title,
                "subject": task.subject,
                "why": task.why,
                "deadline": f"{fmt.day(task.deadline)} ({task.deadline_label})"
                if task.deadline
                else "",
                "action": task.action,
                "link": f"{base}{task.link}" if task.link else "",
            }
        )
    return lines


def send_digest(app: App, smtp: SmtpSender, day: date, now: datetime | None = None) -> bool:
    """Mail the digest (HTML + text) to `[desk] digest_to`; one Message-ID per day."""
    recipients = list(app.config.desk.digest_to)
    if not recipients or not smtp.enabled:
        return False
    model = build_digest(app, day, now=now)
    own = app.config.smtp.sender
    message = EmailMessage()
    message["From"] = own
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"{model.title} — {model.day}: {len(model.tasks)} taken"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = reply_message_id(f"digest:{day.isoformat()}", own, "digest")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_digest_text(model))
    message.add_alternative(render_digest_html(model), subtype="html")
    smtp.send(message)
    log.info("digest mailed to %s (%d task(s))", ", ".join(recipients), len(model.tasks))
    return True
