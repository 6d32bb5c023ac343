"""The herschikking's inputs: its rules file and the declarations file staff export.

The declarations file (CSV or XLSX, one row per provider) comes from outside, like
the register: it is validated whole and refused whole, every bad row named with its
line, so that no provider is ever re-divided on half a file. Amounts are read as
`Decimal` in Dutch or plain notation; an xlsx is inflated by the bounded zip reader
before openpyxl sees it, as every workbook intake opens.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intake.campaign.reasons import reason as reason_of
from intake.campaign.register import parse_decimal
from intake.campaign.resources import rules_dir
from intake.campaign.rules import RulesError
from intake.extract.container import ContainerError, Limits, read_parts

_AGB = re.compile(r"^\d{8}$")
CALENDAR_KEYS = (
    "declarations_complete",
    "agreement_sent",
    "portal_opens",
    "provider_herschikking",
    "provider_budget_2021",
    "office_herschikking",
    "nza_herschikking",
    "office_budget_2021",
)
COLUMN_KEYS = ("agb", "naam", "declared", "lost_revenue", "custom")
# The calendar lines of the letter: each in its future form and, for a letter made after
# its date, its past form (`<key>_past`).
LETTER_CALENDAR = (
    "calendar_agreement",
    "calendar_portal",
    "calendar_provider",
    "calendar_budget_2021",
    "calendar_office",
)
# Every sentence the letter says: checked when the file is read, not when a letter is due.
LETTER_KEYS = (
    "title", "heading_kenmerk", "heading_date", "heading_provider", "provider_line",
    "phone_label", "footer_kenmerk", "salutation", "intro", "figures_heading",
    "figure_declared", "figure_extrapolated", "figure_discount", "figure_lost_revenue",
    "figure_custom", "figure_total", "formula", "discount", "no_discount", "rounding",
    "calendar_heading", "calendar_late", "closing", "signature",
    *LETTER_CALENDAR, *(f"{key}_past" for key in LETTER_CALENDAR),
)  # fmt: skip


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, eq=False)
class HerschikkingRules:
    """One year's herschikking: its arithmetic constants, calendar, columns and texts."""

    id: str
    year: int
    days_declared: int
    days_year: int
    rate_decimals: int
    kenmerk_prefix: str
    output_name: str
    columns: dict[str, str]
    calendar: dict[str, date]
    limits: dict[str, int]
    care_office: dict[str, str]
    problems: dict[str, str]
    workbook: dict[str, str]
    letter: dict[str, str]
    messages: dict[str, str]
    source: Path
    timezone: str = "Europe/Amsterdam"  # whose calendar day a letter is dated

    def common(self) -> dict[str, Any]:
        office = self.care_office
        return {
            "year": self.year,
            "office": office["name"],
            "department": office["department"],
            "mailbox": office["mailbox"],
            "phone": office["phone"],
            "days_declared": self.days_declared,
            "days_year": self.days_year,
        }

    def problem(self, key: str, **values: Any) -> str:
        return self.problems[key].format_map(_Blank(values))

    def message(self, key: str, **values: Any) -> str:
        return self.messages[key].format_map(_Blank(values))

    def text(self, key: str, **values: Any) -> str:
        """A sentence of the letter with the care office and the year filled in."""
        return self.letter[key].format_map(_Blank({**self.common(), **values}))

    @property
    def zip_limits(self) -> Limits:
        return Limits.from_rules(self.limits)  # type: ignore[arg-type]


def _require(data: dict[str, Any], table: str, keys: tuple[str, ...], source: str) -> list:
    section = data.get(table)
    if not isinstance(section, dict):
        return [(source, f"[{table}]", "the table is missing")]
    return [(source, f"[{table}] {k}", "missing") for k in keys if k not in section]


def _check(data: dict[str, Any], source: str) -> list[tuple[str, str, str]]:
    problems = _require(
        data,
        "herschikking",
        ("id", "year", "days_declared", "days_year", "rate_decimals", "kenmerk_prefix"),
        source,
    )
    problems += _require(data, "columns", COLUMN_KEYS, source)
    problems += _require(data, "calendar", CALENDAR_KEYS, source)
    problems += _require(data, "care_office", ("name", "department", "mailbox", "phone"), source)
    problems += _require(data, "letter", LETTER_KEYS, source)
    for table in ("limits", "problems", "workbook", "messages"):
        problems += _require(data, table, (), source)
    for key, value in (data.get("calendar") or {}).items():
        if not isinstance(value, date):
            problems.append((source, f"[calendar] {key}", "must be a date (YYYY-MM-DD)"))
    main = data.get("herschikking") or {}
    zone = main.get("timezone", "Europe/Amsterdam")
    try:
        ZoneInfo(str(zone))
    except (ValueError, ZoneInfoNotFoundError):
        problems.append((source, "[herschikking] timezone", f"'{zone}' is not a time zone"))
    for key in ("days_declared", "days_year", "rate_decimals"):
        if key in main and (not isinstance(main[key], int) or main[key] <= 0):
            problems.append((source, f"[herschikking] {key}", "must be a positive whole number"))
    return problems


@cache
def load_herschikking_rules(path: Path | None = None) -> HerschikkingRules:
    """The shipped `rules/herschikking-2020.toml`, or another year's file; checked when read."""
    path = path or rules_dir() / "herschikking-2020.toml"
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise RulesError([(str(path), "-", f"cannot be read: {exc.strerror}")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([(str(path), "-", f"not valid TOML: {exc}")]) from exc
    problems = _check(data, str(path))
    if problems:
        raise RulesError(problems)
    main = data["herschikking"]
    return HerschikkingRules(
        id=str(main["id"]),
        year=int(main["year"]),
        days_declared=int(main["days_declared"]),
        days_year=int(main["days_year"]),
        rate_decimals=int(main["rate_decimals"]),
        kenmerk_prefix=str(main["kenmerk_prefix"]),
        output_name=str(main.get("output_name", main["id"])),
        columns={k: str(v) for k, v in data["columns"].items()},
        calendar=dict(data["calendar"]),
        limits={k: int(v) for k, v in data["limits"].items()},
        care_office={k: str(v) for k, v in data["care_office"].items()},
        problems={k: str(v) for k, v in data["problems"].items()},
        workbook={k: str(v) for k, v in data["workbook"].items()},
        letter={k: str(v) for k, v in data["letter"].items()},
        messages={k: str(v) for k, v in data["messages"].items()},
        source=path,
        timezone=str(main.get("timezone", "Europe/Amsterdam")),
    )


@dataclass(frozen=True)
class Declaration:
    """One provider's row of the declarations file."""

    line: int
    agb: str
    naam: str
    declared: Decimal
    lost_revenue: Decimal
    custom: Decimal


@dataclass(frozen=True)
class RowProblem:
    line: int | None  # line in the file (header = 1); None for the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"regel {self.line}" if self.line else "bestand"
        if self.column:
            where += f", kolom {self.column}"
        return f"{where}: {self.message}"


class DeclarationsError(Exception):
    """The declarations file is refused as a whole; `problems` names every bad row."""

    def __init__(self, source: str, problems: list[RowProblem], heading: str) -> None:
        super().__init__(f"{source} refused: {len(problems)} problem(s)")
        self.source = source
        self.problems = problems
        self.heading = heading

    def report(self) -> str:
        return "\n".join([self.heading, *(f"  - {p}" for p in self.problems)])


def _csv_rows(data: bytes) -> list[tuple[int, dict[str, object]]]:
    text = data.decode("utf-8-sig")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
    rows = []
    for row in reader:
        if any((v or "").strip() for v in row.values() if isinstance(v, str)):
            rows.append((reader.line_num, dict(row)))
    return rows


def _xlsx_rows(data: bytes, rules: HerschikkingRules) -> list[tuple[int, dict[str, object]]]:
    import openpyxl

    from intake.extract.opc import canonical_package

    parts = read_parts(data, rules.zip_limits, count_cells=True)
    wb = openpyxl.load_workbook(
        io.BytesIO(canonical_package(parts)), read_only=True, data_only=True, keep_links=False
    )
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(rows, ())]
        return [
            (line, dict(zip(header, row, strict=False)))
            for line, row in enumerate(rows, start=2)
            if any(v not in (None, "") for v in row)
        ]
    finally:
        wb.close()


def _agb(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _amount(
    raw: object, line: int, column: str, rules: HerschikkingRules, problems: list[RowProblem]
) -> Decimal | None:
    """An amount as Decimal; an empty omzetderving or maatwerk cell is nothing agreed: 0."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column == rules.columns["declared"]:
            return _bad(raw, line, column, rules, problems)
        return Decimal(0)
    try:
        amount = parse_decimal(raw)
    except (ValueError, InvalidOperation):
        return _bad(raw, line, column, rules, problems)
    if amount < 0:
        problems.append(RowProblem(line, column, rules.problem("negative", value=raw)))
        return None
    return amount


def _bad(
    raw: object, line: int, column: str, rules: HerschikkingRules, problems: list[RowProblem]
) -> None:
    problems.append(RowProblem(line, column, rules.problem("not_a_number", value=raw or "")))
    return None


def _declaration(
    line: int, row: dict[str, object], rules: HerschikkingRules, problems: list[RowProblem]
) -> Declaration | None:
    names = rules.columns
    before = len(problems)
    agb = _agb(row.get(names["agb"]))
    if not _AGB.match(agb):
        problems.append(RowProblem(line, names["agb"], rules.problem("agb_invalid", value=agb)))
    naam = str(row.get(names["naam"]) or "").strip()
    if not naam:
        problems.append(RowProblem(line, names["naam"], rules.problem("naam_missing")))
    amounts = {
        key: _amount(row.get(names[key]), line, names[key], rules, problems)
        for key in ("declared", "lost_revenue", "custom")
    }
    if len(problems) > before:
        return None
    return Declaration(line, agb, naam, **amounts)  # type: ignore[arg-type]


def parse_declarations(data: bytes, source: str, rules: HerschikkingRules) -> list[Declaration]:
    """Every row of the file, or `DeclarationsError` naming every bad row and why."""

    def refuse(problems: list[RowProblem]) -> DeclarationsError:
        heading = rules.problem("refused", source=source, count=len(problems))
        return DeclarationsError(source, problems, heading)

    limit = rules.limits.get("max_file_bytes", 10_000_000)
    if len(data) > limit:
        message = rules.problem("too_large", megabytes=limit // 1_000_000)
        raise refuse([RowProblem(None, None, message)])
    try:
        rows = _xlsx_rows(data, rules) if data[:2] == b"PK" else _csv_rows(data)
    except ContainerError as exc:
        problem = RowProblem(None, None, rules.problem("unreadable", reason=reason_of(exc)))
        raise refuse([problem]) from exc
    except Exception as exc:  # any unreadable file: refused with the reason, never a traceback
        reason = f"{type(exc).__name__}: {exc}"
        raise refuse([RowProblem(None, None, rules.problem("unreadable", reason=reason))]) from exc
    if not rows:
        raise refuse([RowProblem(None, None, rules.problem("empty"))])
    max_rows = rules.limits.get("max_rows", 5_000)
    if len(rows) > max_rows:
        raise refuse([RowProblem(None, None, rules.problem("too_many_rows", max_rows=max_rows))])
    header = set().union(*(row.keys() for _, row in rows))
    missing = [name for name in rules.columns.values() if name not in header]
    if missing:
        message = rules.problem("missing_columns", columns=", ".join(missing))
        raise refuse([RowProblem(None, None, message)])
    problems: list[RowProblem] = []
    found: list[Declaration] = []
    first: dict[str, int] = {}
    for line, row in rows:
        agb = _agb(row.get(rules.columns["agb"]))
        if _AGB.match(agb) and agb in first:
            message = rules.problem("duplicate", agb=agb, first=first[agb])
            problems.append(RowProblem(line, rules.columns["agb"], message))
        first.setdefault(agb, line)
        declaration = _declaration(line, row, rules, problems)
        if declaration is not None:
            found.append(declaration)
    if problems:
        raise refuse(problems)
    return found


def load_declarations(path: Path, rules: HerschikkingRules) -> list[Declaration]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = RowProblem(None, None, rules.problem("unreadable", reason=exc.strerror))
        heading = rules.problem("refused", source=path, count=1)
        raise DeclarationsError(str(path), [problem], heading) from exc
    return parse_declarations(data, str(path), rules)


def parse_budget(text: str, rules: HerschikkingRules) -> Decimal:
    """The region's budget as typed on the command line or at the desk: € 1.250.000,00 too."""
    try:
        budget = parse_decimal(text)
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(rules.problem("budget_invalid", value=text)) from exc
    if budget < 0:
        raise ValueError(rules.problem("budget_invalid", value=text))
    return budget
