"""Reads the mapped cells straight from the sheet XML: the hot path for batches.

One pass over each needed worksheet gives both the formula and its cached value
(openpyxl needs two loads for that), parsing stops after the last row the cell map
needs, and the parts come from the bounded unzip that already guarded against zip
and entity bombs. The result is the same `WorkbookIR` the openpyxl reader builds,
value for value; the test suite compares the two on every fixture.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from posixpath import dirname, join, normpath
from typing import Any

from lxml import etree

from intake.cells import column_index, column_letters, parse_ref
from intake.extract.container import Limits, read_parts
from intake.extract.workbook import Cell, WorkbookIR, WorkbookReadError, normalise_value

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_M = f"{{{MAIN}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
# Excel's built-in number formats that show dates or times.
_BUILTIN_DATES = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_REF_TOKEN = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")|(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")
EPOCH = datetime(1899, 12, 30)


def _xml(data: bytes) -> Any:
    return etree.fromstring(data, _PARSER)


def _is_date_format(code: str) -> bool:
    """Like openpyxl: strip literals, colours and conditions, then look for d/m/y/h/s."""
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    stripped = stripped.split(";")[0]
    return bool(_DATE_CODE.search(stripped)) and "General" not in code


def _date_styles(parts: dict[str, bytes], styles_path: str | None) -> set[int]:
    data = parts.get(styles_path or "")
    if not data:
        return set()
    root = _xml(data)
    custom = {
        int(fmt.get("numFmtId")): fmt.get("formatCode", "")
        for fmt in root.iterfind(f"{_M}numFmts/{_M}numFmt")
    }
    dates = set()
    for index, xf in enumerate(root.iterfind(f"{_M}cellXfs/{_M}xf")):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _BUILTIN_DATES or (fmt_id in custom and _is_date_format(custom[fmt_id])):
            dates.add(index)
    return dates


def _shared_strings(data: bytes | None) -> list[str]:
    if not data:
        return []
    root = _xml(data)
    strings = []
    for si in root.iterfind(f"{_M}si"):
        # Plain <t>, or rich-text runs <r><t>; phonetic hints (<rPh>) are not text.
        texts = [t.text or "" for t in si.iterfind(f"{_M}t")]
        texts += [t.text or "" for t in si.iterfind(f"{_M}r/{_M}t")]
        strings.append("".join(texts))
    return strings


def _relationships(parts: dict[str, bytes], source: str) -> dict[str, str]:
    folder, name = dirname(source), source.rsplit("/", 1)[-1]
    data = parts.get(join(folder, "_rels", f"{name}.rels"))
    if not data:
        return {}
    targets = {}
    for rel in _xml(data).iterfind(f"{{{PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join(folder, target))
        targets[rel.get("Id", "")] = path
    return targets


def _shift(formula: str, rows: int, cols: int) -> str:
    """Translate a shared formula from its master cell to a dependent cell."""

    def move(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)  # a quoted sheet name or a string literal
        col_abs, col, row_abs, row = match.group(2), match.group(3), match.group(4), match.group(5)
        new_col = col if col_abs else column_letters(column_index(col) + cols)
        new_row = row if row_abs else str(int(row) + rows)
        return f"{col_abs}{new_col}{row_abs}{new_row}"

    return _REF_TOKEN.sub(move, formula)


def _number(text: str) -> float | int:
    return float(text) if any(ch in text for ch in ".eE") else int(text)


def _value(cell: Any, strings: list[str], dates: set[int]) -> Any:
    kind = cell.get("t", "n")
    v = cell.find(f"{_M}v")
    text = v.text if v is not None else None
    if kind == "inlineStr":
        node = cell.find(f"{_M}is")
        return "".join(t.text or "" for t in node.iter(f"{_M}t")) if node is not None else None
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    number = _number(text)
    if int(cell.get("s", "0")) in dates:
        try:
            return EPOCH + timedelta(days=float(number))
        except OverflowError:
            return number
    return number


@lru_cache(maxsize=256)
def _last_row(refs: frozenset[str]) -> int:
    return max(parse_ref(r)[0] for r in refs)


_F, _C, _ROW = f"{_M}f", f"{_M}c", f"{_M}row"


def _scan_sheet(
    data: bytes, refs: frozenset[str], strings: list[str], dates: set[int]
) -> dict[str, Cell]:
    max_row = _last_row(refs)
    found: dict[str, Cell] = {}
    shared: dict[str, tuple[str, int, int]] = {}
    for _, row in etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=_ROW,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    ):
        number = int(row.get("r", "0") or 0)
        for position, cell in enumerate(row.iterfind(_C), start=1):
            ref = cell.get("r") or f"{column_letters(position)}{number}"
            f = cell[0] if len(cell) and cell[0].tag == _F else None  # <f> comes first
            if f is None and ref not in refs:
                continue
            formula = None
            if f is not None:
                formula = f.text
                if f.get("t") == "shared":
                    si = f.get("si", "")
                    r, c = parse_ref(ref)
                    if formula:
                        shared[si] = (formula, r, c)
                    elif si in shared:
                        master, mr, mc = shared[si]
                        formula = _shift(master, r - mr, c - mc)
                if ref not in refs:
                    continue
            value = _value(cell, strings, dates)
            if formula:
                found[ref] = Cell(normalise_value(value), formula)
            elif value is not None:
                found[ref] = Cell(normalise_value(value))
        row.clear()
        if number >= max_row:
            break
    return found


def _properties(parts: dict[str, bytes], names: Iterable[str]) -> dict[str, str]:
    props: dict[str, str] = {}
    core = parts.get("docProps/core.xml")
    if core:
        title = _xml(core).find("{http://purl.org/dc/elements/1.1/}title")
        if title is not None and title.text:
            props["title"] = title.text
    custom = parts.get("docProps/custom.xml")
    if custom:
        wanted = set(names)
        for prop in _xml(custom):
            name = prop.get("name")
            if name in wanted and len(prop) and prop[0].text is not None:
                props[name] = prop[0].text
    return props


def read_workbook(
    content: bytes, wanted: dict[str, set[str]], property_names: Iterable[str], limits: Limits
) -> WorkbookIR:
    parts = read_parts(content, limits, count_cells=True)
    try:
        workbook_path = "xl/workbook.xml"
        rels = _relationships(parts, workbook_path)
        root = _xml(parts[workbook_path])
        sheets, hidden, paths = [], [], {}
        for sheet in root.iterfind(f"{_M}sheets/{_M}sheet"):
            name = sheet.get("name", "")
            sheets.append(name)
            if sheet.get("state", "visible") != "visible":
                hidden.append(name)
            paths[name] = rels.get(sheet.get(f"{{{REL}}}id", ""))
        styles = next((p for p in rels.values() if p.endswith("styles.xml")), None)
        strings_path = next((p for p in rels.values() if p.endswith("sharedStrings.xml")), None)
        strings = _shared_strings(parts.get(strings_path or ""))
        dates = _date_styles(parts, styles)
        cells: dict[tuple[str, str], Cell] = {}
        for sheet, refs in wanted.items():
            path = paths.get(sheet)
            if not refs or path not in parts:
                continue
            for ref, cell in _scan_sheet(parts[path], frozenset(refs), strings, dates).items():
                cells[(sheet, ref)] = cell
        properties = _properties(parts, property_names)
    except (KeyError, ValueError, IndexError, etree.XMLSyntaxError) as exc:
        raise WorkbookReadError(f"{type(exc).__name__}: {exc}") from exc
    return WorkbookIR(sheets, hidden, cells, properties, reader="fastxml")
