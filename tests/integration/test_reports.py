"""Reports as providers and staff read them: content, confidentiality, escaping."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime

import pypdf
import pytest
from lxml import etree

from fixtures.samples import BASE_VALUES, GEN, fill_template
from intake.domain import Submission
from intake.judging.pipeline import judge
from intake.report.audience import sender_registered
from intake.report.html import render_html, render_text
from intake.report.model import build
from intake.report.pdf import render_pdf
from tests.manifest import FIXTURES, REGISTER_CSV, SUBMISSIONS, cases, received

BY_FILE = {c["file"]: c for c in cases()}


def _verdict(name, ctx, **overrides):
    case = {**BY_FILE[name], **overrides}
    return judge(Submission(name, (SUBMISSIONS / name).read_bytes(), received(case)), ctx)


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _report(verdict, ctx, **kw):
    return build([verdict], ctx.rules, ctx.family, **kw)


def test_rejection_report_names_sheet_cell_problem_and_next_step(ctx):
    verdict = _verdict("loonkosten-tekst.xlsx", ctx)
    model = _report(verdict, ctx, now=datetime(2019, 11, 20, tzinfo=UTC))
    for text in (render_html(model), _pdf_text(render_pdf(model)), render_text(model)):
        assert "nog niet in orde" in text
        assert "2. Personeel" in text and "E9" in text
        assert "vijftigduizend" in text
        assert "31-12-2019" in text  # the deadline in the next step
        assert "zorginkoop.wlz@zorgenzekerheid.nl" in text


def test_old_model_report_shows_both_calculations_and_the_difference(ctx):
    model = _report(_verdict("sept2019-voor-8-november.xlsx", ctx), ctx)
    html = render_html(model)
    pdf = _pdf_text(render_pdf(model))
    for text in (html, pdf):
        assert "€ 914.000,00" in text  # requested by the old formula
        assert "€ 1.138.000,00" in text  # requested by the corrected formula
        assert "€ 224.000,00" in text  # the difference
        assert "88,5%" in text and "90,8%" in text
    assert "Pagina 1 van 1" in pdf


def test_unregistered_sender_report_leaks_no_figures(ctx, register):
    verdict = _verdict("gereserveerd-wijkt-af.xlsx", ctx)
    assert not sender_registered([verdict], register, "onbekend@gmail.com")
    model = _report(verdict, ctx, sender="onbekend@gmail.com", sender_registered=False)
    for text in (render_html(model), _pdf_text(render_pdf(model)), render_text(model)):
        assert "€" not in text
        for secret in ("1.250.000", "1.200.000", "1.138.000", "73730123", "Zorggroep Rijnland"):
            assert secret not in text
        assert "ontvangen" in text.lower()
    staff = render_html(_report(verdict, ctx, audience="staff", sender="onbekend@gmail.com"))
    assert "€ 1.250.000,00" in staff and "73730123" in staff


def test_registered_sender_gets_figures(ctx, register):
    verdict = _verdict("geldig-nov2019.xlsx", ctx)
    assert sender_registered([verdict], register, "j.devries@zorggroeprijnland.nl")
    assert sender_registered([verdict], register, "controller@zorggroeprijnland.nl")  # by domain
    assert not sender_registered([verdict], None, "j.devries@zorggroeprijnland.nl")


def test_staff_report_has_signals_hash_evidence_and_register_entry(ctx):
    verdict = _verdict("loonkosten-tekst.xlsx", ctx)
    html = render_html(_report(verdict, ctx, audience="staff", channel="mail"))
    assert verdict.sha256 in html
    assert "version_by_formulas" in html
    assert "VALUE_NOT_NUMERIC" in html and "value = vijftigduizend" in html
    assert "@zorggroeprijnland.nl" in html  # the register entry used


def test_html_is_well_formed_and_escapes_provider_input(ctx):
    hostile = '<script>alert("x")</script> & Zonen'
    data = fill_template(
        FIXTURES / "templates" / "kwaliteitsbudget-2020-nov2019.xlsx",
        {**BASE_VALUES, f"{GEN}!C4": hostile},
    )
    verdict = judge(Submission("naam.xlsx", data, received(BY_FILE["geldig-nov2019.xlsx"])), ctx)
    assert "PROVIDER_NAME_MISMATCH" in verdict.codes
    for audience in ("provider", "staff"):
        html = render_html(_report(verdict, ctx, audience=audience))
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        etree.fromstring(html.replace("<!DOCTYPE html>", "").encode())  # well-formed
        assert "<script>alert" in _pdf_text(render_pdf(_report(verdict, ctx, audience=audience)))


@pytest.mark.parametrize("name", ["rij-ingevoegd.xlsx", "kwaliteitsplan-2020.pdf", "zip-bom.xlsx"])
def test_every_kind_of_verdict_renders(name, ctx):
    model = _report(_verdict(name, ctx), ctx)
    assert render_pdf(model).startswith(b"%PDF")
    assert name in render_html(model)


def test_report_command_writes_three_files_per_input(tmp_path):
    files = [SUBMISSIONS / "geldig-nov2019.xlsx", SUBMISSIONS / "keuze-ongeldig.xlsx"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "intake",
            "report",
            *map(str, files),
            "--out",
            str(tmp_path),
            "--register",
            str(REGISTER_CSV),
            "--received",
            "2019-11-20",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # one of them is rejected
    for f in files:
        for suffix in (".html", ".pdf", ".verdict.json"):
            assert (tmp_path / f"{f.name}{suffix}").stat().st_size > 0
    data = json.loads((tmp_path / "keuze-ongeldig.xlsx.verdict.json").read_text())
    assert data["status"] == "rejected" and data["file"] == "keuze-ongeldig.xlsx"
