"""What a report says, decided once for both renderers (HTML and PDF).

The renderers only lay out this view model, so the e-mail body and the PDF can
never disagree, and the confidentiality rule lives in one place: figures and
register data reach a provider report only when the sender is a registered
contact of that provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.domain import Decision, Severity, Status, Verdict, clock, fmt, kenmerk
from intake.domain.cells import Location
from intake.domain.notation import addresses_in_words
from intake.report import wording
from intake.report.outcome import PAIRING, Outcome, application_outcome, own_status
from intake.report.sentences import migration_note, next_step, outcome_sentence

OUTCOME = {
    Status.ACCEPTED: "Geaccepteerd",
    Status.REVIEW: "Wordt beoordeeld",
    Status.REJECTED: "Afgewezen: opnieuw indienen",
}
SEVERITY_LABEL = {
    Severity.ERROR: "Moet worden hersteld",
    Severity.REVIEW: "Wordt beoordeeld",
    Severity.WARNING: "Controleer",
    Severity.INFO: "Ter informatie",
}
# Staff pages label figures with these; the letter takes its labels from the rules.
FIGURE_LABELS = [
    ("personnel_cost", "Kosten extra inzet personeel", fmt.euro),
    ("other_cost", "Overige kosten", fmt.euro),
    ("total_budget", "Totale begroting", fmt.euro),
    ("personnel_share", "Aandeel personeel", fmt.percent),
    ("reserved", "Gereserveerd kwaliteitsbudget (uw model)", fmt.euro),
    ("requested", "Aangevraagd kwaliteitsbudget", fmt.euro),
]


@dataclass
class FindingRow:
    severity: str
    severity_label: str
    code: str
    title: str
    sheet: str
    cell: str
    message: str
    evidence: str = ""


@dataclass
class FigureRow:
    label: str
    workbook: str
    corrected: str | None = None


@dataclass
class DocumentSection:
    file: str
    kind: str
    status: str
    outcome: str
    version: str | None
    provider: str | None
    findings: list[FindingRow]
    figures: list[FigureRow]
    outdated: bool
    difference: str | None
    staff: dict[str, Any] = field(default_factory=dict)
    kenmerk: str = ""
    received: str = ""
    note: str = ""  # the corrected model sent back, or why it could not be
    figure_heads: list[str] = field(default_factory=list)


@dataclass
class ReportModel:
    audience: str  # "provider" | "staff"
    title: str
    care_office: dict[str, Any]
    received: str
    status: str
    outcome: str
    summary: str
    next_step: str
    deadline: str
    confidential: bool  # provider report stripped of figures and register data
    documents: list[DocumentSection]
    sender: str | None = None
    headings: dict[str, str] = field(default_factory=dict)  # `[letter] heading_*`
    channel: str | None = None
    generated: str = ""
    kenmerk: str = ""
    contact: str = ""
    decision: str = ""  # the reason of a staff decision, as the provider reads it
    decision_reason: str | None = None  # the bare reason, for staff pages
    outcome_key: str = ""
    attachments: list[str] = field(default_factory=list)


def _split(location: str | None) -> tuple[str, str]:
    where = Location.parse(location)
    return where.sheet, where.cell


def _evidence(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {fmt.raw(v) if v is not None else 'leeg'}" for k, v in values.items())


def _figures(rules: Rules, verdict: Verdict, outdated: bool) -> list[FigureRow]:
    figures = verdict.figures
    if not figures:
        return []
    workbook, corrected = figures.get("workbook", {}), figures.get("corrected", {})
    rows = []
    for key, _label, show in FIGURE_LABELS:
        rows.append(
            FigureRow(
                wording.text(rules, f"figure_{key}"),
                show(workbook.get(key)),
                show(corrected.get(key)) if outdated else None,
            )
        )
    if figures.get("reserved_register") is not None:
        rows.insert(
            5,
            FigureRow(
                wording.text(rules, "figure_reserved_register"),
                fmt.euro(figures["reserved_register"]),
                fmt.euro(figures["reserved_register"]) if outdated else None,
            ),
        )
    return rows


def _finding_rows(rules: Rules, verdict: Verdict, staff: bool) -> list[FindingRow]:
    template = wording.section(rules).get("location", "cel {cell} op tabblad '{sheet}'")
    return [
        FindingRow(
            severity=f.severity.value,
            severity_label=SEVERITY_LABEL[f.severity],
            code=f.code,
            title=rules.title(f.code),
            sheet=_split(f.location)[0],
            cell=_split(f.location)[1],
            message=addresses_in_words(f.message, template),
            evidence=_evidence(f.evidence) if staff else "",
        )
        for f in verdict.findings
    ]


def _figure_heads(
    rules: Rules, family: TemplateFamily, verdict: Verdict, outdated: bool
) -> list[str]:
    if not outdated:
        return [wording.text(rules, "figures_current")]
    version = family.versions[verdict.template_version].name
    return [
        wording.text(rules, "figures_outdated", version=version),
        wording.text(rules, "figures_corrected"),
    ]


def _section(
    verdict: Verdict,
    rules: Rules,
    family: TemplateFamily,
    *,
    staff: bool,
    confidential: bool,
    note: str,
    decided: bool = False,
) -> DocumentSection:
    """`decided`: staff accepted or rejected the application; the decision is the outcome,
    so a document reads "besloten" and no longer asks for the other half of its pair."""
    v = verdict
    if decided:
        v = replace(v, findings=[f for f in v.findings if f.code not in PAIRING])
    outdated = bool(v.template_version and v.template_version != rules.current_version)
    difference = v.figures.get("requested_difference") if v.figures else None
    provider = " — ".join(p for p in (v.provider.naam, v.provider.agb) if p) if v.provider else None
    section = DocumentSection(
        file=v.file,
        kind=wording.text(rules, "label_receipt" if confidential else f"label_{v.document.value}"),
        status=own_status(v).value,
        outcome=wording.text(
            rules, "document_decided" if decided else f"document_{own_status(v).value}"
        ),
        version=family.versions[v.template_version].name
        if v.template_version and not confidential
        else None,
        provider=provider,
        findings=[] if confidential else _finding_rows(rules, v, staff),
        figures=[] if confidential else _figures(rules, v, outdated),
        outdated=outdated,
        difference=None if confidential or not outdated else fmt.euro(difference),
        kenmerk=kenmerk(wording.kenmerk_prefix(rules), v.sha256),
        received=fmt.day(rules.local_date(v.received)),
        note="" if confidential else note,
        figure_heads=_figure_heads(rules, family, v, outdated),
    )
    if staff:
        section.staff = {
            "sha256": v.sha256,
            "size": f"{v.size:,} bytes".replace(",", "."),
            "received": v.received.isoformat(),
            "signals": v.signals.get("detection", {}),
            "file_type": v.signals.get("file_type"),
            "modifications": v.signals.get("modifications", []),
            "register_entry": v.signals.get("register_entry"),
            "figures": v.figures,
            "plan_themes": (v.signals.get("plan") or {}).get("themes"),
            "plan_ocr": wording.ocr_note(rules, v.signals),
            "mail_signed": v.signals.get("mail_signed"),
            "mail_unwrapped": v.signals.get("mail_unwrapped"),
        }
    return section


def build(
    verdicts: Sequence[Verdict],
    rules: Rules,
    family: TemplateFamily,
    *,
    audience: str = "provider",
    sender: str | None = None,
    channel: str | None = None,
    sender_registered: bool = True,
    now: datetime | None = None,
    others: Sequence[Verdict] = (),
    decision: Decision | None = None,
    attached: dict[str, str] | None = None,
    deadline: date | None = None,
) -> ReportModel:
    """The letter about the documents that came together, in the light of the whole application.

    `others` are the provider's other current documents (from the ledger), `decision`
    a staff decision on the case, `attached` the corrected models sent along (sha256
    -> file name; None when the caller sends none), `deadline` the provider's own date
    when staff granted uitstel.
    """
    staff = audience == "staff"
    confidential = not staff and not sender_registered
    moment = now or clock.now(rules.timezone)
    today = rules.local_date(moment)
    outcome = application_outcome(verdicts, others, decision)
    attached = attached or {}
    documents = [
        _section(
            v,
            rules,
            family,
            staff=staff,
            confidential=confidential,
            note=migration_note(rules, family, v, today, attached.get(v.sha256)),
            decided=decision is not None and decision.status is not Status.REVIEW,
        )
        for v in verdicts
    ]
    common = _common(rules, verdicts, documents, moment, audience, sender, channel)
    common["confidential"] = confidential
    common["attachments"] = [] if confidential else list(attached.values())
    if confidential:
        return _receipt(rules, len(verdicts), common)
    return ReportModel(
        headings=wording.headings(rules),
        title=wording.text(rules, "title"),
        status=(decision.status if decision else _status_of(outcome)).value,
        outcome=outcome_sentence(rules, outcome),
        summary="",
        next_step=next_step(rules, family, outcome, today, verdicts, deadline),
        decision=wording.text(rules, "decision_reason", reason=decision.reason) if decision else "",
        decision_reason=decision.reason if decision else None,
        outcome_key=outcome.key,
        **common,
    )


def _common(
    rules: Rules,
    verdicts: Sequence[Verdict],
    documents: list[DocumentSection],
    moment: datetime,
    audience: str,
    sender: str | None,
    channel: str | None,
) -> dict[str, Any]:
    """What every letter carries, receipt or not: reference, date, office, documents."""
    received = min((v.received for v in verdicts), default=moment)
    reference = documents[0].kenmerk if documents else ""
    return {
        "audience": audience,
        "care_office": rules.care_office,
        "received": fmt.day(rules.local_date(received)),
        "deadline": fmt.day(rules.deadline),
        "documents": documents,
        "sender": sender,
        "channel": channel,
        "generated": fmt.day(rules.local_date(moment)),
        "kenmerk": reference,
        "contact": wording.text(rules, "contact", kenmerk=reference),
    }


def _receipt(rules: Rules, count: int, common: dict[str, Any]) -> ReportModel:
    """What an unregistered sender reads: that the mail arrived, and whom to ask."""
    return ReportModel(
        headings=wording.headings(rules),
        title=wording.text(rules, "receipt_title"),
        status=Status.REVIEW.value,
        outcome=wording.text(rules, "receipt_outcome"),
        summary=wording.text(rules, "receipt_summary", count=count, received=common["received"]),
        next_step=wording.text(rules, "receipt_next"),
        outcome_key="receipt",
        **common,
    )


def _status_of(outcome: Outcome) -> Status:
    return {
        "accepted": Status.ACCEPTED,
        "rejected": Status.REJECTED,
    }.get(outcome.key, Status.REVIEW)
