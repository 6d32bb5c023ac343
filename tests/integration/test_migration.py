"""Old-model workbooks carried over to the published corrected model."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest

from intake.domain import Submission
from intake.judging.pipeline import judge
from intake.service.migration import MigrationRefused, blank, migrate
from tests.integration.servers import require
from tests.manifest import SUBMISSIONS

OLD = ["sept2019-voor-8-november.xlsx", "lo-getypt-sept2019.xlsx"]
ON_TIME = datetime(2019, 11, 20, 12, tzinfo=UTC)
SHEETS = re.compile(r"xl/worksheets/sheet\d+\.xml")


def _migrated(name, ctx):
    return migrate((SUBMISSIONS / name).read_bytes(), name, ctx)


@pytest.mark.parametrize("name", OLD)
def test_migrated_workbook_is_the_corrected_model_and_accepted(name, ctx):
    migrated = _migrated(name, ctx)
    verdict = judge(Submission(migrated.filename, migrated.content, ON_TIME), ctx)
    assert verdict.template_version == "nov2019"
    assert verdict.status.value == "accepted", verdict.codes
    # cached totals agree with the recomputation: no TOTAL_MISMATCH (ADVANCE_LATER: 20-11)
    assert verdict.codes == ["ADVANCE_LATER"]
    old = judge(Submission(name, (SUBMISSIONS / name).read_bytes(), ON_TIME), ctx)
    assert verdict.figures["workbook"]["requested"] == old.figures["corrected"]["requested"]


def test_everything_but_the_cells_stays_as_published(ctx):
    migrated = _migrated("sept2019-voor-8-november.xlsx", ctx)
    published = zipfile.ZipFile(io.BytesIO(blank(ctx.family, "nov2019")))
    ours = zipfile.ZipFile(io.BytesIO(migrated.content))
    assert published.namelist() == ours.namelist()
    for name in published.namelist():
        if not SHEETS.fullmatch(name):
            assert published.read(name) == ours.read(name), name  # styles, properties, lists
    wb = openpyxl.load_workbook(io.BytesIO(migrated.content))
    assert wb["Lijsten"].sheet_state == "hidden"
    assert all(wb[s].protection.sheet for s in ("2. Personeel", "4. Kwaliteitsbudget"))
    assert wb["2. Personeel"]["F15"].value == "=SUM(F7:F14)"
    assert len(wb["1. Algemene gegevens"].data_validations.dataValidation) >= 1
    assert wb["1. Algemene gegevens"]["C5"].value == "73730123"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("formule-overschreven.xlsx", "FORMULA_OVERWRITTEN"),
        ("rij-ingevoegd.xlsx", "TEMPLATE_MODIFIED"),
        ("geldig-nov2019.xlsx", "NOT_OUTDATED"),
    ],
)
def test_unsafe_or_current_workbooks_get_no_copy(name, reason, ctx):
    with pytest.raises(MigrationRefused) as caught:
        _migrated(name, ctx)
    assert caught.value.reason == reason


def _without_cached_values(data: bytes) -> bytes:
    """The same workbook with every formula's cached result removed: LibreOffice must compute."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if SHEETS.fullmatch(info.filename):
                part = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", part)
            dst.writestr(info, part)
    return out.getvalue()


@pytest.mark.integration
@pytest.mark.parametrize("name", OLD)
def test_libreoffice_computes_the_same_requested_budget(name, ctx, tmp_path):
    require("soffice")
    migrated = _migrated(name, ctx)
    ours = migrated.figures["requested"]
    (tmp_path / "as-sent.xlsx").write_bytes(migrated.content)
    (tmp_path / "uncached.xlsx").write_bytes(_without_cached_values(migrated.content))
    subprocess.run(
        [
            require("soffice"),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "lo"),
            str(tmp_path / "as-sent.xlsx"),
            str(tmp_path / "uncached.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for saved in ("as-sent.xlsx", "uncached.xlsx"):
        wb = openpyxl.load_workbook(tmp_path / "lo" / saved, data_only=True)
        requested = wb["4. Kwaliteitsbudget"]["C10"].value
        assert round(requested * 100) == round(ours * 100), saved  # to the cent


def test_migrate_command_writes_copies_and_names_refusals(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "intake",
            "migrate",
            str(SUBMISSIONS / "sept2019-na-8-november.xlsx"),
            str(SUBMISSIONS / "formule-overschreven.xlsx"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "sept2019-na-8-november-nov2019.xlsx").exists()
    assert "formule-overschreven.xlsx: geen kopie (FORMULA_OVERWRITTEN)" in result.stdout
    assert not list(tmp_path.glob("formule-overschreven*"))
