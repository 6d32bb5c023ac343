"""Which themes of the Kwaliteitskader Verpleeghuiszorg a plan covers, with evidence.

Keyword stems cannot judge a plan, only point a person at it: a theme that is not
found is a review finding naming it, never a rejection, and a theme that is found
carries the sentences (with their page) that made it count, so staff can check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake.campaign.rules import Rules
from intake.checks.plan_text import Sentence, quote, stem_patterns
from intake.domain import Finding


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    stems: tuple[tuple[str, str], ...]  # (as written, normalised)


@dataclass(frozen=True)
class Coverage:
    theme: Theme
    sentences: int  # how many sentences hit one of its stems
    stems: tuple[str, ...]  # which stems hit, as written in the rules
    evidence: tuple[dict[str, Any], ...]  # the first sentences: page, quote, stem
    covered: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.theme.name,
            "covered": self.covered,
            "sentences": self.sentences,
            "stems": list(self.stems),
            "evidence": list(self.evidence),
        }


def themes(plan_rules: dict[str, Any]) -> list[Theme]:
    """The themes of the rules file, in its order; tables under [plan.themes] with stems."""
    section = plan_rules.get("themes", {})
    return [
        Theme(key, str(value.get("name", key)), tuple(stem_patterns(value.get("stems", []))))
        for key, value in section.items()
        if isinstance(value, dict)
    ]


def _hit(sentence: Sentence, theme: Theme) -> str | None:
    return next((stem for stem, pattern in theme.stems if pattern in sentence.norm), None)


def coverage(
    sentences: list[Sentence], plan_rules: dict[str, Any], evidence_chars: int = 240
) -> list[Coverage]:
    section = plan_rules.get("themes", {})
    needed = int(section.get("min_sentences", 2))
    keep = int(section.get("max_evidence", 3))
    result = []
    for theme in themes(plan_rules):
        count, stems, evidence = 0, [], []
        for sentence in sentences:
            stem = _hit(sentence, theme)
            if stem is None:
                continue
            count += 1
            if stem not in stems:
                stems.append(stem)
            if len(evidence) < keep:
                evidence.append(
                    {"page": sentence.page, "quote": quote(sentence, evidence_chars), "stem": stem}
                )
        result.append(Coverage(theme, count, tuple(stems), tuple(evidence), count >= needed))
    return result


def check_themes(covered: list[Coverage], rules: Rules) -> list[Finding]:
    """PLAN_THEME_MISSING for every theme the plan does not (clearly) cover."""
    findings = []
    for item in covered:
        if item.covered:
            continue
        found = ""
        if item.evidence:
            first = item.evidence[0]
            page = f" (pagina {first['page']})" if first["page"] else ""
            found = f" Wij vonden alleen: '{first['quote']}'{page}."
        findings.append(
            rules.finding(
                "PLAN_THEME_MISSING",
                theme=item.theme.name,
                found=found,
                evidence={"theme": item.theme.key, "sentences": item.sentences},
            )
        )
    return findings


def summary(covered: list[Coverage]) -> dict[str, Any]:
    """What the verdict shows staff: per theme covered or not, with the evidence."""
    return {
        "covered": sum(1 for c in covered if c.covered),
        "total": len(covered),
        "themes": {c.theme.key: c.to_json() for c in covered},
    }
