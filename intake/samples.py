"""Filled-in example submissions, made from the blank published templates.

Used by the fixture generator, the benchmark and the demo. A filled workbook
written by openpyxl has no cached formula results; `resave_with_libreoffice`
passes files through a real spreadsheet application so they look like what
providers send.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.cells import split_address

GEN = "'1. Algemene gegevens'"
PERS = "'2. Personeel'"
OVER = "'3. Overige kosten'"
BUDGET = "'4. Kwaliteitsbudget'"

# A complete, correct application of "Zorggroep Rijnland": personnel cost € 1.033.000
# (of which € 224.000 BBL), other cost € 105.000, share 90,8%, reserved € 1.250.000.
BASE_VALUES: dict[str, Any] = {
    f"{GEN}!C4": "Zorggroep Rijnland",
    f"{GEN}!C5": "73730123",
    f"{GEN}!C6": "Zuid-Holland Noord",
    f"{GEN}!C7": "J. de Vries",
    f"{GEN}!C8": "j.devries@zorggroeprijnland.nl",
    f"{GEN}!C9": "071-5123456",
    f"{GEN}!C10": datetime(2019, 11, 20),
    f"{GEN}!C12": 1250000,
    f"{GEN}!C13": 150000,
    f"{GEN}!C15": 420,
    f"{BUDGET}!C15": "Ja",
    f"{BUDGET}!C16": "Ja",
    f"{BUDGET}!C18": "drs. A. Bakker",
    f"{BUDGET}!C19": datetime(2019, 11, 25),
    f"{OVER}!B7": "Scholing dementiezorg",
    f"{OVER}!C7": "Opleiding en ontwikkeling",
    f"{OVER}!D7": 60000,
    f"{OVER}!B8": "Domotica en leefcirkels",
    f"{OVER}!C8": "Technologie en innovatie",
    f"{OVER}!D8": 45000,
}
# rows 7-14 of '2. Personeel': fte 31-12-2018, fte 31-12-2020, wage cost per fte
STAFF = {
    7: (2, 3, 38000),
    8: (10, 12, 42000),
    9: (40, 45, 52000),
    10: (20, 23, 60000),
    11: (8, 10, 72000),
    12: (3, 3.5, 110000),
    13: (5, 6, 48000),
    14: (0, 8, 28000),
}
for _row, (_b, _c, _e) in STAFF.items():
    BASE_VALUES[f"{PERS}!B{_row}"] = _b
    BASE_VALUES[f"{PERS}!C{_row}"] = _c
    BASE_VALUES[f"{PERS}!E{_row}"] = _e

DELETE = object()  # a value that empties the cell


def fill_template(
    template: Path | bytes,
    values: Mapping[str, Any],
    *,
    edit: Callable[[Any], None] | None = None,
) -> bytes:
    """The template with `values` typed into it (and `edit` applied to the workbook)."""
    import openpyxl

    source = io.BytesIO(template) if isinstance(template, bytes) else template
    wb = openpyxl.load_workbook(source)
    for location, value in values.items():
        sheet, ref = split_address(location)
        wb[sheet][ref].value = None if value is DELETE else value
    if edit is not None:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def resave_with_libreoffice(files: list[Path], fmt: str = "xlsx") -> dict[Path, Path]:
    """Open and save each file in LibreOffice (recalculating); returns old -> new paths.

    One LibreOffice process converts all files, in a private profile so that a
    desktop instance or a parallel run does not interfere.
    """
    binary = libreoffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp) / "out"
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                filters.get(fmt, fmt),
                "--outdir",
                str(outdir),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        result = {}
        for path in files:
            made = outdir / f"{path.stem}.{fmt.split(':')[0]}"
            target = path.with_suffix(f".{fmt.split(':')[0]}")
            shutil.move(str(made), target)
            result[path] = target
        return result
