"""The case list: every provider of the register (and every provider the ledger met)
with where its case stands in one campaign (the configured default unless named)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.campaign.register import Register
from intake.domain import kenmerk_hash_prefix
from intake.domain.case_status import LABELS, CaseStatus, case_status, computed_status
from intake.service.app import App
from intake.storage.casebook import Casebook


@dataclass(frozen=True)
class CaseRow:
    campaign: str
    agb: str
    naam: str
    regio: str
    registered: bool
    status: CaseStatus
    computed: CaseStatus
    decision: str | None
    model_status: str | None
    plan_status: str | None
    last_document_at: datetime | None
    last_reminder_at: datetime | None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "agb": self.agb,
            "naam": self.naam,
            "status": self.status.value,
            "computed_status": self.computed.value,
            "decision": self.decision,
            "model_status": self.model_status,
            "plan_status": self.plan_status,
            "registered": self.registered,
            "last_document_at": _iso(self.last_document_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def book(app: App) -> Casebook:
    return Casebook(app.ledger.engine)


class UnknownCampaign(ValueError):
    """A campaign name that is not one of the active campaigns."""

    message = "Onbekende campagne; kies een van de actieve campagnes."


def campaign(app: App, name: str | None = None) -> str:
    """The named campaign when it is active, the configured default for None or ""."""
    if not name:
        return app.ctx.campaign
    if name not in app.contexts:
        raise UnknownCampaign(name)
    return name


def register_of(app: App, name: str) -> Register | None:
    return app.ctx.for_campaign(name).register


_CACHE: dict[tuple[int, str], tuple[tuple, list[CaseRow]]] = {}


def overview(app: App, name: str | None = None) -> list[CaseRow]:
    """One row per provider of one campaign, ordered by AGB code.

    Kept per process and campaign while the ledger's version (one cheap query) and
    the register object stay the same: staff read this list far more often than it
    changes.
    """
    name = campaign(app, name)
    key = (*book(app).cases.version(name), id(register_of(app, name)))
    cached = _CACHE.get((id(app), name))
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = _overview(app, name)
    _CACHE[(id(app), name)] = (key, rows)
    return rows


def _overview(app: App, name: str) -> list[CaseRow]:
    cb, register = book(app), register_of(app, name)
    states = {s["agb"]: s for s in cb.cases.states(name)}
    decided = cb.decisions.latest(name)
    entries = register.entries if register else {}
    rows = []
    for agb in sorted(set(entries) | set(states)):
        state, entry, decision = states.get(agb, {}), entries.get(agb), decided.get(agb)
        computed = computed_status(state.get("model_status"), state.get("plan_status"))
        moments = [m for m in (state.get("model_at"), state.get("plan_at")) if m]
        last = max(moments) if moments else None
        rows.append(
            CaseRow(
                campaign=name,
                agb=agb,
                naam=(entry.naam if entry else None) or state.get("naam") or "?",
                regio=entry.regio if entry else "",
                registered=entry is not None,
                status=case_status(
                    computed,
                    decision["status"] if decision else None,
                    decision["decided_at"] if decision else None,
                    last,
                ),
                computed=computed,
                decision=decision["status"] if decision else None,
                model_status=state.get("model_status"),
                plan_status=state.get("plan_status"),
                last_document_at=last,
                last_reminder_at=state.get("last_reminder_at"),
            )
        )
    return rows


def search(
    app: App, rows: list[CaseRow], query: str, status: str | None, name: str | None = None
) -> list[CaseRow]:
    """Search on AGB code, name or kenmerk; filter on status."""
    if status:
        rows = [r for r in rows if r.status.value == status]
    query = query.strip()
    if not query:
        return rows
    prefix = kenmerk_hash_prefix(query)
    if prefix:
        agbs = book(app).cases.agbs_with_sha_prefix(prefix, campaign(app, name))
        return [r for r in rows if r.agb in agbs]
    needle = query.casefold()
    return [r for r in rows if r.agb.startswith(needle) or needle in r.naam.casefold()]


def counts(rows: list[CaseRow]) -> dict[str, int]:
    result = {s.value: 0 for s in CaseStatus}
    for row in rows:
        result[row.status.value] += 1
    return result


_LISTED = ("sha256", "file", "document", "status", "received")


def with_documents(app: App, name: str, rows: list[CaseRow]) -> list[dict[str, Any]]:
    """Cases as `/api/cases` lists them: each with its documents and their findings, as
    the verdicts were stored (one query for the page, not one per case)."""
    stored = book(app).cases.documents_of_cases(name, [r.agb for r in rows])
    return [
        {**row.to_json(), "documents": [_listed(d["verdict_json"]) for d in stored[row.agb]]}
        for row in rows
    ]


def _listed(verdict_json: str) -> dict[str, Any]:
    verdict = json.loads(verdict_json)
    return {
        **{key: verdict.get(key) for key in _LISTED},
        "findings": [
            {k: f.get(k) for k in ("code", "severity", "location", "message")}
            for f in verdict.get("findings", [])
        ],
    }
