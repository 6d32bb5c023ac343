"""Uitstel applied to verdicts: what only the ledger knows about a provider's deadline.

The pure pipeline judges a document against its campaign's deadline; whether staff
gave this provider more time is in the ledger, so it is applied here, at the same
point as duplicates and pairing: when a document is taken in, when everything is
judged again, and at once for the stored documents of a case whose uitstel is
granted or revoked. A campaign-wide shift is not an extension: it is the rules'
`deadline`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from intake.campaign.rules import Rules
from intake.checks.campaign import lateness
from intake.domain import Verdict, decide_status, order_findings
from intake.service import letters
from intake.service.app import App
from intake.storage import extensions as store

LATE_CODES = frozenset({"SUBMISSION_LATE", "EXTENSION_APPLIED"})

Granted = Mapping[tuple[str, str], date]  # (campaign, agb) -> the date in force


def with_extension(verdict: Verdict, until: date | None, rules: Rules) -> Verdict:
    """The verdict with its lateness judged again under the uitstel in force (or none).

    Only a document the pipeline judged late (or on time by an earlier uitstel) is
    touched; a document judged on time by the campaign's deadline stays as it is.
    """
    if not LATE_CODES & set(verdict.codes):
        return verdict
    kept = [f for f in verdict.findings if f.code not in LATE_CODES]
    found = order_findings([*kept, *lateness(verdict.received, rules, until)])
    changed = replace(verdict, findings=found)
    changed.status = decide_status(found)
    return changed


def _case(verdict: Verdict, app: App) -> tuple[str, str] | None:
    if verdict.provider is None or not verdict.provider.agb:
        return None
    return (verdict.campaign or app.ctx.campaign, verdict.provider.agb)


def in_force(app: App) -> Granted:
    """Every uitstel in force, for judging a batch without a query per document."""
    return store.in_force_by_case(app.ledger)


def apply(app: App, verdicts: Sequence[Verdict], granted: Granted | None = None) -> list[Verdict]:
    """Each verdict under its provider's uitstel; `granted` saves a query per batch."""
    granted = in_force(app) if granted is None else granted
    result = []
    for verdict in verdicts:
        case = _case(verdict, app)
        until = granted.get(case) if case else None
        rules = app.ctx.for_campaign(verdict.campaign).rules
        result.append(with_extension(verdict, until, rules))
    return result


def settle_case(app: App, campaign: str, agb: str) -> list[tuple[Verdict, Verdict]]:
    """The case's stored verdicts after a grant or revocation; letters where they changed."""
    extension = store.in_force(app.ledger, campaign, agb)
    until = extension.until if extension else None
    rules = app.ctx.for_campaign(campaign).rules
    changes = []
    for stored in app.ledger.documents_of_provider(agb, campaign):
        after = with_extension(stored.verdict, until, rules)
        if after.to_json() != stored.verdict.to_json():
            app.ledger.replace_verdict(stored.id, after)
            changes.append((stored.verdict, after))
    if changes:
        letters.after_change(app, changes, event="extension")
    return changes
