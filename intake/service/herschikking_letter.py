"""A provider's herschikking letter: its figures, the formula in words and the calendar.

In the house style of the intake's letters (the same header, colours and page
footer), as HTML for the desk and mail and as PDF. Every sentence comes from the
`[letter]` table of the herschikking's rules file.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from intake.campaign.herschikking import LETTER_CALENDAR
from intake.domain import clock, fmt
from intake.domain.herschikking import Share
from intake.report.html import environment

if TYPE_CHECKING:
    from intake.service.herschikking import Herschikking


def rate_text(rate: Decimal, decimals: int) -> str:
    """The discount rate as a Dutch percentage with every decimal that was used: 3,125%."""
    text = format(rate * 100, f".{max(decimals - 2, 0)}f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _euro(value: Decimal) -> str:
    return fmt.euro(float(value))


# The calendar's lines: the sentence and the date it names. A letter made after a date
# says so (`<sentence>_past`): it never asks for something "uiterlijk" a day gone by.
_CALENDAR = tuple(
    zip(
        LETTER_CALENDAR,
        (
            "agreement_sent",
            "portal_opens",
            "provider_herschikking",
            "provider_budget_2021",
            "office_herschikking",
        ),
        strict=True,
    )
)
_PROVIDER_DEADLINES = ("provider_herschikking", "provider_budget_2021")


def letter_model(result: Herschikking, share: Share, today: date | None = None) -> dict[str, Any]:
    """Everything the letter says, as text: the HTML and the PDF show the same."""
    rules = result.rules
    calendar = rules.calendar
    rate = rate_text(share.discount_rate, rules.rate_decimals)
    reference = result.kenmerk(share.agb)
    figures = [
        (rules.text("figure_declared"), _euro(share.declared)),
        (
            rules.text("figure_extrapolated", declared=_euro(share.declared)),
            _euro(share.extrapolated),
        ),
    ]
    if share.discount_rate:
        figures.append((rules.text("figure_discount", rate=rate), "- " + _euro(share.discount)))
    figures += [
        (rules.text("figure_lost_revenue"), _euro(share.lost_revenue)),
        (rules.text("figure_custom"), _euro(share.custom)),
        (rules.text("figure_total"), _euro(share.total)),
    ]
    today = today or clock.now(ZoneInfo(rules.timezone)).date()
    dates = [
        (rules.text(key if calendar[moment] >= today else f"{key}_past"), fmt.day(calendar[moment]))
        for key, moment in _CALENDAR
    ]
    late = any(calendar[moment] < today for moment in _PROVIDER_DEADLINES)
    return {
        "title": rules.text("title"),
        "office": rules.care_office,
        "kenmerk": reference,
        "date": fmt.day(today),
        "naam": share.naam,
        "agb": share.agb,
        "heading_kenmerk": rules.text("heading_kenmerk"),
        "heading_date": rules.text("heading_date"),
        "heading_provider": rules.text("heading_provider"),
        "provider_line": rules.text("provider_line", naam=share.naam, agb=share.agb),
        "phone_label": rules.text("phone_label"),
        "footer_kenmerk": rules.text("footer_kenmerk", kenmerk=reference),
        "salutation": rules.text("salutation"),
        "intro": rules.text("intro", naam=share.naam, agb=share.agb),
        "figures_heading": rules.text("figures_heading"),
        "figures": figures,
        "formula": rules.text("formula"),
        "discount": rules.text("discount", rate=rate)
        if share.discount_rate
        else rules.text("no_discount"),
        "rounding": rules.text("rounding"),
        "calendar_heading": rules.text("calendar_heading"),
        "calendar": dates,
        "calendar_late": rules.text("calendar_late", kenmerk=reference) if late else "",
        "closing": rules.text("closing", kenmerk=reference),
        "signature": rules.text("signature"),
    }


def render_letter_html(result: Herschikking, share: Share) -> str:
    model = letter_model(result, share)
    return environment(True).get_template("herschikking.html").render(m=model)


def render_letter_text(result: Herschikking, share: Share) -> str:
    """The plain-text part of the mail: the same sentences and figures as the HTML."""
    model = letter_model(result, share)
    return environment(False).get_template("herschikking.txt").render(m=model)


def render_letter_pdf(result: Herschikking, share: Share) -> bytes:
    """A4, the intake's brand bar and footer, the figures and the calendar as tables."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Spacer

    from intake.report.pdf import BRAND, house_document, house_frame, paragraph, table

    m = letter_model(result, share)
    office = m["office"]
    base = getSampleStyleSheet()
    body = ParagraphStyle("b", parent=base["BodyText"], fontSize=9.5, leading=13)
    cell = ParagraphStyle("c", parent=body, fontSize=8.5, leading=10.5)
    num = ParagraphStyle("n", parent=cell, alignment=2)
    h2 = ParagraphStyle(
        "h2", parent=base["Heading2"], fontSize=12, textColor=colors.HexColor(BRAND)
    )
    title = ParagraphStyle("t", parent=base["Title"], fontSize=15, alignment=0)

    p = paragraph

    def decorate(canvas: Any, doc: Any) -> None:
        house_frame(
            canvas,
            office=f"{office['name']} — {office['department']}",
            title=m["title"],
            contact=f"{office['mailbox']} — {office['phone']}",
            corner=m["footer_kenmerk"],
        )

    out = io.BytesIO()
    doc, width = house_document(out, title=m["title"], author=office["name"])
    story: list[Any] = [
        p(m["title"], title),
        p(f"{m['heading_kenmerk']}: {m['kenmerk']}\n{m['heading_date']}: {m['date']}", body),
        p(m["provider_line"], body),
        Spacer(1, 8),
        p(m["salutation"], body),
        p(m["intro"], body),
        p(m["figures_heading"], h2),
        table(
            [[p(label, cell), p(amount, num)] for label, amount in m["figures"]],
            [0.7 * width, 0.3 * width],
        ),
        Spacer(1, 6),
        p(m["formula"], body),
        p(m["discount"], body),
        p(m["rounding"], body),
    ]
    story += [
        p(m["calendar_heading"], h2),
        table(
            [[p(label, cell), p(day, num)] for label, day in m["calendar"]],
            [0.75 * width, 0.25 * width],
        ),
        *([Spacer(1, 4), p(m["calendar_late"], body)] if m["calendar_late"] else []),
        Spacer(1, 8),
        p(m["closing"], body),
        Spacer(1, 6),
        p(f"{m['signature']}\n{office['name']}, {office['department']}", body),
    ]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
