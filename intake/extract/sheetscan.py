"""Scanning one worksheet's XML for the cells the cell map needs.

Two scanners give the same answers: regular expressions over ordinary UTF-8 sheet
XML (quick), and lxml's iterparse for anything else (CDATA, comments, cells without
a reference, other encodings). Both stop after the last row the map needs, decode
values as openpyxl does and translate shared formulas from their master cell.
"""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from lxml import etree

from intake.cells import column_index, column_letters, parse_ref
from intake.extract.workbook import Cell, normalise_value

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = f"{{{MAIN}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_REF_TOKEN = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")|(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")
EPOCH = datetime(1899, 12, 30)


def parse_xml(data: bytes) -> Any:
    return etree.fromstring(data, _PARSER)


_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_ROWS = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELLS = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_INLINE = re.compile(rb"<(?:\w+:)?is\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?is>)", re.S)
_ROW_NUMBER = re.compile(rb'(?:^|\s)r\s*=\s*"([0-9]+)"')
_CANONICAL = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?\s*(?:/>|>(.*?)</c>)', re.S
)
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_UNUSUAL = (b"<![CDATA[", b"<!--")


class _Unusual(Exception):
    """XML the quick scanner does not handle; the lxml scanner takes over."""


def _text(raw: bytes | None) -> str:
    if not raw:
        return ""
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _plain_utf8(data: bytes) -> bool:
    head = data[:100].lower()
    declared = (
        b"encoding=" not in head or b'encoding="utf-8"' in head or b"encoding='utf-8'" in head
    )
    return declared and not any(marker in data for marker in _UNUSUAL)


class _LazyStrings:
    """Shared strings decoded on first use: a model needs a few dozen of its hundreds."""

    def __init__(self, data: bytes) -> None:
        self.items = [si.group(1) or b"" for si in _SI.finditer(data)]
        self.decoded: dict[int, str] = {}

    def __getitem__(self, index: int) -> str:
        text = self.decoded.get(index)
        if text is None:
            body = _RPH.sub(b"", self.items[index])
            text = self.decoded[index] = "".join(_text(t.group(1)) for t in _T.finditer(body))
        return text


Strings = list[str] | _LazyStrings


def shared_strings(data: bytes | None) -> Strings:
    if not data:
        return []
    if _plain_utf8(data):
        return _LazyStrings(data)
    root = parse_xml(data)
    strings = []
    for si in root.iterfind(f"{_M}si"):
        # Plain <t>, or rich-text runs <r><t>; phonetic hints (<rPh>) are not text.
        texts = [t.text or "" for t in si.iterfind(f"{_M}t")]
        texts += [t.text or "" for t in si.iterfind(f"{_M}r/{_M}t")]
        strings.append("".join(texts))
    return strings


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


def _iso_date(text: str) -> Any:
    """Cells of type d hold ISO 8601 dates (Excel writes them in some modes)."""
    try:
        return datetime.fromisoformat(text.strip().removesuffix("Z"))
    except ValueError:
        return text


def _number(text: str) -> float | int:
    return float(text) if any(ch in text for ch in ".eE") else int(text)


def _decode(kind: str, text: str, style: int, strings: Strings, dates: frozenset[int]) -> Any:
    """The value of a <v> by the cell's type, as openpyxl reads it; both scanners use this."""
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        return _iso_date(text)
    number = _number(text)
    if style in dates:
        try:
            return EPOCH + timedelta(days=float(number))
        except OverflowError:
            return number
    return number


def _value(cell: Any, strings: Strings, dates: frozenset[int]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        node = cell.find(f"{_M}is")
        return "".join(t.text or "" for t in node.iter(f"{_M}t")) if node is not None else None
    v = cell.find(f"{_M}v")
    if v is None or v.text is None:
        return None
    return _decode(kind, v.text, int(cell.get("s", "0")), strings, dates)


def _formula(
    ref: str,
    text: str | None,
    is_shared: bool,
    si: str,
    shared: dict[str, tuple[str, int, int]],
) -> str | None:
    """A cell's formula; a shared one is remembered at its master and shifted to dependents."""
    if not is_shared:
        return text
    row, col = parse_ref(ref)
    if text:
        shared[si] = (text, row, col)
        return text
    if si in shared:
        master, master_row, master_col = shared[si]
        return _shift(master, row - master_row, col - master_col)
    return None


@lru_cache(maxsize=256)
def _last_row(refs: frozenset[str]) -> int:
    return max(parse_ref(r)[0] for r in refs)


_F, _C, _ROW = f"{_M}f", f"{_M}c", f"{_M}row"


def scan_sheet(
    data: bytes, refs: frozenset[str], strings: Strings, dates: frozenset[int]
) -> dict[str, Cell]:
    if _plain_utf8(data):
        try:
            return _quick_scan(data, refs, strings, dates)
        except _Unusual:
            pass
    return _lxml_scan(data, refs, strings, dates)


def _quick_value(
    kind: str, style: int, body: bytes, strings: Strings, dates: frozenset[int]
) -> Any:
    if kind == "inlineStr":
        node = _INLINE.search(body)
        if node is None:
            return None
        return "".join(_text(t.group(1)) for t in _T.finditer(node.group(1) or b""))
    match = _VALUE.search(body)
    if match is None or not match.group(1):  # <v/> and <v></v> hold nothing, as for lxml
        return None
    return _decode(kind, _text(match.group(1)), style, strings, dates)


def _cells_of_row(body: bytes) -> list[tuple[str, bytes, bytes, bytes]]:
    """(ref, type, style, inner XML) of each cell in a row's XML.

    Cells written as `<c r=".." s=".." t="..">` (Excel, LibreOffice, openpyxl) are
    matched by one expression; if a row holds any other spelling, the whole row is
    read attribute by attribute instead, so no cell is ever skipped.
    """
    canonical = _CANONICAL.findall(body)
    if len(canonical) == body.count(b"<c ") + body.count(b"<c>"):
        return [
            (ref.decode(), kind or b"n", style or b"0", inner)
            for ref, style, kind, inner in canonical
        ]
    cells = []
    for cell in _CELLS.finditer(body):
        attrs = dict(_ATTR.findall(cell.group(1)))
        if b"r" not in attrs:
            raise _Unusual("cell without a reference")
        cells.append(
            (
                attrs[b"r"].decode(),
                attrs.get(b"t", b"n"),
                attrs.get(b"s", b"0") or b"0",
                cell.group(2) or b"",
            )
        )
    return cells


def _quick_scan(
    data: bytes, refs: frozenset[str], strings: Strings, dates: frozenset[int]
) -> dict[str, Cell]:
    """Regular expressions over ordinary sheet XML: the same answers as `_lxml_scan`, faster."""
    max_row = _last_row(refs)
    found: dict[str, Cell] = {}
    shared: dict[str, tuple[str, int, int]] = {}
    for row in _ROWS.finditer(data):
        numbered = _ROW_NUMBER.search(row.group(1))
        number = int(numbered.group(1)) if numbered else 0
        for ref, kind, style, body in _cells_of_row(row.group(2) or b""):
            f = _FORMULA.search(body) if b"f" in body else None
            if f is None:
                if ref not in refs:
                    continue
                if kind == b"s" or (kind == b"n" and int(style) not in dates):
                    # The common constant: a shared string or a plain number.
                    v = _VALUE.search(body)
                    if v is not None and v.group(1):
                        raw = v.group(1)
                        found[ref] = Cell(strings[int(raw)] if kind == b"s" else float(raw))
                    continue
            formula = None
            if f is not None:
                f_attrs = dict(_ATTR.findall(f.group(1)))
                formula = _formula(
                    ref,
                    _text(f.group(2)) or None,
                    f_attrs.get(b"t") == b"shared",
                    f_attrs.get(b"si", b"").decode(),
                    shared,
                )
                if ref not in refs:
                    continue
            value = _quick_value(kind.decode(), int(style), body, strings, dates)
            if formula:
                found[ref] = Cell(normalise_value(value), formula)
            elif value is not None:
                found[ref] = Cell(normalise_value(value))
        if number >= max_row:
            break
    return found


def _lxml_scan(
    data: bytes, refs: frozenset[str], strings: Strings, dates: frozenset[int]
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
                formula = _formula(ref, f.text, f.get("t") == "shared", f.get("si", ""), shared)
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
