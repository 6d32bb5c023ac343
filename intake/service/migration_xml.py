"""Rewriting cells in one worksheet's XML, leaving everything else as it was.

Used to fill a published blank: a cell keeps its style (`s`), a missing cell is
inserted in column order, strings go in as inline strings so the shared-string
table of the template stays untouched.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lxml import etree

from intake.domain.cells import column_index, parse_ref

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_Q = f"{{{NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def excel_serial(value: date | datetime) -> float:
    """Days since 30-12-1899, as spreadsheets store dates."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - date(1899, 12, 30)).days)


def number_text(value: float) -> str:
    """Shortest text that reads back as the same double, without float noise like 1e+06."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class SheetEditor:
    def __init__(self, data: bytes) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        self.root = etree.fromstring(data, parser)
        self.sheet_data = self.root.find(f"{_Q}sheetData")

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _row(self, number: int) -> Any:
        rows = self.sheet_data.findall(f"{_Q}row")
        for index, row in enumerate(rows):
            current = int(row.get("r"))
            if current == number:
                return row
            if current > number:
                new = etree.Element(f"{_Q}row", r=str(number))
                self.sheet_data.insert(self.sheet_data.index(rows[index]), new)
                return new
        return etree.SubElement(self.sheet_data, f"{_Q}row", r=str(number))

    def cell(self, ref: str) -> Any:
        row_number, column = parse_ref(ref)
        row = self._row(row_number)
        for existing in row.findall(f"{_Q}c"):
            if existing.get("r") == ref:
                return existing
            if column_index(_letters(existing.get("r"))) > column:
                new = etree.Element(f"{_Q}c", r=ref)
                row.insert(row.index(existing), new)
                return new
        return etree.SubElement(row, f"{_Q}c", r=ref)

    @staticmethod
    def _clear(cell: Any, keep_formula: bool) -> None:
        for child in list(cell):
            if keep_formula and child.tag == f"{_Q}f":
                continue
            cell.remove(child)
        cell.attrib.pop("t", None)

    def set_value(self, ref: str, value: Any) -> None:
        """A constant typed by the provider; the cell's style stays."""
        cell = self.cell(ref)
        self._clear(cell, keep_formula=False)
        if isinstance(value, bool):
            cell.set("t", "b")
            etree.SubElement(cell, f"{_Q}v").text = "1" if value else "0"
        elif isinstance(value, (date, datetime)):
            etree.SubElement(cell, f"{_Q}v").text = number_text(excel_serial(value))
        elif isinstance(value, (int, float)):
            etree.SubElement(cell, f"{_Q}v").text = number_text(value)
        else:
            cell.set("t", "inlineStr")
            text = etree.SubElement(etree.SubElement(cell, f"{_Q}is"), f"{_Q}t")
            text.text = str(value)
            text.set(_XML_SPACE, "preserve")

    def set_cached(self, ref: str, value: float | None) -> None:
        """The result of the formula in `ref`; None means it cannot be computed (#WAARDE!)."""
        cell = self.cell(ref)
        self._clear(cell, keep_formula=True)
        v = etree.SubElement(cell, f"{_Q}v")
        if value is None:
            cell.set("t", "e")
            v.text = "#VALUE!"
        else:
            cell.set("t", "n")
            v.text = number_text(value)


def _letters(ref: str) -> str:
    return "".join(ch for ch in ref if ch.isalpha())
