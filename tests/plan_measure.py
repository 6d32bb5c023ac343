"""How well the theme stems find the themes of the written plans: per theme precision
and recall over labelled paragraphs, and plan-level coverage decisions."""

from __future__ import annotations

from collections import Counter
from typing import Any

from intake.campaign.rules import Rules
from intake.checks import plan_themes
from intake.checks.plan_text import sentences
from intake.extract.plan import PlanText
from tests.plan_texts import ALL_THEMES, Plan, paragraphs


def paragraph_hits(text: str, rules: Rules) -> set[str]:
    sents = sentences(PlanText(1, (text,)))
    found = plan_themes.coverage(
        sents, {**rules.plan, "themes": {**rules.plan["themes"], "min_sentences": 1}}
    )
    return {c.theme.key for c in found if c.covered}


def measure(plans: tuple[Plan, ...], rules: Rules) -> dict[str, Any]:
    """Paragraph level: tp/fp/fn per theme. Plan level: themes judged covered vs truth."""
    counts = {t: Counter() for t in ALL_THEMES}
    false_hits: list[tuple[str, str, str]] = []
    for plan in plans:
        for labels, text in paragraphs(plan):
            hits = paragraph_hits(text, rules)
            for theme in ALL_THEMES:
                if theme in hits and theme in labels:
                    counts[theme]["tp"] += 1
                elif theme in hits:
                    counts[theme]["fp"] += 1
                    false_hits.append((plan.key, theme, text[:80]))
                elif theme in labels:
                    counts[theme]["fn"] += 1
    per_theme = {}
    for theme, c in counts.items():
        found, real = c["tp"] + c["fp"], c["tp"] + c["fn"]
        per_theme[theme] = {
            **c,
            "precision": round(c["tp"] / found, 2) if found else None,
            "recall": round(c["tp"] / real, 2) if real else None,
        }
    return {"themes": per_theme, "false_hits": false_hits}


def plan_decisions(plan: Plan, rules: Rules) -> dict[str, bool]:
    text = "\n".join(
        [
            *plan.title,
            *(s.heading + "\n" + "\n".join(t for _, t in s.paragraphs) for s in plan.sections),
        ]
    )
    found = plan_themes.coverage(sentences(PlanText(1, (text,))), rules.plan)
    return {c.theme.key: c.covered for c in found}


def misses(plans: tuple[Plan, ...], rules: Rules) -> list[tuple[str, str, str]]:
    out = []
    for plan in plans:
        for labels, text in paragraphs(plan):
            hits = paragraph_hits(text, rules)
            out += [(plan.key, t, text[:90]) for t in sorted(labels - hits)]
    return out
