"""Staff grant and revoke uitstel for one provider in one campaign.

The same for the desk and the command line: the form is checked (a date after the
campaign's deadline, a reason), the grant and its audit line are stored in one
transaction with the actor, and the case's stored verdicts are judged late or on
time again at once, so the case page and the letters follow without a rejudge.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from intake.campaign.rules import Rules
from intake.casework.cases import book, campaign
from intake.casework.decide import MAX_REASON, CaseworkError, form_campaign
from intake.domain import Verdict, fmt
from intake.service.app import App
from intake.service.extensions import settle_case
from intake.service.status_log import record_status
from intake.storage import extensions as store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Granted:
    extension: store.Extension
    changed: list[tuple[Verdict, Verdict]]  # the case's verdicts (before, after)


def _until(text: str | None, rules: Rules) -> date:
    try:
        until = date.fromisoformat((text or "").strip())
    except ValueError:
        raise CaseworkError("until", rules.text("extension_until_format")) from None
    if until <= rules.deadline:
        raise CaseworkError("until", rules.text("extension_until_after_deadline"))
    return until


def _reason(text: str | None, rules: Rules) -> str:
    reason = (text or "").strip()
    if not reason:
        raise CaseworkError("reason", rules.text("extension_reason_missing"))
    if len(reason) > MAX_REASON:
        raise CaseworkError("reason", rules.text("extension_reason_too_long", maximum=MAX_REASON))
    return reason


def grant(app: App, agb: str, form: dict[str, str], actor: str, address: str | None) -> Granted:
    """Record uitstel until `form['until']` with `form['reason']`; the newest grant counts."""
    name = form_campaign(app, form)
    rules = app.ctx.for_campaign(name).rules
    until = _until(form.get("until"), rules)
    reason = _reason(form.get("reason"), rules)
    register = app.ctx.for_campaign(name).register
    known = (register is not None and register.get(agb) is not None) or app.ledger.provider(
        agb, name
    )
    if not known:  # staff would never see it: no case page for an AGB nobody knows
        raise CaseworkError("agb", rules.text("extension_provider_unknown", agb=agb))
    cb = book(app)
    with app.ledger.transaction() as conn:
        extension_id = store.add(
            conn, campaign=name, agb=agb, until=until, reason=reason, actor=actor
        )
        cb.audit.record(
            actor,
            "extension",
            address=address,
            campaign=name,
            agb=agb,
            detail=rules.text("extension_audit_granted", until=fmt.day(until), reason=reason),
            conn=conn,
        )
    changed = settle_case(app, name, agb)
    record_status(app, [(name, agb)], actor=actor, event="extension", reason=reason)
    log.info("extension for %s/%s until %s by %s", name, agb, until, actor)
    extension = store.get(app.ledger, extension_id)
    assert extension is not None
    return Granted(extension, changed)


def revoke(
    app: App, extension_id: int, actor: str, address: str | None, agb: str | None = None
) -> Granted:
    """End an uitstel; the row stays as a record. `agb` (from the desk's URL) must match."""
    extension = store.get(app.ledger, extension_id)
    rules = app.ctx.for_campaign(extension.campaign if extension else None).rules
    if extension is None or (agb is not None and extension.agb != agb):
        raise CaseworkError("extension", rules.text("extension_unknown"))
    if not extension.active:
        raise CaseworkError("extension", rules.text("extension_already_revoked"))
    with app.ledger.transaction() as conn:
        if store.revoke(conn, extension_id, actor):
            book(app).audit.record(
                actor,
                "extension_revoked",
                address=address,
                campaign=extension.campaign,
                agb=extension.agb,
                detail=rules.text("extension_audit_revoked", until=fmt.day(extension.until)),
                conn=conn,
            )
    changed = settle_case(app, extension.campaign, extension.agb)
    case = [(extension.campaign, extension.agb)]
    record_status(app, case, actor=actor, event="extension", reason=extension.reason)
    log.info("extension %s for %s revoked by %s", extension_id, extension.agb, actor)
    revoked = store.get(app.ledger, extension_id)
    assert revoked is not None
    return Granted(revoked, changed)


def of_case(app: App, agb: str, name: str | None = None) -> list[store.Extension]:
    return store.of_case(app.ledger, campaign(app, name), agb)


def listed(app: App, name: str | None = None, *, revoked: bool = False) -> list[store.Extension]:
    return store.all_of(app.ledger, name, revoked=revoked)
