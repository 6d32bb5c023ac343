"""Is this a readable kwaliteitsplan of the campaign's year, and what does it say?

Recognising a plan and its year stays cheap and strict; what the plan covers
(themes, figures, councils, substance) is read for staff and never rejects it on
keyword grounds: a doubt is a review finding with the sentence and page behind it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import Any

from intake.campaign.register import Register
from intake.campaign.rules import Rules
from intake.checks import plan_councils, plan_figures, plan_provider, plan_substance, plan_themes
from intake.checks.plan_text import Sentence, sentences
from intake.checks.registry import Stage, check, for_stage
from intake.domain import DocumentKind, Finding, Provider
from intake.extract.plan import PlanText

_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")
_RANGE = re.compile(r"(?<!\d)(20[0-4]\d)\s*(?:-|–|—|/|t/m|tot en met|tot)\s*(20[0-4]\d|\d\d)(?!\d)")


@dataclass
class PlanReading:
    provider: Provider | None
    findings: list[Finding] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)


def classify_plan(filename: str, plan: PlanText, rules: Rules) -> DocumentKind:
    keywords = [k.casefold() for k in rules.plan["keywords"]]
    haystack = (PurePath(filename).name + " " + plan.text[:200_000]).casefold()
    if any(k in haystack for k in keywords):
        return DocumentKind.KWALITEITSPLAN
    if not plan.text.strip() and plan.pages > 0:
        return DocumentKind.KWALITEITSPLAN  # a scan: a person has to look
    return DocumentKind.UNKNOWN


def years_covered(text: str) -> set[int]:
    """Years named, with every year inside a period ("2030-2032", "2031 t/m 2033")."""
    years = {int(y) for y in _YEAR.findall(text)}
    for first, last in _RANGE.findall(text):
        start = int(first)
        end = int(last) if len(last) == 4 else start - start % 100 + int(last)
        if start < end <= start + 10:
            years.update(range(start, end + 1))
    return years


def _title_years(name: str, text: str, rules: Rules) -> set[int]:
    """Years in the file name and in the plan's title lines (lines naming the plan)."""
    keywords = [k.casefold() for k in rules.plan["keywords"]]
    head = text[: int(rules.plan.get("title_chars", 1500))]
    lines = [line for line in head.splitlines() if any(k in line.casefold() for k in keywords)]
    return years_covered(name) | years_covered("\n".join(lines))


def check_year(name: str, plan: PlanText, rules: Rules) -> list[Finding]:
    """A plan for the campaign year, or for a period that includes it; else review."""
    target = int(rules.plan["year"])
    text = plan.text[: int(rules.plan.get("max_chars", 400_000))]
    title, body = _title_years(name, text, rules), years_covered(text)
    if target in title or (not title and target in body):
        return []
    named = title or body
    if named and max(named) < target:
        shown = ", ".join(str(y) for y in sorted(named)[-3:])
        also = f" (het jaar {target} komt wel voor in de tekst)" if target in body else ""
        return [
            rules.finding("PLAN_LAST_YEAR", file=name, years=shown, also=also, year=str(target))
        ]
    others = sorted(body - {target})
    note = f" (wel: {', '.join(str(y) for y in others[:3])})" if others else ""
    return [rules.finding("PLAN_WRONG_YEAR", file=name, other_years=note, year=str(target))]


UNREADABLE = {"PLAN_EMPTY", "PLAN_NO_TEXT"}


@dataclass
class PlanFacts:
    """What the checks of a plan read, each reading made once and only when asked."""

    filename: str  # the file's own name, never a path
    plan: PlanText
    rules: Rules
    register: Register | None
    paged: bool = True  # page numbers mean something (PDF, or Word that marks pages)

    @cached_property
    def evidence_chars(self) -> int:
        return int(self.rules.plan.get("evidence_chars", 240))

    @cached_property
    def sentences(self) -> list[Sentence]:
        limit = int(self.rules.plan.get("max_chars", 400_000))
        return sentences(self.plan, paged=self.paged, max_chars=limit)

    @cached_property
    def identity(self) -> plan_provider.Identity:
        found = plan_provider.identify(self.sentences, self.plan.text, self.register, self.rules)
        return plan_provider.Identity(*found)

    @cached_property
    def substance(self) -> tuple[list[Finding], dict[str, Any]]:
        return plan_substance.check_substance(self.sentences, self.rules, self.evidence_chars)

    @cached_property
    def covered(self) -> list[plan_themes.Coverage]:
        return plan_themes.coverage(self.sentences, self.rules.plan, self.evidence_chars)

    @cached_property
    def councils(self) -> tuple[list[Finding], dict[str, Any]]:
        return plan_councils.check_councils(self.sentences, self.rules, self.evidence_chars)

    def signals(self) -> dict[str, Any]:
        spec, chars = self.rules.plan, self.evidence_chars
        figures = plan_figures.find_figures(self.sentences, spec, chars)
        return {
            "sentences": len(self.sentences),
            "words": self.substance[1],
            "providers_named": self.identity.seen,
            "themes": plan_themes.summary(self.covered),
            "councils": self.councils[1],
            "figures": [f.to_json() for f in figures],
            "share_explanation": plan_figures.share_explained(self.sentences, spec, chars),
        }


@check(
    Stage.PLAN_TEXT,
    codes=("PLAN_EMPTY", "PLAN_NO_TEXT", "PLAN_LAST_YEAR", "PLAN_WRONG_YEAR"),
    stops=UNREADABLE,
)
def check_plan(filename: str, plan: PlanText, rules: Rules) -> list[Finding]:
    """Is there anything to read: pages, text, the campaign year. The other checks of the
    text run only when there is."""
    name = PurePath(filename).name
    text = plan.text.strip()
    if plan.pages == 0:
        return [rules.finding("PLAN_EMPTY", file=name)]
    if not text:
        return [rules.finding("PLAN_NO_TEXT", file=name)]
    if len(text) < int(rules.plan["min_text_chars"]):
        return [rules.finding("PLAN_EMPTY", file=name)]
    return check_year(name, plan, rules)


@check(
    Stage.PLAN_TEXT,
    codes=("PLAN_PROVIDER_CONFLICT", "PLAN_PROVIDER_NAME_MISSING", "PLAN_PROVIDER_NOT_NAMED"),
)
def check_provider(identity: plan_provider.Identity) -> list[Finding]:
    return identity.findings


@check(Stage.PLAN_TEXT, codes=("PLAN_FILLER", "PLAN_PLACEHOLDER", "PLAN_TOO_SHORT"))
def check_substance(substance: tuple[list[Finding], dict[str, Any]]) -> list[Finding]:
    return substance[0]


@check(Stage.PLAN_TEXT, codes=("PLAN_THEME_MISSING",))
def check_themes(
    covered: list[plan_themes.Coverage],
    substance: tuple[list[Finding], dict[str, Any]],
    rules: Rules,
) -> list[Finding]:
    """Missing themes are named also for a short plan (it says what the plan lacks);
    for filler they are not: filler says more than themes."""
    if "PLAN_FILLER" in {f.code for f in substance[0]}:
        return []
    return plan_themes.check_themes(covered, rules)


@check(Stage.PLAN_TEXT, codes=("PLAN_COUNCILS", "PLAN_COUNCIL_CONSENT_MISSING"))
def check_councils(councils: tuple[list[Finding], dict[str, Any]]) -> list[Finding]:
    return councils[0]


def read_plan(
    filename: str,
    plan: PlanText,
    rules: Rules,
    register: Register | None,
    *,
    paged: bool = True,
) -> PlanReading:
    """Everything the plan checks find, and what staff see of it (signals)."""
    facts = PlanFacts(PurePath(filename).name, plan, rules, register, paged)
    findings: list[Finding] = []
    for each in for_stage(Stage.PLAN_TEXT):
        found = each.run(facts)
        findings += found
        if each.stops & {f.code for f in found}:
            return PlanReading(plan_provider.identify([], plan.text, None, rules)[0], findings)
    return PlanReading(facts.identity.provider, findings, facts.signals())
