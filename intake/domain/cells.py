"""Cell addresses as the model and the provider see them: `'2. Personeel'!E9`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def split_address(address: str) -> tuple[str, str]:
    """`'2. Personeel'!E9` -> ("2. Personeel", "E9"); quotes doubled inside names are undone."""
    sheet, sep, ref = address.rpartition("!")
    if not sep:
        raise ValueError(f"address without sheet: {address!r}")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref.replace("$", "").upper()


def address(sheet: str, ref: str) -> str:
    """The spelling Excel itself uses: quoted when the sheet name is not a bare word."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return f"{sheet}!{ref}"
    return "'" + sheet.replace("'", "''") + f"'!{ref}"


def column_index(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - 64)
    return index


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_ref(ref: str) -> tuple[int, int]:
    """`E9` -> (row 9, column 5)."""
    match = _REF.match(ref)
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)), column_index(match.group(1))


def expand_range(ref: str) -> list[str]:
    """`A2:A4` -> ["A2", "A3", "A4"], row by row."""
    start, _, end = ref.partition(":")
    if not end:
        return [start.replace("$", "").upper()]
    r1, c1 = parse_ref(start)
    r2, c2 = parse_ref(end)
    return [
        f"{column_letters(c)}{r}"
        for r in range(min(r1, r2), max(r1, r2) + 1)
        for c in range(min(c1, c2), max(c1, c2) + 1)
    ]


@dataclass(frozen=True)
class Location:
    """Where a finding points: a sheet and a cell (or range), or a place with no sheet
    ("pagina 2" in a plan, then `sheet` is empty). Findings keep the text form in their
    JSON; everything that needs the parts reads them here, with this one parser."""

    sheet: str = ""
    cell: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Location:
        if not text:
            return cls()
        if "!" not in text:
            return cls("", text)
        sheet, ref = split_address(text)
        return cls(sheet, ref)

    def __str__(self) -> str:
        return address(self.sheet, self.cell) if self.sheet else self.cell

    def sort_key(self) -> tuple[str, int, str]:
        """Sheet, then row number, then column: C9 before C10, as a person reads."""
        match = re.fullmatch(r"([A-Z]+)(\d+)(?::.*)?", self.cell)
        if not match:
            return (self.sheet, 0, self.cell)
        return (self.sheet, int(match.group(2)), match.group(1))
