"""The staff workbook holds formulas: LibreOffice recomputes every figure, to the cent."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from intake.campaign.herschikking import load_declarations, load_herschikking_rules
from intake.campaign.register import load_register
from intake.service.herschikking import compute, write_outputs
from tests.integration.servers import require
from tests.manifest import FIXTURES, REGISTER_CSV

DECLARATIONS = FIXTURES / "herschikking" / "declaraties-2020.csv"


def _recalculate(files: list[Path], tmp_path: Path) -> Path:
    outdir = tmp_path / "lo"
    subprocess.run(
        [
            require("soffice"),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return outdir


def _cents(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


@pytest.mark.integration
def test_libreoffice_recomputes_every_figure_of_the_json(tmp_path: Path):
    rules = load_herschikking_rules()
    result = compute(
        load_declarations(DECLARATIONS, rules),
        rules,
        Decimal("40000000.00"),
        load_register(REGISTER_CSV),
    )
    out = tmp_path / "uit"
    write_outputs(result, out)
    workbook = out / "herschikking-2020.xlsx"
    formulas = openpyxl.load_workbook(workbook)
    sheet = formulas[rules.workbook["sheet_providers"]]
    assert str(sheet["D2"].value).startswith("=ROUND(C2*")  # a formula, not a number
    assert str(sheet["H2"].value).startswith("=ROUND(D2*")
    # a copy without the budget: the rate and every discount must follow
    params = formulas[rules.workbook["sheet_parameters"]]
    params["B3"] = None
    formulas.save(tmp_path / "zonder-budget.xlsx")

    outdir = _recalculate([workbook, tmp_path / "zonder-budget.xlsx"], tmp_path)

    rows = json.loads((out / "herschikking-2020.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(outdir / "herschikking-2020.xlsx", data_only=True)
    ws = wb[rules.workbook["sheet_providers"]]
    for line, row in enumerate(rows, start=2):
        got = {
            "agb": ws[f"A{line}"].value,
            "declared": ws[f"C{line}"].value,
            "extrapolated": ws[f"D{line}"].value,
            "lost_revenue": ws[f"E{line}"].value,
            "custom": ws[f"F{line}"].value,
            "discount": ws[f"H{line}"].value,
            "total": ws[f"I{line}"].value,
        }
        assert got["agb"] == row["agb"]
        for key in ("declared", "extrapolated", "lost_revenue", "custom", "discount", "total"):
            assert _cents(got[key]) == _cents(row[key]), (row["agb"], key)
        assert ws[f"J{line}"].value == ("ja" if row["registered"] else "nee")
    p = wb[rules.workbook["sheet_parameters"]]
    assert Decimal(str(p["B7"].value)) == Decimal(str(rows[0]["discount_rate"]))
    assert _cents(p["B8"].value) == _cents(result.division.total)
    assert _cents(p["B6"].value) == _cents(result.division.sum_before)

    again = openpyxl.load_workbook(outdir / "zonder-budget.xlsx", data_only=True)
    ws = again[rules.workbook["sheet_providers"]]
    assert again[rules.workbook["sheet_parameters"]]["B7"].value == 0
    for line, share in enumerate(result.division.shares, start=2):
        assert ws[f"H{line}"].value == 0
        assert _cents(ws[f"I{line}"].value) == _cents(share.before_discount)
