"""Time to write a provider's letter and to carry an old-model workbook over.

    python benchmarks/letters.py          # 200 rounds; prints a Markdown table

Measured on the example submissions: building the view model (with the provider's
other document), rendering HTML and PDF, and migrating a september workbook into
the corrected model (judging it first, as the channels do).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from intake.domain import Submission
from intake.judging.pipeline import judge
from intake.report.html import render_html
from intake.report.model import build
from intake.report.pdf import render_pdf
from intake.service.migration import migrate

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "fixtures" / "submissions"
WHEN = datetime(2019, 11, 20, 12, tzinfo=UTC)


def _timed(rounds: int, action: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    from intake.bootstrap import build_context
    from intake.config import load

    register = ROOT / "fixtures" / "registers" / "gereserveerde-kwaliteitsmiddelen-2020.csv"
    ctx = build_context(load(None, {}), register=register)
    old = (SUBMISSIONS / "sept2019-na-8-november.xlsx").read_bytes()
    plan = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
    model_verdict = judge(Submission("model.xlsx", old, WHEN), ctx)
    plan_verdict = judge(Submission("plan.pdf", plan, WHEN), ctx)

    def letter():  # type: ignore[no-untyped-def]
        return build([plan_verdict], ctx.rules, ctx.family, others=[model_verdict], now=WHEN)

    report = letter()
    rows = [
        ("view model (plan, with the model beside it)", _timed(rounds, letter)),
        ("HTML", _timed(rounds, lambda: render_html(report))),
        ("PDF", _timed(rounds, lambda: render_pdf(report))),
        (
            "migrate a september workbook (judge + write + compute)",
            _timed(rounds, lambda: migrate(old, "model.xlsx", ctx)),
        ),
    ]
    print(f"| letters ({rounds} rounds) | p50 | p95 |\n|---|---|---|")
    for label, (p50, p95) in rows:
        print(f"| {label} | {p50:.1f} ms | {p95:.1f} ms |")


if __name__ == "__main__":
    main()
