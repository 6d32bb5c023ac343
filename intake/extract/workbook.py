"""The flat, cell-addressed picture of a workbook that every check works on.

Checks never see openpyxl objects: they see `WorkbookIR`, which holds for each
mapped cell its constant or cached value and its formula. Readers fill it; the
openpyxl reader is the reference, `fastxml` the quick path for batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any


class WorkbookReadError(Exception):
    """The workbook could not be parsed; the message is for the log, not the provider.

    `what` says which part could not be read, for the provider's words: "workbook"
    (`[texts] reason_workbook_damaged`) or a key of `[texts] workbook_unreadable_<what>`
    (sheet, sheets, strict), with `sheet` naming the tab when one tab was the problem.
    """

    def __init__(self, message: str, what: str = "workbook", sheet: str = "") -> None:
        super().__init__(message)
        self.what = what
        self.sheet = sheet


@dataclass(frozen=True, slots=True)
class Cell:
    value: Any = None  # the constant, or the cached result of the formula
    formula: str | None = None  # without the leading '='

    @property
    def is_empty(self) -> bool:
        return self.formula is None and (
            self.value is None or (isinstance(self.value, str) and not self.value.strip())
        )


EMPTY = Cell()


@dataclass
class WorkbookIR:
    sheets: list[str]
    hidden_sheets: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    reader: str = ""

    def cell(self, sheet: str, ref: str) -> Cell:
        return self.cells.get((sheet, ref), EMPTY)

    def value(self, sheet: str, ref: str) -> Any:
        return self.cell(sheet, ref).value

    def text(self, sheet: str, ref: str) -> str:
        value = self.value(sheet, ref)
        return "" if value is None else str(value).strip()

    @property
    def has_cached_values(self) -> bool:
        """True when a spreadsheet application saved results next to the formulas."""
        return any(c.formula is not None and c.value is not None for c in self.cells.values())


def normalise_value(value: Any) -> Any:
    """One representation for what different writers store: ints as floats, dates as dates."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN or infinity is no number: a text, so VALUE_NOT_NUMERIC
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, (float, str, date)) or value is None:
        return value
    return str(value)
