"""Writing the case status history where statuses change: after documents are stored,
pairs settled, documents re-judged and decisions taken.

Each call compares the cases' status now with the last stored record and stores the
differences, so a change is recorded once whoever notices it first, and a change that
a crash kept from being recorded is caught up by the next call (the nightly sweep
compares every case: event `sync`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from intake.domain.case_status import CaseStatus, status_now
from intake.service.app import App
from intake.storage.casebook import Casebook
from intake.storage.status_history import StatusChange, StatusHistory

log = logging.getLogger(__name__)
FEW = 200  # up to this many cases are read one by one; more, the whole campaign at once


def record_status(
    app: App,
    cases: Iterable[tuple[str | None, str]] | None,
    *,
    actor: str,
    event: str,
    reason: str = "",
) -> list[StatusChange]:
    """Store the status changes of the given (campaign, AGB) cases; None: every case."""
    book, history = Casebook(app.ledger.engine), StatusHistory(app.ledger.engine)
    wanted: dict[str, set[str] | None]
    if cases is None:
        wanted = dict.fromkeys((ctx.campaign for ctx in app.ctx.campaigns), None)
    else:
        named: dict[str, set[str]] = {}
        for campaign, agb in cases:
            named.setdefault(app.ctx.for_campaign(campaign).campaign, set()).add(agb)
        wanted = dict(named)
    changes = []
    for name, agbs in wanted.items():
        few = agbs if agbs is not None and len(agbs) <= FEW else None
        states = _states(book, name, few)
        decisions = book.decisions.latest(name)
        last = history.latest(name, few)
        for agb in sorted(agbs if agbs is not None else set(states) | set(decisions)):
            status = status_now(states.get(agb, {}), decisions.get(agb))
            previous = last.get(agb)
            if status.value == previous or (previous is None and status is CaseStatus.NONE):
                continue
            changes.append(StatusChange(name, agb, previous, status.value, actor, event, reason))
    history.add(changes)
    for c in changes:
        log.info("%s %s: %s -> %s (%s)", c.campaign, c.agb, c.from_status, c.to_status, c.event)
    return changes


def _states(book: Casebook, name: str, agbs: set[str] | None) -> dict[str, dict]:
    if agbs is None:
        return {s["agb"]: s for s in book.cases.states(name)}
    return {s["agb"]: s for agb in sorted(agbs) for s in book.cases.states(name, agb)}
