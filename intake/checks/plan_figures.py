"""Fte and euro amounts written in a plan, in Dutch notation, with where they stand.

"12,5 fte", "€ 1.249.675", "1,2 miljoen", "EUR 99.000.000": each becomes an exact
Decimal with the precision it was written in ("1,2 miljoen" means anything from
1.150.000 to 1.250.000), so a comparison with the model can allow for rounding
without a tolerance that hides a real difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from intake.checks.plan_text import Sentence, quote, stem_patterns

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_SCALE = r"miljoen|mln\.?|mio\.?|miljard|mld\.?|duizend|k\b"


@cache
def _euro() -> re.Pattern[str]:
    """Amounts in euro. Compiled on first use: a case-insensitive pattern this size costs
    some 25 ms to compile, which a run without plans (one model) need not pay."""
    return re.compile(
        rf"(?:€|\beur\b|\beuro\b)\s*(?P<a>{_NUM})(?:\s*(?P<sa>{_SCALE}))?(?:,-)?"
        rf"|(?P<b>{_NUM})\s*(?P<sb>{_SCALE})?\s*(?:euro\b|eur\b|€)"
        rf"|(?P<c>{_NUM})\s*(?P<sc>miljoen|mln\.?)(?!\s*(?:euro|eur|€))",
        re.IGNORECASE,
    )


@cache
def _fte() -> re.Pattern[str]:
    return re.compile(
        rf"(?P<n>{_NUM})\s*(?:extra\s+|meer\s+|nieuwe\s+|additionele\s+)?(?:fte|formatieplaats)",
        re.IGNORECASE,
    )


_SCALES = {
    "miljoen": Decimal(1_000_000),
    "mln": Decimal(1_000_000),
    "mio": Decimal(1_000_000),
    "miljard": Decimal(1_000_000_000),
    "mld": Decimal(1_000_000_000),
    "duizend": Decimal(1_000),
    "k": Decimal(1_000),
}
MAX_PER_KIND = 40


def parse_number(written: str) -> tuple[Decimal, Decimal]:
    """A Dutch-notation number and half the unit of its last written digit.

    "1.249.675" -> 1249675 (dots group thousands), "12,5" -> 12.5 (comma is the
    decimal sign); "12.5" with one or two digits after the dot is read as a decimal.
    """
    text = written.strip()
    if "," in text:
        whole, _, decimals = text.partition(",")
        digits = whole.replace(".", "") + "." + decimals
    elif re.fullmatch(r"\d+\.\d{1,2}", text):
        digits = text
    else:
        digits = text.replace(".", "")
    value = Decimal(digits)
    exponent = value.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    return value, step / 2


@dataclass(frozen=True)
class Figure:
    kind: str  # "fte" or "euro"
    value: Decimal
    precision: Decimal  # half a unit of the last written digit, after scaling
    written: str
    page: int | None
    quote: str
    context: bool  # the sentence speaks of the extra staff or the budget

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": str(self.value),
            "precision": str(self.precision),
            "written": self.written,
            "page": self.page,
            "quote": self.quote,
            "context": self.context,
        }


def figure_from_json(data: dict[str, Any]) -> Figure:
    return Figure(
        data["kind"],
        Decimal(data["value"]),
        Decimal(data["precision"]),
        data["written"],
        data.get("page"),
        data.get("quote", ""),
        bool(data.get("context")),
    )


def _scaled(number: str, scale: str | None) -> tuple[Decimal, Decimal]:
    value, precision = parse_number(number)
    if scale:
        factor = _SCALES[scale.casefold().rstrip(".")]
        value, precision = value * factor, precision * factor
    return value, precision


def _in_context(sentence: Sentence, patterns: list[tuple[str, str]]) -> bool:
    return any(p in sentence.norm for _, p in patterns)


def _euros(sentence: Sentence, context: bool, evidence_chars: int) -> list[Figure]:
    found = []
    for match in _euro().finditer(sentence.text):
        number = match.group("a") or match.group("b") or match.group("c")
        scale = match.group("sa") or match.group("sb") or match.group("sc")
        try:
            value, precision = _scaled(number, scale)
        except (InvalidOperation, KeyError):
            continue
        written = " ".join(match.group(0).split())
        q = quote(sentence, evidence_chars)
        found.append(Figure("euro", value, precision, written, sentence.page, q, context))
    return found


def _ftes(sentence: Sentence, context: bool, evidence_chars: int) -> list[Figure]:
    found = []
    for match in _fte().finditer(sentence.text):
        try:
            value, precision = parse_number(match.group("n"))
        except InvalidOperation:
            continue
        written = " ".join(match.group(0).split())
        q = quote(sentence, evidence_chars)
        found.append(Figure("fte", value, precision, written, sentence.page, q, context))
    return found


def find_figures(
    sentences: list[Sentence], plan_rules: dict[str, Any], evidence_chars: int = 240
) -> list[Figure]:
    """Every fte and euro figure, at most MAX_PER_KIND of each, in reading order."""
    section = plan_rules.get("figures", {})
    year = str(plan_rules.get("year", ""))  # "in <year> komen er 12 fte bij" is about the extra
    fte_context = stem_patterns([*section.get("fte_context", []), year])
    amount_context = stem_patterns(section.get("amount_context", []))
    ftes: list[Figure] = []
    euros: list[Figure] = []
    for sentence in sentences:
        if len(ftes) < MAX_PER_KIND and ("fte" in sentence.norm or "formatie" in sentence.norm):
            ftes += _ftes(sentence, _in_context(sentence, fte_context), evidence_chars)
        if len(euros) < MAX_PER_KIND:
            euros += _euros(sentence, _in_context(sentence, amount_context), evidence_chars)
    return ftes[:MAX_PER_KIND] + euros[:MAX_PER_KIND]


def share_explained(
    sentences: list[Sentence], plan_rules: dict[str, Any], evidence_chars: int = 240
) -> dict[str, Any] | None:
    """The first sentence that explains a personnel share below the threshold, if any."""
    patterns = stem_patterns(plan_rules.get("figures", {}).get("share_explanation", []))
    for sentence in sentences:
        stem = next((s for s, p in patterns if p in sentence.norm), None)
        if stem:
            return {"page": sentence.page, "quote": quote(sentence, evidence_chars), "stem": stem}
    return None
