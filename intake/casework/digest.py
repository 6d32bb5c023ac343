"""The staff digest: the desk's to-do list with links to the cases, plus where every
provider stands; written as `digest-YYYY-MM-DD.html/.pdf` and mailed to `[desk] digest_to`."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from intake.adapters.smtp import SmtpSender
from intake.casework.cases import counts, overview
from intake.casework.todo import build_todo
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

log = logging.getLogger(__name__)



def _not_done(app: App, problems: Sequence[str]) -> list[dict[str, str]]:
    """Files the drop folder gave up on, and what tonight's run could not do."""
    lines = [
        {
            "subject": item.name,
            "sender": "map",
            "state": f"opgegeven na {item.attempts} pogingen",
            "error": item.error or "",
        }
        for item in app.ledger.folder_items.given_up()
    ]
    return lines + [
        {"subject": "", "sender": "", "state": "niet gelukt", "error": p} for p in problems
    ]


def build_digest(app: App, day: date, problems: Sequence[str] = ()) -> DigestModel:
    ledger, rules = app.ledger, app.ctx.rules
    docs = ledger.all_documents()
    local_day = rules.local_date
    counts_total = Counter(d.verdict.status.value for d in docs)
    counts_today = Counter(d.verdict.status.value for d in docs if local_day(d.created_at) == day)
    states = {p["agb"]: p for p in ledger.all_providers(app.ctx.campaign)}
    names = {
        agb: entry.naam for agb, entry in (app.register.entries.items() if app.register else [])
    }
    lines = []
    for agb in sorted(set(names) | set(states)):
        state = states.get(agb, {})

        def describe(doc_id: int | None) -> str:
            if not doc_id:
                return "—"
            stored = ledger.document(doc_id)
            if stored is None:
                return "—"
            received = fmt.day(local_day(stored.verdict.received))
            return f"{DOCUMENT_LABELS[stored.verdict.status.value]} ({received})"

        model, plan = state.get("model_document_id"), state.get("plan_document_id")
        overall = (
            "compleet" if model and plan else "onvolledig" if model or plan else "niets ontvangen"
        )
        reminded = state.get("last_reminder_at")
        lines.append(
            ProviderLine(
                agb,
                names.get(agb) or state.get("naam") or "?",
                overall,
                describe(model),
                describe(plan),
                fmt.day(local_day(reminded)) if reminded else "—",
            )
        )
    latest: dict[str, object] = {}
    for d in docs:  # the newest document per sha256 counts
        latest[d.verdict.sha256] = d
    review = [
        {
            "file": d.verdict.file,
            "provider": (d.verdict.provider.naam or d.verdict.provider.agb or "")
            if d.verdict.provider
            else "",
            "received": fmt.day(local_day(d.verdict.received)),
            "codes": ", ".join(c for c in d.verdict.codes if c != "DUPLICATE"),
        }
        for d in latest.values()
        if d.verdict.status.value == "review"  # type: ignore[attr-defined]
    ]
    failed = [
        {
            "subject": m["subject"] or "",
            "sender": m["sender"] or "",
            "state": m["state"],
            "error": m["error"] or "",
        }
        for m in ledger.mails_in_state("failed", "reply_uncertain", "received", "judged")
    ] + _not_done(app, problems)
    quarantine = app.config.folder_path("quarantine")
    quarantined = (
        sorted(p.name for p in quarantine.glob("*") if not p.name.endswith(".json"))
        if quarantine.is_dir()
        else []
    )
    tasks, case_counts = _desk_part(app)
    return DigestModel(
        tasks=tasks,
        case_counts=case_counts,
        desk_url=app.config.desk.base_url.rstrip("/"),
        title=rules.text("digest_title"),
        day=fmt.day(day),
        office=rules.care_office,
        counts_today=dict(counts_today),
        counts_total=dict(counts_total),
        providers=lines,
        review=review,
        failed=failed,
        quarantined=quarantined,
    )


def write_digest(app: App, day: date, problems: Sequence[str] = ()) -> list[Path]:
    model = build_digest(app, day, problems)
    outbox = app.folder("outbox")
    html_path = outbox / f"digest-{day.isoformat()}.html"
    pdf_path = outbox / f"digest-{day.isoformat()}.pdf"
    atomic_write(html_path, render_digest_html(model))
    atomic_write(pdf_path, render_digest_pdf(model))
    return [html_path, pdf_path]


def _desk_part(app: App) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The to-do list with absolute links into the desk, and the cases per status."""
    rows = overview(app)
    base = app.config.desk.base_url.rstrip("/")
    zone = app.ctx.rules.timezone
    tasks = [
        {
            "at": task.at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
            "title": task.title,
            "action": task.action,
            "link": f"{base}{task.link}" if task.link else "",
        }
        for task in build_todo(app, rows=rows)
    ]
    per_status = counts(rows)
    return tasks, {LABELS[CaseStatus(k)]: n for k, n in per_status.items()}


def send_digest(app: App, smtp: SmtpSender, day: date) -> bool:
    """Mail the digest (HTML + text) to `[desk] digest_to`; one Message-ID per day."""
    recipients = list(app.config.desk.digest_to)
    if not recipients or not smtp.enabled:
        return False
    model = build_digest(app, day)
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
