"""Dutch notation for what providers read: € 1.250.000,00, 82,5%, 31-12-2025."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def _grouped(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return ("-" if value < 0 and float(text.replace(".", "").replace(",", ".")) else "") + text


def euro(value: float | None) -> str:
    return "—" if value is None else f"€ {_grouped(value, 2)}"


def number(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return _grouped(value, 0)
    return _grouped(value, decimals).rstrip("0").rstrip(",") if decimals else _grouped(value, 0)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{_grouped(value * 100, 1)}%"


def day(value: date | datetime | None) -> str:
    return "—" if value is None else value.strftime("%d-%m-%Y")


def raw(value: Any) -> str:
    """A cell value as the provider typed it, for quoting back in a message."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, float):
        return number(value, 6)
    if isinstance(value, (date, datetime)):
        return day(value)
    return str(value)
