"""Findings that depend on the calendar and the version: TEMPLATE_OUTDATED,
TEMPLATE_VERSION_CONFLICT, ADVANCE_LATER and SUBMISSION_LATE."""

from __future__ import annotations

from datetime import date, datetime

from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.checks.registry import Stage, check
from intake.detect.version import Detection
from intake.domain import Finding, Severity, fmt
from intake.domain.cells import address


@check(Stage.WORKBOOK, codes=("TEMPLATE_OUTDATED",))
def check_outdated(
    detection: Detection, family: TemplateFamily, received: datetime, rules: Rules
) -> list[Finding]:
    if detection.version is None or detection.version == rules.current_version:
        return []
    location = address(*family.version_label_cell)
    if rules.local_date(received) < rules.corrected_model_from:
        return [
            rules.finding("TEMPLATE_OUTDATED", location, variant="review", severity=Severity.REVIEW)
        ]
    return [rules.finding("TEMPLATE_OUTDATED", location)]


@check(Stage.WORKBOOK, codes=("TEMPLATE_VERSION_CONFLICT",))
def check_version_conflict(
    detection: Detection, family: TemplateFamily, rules: Rules
) -> list[Finding]:
    if detection.claimed is None or detection.version is None:
        return []
    versions = family.versions
    return [
        rules.finding(
            "TEMPLATE_VERSION_CONFLICT",
            address(*family.version_label_cell),
            claimed=versions[detection.claimed].name,
            detected=versions[detection.version].name,
            evidence=dict(detection.signals),
        )
    ]


@check(Stage.WORKBOOK, codes=("ADVANCE_LATER",))
def check_advance_later(received: datetime, rules: Rules) -> list[Finding]:
    """ADVANCE_LATER: a late-ish application is fine, but the advance may start later."""
    after, day = rules.advance_later_after, rules.local_date(received)
    if after is None or day <= after or day > rules.deadline:  # late says more than this
        return []
    return [
        rules.finding(
            "ADVANCE_LATER", received=fmt.day(rules.local_date(received)), after=fmt.day(after)
        )
    ]


@check(Stage.WORKBOOK, Stage.PLAN_RECEIVED, codes=("SUBMISSION_LATE",))
def check_late(received: datetime, rules: Rules) -> list[Finding]:
    """SUBMISSION_LATE after the campaign's deadline (the pipeline knows no uitstel)."""
    return lateness(received, rules)


def lateness(received: datetime, rules: Rules, extended_until: date | None = None) -> list[Finding]:
    """SUBMISSION_LATE after the campaign's deadline; within the provider's uitstel
    (`extended_until`, granted by staff and applied by the service, which knows the
    ledger) the document is on time: EXTENSION_APPLIED."""
    day = rules.local_date(received)
    if day <= rules.deadline:
        return []
    if extended_until is not None and day <= extended_until:
        return [
            rules.finding(
                "EXTENSION_APPLIED",
                received=fmt.day(day),
                deadline=fmt.day(rules.deadline),
                until=fmt.day(extended_until),
            )
        ]
    return [
        rules.finding(
            "SUBMISSION_LATE",
            received=fmt.day(rules.local_date(received)),
            deadline=fmt.day(rules.deadline),
        )
    ]
