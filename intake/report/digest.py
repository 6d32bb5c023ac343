"""The staff digest: where every provider stands, what needs a person, what failed."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from intake.domain.case_status import DOCUMENT_LABELS
from intake.report.html import _env


@dataclass
class ProviderLine:
    agb: str
    naam: str
    state: str
    model: str
    plan: str
    reminded: str


@dataclass
class DigestModel:
    title: str
    day: str
    office: dict[str, Any]
    counts_today: dict[str, int]
    counts_total: dict[str, int]
    providers: list[ProviderLine]
    review: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    # The desk's to-do list (when, what, what to do, absolute link) and case counts.
    tasks: list[dict[str, str]] = field(default_factory=list)
    case_counts: dict[str, int] = field(default_factory=dict)
    desk_url: str = ""


def render_digest_html(model: DigestModel) -> str:
    return _env(True).get_template("digest.html").render(d=model)


def render_digest_text(model: DigestModel) -> str:
    return _env(False).get_template("digest.txt").render(d=model)


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
    story.append(
        table(
            [
                ["", *DOCUMENT_LABELS.values()],
                ["vandaag", *(str(model.counts_today.get(s, 0)) for s in statuses)],
                ["totaal", *(str(model.counts_total.get(s, 0)) for s in statuses)],
            ],
            [width * 0.25] * 4,
        )
    )
    story += [Spacer(1, 8), Paragraph(f"Takenlijst ({len(model.tasks)})", styles["Heading2"])]
    rows = [["Sinds", "Wat", "Te doen"]]
    rows += [[t["at"], t["title"], t["action"]] for t in model.tasks]
    story.append(grid(rows, [w * width for w in (0.15, 0.4, 0.45)]))
    story += [Spacer(1, 8), Paragraph("Stand per zorgaanbieder", styles["Heading2"])]
    rows = [["AGB", "Naam", "Stand", "Aanvraagmodel", "Kwaliteitsplan", "Herinnerd"]]
    rows += [[p.agb, p.naam, p.state, p.model, p.plan, p.reminded] for p in model.providers]
    story.append(grid(rows, [w * width for w in (0.1, 0.25, 0.15, 0.2, 0.2, 0.1)]))
    story += [Spacer(1, 8), Paragraph("Te beoordelen", styles["Heading2"])]
    rows = [["Bestand", "Zorgaanbieder", "Ontvangen", "Bevindingen"]]
    rows += [[r["file"], r["provider"], r["received"], r["codes"]] for r in model.review]
    story.append(grid(rows, [w * width for w in (0.3, 0.25, 0.15, 0.3)]))
    story += [Spacer(1, 8), Paragraph("Mislukt of onzeker", styles["Heading2"])]
    rows = [["Bericht", "Afzender", "Stand", "Fout"]]
    rows += [[r["subject"], r["sender"], r["state"], r["error"]] for r in model.failed]
    rows += [[q, "", "quarantaine", ""] for q in model.quarantined]
    story.append(grid(rows, [w * width for w in (0.3, 0.2, 0.15, 0.35)]))
    doc.build(story)
    return out.getvalue()
