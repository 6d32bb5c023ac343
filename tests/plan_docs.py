"""Plans written for the tests as real documents: PDF by reportlab, Word by python-docx."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

SECTIONS_PER_PAGE = 3


def pdf_bytes(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF with a text layer, one list of paragraphs per page, wrapped as a writer would."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for number, paragraphs in enumerate(pages, start=1):
        y = 790
        for paragraph in paragraphs:
            for line in textwrap.wrap(paragraph, 95) or [""]:
                if y < 80:
                    c.showPage()
                    y = 790
                c.drawString(50, y, line)
                y -= 14
            y -= 8
        c.drawString(290, 40, str(number))
        c.showPage()
    c.save()
    return out.getvalue()


def docx_bytes(pages: Sequence[Sequence[str]], headings: set[str] = frozenset()) -> bytes:
    """A Word document with a page break between pages; headings as Word headings."""
    import docx

    document = docx.Document()
    for number, paragraphs in enumerate(pages):
        if number:
            document.add_page_break()
        for paragraph in paragraphs:
            if paragraph in headings:
                document.add_heading(paragraph, level=1)
            else:
                document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plan_pages(plan, replace: dict[str, str] | None = None) -> list[list[str]]:
    """The plan's title page, then its sections a few to a page."""
    swap = replace or {}

    def fix(text: str) -> str:
        for old, new in swap.items():
            text = text.replace(old, new)
        return text

    pages = [[fix(t) for t in plan.title]]
    for start in range(0, len(plan.sections), SECTIONS_PER_PAGE):
        page: list[str] = []
        for section in plan.sections[start : start + SECTIONS_PER_PAGE]:
            page.append(fix(section.heading))
            page += [fix(text) for _, text in section.paragraphs]
        pages.append(page)
    return pages


def plan_pdf(plan, replace: dict[str, str] | None = None) -> bytes:
    return pdf_bytes(plan_pages(plan, replace))


def plan_docx(plan, replace: dict[str, str] | None = None) -> bytes:
    headings = {s.heading for s in plan.sections}
    return docx_bytes(plan_pages(plan, replace), headings)
