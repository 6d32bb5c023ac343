"""The check a template-family file (`schemas/<family>.toml`) is held to when loaded.

A cell outside the family's sheets, a list that does not exist or a formula the
engine cannot compute would otherwise surface as a provider's FILE_UNREADABLE or,
worse, as a check that silently never fires: every one is refused here.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from intake.domain import formula

Problem = tuple[str, str, str]

_CELL = re.compile(r"^([A-Z]{1,3})([1-9]\d*)$")
MAX_COLUMN, MAX_ROW = 16384, 1048576  # XFD1048576, the last cell of a sheet
KINDS = {"text", "number", "date", "region", "choice", "agb"}
TOP = {
    "family": str,
    "title": str,
    "title_cell": str,
    "version_label_cell": str,
    "version_property": str,
    "sheets": list,
    "labels": dict,
    "lists": dict,
    "fields": dict,
    "tables": dict,
    "formulas": list,
    "figures": dict,
    "versions": dict,
}
FIELD_KEYS = {"cell", "label", "kind", "required", "choices", "on_no", "council"}
TABLE_KEYS = {
    "sheet",
    "first_row",
    "last_row",
    "label_column",
    "inputs",
    "formulas",
    "input_labels",
    "choices",
}
FORMULA_KEYS = {"sheet", "cell", "rows", "formula", "label", "unit"}
VERSION_KEYS = {"name", "label", "property", "blank", "formulas", "marker"}


def cell_ok(ref: str) -> bool:
    from intake.domain.cells import column_index

    match = _CELL.match(ref)
    return (
        bool(match)
        and column_index(match.group(1)) <= MAX_COLUMN
        and int(match.group(2)) <= MAX_ROW
    )


class _Checker:
    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data, self.file = data, file
        self.sheets = set(data.get("sheets") or [])
        self.problems: list[Problem] = []

    def add(self, key: str, why: str) -> None:
        self.problems.append((self.file, key, why))

    def address(self, key: str, value: Any) -> None:
        from intake.domain.cells import split_address

        if not isinstance(value, str):
            self.add(key, "must be a cell address like 'Sheet'!C4")
            return
        try:
            sheet, ref = split_address(value)
        except ValueError:
            self.add(key, f"'{value}' names no sheet")
            return
        self.cell(key, sheet, ref)

    def cell(self, key: str, sheet: str, ref: str) -> None:
        if sheet not in self.sheets:
            self.add(key, f"sheet '{sheet}' is not one of the family's sheets")
        if not cell_ok(ref):
            self.add(key, f"'{ref}' is not a cell of a sheet (A1 to XFD1048576)")

    def unknown(self, key: str, table: dict[str, Any], allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                self.add(f"{key} {name}", "unknown key")

    def formula(self, key: str, sheet: str, text: Any) -> None:
        if not isinstance(text, str):
            self.add(key, "must be a formula")
            return
        tree = formula.parse(text, sheet)
        if isinstance(tree, formula.Unsupported):
            self.add(key, f"formula ={text} cannot be read")
            return
        for name in sorted(formula.functions(tree) - formula.SUPPORTED_FUNCTIONS):
            self.add(key, f"function {name} is not supported by the formula engine")
        for ref in formula.references(tree):
            for part in ref.ref.split(":"):
                self.cell(key, ref.sheet, part)


def _top(c: _Checker) -> None:
    for key, kind in TOP.items():
        if key not in c.data:
            c.add(key, "missing")
        elif not isinstance(c.data[key], kind):
            c.add(key, f"must be a {kind.__name__}")
    c.unknown("", c.data, set(TOP))
    for key in ("title_cell", "version_label_cell"):
        if key in c.data:
            c.address(key, c.data[key])
    for sheet, cells in (c.data.get("labels") or {}).items():
        for ref in cells:
            c.cell(f'[labels."{sheet}"] {ref}', sheet, ref)
    for name, loc in (c.data.get("figures") or {}).items():
        c.address(f"[figures] {name}", loc)


def _fields(c: _Checker) -> None:
    lists = c.data.get("lists") or {}
    for name, spec in (c.data.get("fields") or {}).items():
        key = f"[fields.{name}]"
        if not isinstance(spec, dict):
            c.add(key, "must be a table")
            continue
        c.unknown(key, spec, FIELD_KEYS)
        c.address(f"{key} cell", spec.get("cell"))
        if spec.get("kind") not in KINDS:
            c.add(f"{key} kind", f"must be one of {', '.join(sorted(KINDS))}")
        if "choices" in spec and spec["choices"] not in lists:
            c.add(f"{key} choices", f"list '{spec['choices']}' is not in [lists]")
        if not isinstance(spec.get("label"), str):
            c.add(f"{key} label", "missing")


def _tables(c: _Checker) -> None:
    lists = c.data.get("lists") or {}
    for name, spec in (c.data.get("tables") or {}).items():
        key = f"[tables.{name}]"
        c.unknown(key, spec, TABLE_KEYS)
        sheet = spec.get("sheet", "")
        first, last = spec.get("first_row"), spec.get("last_row")
        if not (isinstance(first, int) and isinstance(last, int) and 1 <= first <= last):
            c.add(f"{key} first_row", "first_row and last_row must be rows, first <= last")
            continue
        columns = [spec.get("label_column", ""), *(spec.get("inputs") or {}).values()]
        columns += list((spec.get("formulas") or {}).values())
        for column in columns:
            for row in (first, last):
                c.cell(f"{key} {column}", sheet, f"{column}{row}")
        for column, list_name in (spec.get("choices") or {}).items():
            if list_name not in lists:
                c.add(f"{key} choices {column}", f"list '{list_name}' is not in [lists]")


def _formulas(c: _Checker) -> None:
    for i, item in enumerate(c.data.get("formulas") or []):
        key = f"[[formulas]] #{i + 1}"
        c.unknown(key, item, FORMULA_KEYS)
        sheet, rows = item.get("sheet", ""), item.get("rows") or [1, 1]
        for r in (rows[0], rows[-1]):
            c.cell(f"{key} cell", sheet, str(item.get("cell", "")).format(r=r))
            c.formula(f"{key} formula", sheet, str(item.get("formula", "")).format(r=r))


def _versions(c: _Checker) -> None:
    from intake.domain.cells import split_address

    for name, spec in (c.data.get("versions") or {}).items():
        key = f"[versions.{name}]"
        c.unknown(key, spec, VERSION_KEYS)
        c.address(f"{key} marker", (spec.get("marker") or {}).get("cell"))
        for loc, text in (spec.get("formulas") or {}).items():
            c.address(f"{key} formulas", loc)
            with contextlib.suppress(ValueError):
                c.formula(f"{key} formulas", split_address(loc)[0], text)


def check_family(data: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in a template-family document; an empty list means it can be used."""
    c = _Checker(data, file)
    for part in (_top, _fields, _tables, _formulas, _versions):
        part(c)
    return c.problems
