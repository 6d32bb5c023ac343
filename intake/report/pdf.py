"""PDF rendering of a report model with reportlab: A4, header, page X van Y.

The built-in Helvetica covers the Windows-1252 characters Dutch text needs (ë, é,
€), so no font files have to be present on the server.
"""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from intake.report.model import DocumentSection, ReportModel

BRAND = "#00628b"


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=15, alignment=0, spaceAfter=6),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontSize=12,
            textColor=colors.HexColor(BRAND),
            spaceBefore=10,
            spaceAfter=4,
        ),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontSize=9.5, leading=13),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontSize=8.5, leading=10.5),
        "num": ParagraphStyle(
            "n", parent=base["BodyText"], fontSize=8.5, leading=10.5, alignment=2
        ),
        "mono": ParagraphStyle("m", parent=base["Code"], fontSize=7, leading=8.5),
        "note": ParagraphStyle(
            "note",
            parent=base["BodyText"],
            fontSize=9.5,
            leading=13,
            backColor=colors.HexColor("#eef3f7"),
            borderPadding=5,
        ),
        "outcome": ParagraphStyle(
            "o", parent=base["BodyText"], fontSize=12, leading=15, fontName="Helvetica-Bold"
        ),
    }


def paragraph(text: object, style: Any) -> Any:
    """Text as a paragraph: escaped, line breaks kept (every letter in the house style)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def house_document(out: io.BytesIO, **info: Any) -> tuple[Any, float]:
    """An A4 document with the house margins (`info`: title, author, subject, ...) and
    the width its content may use."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        lang="nl-NL",
        **info,
    )
    return doc, A4[0] - 36 * mm


def house_frame(canvas: Any, *, office: str, title: str, contact: str, corner: str) -> None:
    """The brand bar (care office left, title right) and the footer (contact left,
    `corner` right) every page of every letter carries."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    w, h = A4
    canvas.saveState()
    canvas.setFillColor(colors.HexColor(BRAND))
    canvas.rect(0, h - 14 * mm, w, 14 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(18 * mm, h - 9 * mm, office)
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(w - 18 * mm, h - 9 * mm, title)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.drawString(18 * mm, 10 * mm, contact)
    canvas.drawRightString(w - 18 * mm, 10 * mm, corner)
    canvas.restoreState()


def table(rows: list[list[Any]], widths: list[float]) -> Any:
    """A grid with a shaded header row that repeats on every page."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d3db")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _document(d: DocumentSection, r: ReportModel, s: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import Spacer

    h = r.headings
    flow: list[Any] = [paragraph(f"{d.kind}: {d.file}", s["h2"])]
    meta = (
        f"{escape(h['received'])} {escape(d.received)} — "
        f"{escape(h['document_kenmerk'])} {escape(d.kenmerk)}"
    )
    if not r.confidential:
        meta += f"<br/>{escape(h['outcome'])}: <b>{escape(d.outcome)}</b>"
    if d.version:
        meta += f" — {escape(h['version'])}: {escape(d.version)}"
    if d.provider and not r.confidential:
        meta += f" — {escape(d.provider)}"
    from reportlab.platypus import Paragraph

    flow.append(Paragraph(meta, s["body"]))
    flow.append(Spacer(1, 4))
    staff = r.audience == "staff"
    if d.findings:
        head = [h["severity"], h["sheet"], h["cell"], h["what"]]
        widths = [0.15, 0.17, 0.07, 0.61]
        if staff:
            head.append(h["code"])
            widths = [0.13, 0.14, 0.06, 0.45, 0.22]
        rows = [[paragraph(h, s["cell"]) for h in head]]
        for f in d.findings:
            row = [
                paragraph(f.severity_label, s["cell"]),
                paragraph(f.sheet or "—", s["cell"]),
                paragraph(f.cell or "—", s["cell"]),
                Paragraph(f"<b>{escape(f.title)}.</b> {escape(f.message)}", s["cell"]),
            ]
            if staff:
                row.append(paragraph(f"{f.code}\n{f.evidence}".strip(), s["cell"]))
            rows.append(row)
        flow.append(table(rows, [w * width for w in widths]))
    elif not r.confidential:
        flow.append(paragraph(h["no_findings"], s["body"]))
    if d.figures:
        flow.append(Spacer(1, 6))
        head = [h["amounts"], *d.figure_heads]
        rows = [[paragraph(h, s["cell"]) for h in head]]
        for fig in d.figures:
            row = [paragraph(fig.label, s["cell"]), paragraph(fig.workbook, s["num"])]
            if d.outdated:
                row.append(paragraph(fig.corrected, s["num"]))
            rows.append(row)
        if d.outdated and d.difference:
            rows.append(
                [
                    paragraph(h["difference"], s["cell"]),
                    paragraph("", s["num"]),
                    paragraph(d.difference, s["num"]),
                ]
            )
        widths = [0.5, 0.25, 0.25] if d.outdated else [0.6, 0.4]
        flow.append(table(rows, [w * width for w in widths]))
    if d.note:
        flow.append(Spacer(1, 6))
        flow.append(paragraph(d.note, s["note"]))
    if staff:
        flow.append(Spacer(1, 6))
        info = (
            f"sha256: {d.staff['sha256']}\ngrootte: {d.staff['size']}, type {d.staff['file_type']}"
            f"\nontvangen: {d.staff['received']}"
        )
        if d.staff.get("modifications"):
            info += "\nwijzigingen: " + "; ".join(d.staff["modifications"])
        if d.staff.get("signals"):
            info += "\nversiesignalen: " + json.dumps(d.staff["signals"], ensure_ascii=False)
        if d.staff.get("register_entry"):
            info += "\nregister: " + json.dumps(d.staff["register_entry"], ensure_ascii=False)
        flow.append(paragraph(info, s["mono"]))
        if d.staff.get("plan_ocr"):
            flow += [Spacer(1, 6), paragraph(d.staff["plan_ocr"], s["note"])]
        if d.staff.get("plan_themes"):
            flow += _themes(d.staff["plan_themes"], h, s, width)
    return flow


def _themes(
    summary: dict[str, Any], h: dict[str, str], s: dict[str, Any], width: float
) -> list[Any]:
    """The plan's themes for staff, as in the HTML report: found or not, with evidence."""
    from reportlab.platypus import Spacer

    heading = h["themes"].format(covered=summary["covered"], total=summary["total"])
    head = (h["theme"], h["theme_found"], h["theme_sentences"], h["theme_evidence"])
    rows = [[paragraph(text, s["cell"]) for text in head]]
    for theme in summary["themes"].values():
        evidence = "\n".join(
            (h["theme_page"].format(page=e["page"]) + " " if e.get("page") else "")
            + str(e["quote"])
            for e in theme["evidence"]
        )
        rows.append(
            [
                paragraph(theme["name"], s["cell"]),
                paragraph(h["yes"] if theme["covered"] else h["no"], s["cell"]),
                paragraph(theme["sentences"], s["num"]),
                paragraph(evidence, s["cell"]),
            ]
        )
    widths = [0.22, 0.1, 0.08, 0.6]
    return [Spacer(1, 6), paragraph(heading, s["body"]), table(rows, [w * width for w in widths])]


def render_pdf(report: ReportModel) -> bytes:
    from reportlab.pdfgen import canvas as pdfcanvas
    from reportlab.platypus import Spacer

    s, h = _styles(), report.headings
    office = f"{report.care_office['name']} — {report.care_office['department']}"

    class NumberedCanvas(pdfcanvas.Canvas):
        """Writes 'Pagina X van Y' once the total is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            house_frame(
                self,
                office=office,
                title=report.title,
                contact=f"{report.care_office['mailbox']} — {report.care_office['phone']}",
                corner=report.headings["page"].format(page=self._pageNumber, pages=total),
            )

    out = io.BytesIO()
    doc, width = house_document(
        out, title=report.title, author=report.care_office["name"], subject=report.outcome
    )
    story: list[Any] = [
        paragraph(
            report.title + (f" ({h['internal']})" if report.audience == "staff" else ""), s["title"]
        ),
        paragraph(f"{h['kenmerk']}: {report.kenmerk}\n{h['date']}: {report.generated}", s["body"]),
        Spacer(1, 6),
        paragraph(report.outcome, s["outcome"]),
    ]
    if report.decision:
        story.append(paragraph(report.decision, s["body"]))
    if report.summary:
        story.append(paragraph(report.summary, s["body"]))
    story.append(Spacer(1, 4))
    meta = f"{h['received']} {report.received}"
    if report.sender:
        meta += f" van {report.sender}"
    if report.audience == "staff" and report.channel:
        meta += f" (kanaal: {report.channel})"
    story.append(paragraph(meta, s["body"]))
    for d in report.documents:
        story.extend(_document(d, report, s, width))
    story.append(paragraph(h["next"], s["h2"]))
    story.append(paragraph(report.next_step, s["body"]))
    story.append(Spacer(1, 8))
    story.append(paragraph(report.contact, s["body"]))
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()
