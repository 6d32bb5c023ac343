"""Time and peak memory of reading the documents of a mail that carries a hostile zip.

    python benchmarks/mail_zips.py        # writes benchmarks/results/mail_zips.json

Each mail is read as the mail channel reads it (`intake.channels.attachments.read`, with
the shipped rules' limits), once to warm up and once measured; the peak is what
tracemalloc saw during the measured read (Python allocations, not RSS).
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.channels.attachments import read  # noqa: E402
from tests.mailcraft import CONTACT, MODEL, mail, zip_with_bomb, zipped  # noqa: E402


def cases() -> dict[str, bytes]:
    many = zipped([(f"model-{i}.xlsx", MODEL) for i in range(2_000)])
    zips = {
        "zip with a member of 100 MB of zeros": zip_with_bomb(100_000_000),
        "zip with a member of 1 GB of zeros": zip_with_bomb(1_000_000_000),
        "zip of 2,000 workbooks": many,
    }
    return {
        label: mail(
            CONTACT, "stukken", "<b@x.nl>", [("stukken.zip", data, ("application", "zip"))]
        ).as_bytes()
        for label, data in zips.items()
    }


def measure(raw: bytes) -> dict[str, object]:
    read(raw)
    tracemalloc.start()
    started = time.perf_counter()
    _, contents = read(raw)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "mail_bytes": len(raw),
        "seconds": round(seconds, 3),
        "peak_mib": round(peak / 2**20, 1),
        "documents": len(contents.documents),
        "over_limit": contents.over_limit,
    }


def main() -> None:
    results = {label: measure(raw) for label, raw in cases().items()}
    for label, result in results.items():
        figures = f"{result['seconds']:6.2f} s {result['peak_mib']:>7} MiB"
        print(f"{figures}  {label}: {result['over_limit']}")
    out = ROOT / "benchmarks" / "results" / "mail_zips.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
