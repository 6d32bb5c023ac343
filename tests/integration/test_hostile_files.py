"""Crafted attacks get a finding, never a hang, a traceback or a blow-up; odd but valid
OOXML is read exactly as the plain file, by both readers."""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fixtures import hostile
from intake.campaign.reasons import reason as reason_of
from intake.channels.unpack import DocumentBudget, unpack
from intake.detect.filetype import FileType, sniff
from intake.domain import Submission
from intake.extract import fastxml
from intake.extract.container import ContainerError, Limits, read_parts
from intake.judging.pipeline import Context, judge

RECEIVED = datetime(2019, 11, 20, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))
GENERAL = "1. Algemene gegevens"
STAFF = "2. Personeel"


def _judge(name: str, data: bytes, ctx: Context, reader: str = "fastxml"):
    context = ctx if reader == ctx.reader else replace(ctx, reader=reader)
    return judge(Submission(name, data, RECEIVED), context)


def _codes(verdict) -> list[str]:
    return [f.code for f in verdict.findings]


def test_sniffing_reads_only_the_head_of_a_mimetype_bomb():
    bomb = hostile.mimetype_bomb(100_000_000)
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    kind = sniff(bomb, "rekenblad.ods").type
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert kind is FileType.ZIP
    assert peak < 5_000_000  # 100 MB inflated would show here


def test_a_bomb_part_in_a_workbook_is_too_large(ctx):
    verdict = _judge("model.xlsx", hostile.workbook_with_bomb_part(100_000_000), ctx)
    assert _codes(verdict) == ["FILE_TOO_LARGE"]


def test_a_part_is_inflated_in_chunks_and_never_past_its_limit():
    bomb = hostile.lying_bomb(100_000_000)  # the zip directory says 1 KB
    limits = Limits(25_000_000, 60_000_000, 200_000, max_part_bytes=10_000_000)
    tracemalloc.start()
    with pytest.raises(ContainerError) as info:
        read_parts(bomb, limits)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.value.code == "FILE_TOO_LARGE" and "bom.bin" in reason_of(info.value)
    assert peak < 40_000_000


@pytest.mark.parametrize(
    "make", [hostile.unclosed_shared_strings, hostile.unclosed_rows], ids=["strings", "rows"]
)
def test_unclosed_xml_is_unreadable_not_slow(make, ctx):
    data = make()
    assert len(data) < 40_000
    for reader in ("fastxml", "openpyxl"):
        assert _codes(_judge("model.xlsx", data, ctx, reader)) == ["FILE_UNREADABLE"]


def test_unclosed_word_text_is_unreadable(ctx):
    data = hostile.docx_unclosed_text()
    assert _codes(_judge("kwaliteitsplan.docx", data, ctx)) == ["FILE_UNREADABLE"]


def test_a_blank_word_document_is_empty_not_a_scan(ctx):
    verdict = _judge("kwaliteitsplan-2020.docx", hostile.docx_blank(), ctx)
    assert _codes(verdict) == ["PLAN_EMPTY"]


def test_word_text_is_read_per_page(ctx):
    from intake.extract.plan import docx_text

    extracted = docx_text(hostile.docx_text("Kwaliteitsplan 2020\nZorggroep"), ctx.limits)
    assert extracted.plan.text.split() == ["Kwaliteitsplan", "2020", "Zorggroep"]
    assert extracted.plan.page_texts == (extracted.plan.text,)


def test_cells_hidden_in_comments_and_instructions_are_not_read(ctx):
    data = hostile.hidden_in_comment(GENERAL, "C4", "Verborgen Zorg BV")
    for reader in ("fastxml", "openpyxl"):
        verdict = _judge("model.xlsx", data, ctx, reader)
        missing = [f for f in verdict.findings if f.code == "REQUIRED_MISSING"]
        assert [f.location for f in missing] == ["'1. Algemene gegevens'!C4"], reader
        assert verdict.status.value == "rejected"


@pytest.mark.parametrize(
    "make",
    [
        hostile.without_r,
        hostile.prefixed,
        hostile.backslashes_and_case,
        hostile.parts_outside_xl,
    ],
    ids=["no-r", "prefixed", "backslashes", "outside-xl"],
)
@pytest.mark.parametrize("reader", ["fastxml", "openpyxl"])
def test_valid_variants_read_as_the_plain_workbook(make, reader, ctx):
    plain = _judge("model.xlsx", hostile.valid(), ctx)
    variant = _judge("model.xlsx", make(), ctx, reader)
    assert plain.status.value == "accepted"
    assert (variant.status, _codes(variant), variant.figures) == (
        plain.status,
        _codes(plain),
        plain.figures,
    )


def test_variants_give_the_same_cells_as_the_plain_workbook(ctx):
    wanted = ctx.family.cells_to_read()
    plain = fastxml.read_workbook(hostile.valid(), wanted, ["ModelVersie"], ctx.limits)
    for make in (hostile.without_r, hostile.prefixed, hostile.parts_outside_xl):
        ir = fastxml.read_workbook(make(), wanted, ["ModelVersie"], ctx.limits)
        assert ir.cells == plain.cells, make.__name__
        assert ir.sheets == plain.sheets


def test_strict_ooxml_is_read_like_the_workbook_it_was_saved_from(ctx):
    plain = _judge("model.xlsx", hostile.valid(), ctx)
    for make in (hostile.strict, hostile.half_strict):
        verdict = _judge("model.xlsx", make(), ctx)
        assert _codes(verdict) == _codes(plain), make.__name__
        assert verdict.figures == plain.figures


def test_an_infinite_wage_is_not_numeric_and_json_stays_json(ctx):
    verdict = _judge("model.xlsx", hostile.with_cell_value(STAFF, "E9", "1e999"), ctx)
    codes = _codes(verdict)
    assert "VALUE_NOT_NUMERIC" in codes and "AMOUNT_NEGATIVE" not in codes
    json.dumps(verdict.to_json(), allow_nan=False, default=str)


def test_a_nan_wage_is_not_numeric_not_negative(ctx):
    verdict = _judge("model.xlsx", hostile.with_cell_value(STAFF, "E9", "NaN"), ctx)
    wage = [f for f in verdict.findings if f.location == "'2. Personeel'!E9"]
    assert [f.code for f in wage] == ["VALUE_NOT_NUMERIC"]
    json.dumps(verdict.to_json(), allow_nan=False, default=str)


def test_a_huge_wage_goes_to_review_and_json_stays_json(ctx):
    verdict = _judge("model.xlsx", hostile.with_cell_value(STAFF, "E9", "1e308"), ctx)
    assert "AMOUNT_IMPLAUSIBLE" in _codes(verdict)
    assert any(f.location == "'2. Personeel'!E9" for f in verdict.findings)
    json.dumps(verdict.to_json(), allow_nan=False, default=str)


def test_nested_zips_are_opened_within_the_budget(ctx):
    model, plan = hostile.valid(), hostile.docx_text("Kwaliteitsplan 2020")
    twice = hostile.nested_zip(2, [("model.xlsx", model), ("plan.docx", plan)])
    found = unpack("stukken.zip", twice, DocumentBudget.from_rules(ctx.rules.mailbox), ctx.limits)
    assert [name.rsplit("/", 1)[-1] for name, _ in found] == ["model.xlsx", "plan.docx"]
    assert found[0][1] == model


def test_zips_deeper_than_the_limit_stay_one_document(ctx):
    deep = hostile.nested_zip(4, [("model.xlsx", hostile.valid())])
    found = unpack("stukken.zip", deep, DocumentBudget.from_rules(ctx.rules.mailbox), ctx.limits)
    assert len(found) == 1 and found[0][0].endswith(".zip")


def test_the_budget_stops_a_mail_with_too_many_documents(ctx):
    many = hostile.nested_zip(1, [(f"model-{i}.xlsx", hostile.valid()) for i in range(30)])
    budget = DocumentBudget(max_documents=20, max_bytes=10**9)
    found = unpack("stukken.zip", many, budget, ctx.limits)
    assert len(found) == 20 and len(budget.refused) == 10 and budget.exhausted
    small = DocumentBudget(max_documents=100, max_bytes=3 * len(hostile.valid()))
    assert len(unpack("stukken.zip", many, small, ctx.limits)) == 3


def test_every_format_is_named_in_natural_dutch(ctx):
    from pathlib import Path

    from intake.campaign.rulecheck import FILE_TYPES
    from intake.judging.pipeline import format_name

    assert set(FILE_TYPES) == {kind.value for kind in FileType}
    root = Path(__file__).resolve().parents[2]
    xlsb = (root / "fixtures/corpora/external/calamine__any_sheets.xlsb").read_bytes()
    verdict = _judge("begroting.xlsb", xlsb, ctx)
    assert _codes(verdict) == ["FILE_FORMAT_UNSUPPORTED"]
    assert "'begroting.xlsb' is een binaire Excel-werkmap (.xlsb). Stuur" in (
        verdict.findings[0].message
    )
    mismatch = _judge("plan.pdf", hostile.docx_text("Kwaliteitsplan 2020"), ctx)
    [named] = [f for f in mismatch.findings if f.code == "EXTENSION_MISMATCH"]
    assert "maar is een Word-bestand (.docx). Wij" in named.message
    for kind in FileType:
        name = format_name(ctx.rules, kind)
        assert name.startswith("een ") and not name.endswith("-bestand-"), name
        message = ctx.rules.finding("FILE_FORMAT_UNSUPPORTED", file="x", format=name).message
        assert f"is {name}." in message and ")-bestand" not in message, message


CORPUS = hostile.SUBMISSIONS.parent / "corpora" / "external"


@pytest.mark.parametrize("name", ["many_text_runs", "pages_sharing_one_stream"])
def test_crafted_pdfs_are_read_in_full_within_the_limits(name, ctx):
    from fixtures import hostile_pdf
    from intake.extract.plan import PlanLimits, pdf_text
    from intake.extract.worker import run_limited

    content = getattr(hostile_pdf, name)()
    limits = PlanLimits.from_rules(ctx.rules.limits)
    extracted = run_limited(
        pdf_text, (content, limits.max_pages), seconds=limits.seconds, memory=limits.memory_bytes
    )
    expected = hostile_pdf.expected_text(name)
    assert extracted.plan.pages == len(expected)
    for page, (read, written) in enumerate(zip(extracted.plan.page_texts, expected, strict=True)):
        assert "".join(read.split()) == "".join(written.split()), f"page {page + 1}"
    verdict = _judge(f"{name}.pdf", content, ctx)
    assert "FILE_UNREADABLE" not in _codes(verdict)
    assert verdict.signals["plan"]["pages"] == len(expected)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("poi__spreadsheet__password.xls", "FILE_ENCRYPTED"),
        ("sheetjs__biff5__password_2002_40_xor.xls", "FILE_ENCRYPTED"),
        ("poi__document__PasswordProtected.doc", "FILE_ENCRYPTED"),
        ("poi__document__password_tika_binaryrc4.doc", "FILE_ENCRYPTED"),
        ("calamine__any_sheets.xls", "FILE_FORMAT_UNSUPPORTED"),
        ("poi__document__Bug44603.doc", "FILE_FORMAT_UNSUPPORTED"),
    ],
)
def test_a_legacy_office_file_with_a_password_is_named_encrypted(ctx, name, code):
    verdict = _judge(name, (CORPUS / name).read_bytes(), ctx)
    assert _codes(verdict) == [code]


def test_a_zip_with_an_encrypted_member_is_named_encrypted(ctx):
    import io
    import zipfile

    model = hostile.valid()
    locked = hostile.encrypted_zip([("aanvraag.xlsx", model)])
    with zipfile.ZipFile(io.BytesIO(locked)) as archive:  # a real password, not a flag
        assert archive.read("aanvraag.xlsx", pwd=b"geheim") == model
    assert _codes(_judge("stukken.zip", locked, ctx)) == ["FILE_ENCRYPTED"]
    # In a mail or the folder the zip is unpacked: a locked member keeps the zip whole,
    # and the zip is judged as encrypted, not as "a zip file".
    found = unpack("stukken.zip", locked, DocumentBudget(10, 10_000_000), ctx.limits)
    assert [name for name, _ in found] == ["stukken.zip"]
    plain = hostile.nested_zip(1, [("aanvraag.xlsx", model)])
    assert _codes(_judge("stukken.zip", plain, ctx)) == ["FILE_FORMAT_UNSUPPORTED"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("pypdf__encryption__r6-user-password.pdf", "FILE_ENCRYPTED"),
        ("pdfminer__encryption__aes-256.pdf", "FILE_ENCRYPTED"),
        ("pypdf__encryption__r6-owner-password.pdf", "DOCUMENT_UNKNOWN"),
    ],
)
def test_a_pdf_that_needs_a_password_is_named_encrypted(name, code, ctx):
    assert _codes(_judge(name, (CORPUS / name).read_bytes(), ctx))[0] == code
