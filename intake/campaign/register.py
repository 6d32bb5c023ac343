"""The reserved-budget register: who may apply, for how much, from which addresses.

It comes from the purchasing application as CSV or XLSX. It is outside data too,
so it is validated whole and refused whole: a half-loaded register would reject
honest providers as unknown.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from intake.campaign.reasons import reason as reason_of
from intake.extract.container import ContainerError

COLUMNS = ("agb_code", "naam", "regio", "contact")  # plus the campaign's two amount columns
_AGB = re.compile(r"^\d{8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Problem:
    row: int | None  # line in the file (header = 1), None for the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"regel {self.row}" if self.row else "bestand"
        if self.column:
            where += f", kolom {self.column}"
        return f"{where}: {self.message}"


class RegisterError(Exception):
    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"register {path} refused: {len(problems)} problem(s)")

    def report(self) -> str:
        lines = [f"Register {self.path} is niet geladen ({len(self.problems)} problemen):"]
        lines += [f"  - {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... en nog {len(self.problems) - 50}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Entry:
    agb: str
    naam: str
    regio: str
    gereserveerd: float
    compensatie: float | None
    contacts: tuple[str, ...]  # lower-case addresses and @domains

    def is_contact(self, sender: str | None) -> bool:
        if not sender:
            return False
        sender = sender.strip().lower()
        domain = "@" + sender.rpartition("@")[2]
        return any(c == sender or (c.startswith("@") and c == domain) for c in self.contacts)

    def to_json(self) -> dict[str, object]:
        return {
            "agb_code": self.agb,
            "naam": self.naam,
            "regio": self.regio,
            "gereserveerd": self.gereserveerd,
            "compensatie": self.compensatie,
            "contact": list(self.contacts),
        }


@dataclass(frozen=True)
class Register:
    source: str
    entries: dict[str, Entry]

    def get(self, agb: str | None) -> Entry | None:
        return self.entries.get(agb or "")

    def for_sender(self, sender: str | None) -> list[Entry]:
        return [e for e in self.entries.values() if e.is_contact(sender)]

    def __len__(self) -> int:
        return len(self.entries)


_DUTCH_THOUSANDS = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")


def _normalised(value: object) -> str:
    """An amount's text in plain notation: 1.250.000,00 and € 1.250.000 become 1250000(.00)."""
    text = str(value).strip().replace("€", "").replace(" ", "").replace("\xa0", "")
    if not text:
        raise ValueError("leeg")
    if "," in text and (text.rfind(",") > text.rfind(".")):
        return text.replace(".", "").replace(",", ".")
    if text.count(".") > 1 or _DUTCH_THOUSANDS.fullmatch(text):
        # 450.000 is four hundred and fifty thousand euro in a Dutch register, not 450
        return text.replace(".", "")
    return text.replace(",", "")


def parse_amount(value: object) -> float:
    """1250000, 1250000.00, 1.250.000,00 and € 1.250.000 all mean the same amount."""
    if isinstance(value, bool):
        raise ValueError("geen bedrag")
    if isinstance(value, (int, float)):
        return float(value)
    amount = float(_normalised(value))
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise ValueError("geen eindig bedrag")
    return amount


def parse_decimal(value: object) -> Decimal:
    """The same notations as `parse_amount`, exact: for money that must add up to the cent."""
    if isinstance(value, bool):
        raise ValueError("geen bedrag")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("geen eindig bedrag")
        return Decimal(repr(value))  # 1250000.1 typed in a cell is 1250000.1, not its binary twin
    text = _normalised(value)
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError("geen bedrag")
    return Decimal(text)


def _rows_from_csv(data: bytes) -> list[dict[str, object]]:
    text = data.decode("utf-8-sig")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
    return list(reader)


def _rows_from_xlsx(data: bytes) -> list[dict[str, object]]:
    """The first sheet's rows, read as a provider's workbook is: the parts come from the
    bounded zip reader (size, ratio, cell and DTD limits of the shipped rules) and reach
    openpyxl only as the package it expects (also when saved as Strict Open XML)."""
    import openpyxl

    from intake.campaign.rules import load_rules
    from intake.extract.container import Limits, read_parts
    from intake.extract.opc import canonical_package

    parts = read_parts(data, Limits.from_rules(load_rules().limits), count_cells=True)
    package = canonical_package(parts)
    wb = openpyxl.load_workbook(io.BytesIO(package), read_only=True, data_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows, ())]
    result = [
        dict(zip(header, row, strict=False)) for row in rows if any(v is not None for v in row)
    ]
    wb.close()
    return result


def _agb(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _entry(
    line: int, row: dict[str, object], problems: list[Problem], columns: tuple[str, str]
) -> Entry | None:
    before = len(problems)
    agb = _agb(row.get("agb_code"))
    if not _AGB.match(agb):
        problems.append(Problem(line, "agb_code", f"'{agb}' is geen AGB-code van 8 cijfers"))
    naam = str(row.get("naam") or "").strip()
    if not naam:
        problems.append(Problem(line, "naam", "naam ontbreekt"))
    amounts: dict[str, float | None] = {}
    reserved, compensation = columns
    for column, required in ((reserved, True), (compensation, False)):
        raw = row.get(column)
        if raw in (None, "") and not required:
            amounts[column] = None
            continue
        try:
            amount = parse_amount(raw)
            if amount < 0 or amount != amount:
                raise ValueError
            amounts[column] = amount
        except ValueError:
            problems.append(Problem(line, column, f"'{raw or ''}' is geen geldig bedrag"))
    contacts = tuple(
        c.strip().lower()
        for c in str(row.get("contact") or "").replace(",", ";").split(";")
        if c.strip()
    )
    for contact in contacts:
        if not (_EMAIL.match(contact) or _DOMAIN.match(contact)):
            problems.append(Problem(line, "contact", f"'{contact}' is geen e-mailadres of @domein"))
    if len(problems) > before:
        return None
    return Entry(
        agb=agb,
        naam=naam,
        regio=str(row.get("regio") or "").strip(),
        gereserveerd=amounts[reserved] or 0.0,
        compensatie=amounts[compensation],
        contacts=contacts,
    )


def _amount_columns(header: dict[str, object], columns: tuple[str, str] | None) -> tuple[str, str]:
    """The campaign's columns (rules `[register]`), or the header's gereserveerd*/compensatie*."""
    if columns is not None:
        return columns
    found = [
        next((h for h in header if h.startswith(prefix)), prefix)
        for prefix in ("gereserveerd", "compensatie")
    ]
    return found[0], found[1]


def parse_register(data: bytes, source: str, columns: tuple[str, str] | None = None) -> Register:
    """`columns`: the reserved and compensation column names of the campaign."""
    problems: list[Problem] = []
    try:
        rows = _rows_from_xlsx(data) if data[:2] == b"PK" else _rows_from_csv(data)
    except ContainerError as exc:  # over the limits, damaged, encrypted: the Dutch reason
        raise RegisterError(
            source, [Problem(None, None, f"niet leesbaar: {reason_of(exc)}")]
        ) from exc
    except Exception as exc:  # unreadable file of any kind: refuse with the reason
        raise RegisterError(source, [Problem(None, None, f"niet leesbaar ({exc})")]) from exc
    if not rows:
        raise RegisterError(source, [Problem(None, None, "geen regels gevonden")])
    columns = _amount_columns(rows[0], columns)
    missing = [c for c in (*COLUMNS, *columns) if c not in rows[0]]
    if missing:
        raise RegisterError(
            source, [Problem(None, None, f"kolommen ontbreken: {', '.join(missing)}")]
        )
    entries: dict[str, Entry] = {}
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        entry = _entry(line, row, problems, columns)
        if entry is None:
            continue
        if entry.agb in entries:
            problems.append(
                Problem(
                    line,
                    "agb_code",
                    f"AGB-code {entry.agb} staat ook op regel {first_line[entry.agb]}",
                )
            )
            continue
        entries[entry.agb] = entry
        first_line[entry.agb] = line
    if problems:
        raise RegisterError(source, problems)
    return Register(source, entries)


def load_register(path: str | Path, columns: tuple[str, str] | None = None) -> Register:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterError(
            str(path), [Problem(None, None, f"niet te openen ({exc.strerror})")]
        ) from exc
    return parse_register(data, str(path), columns)
