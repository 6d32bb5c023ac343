"""Where a case stands, from its documents and its latest decision (pure, no I/O), and
the one set of words staff read for every status: on the desk, in the digest, in /api."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any


class CaseStatus(StrEnum):
    NONE = "none"
    INCOMPLETE = "incomplete"
    REVIEW = "review"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    DECIDED = "decided"


LABELS = {
    CaseStatus.NONE: "niets ontvangen",
    CaseStatus.INCOMPLETE: "onvolledig",
    CaseStatus.REVIEW: "te beoordelen",
    CaseStatus.REJECTED: "afgewezen",
    CaseStatus.ACCEPTED: "geaccepteerd",
    CaseStatus.DECIDED: "besloten",
}
# A document's own status (the verdict), in the same words.
DOCUMENT_LABELS = {
    "accepted": LABELS[CaseStatus.ACCEPTED],
    "review": LABELS[CaseStatus.REVIEW],
    "rejected": LABELS[CaseStatus.REJECTED],
}
# A finding's severity and a document's channel, as staff read them on the desk.
SEVERITY_LABELS = {
    "error": "fout",
    "review": "beoordelen",
    "warning": "waarschuwing",
    "info": "informatie",
}
CHANNEL_LABELS = {"folder": "de map", "mail": "e-mail", "cli": "de opdrachtregel"}
DECISION_LABELS = {
    "accepted": "toegekend",
    "rejected": "afgewezen",
    "review": "terug naar beoordelen",
}


def computed_status(model_status: str | None, plan_status: str | None) -> CaseStatus:
    """What the rules say: a rejected document rejects, a missing half leaves it incomplete."""
    present = [s for s in (model_status, plan_status) if s]
    if not present:
        return CaseStatus.NONE
    if "rejected" in present:
        return CaseStatus.REJECTED
    if len(present) < 2:
        return CaseStatus.INCOMPLETE
    if "review" in present:
        return CaseStatus.REVIEW
    return CaseStatus.ACCEPTED


def case_status(
    computed: CaseStatus,
    decision: str | None,
    decided_at: datetime | None,
    last_document_at: datetime | None,
) -> CaseStatus:
    """A decision overrides the computed status until a newer document reopens the case."""
    if decision is None or decided_at is None:
        return computed
    if last_document_at is not None and last_document_at > decided_at:
        return computed
    return CaseStatus.REVIEW if decision == "review" else CaseStatus.DECIDED


def decision_stands(decided_at: datetime | None, last_document_at: datetime | None) -> bool:
    return decided_at is not None and (last_document_at is None or last_document_at <= decided_at)


def last_document_at(state: dict[str, Any]) -> datetime | None:
    """When the newer of the case's two current documents arrived (a provider state row)."""
    moments = [m for m in (state.get("model_at"), state.get("plan_at")) if m]
    return max(moments) if moments else None


def standing(decisions: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any] | None:
    """The latest decision of a case while no newer document reopened it."""
    latest = decisions[-1] if decisions else None
    if latest and decision_stands(latest["decided_at"], last_document_at(state)):
        return latest
    return None


def status_now(state: dict[str, Any], decision: dict[str, Any] | None) -> CaseStatus:
    """A case's status from its provider state row and its latest decision (or None)."""
    return case_status(
        computed_status(state.get("model_status"), state.get("plan_status")),
        decision["status"] if decision else None,
        decision["decided_at"] if decision else None,
        last_document_at(state),
    )


# What changed a case's status, as the timeline says it (stored as `event`).
CHANGE_LABELS = {
    "document": "document ontvangen",
    "pair": "paar compleet of opnieuw vergeleken",
    "decision": "beslissing",
    "rejudge": "opnieuw beoordeeld",
    "extension": "uitstel verleend of ingetrokken",
    "sync": "stand bijgewerkt",
}
