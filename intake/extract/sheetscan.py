"""Scanning one worksheet's XML for the cells the cell map needs.

One linear pass (lxml iterparse, C speed, no backtracking regular expressions) for
every sheet: it stops after the last row the map needs, decodes values as openpyxl
does and translates shared formulas from their master cell. Comments and processing
instructions are not elements, so a cell hidden in one is never read, as in Excel.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from lxml import etree

from intake.domain.cells import column_index, column_letters, parse_ref
from intake.extract.workbook import Cell, normalise_value

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = f"{{{MAIN}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_REF_TOKEN = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")|(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")
EPOCH = datetime(1899, 12, 30)
MAX_FORMULA_CHARS = 8_192  # Excel's own limit
_WHOLE_SHEET_BYTES = 1_000_000


def parse_xml(data: bytes) -> Any:
    return etree.fromstring(data, _PARSER)


class _LazyStrings:
    """Shared strings decoded on first use: a model needs a few dozen of its hundreds."""

    def __init__(self, data: bytes) -> None:
        self.items = parse_xml(data).findall("{*}si")
        self.decoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> str:
        text = self.decoded.get(index)
        if text is None:
            text = self.decoded[index] = _string_item(self.items[index])
        return text


def _string_item(si: Any) -> str:
    """Plain <t>, or rich-text runs <r><t>; phonetic hints (<rPh>) are not text."""
    if len(si) == 1:  # nearly always one plain <t>: no path search needed
        tag = si[0].tag
        if isinstance(tag, str) and (tag == "t" or tag.endswith("}t")):
            return si[0].text or ""
    texts = [t.text or "" for t in si.iterfind("{*}t")]
    texts += [t.text or "" for t in si.iterfind("{*}r/{*}t")]
    return "".join(texts)


Strings = list[str] | _LazyStrings


def shared_strings(data: bytes | None) -> Strings:
    """The sharedStrings part, parsed in linear time; comments and PIs are not text."""
    if not data:
        return []
    return _LazyStrings(data)


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


def _number(text: str) -> float | int | str:
    """A stored number; NaN, infinity or garbage stay text, so the cell is VALUE_NOT_NUMERIC
    instead of the whole workbook unreadable (or NaN slipping through as a number)."""
    try:
        return float(text) if "." in text or "e" in text or "E" in text else int(text)
    except ValueError:
        return text.strip()


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
    if isinstance(number, str):
        return number
    if style in dates:
        try:
            return EPOCH + timedelta(days=float(number))
        except OverflowError:
            return number
    return number


def _value(cell: Any, v: Any, strings: Strings, dates: frozenset[int]) -> Any:
    """The cell's value from its <v> (or its inline string), typed as openpyxl types it."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        node = cell.find("{*}is")
        return "".join(t.text or "" for t in node.iter("{*}t")) if node is not None else None
    if v is None or v.text is None:
        return None
    return _decode(kind, v.text, _style(cell.get("s")) if dates else 0, strings, dates)


def _children(cell: Any, f_tag: str, v_tag: str) -> tuple[Any, Any]:
    """The cell's first <f> and first <v>, in one walk over its few children (two `find`
    calls cost about six times as much, for every cell of every sheet)."""
    f = v = None
    for child in cell:
        tag = child.tag
        if tag == v_tag:
            if v is None:
                v = child
        elif tag == f_tag and f is None:
            f = child
    return f, v


@lru_cache(maxsize=1024)
def _style(text: str | None) -> int:
    """A cell's style index (only a date style changes how a number reads)."""
    try:
        return int(text or 0)
    except ValueError:
        return 0


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
        if len(master) > MAX_FORMULA_CHARS:
            return master  # longer than Excel allows: never shifted, never a model formula
        return _shift(master, row - master_row, col - master_col)
    return None


@lru_cache(maxsize=256)
def _last_row(refs: frozenset[str]) -> int:
    return max(parse_ref(r)[0] for r in refs)


def scan_sheet(
    data: bytes, refs: frozenset[str], strings: Strings, dates: frozenset[int]
) -> dict[str, Cell]:
    """The mapped cells of one sheet, in one linear pass that stops after the last row needed.

    Tags may carry any namespace prefix (also Strict OOXML's); rows and cells without an
    `r` attribute follow the one before, as Excel reads them; comments and processing
    instructions are skipped by the parser, so a cell hidden in one is never read.
    """
    max_row = _last_row(refs)
    found: dict[str, Cell] = {}
    shared: dict[str, tuple[str, int, int]] = {}
    number = 0
    # Without shared formulas, a cell the map does not need can be passed over unread.
    masters = b'"shared"' in data
    for row in _rows(data):
        number = _row_number(row, number)
        _scan_row(row, number, refs, strings, dates, shared if masters else None, found)
        if number >= max_row:
            break
    return found


def _rows(data: bytes) -> Iterator[Any]:
    """The sheet's rows: a small sheet parsed at once (quicker), a large one streamed and
    forgotten row by row (bounded memory)."""
    if len(data) <= _WHOLE_SHEET_BYTES:
        yield from parse_xml(data).iter("{*}row")
        return
    for _, row in etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag="{*}row",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    ):
        yield row
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]


def _row_number(row: Any, previous: int) -> int:
    raw = (row.get("r") or "").strip()
    return int(raw) if raw.isdigit() else previous + 1


def _next_ref(previous: str | None, number: int) -> str:
    """The reference of a cell without `r`: the column after the previous cell's."""
    col = parse_ref(previous)[1] + 1 if previous else 1
    return f"{column_letters(col)}{number}"


def _scan_row(
    row: Any,
    number: int,
    refs: frozenset[str],
    strings: Strings,
    dates: frozenset[int],
    shared: dict[str, tuple[str, int, int]] | None,
    found: dict[str, Cell],
) -> None:
    """The needed cells of one row into `found`; with `shared`, also every shared
    formula's master, which a needed cell further on may refer to."""
    ns = row.tag[:-3]  # "{namespace}" of this sheet's elements, whatever their prefix
    f_tag, v_tag = ns + "f", ns + "v"
    previous = None
    for cell in row.iterchildren(ns + "c"):
        raw = cell.get("r")
        if raw in refs:
            ref = previous = raw  # as written by every spreadsheet program: no clean-up needed
        else:
            ref = previous = raw.strip().upper() if raw else _next_ref(previous, number)
        if shared is None and ref not in refs:
            continue
        f, v = _children(cell, f_tag, v_tag)
        if f is None and ref not in refs:
            continue
        formula = None
        if f is not None:
            formula = _formula(
                ref,
                f.text,
                f.get("t") == "shared",
                f.get("si", ""),
                {} if shared is None else shared,
            )
            if ref not in refs:
                continue
        value = _value(cell, v, strings, dates)
        if formula:
            found[ref] = Cell(normalise_value(value), formula)
        elif value is not None:
            found[ref] = Cell(normalise_value(value))
