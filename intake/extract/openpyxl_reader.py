"""Reads the mapped cells of an xlsx with openpyxl: the reference reader.

Two read-only passes (formulas, then cached values) because openpyxl gives either
the formula or its cached value for a cell, never both. Only the rows the cell map
needs are parsed, so an oversized sheet costs nothing past them.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterable
from typing import Any

from intake.domain.cells import parse_ref
from intake.extract.workbook import Cell, WorkbookIR, WorkbookReadError, normalise_value

log = logging.getLogger(__name__)


def _bounds(refs: Iterable[str]) -> tuple[int, int]:
    coords = [parse_ref(r) for r in refs]
    return max(r for r, _ in coords), max(c for _, c in coords)


def _scan(wb: Any, wanted: dict[str, set[str]]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for sheet, refs in wanted.items():
        if sheet not in wb.sheetnames or not refs:
            continue
        try:
            _scan_sheet(wb[sheet], sheet, refs, found)
        except Exception as exc:  # one tab openpyxl cannot read: name it for the provider
            raise WorkbookReadError(
                f"{sheet}: {type(exc).__name__}: {exc}", "sheet", sheet
            ) from exc
    return found


def _scan_sheet(ws: Any, sheet: str, refs: set[str], found: dict[tuple[str, str], Any]) -> None:
    if not hasattr(ws, "iter_rows"):  # a chart sheet
        return
    max_row, max_col = _bounds(refs)
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            coordinate = getattr(cell, "coordinate", None)
            if coordinate in refs and cell.value is not None:
                found[(sheet, coordinate)] = cell.value


def read_workbook(
    content: bytes, wanted: dict[str, set[str]], property_names: Iterable[str]
) -> WorkbookIR:
    import openpyxl  # heavy: imported only when a workbook is read

    try:
        # openpyxl prints some complaints (a style index out of range) to stdout, which
        # would corrupt `intake check --json`: they go to the log instead.
        noise = io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(noise):
            warnings.simplefilter("ignore")
            formulas_wb = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=False, keep_links=False
            )
            values_wb = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True, keep_links=False
            )
            raw_formulas = _scan(formulas_wb, wanted)
            raw_values = _scan(values_wb, wanted)
            sheets = list(formulas_wb.sheetnames)
            hidden = [ws.title for ws in formulas_wb.worksheets if ws.sheet_state != "visible"]
            properties = _properties(formulas_wb, property_names)
            formulas_wb.close()
            values_wb.close()
    except WorkbookReadError:
        raise
    except Exception as exc:  # openpyxl raises a wide variety on malformed parts
        raise WorkbookReadError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if noise.getvalue().strip():
            log.debug("openpyxl said: %s", noise.getvalue().strip()[:500])
    if not sheets:  # openpyxl gives an empty workbook for what it does not understand
        raise WorkbookReadError("openpyxl found no worksheets", "sheets")

    cells: dict[tuple[str, str], Cell] = {}
    for key in raw_formulas.keys() | raw_values.keys():
        raw = raw_formulas.get(key)
        if isinstance(raw, str) and raw.startswith("=") and len(raw) > 1:
            cells[key] = Cell(normalise_value(raw_values.get(key)), raw[1:])
        elif raw is not None and not isinstance(raw, str) and hasattr(raw, "text"):
            # ArrayFormula / DataTableFormula objects
            cells[key] = Cell(normalise_value(raw_values.get(key)), str(raw.text).lstrip("="))
        else:
            cells[key] = Cell(normalise_value(raw if raw is not None else raw_values.get(key)))
    return WorkbookIR(sheets, hidden, cells, properties, reader="openpyxl")


def _properties(wb: Any, names: Iterable[str]) -> dict[str, str]:
    props: dict[str, str] = {}
    if wb.properties is not None and wb.properties.title:
        props["title"] = str(wb.properties.title)
    custom = getattr(wb, "custom_doc_props", None)
    wanted = set(names)
    for prop in getattr(custom, "props", []) or []:
        if prop.name in wanted and prop.value is not None:
            props[prop.name] = str(prop.value)
    return props
