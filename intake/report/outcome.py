"""The outcome of a whole application, so that no letter contradicts another.

A provider's application is its current model and plan together. A letter about
one of them states the outcome of both: a plan is never "geaccepteerd" while the
model of the same application must be fixed. A staff decision overrides what the
rules computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intake.domain import Decision, DocumentKind, Status, Verdict, decide_status

PAIRING = {"PLAN_MISSING", "MODEL_MISSING"}
PAIRED = (DocumentKind.AANVRAAG, DocumentKind.KWALITEITSPLAN)


@dataclass(frozen=True)
class Outcome:
    key: str  # accepted | rejected | review | incomplete | decided:<status>
    broken: tuple[Verdict, ...]  # documents that must be fixed
    missing: tuple[DocumentKind, ...]  # halves of the pair not yet received
    decision: Decision | None = None


def own_status(verdict: Verdict) -> Status:
    """A document's status without the pairing findings: the pair is judged as a whole here."""
    return decide_status([f for f in verdict.findings if f.code not in PAIRING])


def combine(letter: Sequence[Verdict], others: Sequence[Verdict]) -> list[Verdict]:
    """The letter's documents plus the provider's other current documents, each once."""
    seen = {v.sha256 for v in letter}
    kinds = {v.document for v in letter}
    extra = [v for v in others if v.sha256 not in seen and v.document not in kinds]
    return [*letter, *extra]


def application_outcome(
    letter: Sequence[Verdict], others: Sequence[Verdict] = (), decision: Decision | None = None
) -> Outcome:
    documents = combine(letter, others)
    kinds = {v.document for v in documents}
    paired = any(v.document in PAIRED for v in documents)
    missing = tuple(k for k in PAIRED if paired and k not in kinds)
    broken = tuple(v for v in documents if own_status(v) is Status.REJECTED)
    if decision is not None:
        return Outcome(f"decided:{decision.status.value}", broken, missing, decision)
    if broken:
        return Outcome("rejected", broken, missing)
    if missing:
        return Outcome("incomplete", (), missing)
    if any(own_status(v) is Status.REVIEW for v in documents):
        return Outcome("review", (), ())
    return Outcome("accepted", (), ())
