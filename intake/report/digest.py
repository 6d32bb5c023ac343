"""The staff digest: where every provider stands, what needs a person, what failed."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from intake.domain.case_status import DOCUMENT_LABELS
from intake.report.html import environment


@dataclass
class ProviderLine:
    agb: str
    naam: str
    state: str  # the case status, in the words of the case counts
    model: str
    plan: str
    reminded: str
    campaign: str = ""


@dataclass
class DigestModel:
    title: str
    day: str
    office: dict[str, Any]
    # Per campaign: documents per verdict status (today, in all) and cases per status label.
    counts_today: dict[str, dict[str, int]]
    counts_total: dict[str, dict[str, int]]
    providers: list[ProviderLine]
    # The work queue, item by item as on the desk's `/` (see intake.casework.todo).
    tasks: list[dict[str, str]] = field(default_factory=list)
    case_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # what tonight's run could not do
    desk_url: str = ""


def render_digest_html(model: DigestModel) -> str:
    return environment(True).get_template("digest.html").render(d=model)


def render_digest_text(model: DigestModel) -> str:
    return environment(False).get_template("digest.txt").render(d=model)


def render_digest_pdf(model: DigestModel) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from intake.report.pdf import table

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)

    def grid(rows: list[list[str]], widths: list[float]) -> Any:
        return table([[Paragraph(escape(str(c)), small) for c in row] for row in rows], widths)

    out = io.BytesIO()
    page = landscape(A4)
    width = page[0] - 30 * mm
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=model.title,
    )
    story: list[Any] = [Paragraph(escape(f"{model.title} — {model.day}"), styles["Title"])]
    statuses = list(DOCUMENT_LABELS)
    story += [Paragraph(f"Takenlijst ({len(model.tasks)})", styles["Heading2"])]
    rows = [["Sinds", "Wat", "Document of bericht", "Waarom", "Termijn", "Te doen"]]
    rows += [
        [t["at"], t["title"], t["subject"], t["why"], t["deadline"], t["action"]]
        for t in model.tasks
    ]
    story.append(grid(rows, [w * width for w in (0.1, 0.17, 0.15, 0.28, 0.12, 0.18)]))
    for campaign, case_counts in model.case_counts.items():
        story += [Spacer(1, 8), Paragraph(escape(f"Zaken {campaign}"), styles["Heading2"])]
        columns = [width / max(1, len(case_counts))] * len(case_counts)
        story.append(grid([list(case_counts), [str(n) for n in case_counts.values()]], columns))
        today = model.counts_today.get(campaign, {})
        total = model.counts_total.get(campaign, {})
        rows = [
            ["documenten", *DOCUMENT_LABELS.values()],
            ["vandaag", *(str(today.get(s, 0)) for s in statuses)],
            ["totaal", *(str(total.get(s, 0)) for s in statuses)],
        ]
        story.append(grid(rows, [width * 0.2] * 4))
    story += [Spacer(1, 8), Paragraph("Stand per zorgaanbieder", styles["Heading2"])]
    rows = [["Campagne", "AGB", "Naam", "Stand", "Aanvraagmodel", "Kwaliteitsplan", "Herinnerd"]]
    rows += [
        [p.campaign, p.agb, p.naam, p.state, p.model, p.plan, p.reminded] for p in model.providers
    ]
    story.append(grid(rows, [w * width for w in (0.14, 0.08, 0.22, 0.12, 0.17, 0.17, 0.1)]))
    if model.problems:
        story += [Spacer(1, 8), Paragraph("Niet gelukt vannacht", styles["Heading2"])]
        story.append(grid([[p] for p in model.problems], [width]))
    doc.build(story)
    return out.getvalue()
