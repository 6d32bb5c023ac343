"""Seconds per page to read a scan by OCR: rendering (pdftoppm) and recognition (Tesseract).

    python benchmarks/ocr.py              # the scanned plan and invoice of fixtures/scans
    python benchmarks/ocr.py --dpi 150 --repeat 3 --json

Each page is rendered and read as `intake.extract.ocr.ocr_pdf` does when a provider's
scan comes in (grey, the long side at most A4 at `--dpi`, Tesseract single-threaded
with the Dutch model). Reported per document: median seconds per page for rendering,
for recognition and in total, over `--repeat` runs, and the whole judgement of the
document (text extraction, OCR and the plan checks) as `intake check` runs it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.scans import INVOICE, PLAN
from intake.extract.ocr import OcrLimits, available, ocr_pdf

RESULTS = Path(__file__).resolve().parent / "results" / "ocr.json"


def measure(path: Path, dpi: int, repeat: int) -> dict[str, object]:
    import pypdf

    content = path.read_bytes()
    pages = list(range(1, len(pypdf.PdfReader(path).pages) + 1))
    limits = OcrLimits(max_pages=len(pages), seconds=600, dpi=dpi)
    render, read = [], []
    for _ in range(repeat):
        result = ocr_pdf(content, pages, limits)
        render += [t.render_seconds for t in result.timings]
        read += [t.read_seconds for t in result.timings]
    return {
        "file": path.name,
        "pages": len(pages),
        "render_s_per_page": round(statistics.median(render), 2),
        "ocr_s_per_page": round(statistics.median(read), 2),
        "total_s_per_page": round(
            statistics.median(a + b for a, b in zip(render, read, strict=True)), 2
        ),
        "judge_s": round(_judge(path, content), 2),
    }


def _judge(path: Path, content: bytes) -> float:
    from intake.bootstrap import build_context
    from intake.config import load
    from intake.domain import Submission
    from intake.judging.pipeline import judge

    ctx = build_context(load(None))
    started = time.perf_counter()
    judge(Submission(path.name, content, datetime(2019, 11, 20, 12, tzinfo=UTC)), ctx)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=OcrLimits.dpi)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not available():
        print("tesseract (with the nld model) and pdftoppm are needed", file=sys.stderr)
        return 2
    rows = [measure(path, args.dpi, args.repeat) for path in (PLAN, INVOICE)]
    RESULTS.write_text(json.dumps({"dpi": args.dpi, "documents": rows}, indent=2) + "\n")
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'file':36} {'pages':>5} {'render':>7} {'ocr':>7} {'total':>7} {'judge':>7}")
    for row in rows:
        print(
            f"{row['file']:36} {row['pages']:>5} {row['render_s_per_page']:>7} "
            f"{row['ocr_s_per_page']:>7} {row['total_s_per_page']:>7} {row['judge_s']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
