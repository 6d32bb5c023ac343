"""Is there a plan behind the title? Filler, placeholder text and too little to read.

A title page followed by "aaaa…" or lorem ipsum passes any keyword test; a person
must look at it. Nothing here rejects: a real plan that trips a threshold costs a
colleague a minute, a filler plan that passes costs the care office a budget.
"""

from __future__ import annotations

import re
from typing import Any

from intake.campaign.rules import Rules
from intake.checks.plan_text import Sentence, normalise, quote, where
from intake.domain import Finding

_WORD = re.compile(r"[a-z]+")
_BRACKETED = re.compile(r"[\[<{]{1,2}\s*([^\]>}\n]{1,40}?)\s*[\]>}]{1,2}")
_XES = re.compile(r"(?<![\w.])(?:x{2,}|[x]{1,3}(?:\.x{3})+)(?![\w])", re.IGNORECASE)


def _repeated(word: str, minimum: int) -> bool:
    """ "aaaa", "xxxxxx", "abababab": one letter repeated, or two letters at length.

    Two letters need a longer word: "deed" and "neen" are Dutch.
    """
    distinct = len(set(word))
    return (distinct == 1 and len(word) >= minimum) or (distinct == 2 and len(word) >= 2 * minimum)


def word_stats(sentences: list[Sentence], section: dict[str, Any]) -> dict[str, Any]:
    filler = {normalise(w).strip() for w in section.get("filler_words", [])}
    function = {normalise(w).strip() for w in section.get("function_words", [])}
    minimum = int(section.get("repeat_min", 4))
    words = filler_count = function_count = 0
    example: Sentence | None = None
    for sentence in sentences:
        for word in _WORD.findall(sentence.norm):
            words += 1
            if word in filler or _repeated(word, minimum):
                filler_count += 1
                example = example or sentence
            elif word in function:
                function_count += 1
    return {
        "words": words,
        "filler": filler_count,
        "real": words - filler_count,
        "function_share": round(function_count / words, 3) if words else 0.0,
        "example": example,
    }


def placeholders(sentences: list[Sentence], section: dict[str, Any]) -> list[Sentence]:
    """Sentences with template leftovers: "[naam]", "<invullen>", "xx", "€ x.xxx"."""
    words = tuple(w for w in (normalise(p).strip() for p in section.get("placeholders", [])) if w)
    found = []
    for sentence in sentences:
        bracketed = any(
            normalise(m.group(1)).strip().startswith(words)
            for m in _BRACKETED.finditer(sentence.text)
        )
        if bracketed or _XES.search(sentence.text):
            found.append(sentence)
    return found


def check_substance(
    sentences: list[Sentence], rules: Rules, evidence_chars: int = 240
) -> tuple[list[Finding], dict[str, Any]]:
    section = rules.plan.get("substance", {})
    if not section:
        return [], {}
    stats = word_stats(sentences, section)
    findings: list[Finding] = []
    words, example = stats["words"], stats.pop("example")
    if words and stats["filler"] / words > float(section.get("filler_share_max", 0.3)):
        findings.append(_filler(rules, example, stats, evidence_chars))
    elif words >= 50 and stats["function_share"] < float(section.get("function_share_min", 0.08)):
        first = sentences[0] if sentences else None
        findings.append(_filler(rules, first, stats, evidence_chars, running=False))
    elif stats["real"] < int(section.get("min_words", 150)):
        findings.append(rules.finding("PLAN_TOO_SHORT", words=stats["real"]))
    leftovers = placeholders(sentences, section)
    if leftovers:
        first = leftovers[0]
        findings.append(
            rules.finding(
                "PLAN_PLACEHOLDER",
                where(first.page),
                quote=quote(first, evidence_chars),
                count=len(leftovers),
            )
        )
    stats["placeholders"] = len(leftovers)
    return findings, stats


def _filler(
    rules: Rules,
    example: Sentence | None,
    stats: dict[str, Any],
    evidence_chars: int,
    *,
    running: bool = True,
) -> Finding:
    """PLAN_FILLER with the share that made it one.

    Either the filler words are over their share (that share is stated), or there is
    hardly any filler but the words are not running Dutch text (too few function words):
    then the share of function words is stated, never a filler share of 0%.
    """
    if running:
        share = stats["filler"] / stats["words"] if stats["words"] else 0.0
        extent = rules.text("plan_filler_share", share=f"{round(share * 100)}%")
    else:
        share = float(stats["function_share"])
        extent = rules.text("plan_filler_not_running_text", share=_percent(share))
    return rules.finding(
        "PLAN_FILLER",
        where(example.page) if example else None,
        quote=quote(example, evidence_chars) if example else "",
        extent=extent,
    )


def _percent(share: float) -> str:
    """A share as Dutch whole percents; under 1% says so rather than "0%"."""
    whole = round(share * 100)
    return f"{whole}%" if whole >= 1 else "minder dan 1%"
