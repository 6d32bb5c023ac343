"""The letter's sentences, from the `[letter]` section of the campaign's rules file.

Read beside the rules (not through them) so that the letter's texts can grow
without touching the rules loader; every date and name in them is filled from
the rules, so a new campaign never needs a text with a year in it.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from intake.campaign.rules import Rules
from intake.domain import fmt


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def section(rules: Rules) -> dict[str, str]:
    """The merged rules' `[letter]`: a campaign that extends another inherits its letter."""
    letter = rules.data.get("letter")
    if not isinstance(letter, dict):
        raise KeyError(f"{rules.source}: no [letter] section")
    return {k: str(v) for k, v in letter.items()}


def campaign_year(rules: Rules) -> str:
    """The budget year: the plan's year in the rules, else the year after the deadline."""
    year = getattr(rules, "year", None) or rules.plan.get("year")
    return str(year) if year else str(rules.deadline.year + 1)


def model_name(rules: Rules, family: Any) -> str:
    version = family.versions.get(rules.current_version)
    return version.name if version else rules.current_version


def text(rules: Rules, key: str, family: Any = None, **values: Any) -> str:
    """One sentence of the letter with the campaign's dates and the office's details."""
    office = rules.care_office
    fill = _Blank(
        {
            "year": campaign_year(rules),
            "deadline": fmt.day(rules.deadline),
            "cutoff": fmt.day(rules.corrected_model_from),
            "model": model_name(rules, family) if family is not None else rules.current_version,
            "office": office["name"],
            "department": office["department"],
            "mailbox": office["mailbox"],
            "phone": office["phone"],
            **values,
        }
    )
    return section(rules)[key].format_map(fill)


def headings(rules: Rules) -> dict[str, str]:
    """The letter's headings (`[letter] heading_*`), keyed without the prefix; `page`
    keeps its {page} and {pages} for the PDF to fill per page."""
    keys = [k for k in section(rules) if k.startswith("heading_")]
    return {k.removeprefix("heading_"): text(rules, k) for k in keys}


def has(rules: Rules, key: str) -> bool:
    return key in section(rules)


def refusal_text(rules: Rules, reason: str, family: Any = None) -> str:
    key = f"migration_refused_{reason}"
    return text(rules, key if has(rules, key) else "migration_refused_other", family)


def after_deadline(rules: Rules, today: date) -> bool:
    return today > rules.deadline


def kenmerk_prefix(rules: Rules) -> str:
    """`[care_office] kenmerk_prefix`, else KB: one key, so letters and staff search agree."""
    return str(rules.care_office.get("kenmerk_prefix") or "KB")


def ocr_note(rules: Rules, signals: dict[str, Any]) -> str | None:
    """For staff: that (and how) a scan was read by OCR, or why it could not be; None
    for a document with a text layer of its own."""
    ocr = (signals.get("plan") or {}).get("ocr")
    if not ocr:
        return None
    limit = fmt.number(ocr.get("limit_seconds") or 0, 0)
    if not ocr.get("pages_read") or ocr.get("error") == "empty":
        error = str(ocr.get("error") or "")
        if error in ("unavailable", "time", "empty"):
            error = rules.text(f"plan_ocr_{error}", seconds=limit)
        return rules.text("plan_ocr_failed", reason=error)
    note = rules.text(
        "plan_read_by_ocr",
        language=ocr.get("language", ""),
        read=ocr["pages_read"],
        wanted=ocr["pages_wanted"],
    )
    if ocr["pages_read"] < ocr["pages_wanted"]:
        pages = ocr.get("limit_pages", "")
        note += " " + rules.text("plan_ocr_partial", pages=pages, seconds=limit)
    return note
