"""Whose plan is this? Registered names and AGB codes found in the text.

A plan that carries one provider's name and another's AGB code is never filed under
either without a person looking: it goes to review with both named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from intake.campaign.register import Entry, Register
from intake.campaign.rules import Rules
from intake.checks.plan_text import Sentence, normalise
from intake.domain import Finding, Provider

_AGB_NEAR_LABEL = re.compile(r"AGB[\s-]*(?:code)?[^0-9]{0,20}(\d{8})", re.IGNORECASE)
_EIGHT_DIGITS = re.compile(r"\b\d{8}\b")


@dataclass
class Named:
    entry: Entry
    by_agb: int | None = None  # page (or 0 when unknown) where its AGB code stands
    by_name: int | None = None

    @property
    def both(self) -> bool:
        return self.by_agb is not None and self.by_name is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "agb": self.entry.agb,
            "naam": self.entry.naam,
            "agb_page": self.by_agb,
            "name_page": self.by_name,
        }


def _name_key(name: str, ignore: set[str]) -> str:
    words = [w for w in normalise(name).split() if w not in ignore]
    return " " + " ".join(words) + " " if words else ""


def _stripped(norm: str, ignore: set[str]) -> str:
    return " " + " ".join(w for w in norm.split() if w not in ignore) + " "


def named(sentences: list[Sentence], register: Register, rules: Rules) -> list[Named]:
    """Registered providers the plan names by AGB code or by name, in order of appearance."""
    words = rules.plan.get("provider", {}).get("name_ignore", [])
    ignore = {token for w in words for token in normalise(w).split()}
    whole = _stripped(" ".join(s.norm for s in sentences), ignore)
    # Only names somewhere in the plan are looked for sentence by sentence (for the page).
    names = {
        e.agb: key
        for e in register.entries.values()
        if (key := _name_key(e.naam or "", ignore)).strip() and key in whole
    }
    found: dict[str, Named] = {}
    for sentence in sentences:
        page = sentence.page or 0
        for agb in _EIGHT_DIGITS.findall(sentence.text):
            entry = register.get(agb)
            if entry is not None:
                item = found.setdefault(entry.agb, Named(entry))
                item.by_agb = item.by_agb if item.by_agb is not None else page
        if not names:
            continue
        text = _stripped(sentence.norm, ignore)
        for agb, key in names.items():
            if key in text:
                item = found.setdefault(agb, Named(register.get(agb)))
                item.by_name = item.by_name if item.by_name is not None else page
    return list(found.values())


class Identity(NamedTuple):
    provider: Provider | None
    findings: list[Finding]
    seen: list[dict[str, Any]]  # every provider the plan names, for staff


def identify(
    sentences: list[Sentence], text: str, register: Register | None, rules: Rules
) -> Identity:
    """The plan's provider, findings about it and what was found (for staff)."""
    if register is None:
        match = _AGB_NEAR_LABEL.search(text[:200_000])
        return Identity((Provider(match.group(1), None) if match else None), [], [])
    candidates = named(sentences, register, rules)
    seen = [c.to_json() for c in candidates]
    complete = [c for c in candidates if c.both]
    if len(complete) == 1:  # other names are partners the plan mentions
        return Identity(_provider(complete[0]), [], seen)
    if not candidates:
        match = _AGB_NEAR_LABEL.search(text[:200_000])
        provider = Provider(match.group(1), None) if match else None
        return Identity(provider, [rules.finding("PLAN_PROVIDER_NOT_NAMED")], seen)
    if len(candidates) == 1 and not complete:
        only = candidates[0]
        if only.by_name is not None:
            return Identity(_provider(only), [], seen)
        missing = rules.finding(
            "PLAN_PROVIDER_NAME_MISSING", agb=only.entry.agb, naam=only.entry.naam
        )
        return Identity(_provider(only), [missing], seen)
    listing = "; ".join(_describe(c) for c in candidates[:4])
    return Identity(None, [rules.finding("PLAN_PROVIDER_CONFLICT", providers=listing)], seen)


def _provider(item: Named) -> Provider:
    return Provider(item.entry.agb, item.entry.naam)


def _describe(item: Named) -> str:
    how = []
    if item.by_name is not None:
        how.append(f"naam{_page(item.by_name)}")
    if item.by_agb is not None:
        how.append(f"AGB-code {item.entry.agb}{_page(item.by_agb)}")
    return f"{item.entry.naam} ({' en '.join(how)})"


def _page(page: int) -> str:
    return f" op pagina {page}" if page else ""
