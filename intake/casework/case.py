"""One case: register data, documents with verdicts and figures, decisions, notes,
mails in and out, its stored status history, and a timeline that puts all of it (and
the audit trail) in order."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from intake.casework.cases import book, campaign, register_of
from intake.domain import fmt, kenmerk, verdict_from_json
from intake.domain.case_status import (
    CHANGE_LABELS,
    CHANNEL_LABELS,
    DECISION_LABELS,
    DOCUMENT_LABELS,
    LABELS,
    SEVERITY_LABELS,
    CaseStatus,
    case_status,
    computed_status,
    last_document_at,
    standing,
)
from intake.domain.cells import Location
from intake.report import wording
from intake.report.model import FIGURE_LABELS
from intake.service.app import App
from intake.storage import extensions
from intake.storage.status_history import StatusHistory

KIND_NL = {"aanvraag": "aanvraagmodel", "kwaliteitsplan": "kwaliteitsplan", "unknown": "onbekend"}


def kenmerk_prefix(app: App, name: str | None = None) -> str:
    """The same prefix as on the letter, so staff find what the provider quotes."""
    return wording.kenmerk_prefix(app.ctx.for_campaign(name).rules)


def split_location(location: str | None) -> tuple[str, str]:
    where = Location.parse(location)
    return where.sheet, where.cell


def _figures(figures: dict[str, Any]) -> list[dict[str, str]]:
    workbook, corrected = figures.get("workbook") or {}, figures.get("corrected") or {}
    if not workbook and not corrected:
        return []
    return [
        {
            "key": key,
            "label": label,
            "workbook": show(workbook.get(key)),
            "recomputed": show(corrected.get(key)),
        }
        for key, label, show in FIGURE_LABELS
    ]


def _version_name(app: App, verdict: Any) -> str | None:
    """The model version as the care offices named it, not its key (nov2019)."""
    versions = app.ctx.for_campaign(verdict.campaign).family.versions
    found = versions.get(verdict.template_version or "")
    return found.name if found else verdict.template_version


def _document(app: App, row: dict[str, Any], current: set[int]) -> dict[str, Any]:
    verdict = verdict_from_json(json.loads(row["verdict_json"]))
    rules = app.ctx.for_campaign(verdict.campaign).rules
    return {
        "id": row["id"],
        "sha256": verdict.sha256,
        "kenmerk": kenmerk(wording.kenmerk_prefix(rules), verdict.sha256),
        "file": verdict.file,
        "document": verdict.document.value,
        "document_label": KIND_NL[verdict.document.value],
        "status": verdict.status.value,
        "status_label": DOCUMENT_LABELS[verdict.status.value],
        "current": row["id"] in current,
        "channel": row["channel"],
        "channel_label": CHANNEL_LABELS.get(row["channel"], row["channel"]),
        "sender": row["sender"],
        "received": verdict.received.isoformat(),
        "received_day": fmt.day(rules.local_date(verdict.received)),
        "template_version": verdict.template_version,
        "template_version_label": _version_name(app, verdict),
        "findings": [
            {
                **f.to_json(),
                "sheet": split_location(f.location)[0],
                "cell": split_location(f.location)[1],
                "severity_label": SEVERITY_LABELS.get(f.severity.value, f.severity.value),
            }
            for f in verdict.findings
        ],
        "figures": _figures(verdict.figures),
        "figures_raw": verdict.figures,
        "plan_themes": (verdict.signals.get("plan") or {}).get("themes"),
        "plan_ocr": wording.ocr_note(rules, verdict.signals),
        "created_at": row["created_at"],
    }


def _event(at: datetime | None, kind: str, actor: str | None, text: str) -> dict[str, Any]:
    return {"at": at, "kind": kind, "actor": actor or "", "text": text}


def _status_changes(changes: list[dict[str, Any]]) -> list[dict]:
    """The stored status history as timeline events: from, to, what changed it, why."""
    events = []
    for c in changes:
        before = LABELS[CaseStatus(c["from_status"])] if c["from_status"] else "—"
        text = f"Status: {before} → {LABELS[CaseStatus(c['to_status'])]}"
        text += f" ({CHANGE_LABELS.get(c['event'], c['event'])}"
        text += f": {c['reason']})" if c["reason"] else ")"
        events.append(_event(c["at"], "status", c["actor"], text))
    return events


def _timeline(app: App, detail: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for d in detail["documents"]:
        via = f"via {d['channel_label']}" + (f" van {d['sender']}" if d["sender"] else "")
        events.append(
            _event(
                d["created_at"],
                "document",
                d["sender"] or d["channel"],
                f"{d['file']} ontvangen {via}: {d['status_label']}",
            )
        )
    for m in detail["mails_in"]:
        events.append(
            _event(
                m["received"] or m["created_at"],
                "mail_in",
                m["sender"],
                f"E-mail ontvangen: {m['subject'] or '(geen onderwerp)'} [{m['state']}]",
            )
        )
    for r in detail["mails_out"]:
        events.append(
            _event(
                r["sent_at"],
                "mail_out",
                "intake",
                f"E-mail ({r['kind']}) verstuurd aan {r['recipient']}: {r['subject']}",
            )
        )
    for x in detail["decisions"]:
        events.append(
            _event(
                x["decided_at"],
                "decision",
                x["actor"],
                f"Beslissing: {DECISION_LABELS[x['status']]}. Reden: {x['reason']}",
            )
        )
    for n in detail["notes"]:
        events.append(_event(n["at"], "note", n["actor"], n["text"]))
    for a in detail["audit"]:
        if a["action"] == "download":
            events.append(_event(a["at"], "download", a["actor"], f"Gedownload: {a['detail']}"))
        elif a["action"] == "extension":
            events.append(_event(a["at"], "extension", a["actor"], f"Uitstel {a['detail']}"))
        elif a["action"] == "extension_revoked":
            events.append(_event(a["at"], "extension", a["actor"], f"Ingetrokken: {a['detail']}"))
    # After the event that caused it: the sort is stable.
    events += _status_changes(detail["status_history"])
    events.sort(key=lambda e: e["at"])
    return events


def case_detail(app: App, agb: str, name: str | None = None) -> dict[str, Any] | None:
    """Everything about one case in one campaign (the default one unless named), or
    None when neither that campaign's register nor the ledger knows the AGB."""
    cb, name = book(app), campaign(app, name)
    register = register_of(app, name)
    entry = register.get(agb) if register else None
    states = cb.cases.states(name, agb)
    rows = cb.cases.documents(name, agb)
    if entry is None and not states and not rows:
        return None
    state = states[0] if states else {}
    current = {state.get("model_document_id"), state.get("plan_document_id")} - {None}
    docs = [_document(app, r, current) for r in rows]
    decisions = cb.decisions.of_case(name, agb)
    mail_ids = {r["mail_id"] for r in rows if r["mail_id"]}
    detail: dict[str, Any] = {
        "campaign": name,
        "agb": agb,
        "naam": (entry.naam if entry else None) or state.get("naam") or "?",
        "register": entry.to_json() if entry else None,
        "documents": docs,
        "decisions": decisions,
        "notes": cb.notes.of_case(name, agb),
        "mails_in": cb.mails.of_case(mail_ids),
        "mails_out": cb.mails.replies_of_case(agb, mail_ids, name),
        "notifications": cb.decisions.notifications(agb=agb, campaign=name),
        "audit": cb.audit.of_case(name, agb),
        "status_history": [
            {k: c[k] for k in ("at", "from_status", "to_status", "actor", "event", "reason")}
            for c in StatusHistory(app.ledger.engine).of_case(name, agb)
        ],
        "extensions": [
            {**e.to_json(), "until_day": fmt.day(e.until)}
            for e in extensions.of_case(app.ledger, name, agb)
        ],
        "last_reminder_at": state.get("last_reminder_at"),
    }
    _decide_status(detail, state)
    detail["timeline"] = _timeline(app, detail)
    # The documents that count first, then the rest newest first.
    detail["documents"] = sorted(docs, key=lambda d: (not d["current"], -d["id"]))
    return detail


def _decide_status(detail: dict[str, Any], state: dict[str, Any]) -> None:
    computed = computed_status(state.get("model_status"), state.get("plan_status"))
    decision = detail["decisions"][-1] if detail["decisions"] else None
    at = decision["decided_at"] if decision else None
    detail["computed"] = computed
    last = last_document_at(state)
    detail["status"] = case_status(computed, decision["status"] if decision else None, at, last)
    detail["decision"] = standing(detail["decisions"], state)
