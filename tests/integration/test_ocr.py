"""Scanned documents read by OCR with the real Tesseract (Dutch model) and pdftoppm.

The scanned plan is the Zorggroep Rijnland plan rendered to pictures and put back into a
PDF without text (`fixtures/scans.py`); it must read like the original: the same
document, provider, status, findings and themes, and staff see that it was read by OCR.
A scanned invoice of the same provider is not a plan.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import UTC, datetime

import pypdf
import pytest

from fixtures.scans import INVOICE, PLAN
from intake.domain import Submission
from intake.extract import ocr
from intake.judging.pipeline import judge
from intake.report.html import render_html
from intake.report.model import build
from intake.report.pdf import render_pdf
from tests.plan_docs import plan_pdf
from tests.plan_texts import RIJNLAND

NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    """Locally a missing Tesseract skips; under CI (INTAKE_REQUIRE_SERVERS) it fails."""
    if not ocr.available("nld"):
        why = "tesseract with its Dutch model is not installed (tesseract-ocr-nld)"
        if os.environ.get("INTAKE_REQUIRE_SERVERS"):
            pytest.fail(why)
        pytest.skip(why)


def _judge(ctx, name: str, content: bytes, **limits):
    if limits:
        rules = replace(ctx.rules, limits={**ctx.rules.limits, **limits})
        ctx = replace(ctx, rules=rules)
    return judge(Submission(name, content, NOV_20), ctx)


def _pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pages)


@pytest.fixture(scope="module")
def scanned(ctx):
    return _judge(ctx, "kwaliteitsplan-2020-gescand.pdf", PLAN.read_bytes())


@pytest.mark.slow
def test_a_scanned_plan_reads_like_its_original(ctx, scanned):
    original = _judge(ctx, "kwaliteitsplan-2020.pdf", plan_pdf(RIJNLAND))
    assert scanned.document == original.document
    assert scanned.provider == original.provider and scanned.provider.agb == "73730123"
    assert scanned.status == original.status
    assert scanned.codes == original.codes
    themes, reference = (v.signals["plan"]["themes"] for v in (scanned, original))
    assert themes["covered"] == reference["covered"] == themes["total"]
    read = scanned.signals["plan"]["ocr"]
    assert read["pages_read"] == read["pages_wanted"] == 5
    assert "ocr" not in original.signals["plan"]


@pytest.mark.slow
def test_staff_see_that_the_plan_was_read_by_ocr_the_provider_does_not(ctx, scanned):
    for audience, shown in (("staff", True), ("provider", False)):
        model = build([scanned], ctx.rules, ctx.family, audience=audience)
        for text in (render_html(model), _pdf_text(render_pdf(model))):
            assert ("Gelezen met OCR" in text) is shown, audience
    staff = render_html(build([scanned], ctx.rules, ctx.family, audience="staff"))
    assert "5 van 5 gescande pagina" in staff


def test_a_scanned_invoice_is_not_a_plan(ctx):
    verdict = _judge(ctx, "scan-20191115.pdf", INVOICE.read_bytes())
    assert verdict.document.value == "unknown"
    assert verdict.codes == ["DOCUMENT_UNKNOWN"]
    assert verdict.signals["plan"]["ocr"]["pages_read"] == 1


def test_ocr_stops_at_its_page_limit_and_says_so(ctx):
    verdict = _judge(ctx, "kwaliteitsplan.pdf", PLAN.read_bytes(), ocr_max_pages=1)
    read = verdict.signals["plan"]["ocr"]
    assert read["pages_read"] == 1 and read["pages_wanted"] == 5
    assert verdict.document.value == "kwaliteitsplan"  # the title page names it
    staff = render_html(build([verdict], ctx.rules, ctx.family, audience="staff"))
    assert "1 van 5 gescande pagina" in staff and "niet gelezen" in staff


def test_a_scan_past_the_time_limit_goes_to_a_person(ctx):
    verdict = _judge(ctx, "kwaliteitsplan.pdf", PLAN.read_bytes(), ocr_seconds=2.1)
    assert verdict.codes == ["PLAN_NO_TEXT"] and verdict.status.value == "review"
    assert verdict.signals["plan"]["ocr"]["pages_read"] == 0
    staff = render_html(build([verdict], ctx.rules, ctx.family, audience="staff"))
    assert "lezen met OCR lukte niet" in staff and "tijdgrens" in staff


def test_a_scan_without_recognisable_text_says_so_to_staff(ctx):
    from tests.manifest import SUBMISSIONS

    verdict = _judge(
        ctx, "kwaliteitsplan-scan.pdf", (SUBMISSIONS / "kwaliteitsplan-scan.pdf").read_bytes()
    )
    assert verdict.codes == ["PLAN_NO_TEXT"]
    staff = render_html(build([verdict], ctx.rules, ctx.family, audience="staff"))
    assert "lezen met OCR lukte niet (er is geen tekst herkend)" in staff
