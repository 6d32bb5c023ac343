"""Did the cliëntenraad and the ondernemingsraad (or VAR/PAR) advise on or consent to the plan?

In the first campaign this only informed; later campaigns require consent, so a
rules file can make it a requirement (`[plan.councils] required = "instemming"`): then a
council without it is a finding whose severity the campaign's catalogue decides.
"""

from __future__ import annotations

from typing import Any

from intake.campaign.rules import Rules
from intake.checks.plan_text import Sentence, quote, stem_patterns
from intake.domain import Finding

LEVELS = ("genoemd", "advies", "instemming")  # weakest to strongest


def _segment(norm: str, start: int, others: list[str]) -> str:
    """From a council's mention to the next other council's; a bare "en de" reaches on
    ("de cliëntenraad en de OR hebben ingestemd" is consent of both)."""
    ends = [i for p in others if (i := norm.find(p, start + 1)) > start]
    if not ends:
        return norm[start:]
    end = min(ends)
    if len(norm[start:end].split()) <= 4:
        later = [i for p in others if (i := norm.find(p, end + 1)) > end]
        return norm[start : min(later)] if later else norm[start:]
    return norm[start:end]


def _level(
    sentence: Sentence,
    council: list[tuple[str, str]],
    others: list[str],
    section: dict[str, Any],
) -> int:
    """0 not named, 1 named, 2 advice, 3 consent, read in the part of the sentence about
    this council; council names are removed first so "adviesraad" is not advice."""
    norm = sentence.norm
    starts = [i for _, p in council if (i := norm.find(p)) >= 0]
    if not starts:
        return 0
    text = _segment(norm, min(starts), others)
    for _, pattern in council:
        text = text.replace(pattern.strip(), " ")
    if any(p in text for _, p in stem_patterns(section.get("consent", []))):
        return 3
    if any(p in text for _, p in stem_patterns(section.get("advice", []))):
        return 2
    return 1


def councils(
    sentences: list[Sentence], section: dict[str, Any], evidence_chars: int = 240
) -> dict[str, dict[str, Any]]:
    """Per council the strongest involvement the plan states, with the sentence."""
    result = {}
    specs = {k: v for k, v in section.items() if isinstance(v, dict)}
    patterns = {k: stem_patterns(v.get("stems", [])) for k, v in specs.items()}
    for key, spec in specs.items():
        others = [p for k, ps in patterns.items() if k != key for _, p in ps]
        best, evidence = 0, None
        for sentence in sentences:
            level = _level(sentence, patterns[key], others, section)
            if level > best:
                best, evidence = level, sentence
        result[key] = {
            "name": spec.get("name", key),
            "level": LEVELS[best - 1] if best else None,
            "page": evidence.page if evidence else None,
            "quote": quote(evidence, evidence_chars) if evidence else None,
        }
    return result


def _describe(found: dict[str, Any]) -> str:
    if not found["level"]:
        return f"de {found['name']}: niet gevonden"
    page = f", pagina {found['page']}" if found["page"] else ""
    return f"de {found['name']}: {found['level']}{page}"


def check_councils(
    sentences: list[Sentence], rules: Rules, evidence_chars: int = 240
) -> tuple[list[Finding], dict[str, Any]]:
    section = rules.plan.get("councils", {})
    if not section:
        return [], {}
    found = councils(sentences, section, evidence_chars)
    summary = "; ".join(_describe(f) for f in found.values())
    findings = [rules.finding("PLAN_COUNCILS", summary=summary)]
    required = str(section.get("required", "") or "")
    if required in LEVELS:
        need = LEVELS.index(required)
        for item in found.values():
            have = LEVELS.index(item["level"]) if item["level"] else -1
            if have < need:
                findings.append(
                    rules.finding(
                        "PLAN_COUNCIL_CONSENT_MISSING", council=item["name"], required=required
                    )
                )
    return findings, found
