"""The to-do list: what needs a person, oldest first, each with what to do.

The same list is the desk's home page and the digest mailed to `[desk] digest_to`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from intake.casework.cases import CaseRow, book, overview
from intake.domain.case_status import CaseStatus
from intake.service.app import App

FAILED_MAIL_STATES = ("failed", "reply_uncertain")


@dataclass(frozen=True)
class Task:
    kind: str  # review | notification | overdue | mail | quarantine
    at: datetime
    title: str
    action: str
    agb: str | None = None
    naam: str | None = None
    campaign: str | None = None  # the case's campaign; None for mails and files
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
            "kind": self.kind,
            "campaign": self.campaign,
            "at": self.at.isoformat(),
            "title": self.title,
            "action": self.action,
            "agb": self.agb,
            "naam": self.naam,
            "link": self.link,
        }


def _case_tasks(
    rows: list[CaseRow], interval: timedelta, now: datetime, default: bool = True
) -> list[Task]:
    tasks = []
    for row in rows:
        if row.status is CaseStatus.REVIEW:
            tasks.append(
                Task(
                    "review",
                    row.last_document_at or now,
                    f"Beoordelen: {row.naam} ({row.agb})",
                    "Bekijk de bevindingen en leg een beslissing met reden vast.",
                    row.agb,
                    row.naam,
                    row.campaign,
                    default,
                )
            )
        reminded = row.last_reminder_at
        if row.status is CaseStatus.INCOMPLETE and reminded and now - reminded > interval:
            tasks.append(
                Task(
                    "overdue",
                    reminded,
                    f"Onvolledig na herinnering: {row.naam} ({row.agb})",
                    "De herinnering bleef onbeantwoord: bel of mail de contactpersoon.",
                    row.agb,
                    row.naam,
                    row.campaign,
                    default,
                )
            )
    return tasks


def _notification_tasks(app: App, names: dict[tuple[str, str], str]) -> list[Task]:
    tasks = []
    for note in book(app).notifications("pending", "sending", "failed"):
        pending = note["state"] == "pending"
        tasks.append(
            Task(
                "notification",
                note["created_at"],
                f"Beslissing {'nog niet' if pending else 'mogelijk niet'} verzonden aan "
                f"{note['recipient']}",
                "Wordt bij de volgende ronde verzonden; controleer de mailserver."
                if pending
                else "Controleer in de verzonden post of de mail is aangekomen; "
                "zo niet, bel de aanbieder.",
                note["agb"],
                names.get((note["campaign"], note["agb"])),
                note["campaign"],
                note["campaign"] == app.ctx.campaign,
            )
        )
    return tasks


def _mail_tasks(app: App) -> list[Task]:
    tasks = []
    for mail in book(app).mails_in_state(*FAILED_MAIL_STATES):
        subject = mail["subject"] or "(geen onderwerp)"
        if mail["state"] == "failed":
            action = (
                f"Bericht staat in Fout ({mail['error'] or 'onbekende fout'}); "
                "bekijk het en vraag de afzender zo nodig opnieuw te sturen."
            )
        else:
            action = "Onzeker of het antwoord is verstuurd: controleer de verzonden post."
        tasks.append(
            Task(
                "mail", mail["created_at"], f"E-mail van {mail['sender'] or '?'}: {subject}", action
            )
        )
    return tasks


def _encrypted_mail_tasks(app: App) -> list[Task]:
    """Encrypted mails answered with MAIL_ENCRYPTED, until the sender sends a readable one."""
    return [
        Task(
            "mail",
            row["created_at"],
            f"Versleutelde e-mail van {row['sender'] or '?'} ({row['filename']})",
            "Niet te openen (S/MIME-versleuteld); de afzender is gevraagd de stukken "
            "onversleuteld te sturen. Neem contact op als er niets komt.",
        )
        for row in book(app).unanswered_codes("MAIL_ENCRYPTED")
    ]


def _quarantine_tasks(app: App) -> list[Task]:
    folder = app.config.folder_path("quarantine")
    if not folder.is_dir():
        return []
    tasks = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".json") or path.name.startswith("."):
            continue
        agb = _agb_beside(path)
        at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        tasks.append(
            Task(
                "quarantine",
                at,
                f"In quarantaine: {path.name}",
                "Onleesbaar bestand: vraag de afzender om een werkend exemplaar.",
                agb,
            )
        )
    return tasks


def _agb_beside(path: Any) -> str | None:
    verdict = path.with_name(path.name + ".verdict.json")
    try:
        provider = json.loads(verdict.read_text(encoding="utf-8")).get("provider") or {}
    except (OSError, ValueError, AttributeError):
        return None
    agb = provider.get("agb") if isinstance(provider, dict) else None
    return agb if isinstance(agb, str) and agb.isdigit() and len(agb) == 8 else None


def build_todo(
    app: App, now: datetime | None = None, rows: list[CaseRow] | None = None
) -> list[Task]:
    """Every active campaign's tasks; `rows` stands in for the default campaign's cases."""
    now = now or datetime.now(UTC)
    tasks, names = [], {}
    for ctx in app.ctx.campaigns:
        default = ctx is app.ctx
        found = rows if default and rows is not None else overview(app, ctx.campaign)
        interval = timedelta(days=ctx.rules.reminder_interval_days)
        tasks += _case_tasks(found, interval, now, default)
        names.update({(r.campaign, r.agb): r.naam for r in found})
    tasks += _notification_tasks(app, names) + _mail_tasks(app) + _encrypted_mail_tasks(app)
    tasks += _quarantine_tasks(app)
    return sorted(tasks, key=lambda t: t.at)
