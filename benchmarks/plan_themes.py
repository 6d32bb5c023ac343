"""How well the Kwaliteitskader theme stems of the rules file find themes in written plans.

    python benchmarks/plan_themes.py          # prints a table; --json for the raw counts

Paragraph level: each paragraph of the plans in tests/plan_texts.py is labelled with
the themes a careful reader would name; a paragraph "hits" a theme when one of its
sentences contains one of the theme's stems. Precision = hits that are right / all
hits; recall = labelled paragraphs hit / all labelled. Plan level: themes judged
covered (at least `min_sentences` hits) against the themes the plan really covers.
TUNED plans chose the first stems; HELD_OUT plans, written afterwards, were measured
(figures in the README) and then used for a second round; FRESH plans were written
after that and only measured. "tuned" below is TUNED + HELD_OUT, "held out" is FRESH.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake.rules import load_rules
from tests.plan_measure import measure, plan_decisions
from tests.plan_texts import ALL_THEMES, FRESH, HELD_OUT, TUNED


def _plan_level(plans, rules) -> dict[str, int]:
    counts = {"right": 0, "false_missing": 0, "false_covered": 0}
    for plan in plans:
        for theme, covered in plan_decisions(plan, rules).items():
            truth = theme in plan.themes
            if covered == truth:
                counts["right"] += 1
            elif truth:
                counts["false_missing"] += 1
            else:
                counts["false_covered"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rules = load_rules()
    result = {}
    for name, plans in (("tuned", TUNED + HELD_OUT), ("held_out", FRESH)):
        result[name] = {**measure(plans, rules), "plans": _plan_level(plans, rules)}
        result[name].pop("false_hits")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'theme':26} {'tuned P':>8} {'tuned R':>8} {'held-out P':>11} {'held-out R':>11}")
    for theme in ALL_THEMES:
        t, h = result["tuned"]["themes"][theme], result["held_out"]["themes"][theme]
        print(
            f"{theme:26} {t['precision']!s:>8} {t['recall']!s:>8} "
            f"{h['precision']!s:>11} {h['recall']!s:>11}"
        )
    for name in ("tuned", "held_out"):
        print(name, "plan level:", result[name]["plans"])


if __name__ == "__main__":
    main()
