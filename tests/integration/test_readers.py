"""The fast XML reader and the direct check engine give exactly what openpyxl and
pandera give, on every fixture and on Excel-style shared formulas."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from intake.domain import Submission
from intake.extract import fastxml, openpyxl_reader
from intake.extract.container import ContainerError, read_parts
from intake.extract.workbook import WorkbookReadError
from intake.judging.pipeline import Context, judge_many
from tests.manifest import SUBMISSIONS, cases, received

CASES = cases()
WORKBOOKS = [c["file"] for c in CASES if c["file"].endswith(".xlsx")]


def _both(data: bytes, ctx: Context):
    wanted = ctx.family.cells_to_read()
    results = []
    for reader in ("fastxml", "openpyxl"):
        try:
            if reader == "fastxml":
                ir = fastxml.read_workbook(data, wanted, ["ModelVersie"], ctx.limits)
            else:
                read_parts(data, ctx.limits, count_cells=True)
                ir = openpyxl_reader.read_workbook(data, wanted, ["ModelVersie"])
            results.append((ir.sheets, ir.hidden_sheets, ir.cells, ir.properties))
        except (ContainerError, WorkbookReadError) as exc:
            results.append(type(exc).__name__)
    return results


@pytest.mark.parametrize("name", WORKBOOKS)
def test_fast_reader_reads_what_openpyxl_reads(name, bare_ctx):
    fast, reference = _both((SUBMISSIONS / name).read_bytes(), bare_ctx)
    assert fast == reference


def test_shared_formulas_as_excel_writes_them(bare_ctx):
    """Excel stores a filled-down column once, on its first cell, and refers to it."""
    from fixtures.generate import patch_part, sheet_part

    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()

    def share(xml: bytes) -> bytes:
        for row in range(7, 15):
            head = (
                b'<f t="shared" ref="D7:D14" si="0">C7-B7</f>'
                if row == 7
                else b'<f t="shared" si="0"/>'
            )
            xml, count = re.subn(rb'(<c r="D%d"[^>]*>)<f[^>]*>[^<]*</f>' % row, rb"\1" + head, xml)
            assert count == 1
        return xml

    shared = patch_part(data, sheet_part(data, "2. Personeel"), share)
    fast, reference = _both(shared, bare_ctx)
    assert fast == reference
    cells = fast[2]
    assert cells[("2. Personeel", "D12")].formula == "C12-B12"
    verdicts = judge_many([Submission("x.xlsx", shared, received(CASES[0]))], bare_ctx)
    assert verdicts[0].codes == ["ADVANCE_LATER"]  # received 20-11-2019


@pytest.mark.parametrize("batched", [True, False])
def test_both_readers_and_every_batch_size_give_identical_verdicts(batched, ctx):
    subs = [
        Submission(c["file"], (SUBMISSIONS / c["file"]).read_bytes(), received(c)) for c in CASES
    ]
    reference = [v.to_json() for v in judge_many(subs, ctx)]
    reference_reader = replace(ctx, reader="openpyxl")
    if batched:
        other = [v.to_json() for v in judge_many(subs, reference_reader)]
    else:
        other = [judge_many([s], reference_reader)[0].to_json() for s in subs]
    for a, b in zip(reference, other, strict=True):
        a["signals"].get("detection", {}).pop("reader", None)
        b["signals"].get("detection", {}).pop("reader", None)
        assert a == b, a["file"]


def test_iso_date_cells_read_like_openpyxl(bare_ctx):
    """Excel can store a date as <c t="d"><v>2019-11-25T00:00:00</v></c>."""
    from fixtures.generate import patch_part, sheet_part

    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()

    def iso(xml: bytes) -> bytes:
        new, count = re.subn(
            rb'<c r="C19"([^>]*?) t="n"([^>]*)><v>[^<]*</v>',
            rb'<c r="C19"\1 t="d"\2><v>2019-11-25T00:00:00</v>',
            xml,
        )
        assert count == 1
        return new

    changed = patch_part(data, sheet_part(data, "4. Kwaliteitsbudget"), iso)
    fast, reference = _both(changed, bare_ctx)
    assert fast == reference
    assert str(fast[2][("4. Kwaliteitsbudget", "C19")].value) == "2019-11-25"
