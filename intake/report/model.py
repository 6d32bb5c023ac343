"""What a report says, decided once for both renderers (HTML and PDF).

The renderers only lay out this view model, so the e-mail body and the PDF can
never disagree, and the confidentiality rule lives in one place: figures and
register data reach a provider report only when the sender is a registered
contact of that provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intake import fmt
from intake.domain import Decision, Severity, Status, Verdict
from intake.rules import Rules
from intake.templates import TemplateFamily

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
DOCUMENT_LABEL = {
    "aanvraag": "Aanvraagmodel kwaliteitsbudget 2020",
    "kwaliteitsplan": "Kwaliteitsplan 2020",
    "unknown": "Onbekend document",
}
FIGURE_LABELS = [
    ("personnel_cost", "Kosten extra inzet personeel 2020", fmt.euro),
    ("other_cost", "Overige kosten 2020", fmt.euro),
    ("total_budget", "Totale begroting", fmt.euro),
    ("personnel_share", "Aandeel personeel", fmt.percent),
    ("reserved", "Gereserveerd kwaliteitsbudget (uw model)", fmt.euro),
    ("requested", "Aangevraagd kwaliteitsbudget 2020", fmt.euro),
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
    channel: str | None = None
    generated: str = ""
    decision_reason: str | None = None  # set when a staff decision overrides the outcome


def _split(location: str | None) -> tuple[str, str]:
    if not location:
        return "", ""
    sheet, _, cell = location.rpartition("!")
    return sheet.strip("'").replace("''", "'"), cell


def _evidence(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {fmt.raw(v) if v is not None else 'leeg'}" for k, v in values.items())


def _figures(verdict: Verdict, outdated: bool, show_register: bool) -> list[FigureRow]:
    figures = verdict.figures
    if not figures:
        return []
    workbook, corrected = figures.get("workbook", {}), figures.get("corrected", {})
    rows = []
    for key, label, show in FIGURE_LABELS:
        rows.append(
            FigureRow(
                label, show(workbook.get(key)), show(corrected.get(key)) if outdated else None
            )
        )
    if show_register and figures.get("reserved_register") is not None:
        rows.insert(
            5,
            FigureRow(
                "Gereserveerd volgens het zorgkantoor",
                fmt.euro(figures["reserved_register"]),
                fmt.euro(figures["reserved_register"]) if outdated else None,
            ),
        )
    return rows


def _worst(verdicts: Sequence[Verdict]) -> Status:
    order = [Status.REJECTED, Status.REVIEW, Status.ACCEPTED]
    return next((s for s in order if any(v.status is s for v in verdicts)), Status.ACCEPTED)


def _summary(status: Status, confidential: bool) -> str:
    if confidential:
        return (
            "Wij hebben uw bericht met de bijlagen ontvangen. Omdat uw e-mailadres niet bij ons "
            "bekend is als contactpersoon van deze zorgaanbieder, beoordeelt een medewerker de "
            "aanvraag eerst. U hoort daarna van ons via de geregistreerde contactpersoon."
        )
    return {
        Status.ACCEPTED: "Uw aanvraag is geaccepteerd. U hoeft niets meer te doen.",
        Status.REVIEW: "Uw aanvraag is ontvangen en wordt beoordeeld door een medewerker van "
        "het zorgkantoor. Zie de punten hieronder.",
        Status.REJECTED: "Uw aanvraag is afgewezen. Herstel de punten hieronder en dien de "
        "documenten opnieuw in.",
    }[status]


def _next_step(status: Status, deadline: str, confidential: bool) -> str:
    if confidential:
        return "U hoeft nu niets te doen."
    return {
        Status.ACCEPTED: "U ontvangt de beschikking kwaliteitsbudget 2020 van het zorgkantoor.",
        Status.REVIEW: "Het zorgkantoor neemt contact met u op als er iets moet gebeuren.",
        Status.REJECTED: f"Stuur de herstelde documenten uiterlijk {deadline} naar het "
        "zorgkantoor. Gebruik het aanvraagmodel van november 2019 (versie 1.1).",
    }[status]


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
    decision: Decision | None = None,
) -> ReportModel:
    """The report for one submission: the verdicts of the documents that came together.

    A staff `decision` overrides the computed outcome; its reason is part of the summary.
    """
    staff = audience == "staff"
    confidential = not staff and not sender_registered
    status = decision.status if decision else _worst(verdicts)
    deadline = fmt.day(rules.deadline)
    documents = []
    for v in verdicts:
        outdated = bool(v.template_version and v.template_version != rules.current_version)
        findings = [
            FindingRow(
                severity=f.severity.value,
                severity_label=SEVERITY_LABEL[f.severity],
                code=f.code,
                title=rules.title(f.code),
                sheet=_split(f.location)[0],
                cell=_split(f.location)[1],
                message=f.message,
                evidence=_evidence(f.evidence) if staff else "",
            )
            for f in v.findings
        ]
        difference = v.figures.get("requested_difference") if v.figures else None
        provider = None
        if v.provider:
            provider = " — ".join(p for p in (v.provider.naam, v.provider.agb) if p)
        section = DocumentSection(
            file=v.file,
            kind=DOCUMENT_LABEL[v.document.value],
            status=v.status.value,
            outcome=OUTCOME[v.status],
            version=family.versions[v.template_version].name if v.template_version else None,
            provider=provider,
            findings=[] if confidential else findings,
            figures=[] if confidential else _figures(v, outdated, show_register=True),
            outdated=outdated,
            difference=None if confidential or not outdated else fmt.euro(difference),
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
            }
        documents.append(section)
    received = min((v.received for v in verdicts), default=now or datetime.now(rules.timezone))
    return ReportModel(
        audience=audience,
        title="Beoordeling aanvraag kwaliteitsbudget verpleeghuiszorg 2020",
        care_office=rules.care_office,
        received=fmt.day(rules.local_date(received)),
        status=status.value,
        outcome=OUTCOME[Status.REVIEW] if confidential else OUTCOME[status],
        summary=_summary(status, confidential)
        + (f" Toelichting van het zorgkantoor: {decision.reason}" if decision else ""),
        next_step=_next_step(status, deadline, confidential),
        deadline=deadline,
        confidential=confidential,
        documents=documents,
        sender=sender,
        channel=channel,
        generated=fmt.day(now or datetime.now(rules.timezone)),
        decision_reason=decision.reason if decision else None,
    )
