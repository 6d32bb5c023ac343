"""Strict Open XML: Excel's "Strict Open XML-spreadsheet" is an .xlsx like any other.

Every workbook fixture is rewritten to its Strict twin (`fixtures.strict`, namespaces
and relationship types under purl.oclc.org) and must get the verdict of the original,
with both readers; Strict workbooks from other libraries' test suites are read and
found not to be the model; what cannot be read is named in a controller's words.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from fixtures import hostile
from fixtures.strict import to_strict
from intake.detect.filetype import FileType, sniff
from intake.domain import Submission
from intake.judging.pipeline import judge, judge_many
from tests.manifest import SUBMISSIONS, cases, received

CORPUS = SUBMISSIONS.parent / "corpora" / "external"
STRICT_CORPUS = [
    "calamine__strict_iso_paths.xlsx",
    "poi__spreadsheet__SampleSS.strict.xlsx",
    "poi__spreadsheet__SimpleStrict.xlsx",
    "poi__spreadsheet__sample.strict.xlsx",
    "sheetjs__sheet_visibility_strict.xlsx",
]
# The fixtures that are workbooks (the model, or another workbook); the broken, encrypted
# and hostile ones stay what they are in any conformance class.
WORKBOOKS = [
    c
    for c in cases()
    if c["file"].endswith(".xlsx")
    and (c["document"] == "aanvraag" or "TEMPLATE_UNKNOWN" in c["codes"])
]
NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC)


def _comparable(verdict) -> dict:
    """What a provider and staff see of a verdict, minus what differs by the bytes."""
    data = verdict.to_json()
    for key in ("sha256", "size"):
        data.pop(key, None)
    data["signals"].pop("file_type", None)
    data["signals"].get("detection", {}).pop("reader", None)
    return data


@pytest.mark.parametrize("reader", ["fastxml", "openpyxl"])
def test_every_workbook_fixture_saved_as_strict_gets_the_verdict_of_the_original(ctx, reader):
    context = replace(ctx, reader=reader)
    originals, twins = [], []
    for case in WORKBOOKS:
        content = (SUBMISSIONS / case["file"]).read_bytes()
        originals.append(Submission(case["file"], content, received(case)))
        twins.append(Submission(case["file"], to_strict(content), received(case)))
    assert len(twins) > 30
    strict_kinds = {sniff(s.content, s.filename).type for s in twins}
    assert strict_kinds == {FileType.XLSX_STRICT}
    judged = judge_many(originals, context)
    assert {v.document.value for v in judged} >= {"aanvraag"}
    for original, twin in zip(judged, judge_many(twins, context), strict=True):
        assert _comparable(twin) == _comparable(original), original.file


@pytest.mark.parametrize("name", STRICT_CORPUS)
@pytest.mark.parametrize("reader", ["fastxml", "openpyxl"])
def test_strict_workbooks_of_other_libraries_are_read_and_are_not_the_model(ctx, name, reader):
    content = (CORPUS / name).read_bytes()
    verdict = judge(Submission(name, content, NOV_20), replace(ctx, reader=reader))
    assert [f.code for f in verdict.findings] == ["TEMPLATE_UNKNOWN"]
    assert verdict.signals["detection"]["sheets"]  # its sheets were read, not an empty picture


@pytest.mark.parametrize("reader", ["fastxml", "openpyxl"])
def test_a_strict_part_neither_reader_understands_says_how_to_save_the_workbook(ctx, reader):
    def broken_styles(name: str, data: bytes) -> bytes:
        if name != "xl/styles.xml":
            return data
        return data.replace(b"<cellXfs", b"<cellXfs><xf numFmtId='geen getal'/></cellXfs><x")

    content = hostile.rewrite(hostile.strict(), broken_styles)
    verdict = judge(Submission("model.xlsx", content, NOV_20), replace(ctx, reader=reader))
    assert [f.code for f in verdict.findings] == ["FILE_UNREADABLE"]
    message = verdict.findings[0].message
    assert "'Strict Open XML-spreadsheet'" in message and "'Excel-werkmap (*.xlsx)'" in message


@pytest.mark.parametrize("reader", ["fastxml", "openpyxl"])
def test_a_damaged_tab_is_named_by_both_readers(ctx, reader):
    from fixtures.generate import patch_part, sheet_part

    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    damaged = patch_part(data, sheet_part(data, "2. Personeel"), lambda xml: xml[: len(xml) // 2])
    verdict = judge(Submission("model.xlsx", damaged, NOV_20), replace(ctx, reader=reader))
    assert [f.code for f in verdict.findings] == ["FILE_UNREADABLE"]
    assert "het tabblad '2. Personeel' is beschadigd" in verdict.findings[0].message
