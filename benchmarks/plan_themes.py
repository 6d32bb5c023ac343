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

from intake.campaign.rules import load_rules
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


def speed() -> dict[str, float]:
    """Milliseconds to judge a written plan (PDF, Word) and a 40-page plan, median of 5."""
    import statistics
    import time
    from datetime import UTC, datetime

    from intake.bootstrap import build_context
    from intake.config import load
    from intake.domain import Submission
    from intake.judging.pipeline import judge
    from tests.manifest import REGISTER_CSV
    from tests.plan_docs import pdf_bytes, plan_docx, plan_pages, plan_pdf
    from tests.plan_texts import RIJNLAND

    ctx = build_context(load(None, {}), register=REGISTER_CSV)
    long_pages = (plan_pages(RIJNLAND) * 10)[:40]
    files = {
        "plan_pdf_4_pages": plan_pdf(RIJNLAND),
        "plan_docx_4_pages": plan_docx(RIJNLAND),
        "plan_pdf_40_pages": pdf_bytes(long_pages),
    }
    result = {}
    for name, content in files.items():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            judge(Submission(name, content, datetime(2019, 11, 20, tzinfo=UTC)), ctx)
            times.append((time.perf_counter() - start) * 1000)
        result[name] = round(statistics.median(times), 1)
    return result


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
    print("ms per plan (median of 5):", speed())


if __name__ == "__main__":
    main()
