"""Time of a herschikking: reading the file, the arithmetic, the workbook, JSON and letters.

    python benchmarks/herschikking.py              # 80 and 2000 providers; a Markdown table
    python benchmarks/herschikking.py --providers 500

A generated declarations file (CSV, Dutch notation) with a budget 3% below the sum, so
the discount is applied. Per size: the median of a few rounds of each step, and the
letters per provider (HTML and PDF). A region has tens of providers; 2000 is a stress
figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from intake.campaign.herschikking import load_herschikking_rules, parse_declarations
from intake.service.herschikking import Herschikking, compute, to_json
from intake.service.herschikking_letter import render_letter_html, render_letter_pdf
from intake.service.herschikking_workbook import build_workbook


def _csv(providers: int) -> bytes:
    rng = random.Random(providers)
    lines = ["agb_code,naam,goedgekeurd_jan_jun,omzetderving,maatwerk"]
    for i in range(providers):
        declared = rng.randrange(10_000_000, 2_000_000_000) / 100
        lost = rng.randrange(0, 20_000_000) / 100
        amount = f"{declared:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        lines.append(f'{73000000 + i},Zorgaanbieder {i},"{amount}",{lost},0')
    return ("\n".join(lines) + "\n").encode()


def _median(rounds: int, action: Callable[[], object]) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(providers: int, rounds: int) -> list[tuple[str, float]]:
    rules = load_herschikking_rules()
    data = _csv(providers)
    declarations = parse_declarations(data, "bench.csv", rules)
    whole = compute(declarations, rules, None, None)
    budget = (whole.division.sum_before * Decimal("0.97")).quantize(Decimal("0.01"))

    def computed() -> Herschikking:
        return compute(parse_declarations(data, "bench.csv", rules), rules, budget, None)

    result = computed()
    share = result.division.shares[0]
    return [
        ("read and validate the file, compute", _median(rounds, computed)),
        ("JSON", _median(rounds, lambda: to_json(result))),
        ("staff workbook (formulas)", _median(rounds, lambda: build_workbook(result))),
        ("one letter, HTML", _median(rounds * 5, lambda: render_letter_html(result, share))),
        ("one letter, PDF", _median(rounds * 5, lambda: render_letter_pdf(result, share))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, nargs="*", default=[80, 2000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| providers | step | median ms |")
    print("|---:|---|---:|")
    for providers in args.providers:
        for step, ms in measure(providers, args.rounds):
            print(f"| {providers} | {step} | {ms:.1f} |")


if __name__ == "__main__":
    main()
