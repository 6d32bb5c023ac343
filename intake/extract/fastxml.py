"""Reads the mapped cells straight from the sheet XML: the hot path for batches.

One pass over each needed worksheet gives both the formula and its cached value
(openpyxl needs two loads for that), parsing stops after the last row the cell map
needs, and the parts come from the bounded unzip that already guarded against zip
and entity bombs. The result is the same `WorkbookIR` the openpyxl reader builds,
value for value; the test suite compares the two on every fixture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from lxml import etree

from intake.extract.container import Limits, Parts, read_parts
from intake.extract.opc import main_part, relationships, rels_path
from intake.extract.sheetscan import parse_xml, scan_sheet, shared_strings
from intake.extract.workbook import Cell, WorkbookIR, WorkbookReadError

# Excel's built-in number formats that show dates or times.
_BUILTIN_DATES = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)


def _is_date_format(code: str) -> bool:
    """Like openpyxl: strip literals, colours and conditions, then look for d/m/y/h/s."""
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    stripped = stripped.split(";")[0]
    return bool(_DATE_CODE.search(stripped)) and "General" not in code


def _date_styles(parts: dict[str, bytes], styles_path: str | None) -> frozenset[int]:
    data = parts.get(styles_path or "")
    return _date_styles_of(data) if data else frozenset()


@lru_cache(maxsize=64)
def _date_styles_of(data: bytes) -> frozenset[int]:
    """Cached by content: files saved by one application share their styles part."""
    root = parse_xml(data)
    custom = {
        int(fmt.get("numFmtId")): fmt.get("formatCode", "")
        for fmt in root.iterfind("{*}numFmts/{*}numFmt")
    }
    dates = set()
    for index, xf in enumerate(root.iterfind("{*}cellXfs/{*}xf")):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _BUILTIN_DATES or (fmt_id in custom and _is_date_format(custom[fmt_id])):
            dates.add(index)
    return frozenset(dates)


def _properties(parts: dict[str, bytes], names: Iterable[str]) -> dict[str, str]:
    props: dict[str, str] = {}
    core = parts.get("docProps/core.xml")
    if core:
        title = parse_xml(core).find("{http://purl.org/dc/elements/1.1/}title")
        if title is not None and title.text:
            props["title"] = title.text
    custom = parts.get("docProps/custom.xml")
    if custom:
        wanted = set(names)
        for prop in parse_xml(custom):
            name = prop.get("name")
            if name in wanted and len(prop) and prop[0].text is not None:
                props[name] = prop[0].text
    return props


def _sheet_rel_id(sheet: Any) -> str:
    """The sheet's relationship id (`r:id`), whatever the namespace's prefix or URI."""
    return next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")


def _workbook(parts: Parts) -> tuple[str, Any, dict[str, str]]:
    """The workbook part, found through the package relationships as Excel finds it."""
    path = main_part(parts.get("_rels/.rels")) or "xl/workbook.xml"
    if path not in parts:
        path = "xl/workbook.xml"
    rels = {rid: part for rid, _, part in relationships(parts.get(rels_path(path)), path)}
    return path, parse_xml(parts[path]), rels


def _sheets(root: Any, rels: dict[str, str]) -> tuple[list[str], list[str], dict[str, str]]:
    sheets, hidden, paths = [], [], {}
    for sheet in root.iterfind("{*}sheets/{*}sheet"):
        name = sheet.get("name", "")
        sheets.append(name)
        if sheet.get("state", "visible") != "visible":
            hidden.append(name)
        paths[name] = rels.get(_sheet_rel_id(sheet), "")
    return sheets, hidden, paths


def _scan(
    data: bytes, sheet: str, refs: frozenset[str], strings: Any, dates: frozenset[int]
) -> dict[str, Cell]:
    """One sheet's cells; a sheet that cannot be read is named, as the openpyxl reader does."""
    try:
        return scan_sheet(data, refs, strings, dates)
    except (ValueError, IndexError, etree.XMLSyntaxError) as exc:
        raise WorkbookReadError(f"{sheet}: {type(exc).__name__}: {exc}", "sheet", sheet) from exc


def read_workbook(
    content: bytes, wanted: dict[str, set[str]], property_names: Iterable[str], limits: Limits
) -> WorkbookIR:
    parts = read_parts(content, limits, count_cells=True)
    try:
        _, root, rels = _workbook(parts)
        sheets, hidden, paths = _sheets(root, rels)
        styles = next((p for p in rels.values() if p.lower().endswith("styles.xml")), None)
        strings_path = next(
            (p for p in rels.values() if p.lower().endswith("sharedstrings.xml")), None
        )
        strings = shared_strings(parts.get(strings_path or ""))
        dates = _date_styles(parts, styles)
        cells: dict[tuple[str, str], Cell] = {}
        for sheet, refs in wanted.items():
            path = paths.get(sheet)
            if not refs or not path or path not in parts:
                continue
            for ref, cell in _scan(parts[path], sheet, frozenset(refs), strings, dates).items():
                cells[(sheet, ref)] = cell
        properties = _properties(parts, property_names)
    except WorkbookReadError:
        raise
    except (KeyError, ValueError, IndexError, etree.XMLSyntaxError) as exc:
        raise WorkbookReadError(f"{type(exc).__name__}: {exc}") from exc
    return WorkbookIR(sheets, hidden, cells, properties, reader="fastxml")
