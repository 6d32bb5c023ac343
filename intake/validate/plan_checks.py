"""Is this document a kwaliteitsplan of the campaign's year that a person can read?"""

from __future__ import annotations

import re
from pathlib import PurePath

from intake.domain import DocumentKind, Finding, Provider
from intake.extract.plan import PlanText
from intake.register import Register
from intake.rules import Rules

_AGB_NEAR_LABEL = re.compile(r"AGB[\s-]*(?:code)?[^0-9]{0,20}(\d{8})", re.IGNORECASE)
_YEAR = re.compile(r"\b(20[12]\d)\b")


def classify_plan(filename: str, plan: PlanText, rules: Rules) -> DocumentKind:
    keywords = [k.casefold() for k in rules.plan["keywords"]]
    haystack = (PurePath(filename).name + " " + plan.text[:200_000]).casefold()
    if any(k in haystack for k in keywords):
        return DocumentKind.KWALITEITSPLAN
    if not plan.text.strip() and plan.pages > 0:
        return DocumentKind.KWALITEITSPLAN  # a scan: a person has to look
    return DocumentKind.UNKNOWN


def check_plan(filename: str, plan: PlanText, rules: Rules) -> list[Finding]:
    name = PurePath(filename).name
    text = plan.text.strip()
    if plan.pages == 0:
        return [rules.finding("PLAN_EMPTY", file=name)]
    if not text:
        return [rules.finding("PLAN_NO_TEXT", file=name)]
    if len(text) < int(rules.plan["min_text_chars"]):
        return [rules.finding("PLAN_EMPTY", file=name)]
    year = str(rules.plan["year"])
    if year in text or year in name:
        return []
    others = sorted(set(_YEAR.findall(text[:50_000])) - {year})
    note = f" (wel: {', '.join(others[:3])})" if others else ""
    return [rules.finding("PLAN_WRONG_YEAR", file=name, other_years=note)]


def plan_provider(plan: PlanText, register: Register | None) -> Provider | None:
    """The provider a plan belongs to: an AGB code in the text, else a registered name."""
    text = plan.text[:200_000]
    if register is not None:
        for agb in re.findall(r"\b\d{8}\b", text):
            entry = register.get(agb)
            if entry:
                return Provider(entry.agb, entry.naam)
        folded = text.casefold()
        for entry in register.entries.values():
            if entry.naam and entry.naam.casefold() in folded:
                return Provider(entry.agb, entry.naam)
    match = _AGB_NEAR_LABEL.search(text)
    return Provider(match.group(1), None) if match else None
