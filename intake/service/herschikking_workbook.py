"""The staff workbook of a herschikking: inputs as values, every figure as a formula.

Staff check the division in Excel or LibreOffice, change an input and see every
figure follow; so the cells hold the formulas of the page (ROUND to the cent,
one rate on the extrapolated production), not the numbers intake computed. The
cached values are left out on purpose: the spreadsheet program computes them.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intake.service.herschikking import Herschikking

MONEY = "#,##0.00"
RATE = "0.0000000000"
HEADER_ROW = 1
FIRST_ROW = 2


def _parameters(ws, result: Herschikking, providers: str, last: int) -> None:  # type: ignore[no-untyped-def]
    words = result.rules.workbook
    rules = result.rules
    rows = [
        ("label_days_year", rules.days_year, None),
        ("label_days_declared", rules.days_declared, None),
        (
            "label_budget",
            float(result.division.budget) if result.division.budget is not None else None,
            MONEY,
        ),
        ("label_sum_extrapolated", f"=SUM({providers}!D{FIRST_ROW}:D{last})", MONEY),
        (
            "label_fixed",
            f"=SUM({providers}!E{FIRST_ROW}:E{last})+SUM({providers}!F{FIRST_ROW}:F{last})",
            MONEY,
        ),
        ("label_sum_before", "=B4+B5", MONEY),
        (
            "label_rate",
            f'=IF(OR(B3="",B3>=B6),0,ROUND((B6-B3)/B4,{rules.rate_decimals}))',
            RATE,
        ),
        ("label_total", f"=SUM({providers}!I{FIRST_ROW}:I{last})", MONEY),
    ]
    for row, (label, value, number_format) in enumerate(rows, start=1):
        ws.cell(row=row, column=1, value=words[label])
        cell = ws.cell(row=row, column=2, value=value)
        if number_format:
            cell.number_format = number_format
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 20


def build_workbook(result: Herschikking) -> bytes:
    """An xlsx with a parameters sheet and one row per provider, every figure a formula."""
    import openpyxl
    from openpyxl.styles import Font

    words = result.rules.workbook
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = words["sheet_providers"]
    params = wb.create_sheet(words["sheet_parameters"])
    p = f"'{words['sheet_parameters']}'"
    heads = [
        "head_agb",
        "head_naam",
        "head_declared",
        "head_extrapolated",
        "head_lost_revenue",
        "head_custom",
        "head_before",
        "head_discount",
        "head_total",
        "head_registered",
    ]
    for column, key in enumerate(heads, start=1):
        ws.cell(row=HEADER_ROW, column=column, value=words[key]).font = Font(bold=True)
    shares = result.division.shares
    for row, share in enumerate(shares, start=FIRST_ROW):
        registered = result.registered.get(share.agb)
        values = [
            share.agb,
            share.naam,
            float(share.declared),
            f"=ROUND(C{row}*{p}!$B$1/{p}!$B$2,2)",
            float(share.lost_revenue),
            float(share.custom),
            f"=D{row}+E{row}+F{row}",
            f"=ROUND(D{row}*{p}!$B$7,2)",
            f"=D{row}-H{row}+E{row}+F{row}",
            "" if registered is None else words["yes" if registered else "no"],
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column, value=value)
            if 3 <= column <= 9:
                cell.number_format = MONEY
    last = FIRST_ROW + len(shares) - 1
    totals = last + 1
    ws.cell(row=totals, column=2, value=words["totals"]).font = Font(bold=True)
    for column in "CDEFGHI":
        cell = ws[f"{column}{totals}"]
        cell.value = f"=SUM({column}{FIRST_ROW}:{column}{max(last, FIRST_ROW)})"
        cell.number_format = MONEY
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJ", (12, 36, 18, 18, 16, 16, 18, 16, 18, 12), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    providers = f"'{words['sheet_providers']}'"
    _parameters(params, result, providers, max(last, FIRST_ROW))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
