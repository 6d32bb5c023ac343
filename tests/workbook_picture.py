"""A workbook picture built by hand: the flat cells a reader would produce, no xlsx.

Checks see only `WorkbookIR`, so their unit tests build one from a few input values;
formula cells get the family's formulas of the chosen version and, unless asked not to,
the cached values a spreadsheet application would have saved.
"""

from __future__ import annotations

from typing import Any

from intake.campaign.templates import TemplateFamily
from intake.checks import compute
from intake.extract.workbook import Cell, WorkbookIR

VALID = {
    "naam": "Zorggroep Rijnland",
    "agb": "73730123",
    "regio": "Zuid-Holland Noord",
    "contactpersoon": "J. de Vries",
    "email": "j.devries@zorggroeprijnland.nl",
    "gereserveerd": 1_138_000.0,
    "compensatie": 120_000.0,
}
# level row -> (fte 31-12-2018, fte planned 31-12-2020, wage cost per fte)
STAFF = {7: (10.0, 12.0, 40_000.0), 9: (20.0, 30.0, 52_000.0), 14: (0.0, 5.5, 30_000.0)}


def picture(
    family: TemplateFamily,
    version: str,
    fields: dict[str, Any] | None = None,
    cells: dict[tuple[str, str], Any] | None = None,
    *,
    cached: bool = True,
) -> WorkbookIR:
    """A filled-in model: `fields` by the family's field names over VALID, `cells` by
    (sheet, ref) for anything else (a formula cell given here holds that constant)."""
    table = family.tables["personeel"]
    given: dict[tuple[str, str], Any] = {}
    for name, value in {**VALID, **(fields or {})}.items():
        f = family.fields[name]
        given[(f.sheet, f.ref)] = value
    columns = [table.inputs[k] for k in ("fte_start", "fte_planned", "loonkosten")]
    for row, values in STAFF.items():
        for column, value in zip(columns, values, strict=True):
            given[(table.sheet, f"{column}{row}")] = value
    given.update(cells or {})
    ir = WorkbookIR(sheets=list(family.sheets))
    ir.cells = {key: Cell(value) for key, value in given.items()}
    formulas = family.formulas_for(version)
    results = compute.recompute(ir, family, version).values
    for key, definition in formulas.items():
        if key in given:
            continue  # overwritten by the provider
        ir.cells[key] = Cell(results.get(key) if cached else None, definition.formula)
    return ir
