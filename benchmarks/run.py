"""Speed and memory of judging a whole campaign, measured in one run on the same files.

    python benchmarks/run.py       # 2,000 submissions; writes benchmarks/results/latest.json
    python benchmarks/run.py -n 200 --out /tmp/bench.json

What it measures (all on the same generated files):
  floor      openpyxl read-only: open each workbook and read the mapped cells, nothing else
  calamine   python-calamine reading the same sheets and rows
  batch      intake's judgement of all files in one process (judge_many, in chunks)
  single     intake's judgement one file at a time (per-file p50/p95 latency)
  pool       the batch on all cores (process pool) and the speed-up
  memory     peak RSS of the batch at N/4 and N (it must not grow), and of one huge workbook
  start-up   wall time of `intake --help` and `intake check` on one file

Submissions are the LibreOffice-saved fixtures (both versions, every finding) cycled to N,
each made unique by its zip comment, so every file has its own sha256.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBMISSIONS = ROOT / "fixtures" / "submissions"
RECEIVED = datetime(2019, 11, 20, 12, tzinfo=UTC)
CHUNK = 500
# The giant and zip-bomb fixtures are measured on their own, not mixed into the campaign.
SOLO = {"reuzenblad.xlsx", "zip-bom.xlsx"}


def generate(n: int, folder: Path) -> list[Path]:
    sources = sorted(p for p in SUBMISSIONS.glob("*.xlsx") if p.name not in SOLO)
    workbooks = [p for p in sources if p.read_bytes()[:2] == b"PK"]
    files = []
    for i in range(n):
        source = workbooks[i % len(workbooks)]
        data = source.read_bytes()
        target = folder / f"{i:05d}-{source.name}"
        try:
            buffer = io.BytesIO(data)
            with zipfile.ZipFile(buffer, "a") as archive:
                archive.comment = f"benchmark {i}".encode()
            data = buffer.getvalue()
        except zipfile.BadZipFile:
            data = data + f"{i}".encode()  # a broken file stays broken, but unique
        target.write_bytes(data)
        files.append(target)
    return files


def _timed(function, items):
    durations = []
    for item in items:
        start = time.perf_counter()
        function(item)
        durations.append(time.perf_counter() - start)
    return durations


def _stats(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)
    return {
        "files": len(ordered),
        "mean_ms": 1000 * statistics.fmean(ordered),
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "total_s": sum(ordered),
    }


def _wanted():
    ctx = _context()
    return ctx, {s: refs for s, refs in ctx.family.cells_to_read().items() if refs}


def openpyxl_floor(path: Path, wanted) -> int:
    import openpyxl

    from intake.domain.cells import parse_ref

    count = 0
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception:
        return 0
    for sheet, refs in wanted.items():
        if sheet not in wb.sheetnames:
            continue
        max_row = max(parse_ref(r)[0] for r in refs)
        max_col = max(parse_ref(r)[1] for r in refs)
        for row in wb[sheet].iter_rows(max_row=max_row, max_col=max_col):
            for cell in row:
                if getattr(cell, "coordinate", None) in refs and cell.value is not None:
                    count += 1
    wb.close()
    return count


def calamine_read(path: Path, wanted) -> int:
    from python_calamine import CalamineWorkbook

    from intake.domain.cells import parse_ref

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:
        return 0
    count = 0
    for sheet, refs in wanted.items():
        if sheet in wb.sheet_names:
            max_row = max(parse_ref(r)[0] for r in refs)
            count += len(wb.get_sheet_by_name(sheet).to_python(nrows=max_row))
    return count


def _context():
    from intake.bootstrap import build_context
    from intake.config import load

    return build_context(load(None, {}))


def judge_paths(paths: list[str]) -> list[dict]:
    from intake.domain import Submission
    from intake.judging.pipeline import judge_many

    ctx = _context()
    result = []
    for start in range(0, len(paths), CHUNK):
        chunk = [Path(p) for p in paths[start : start + CHUNK]]
        subs = [Submission(p.name, p.read_bytes(), RECEIVED) for p in chunk]
        result.extend(
            {"file": v.file, "status": v.status.value, "codes": v.codes}
            for v in judge_many(subs, ctx)
        )
    return result


def _rss_of(code: str) -> float:
    """Peak RSS (MiB) of a fresh interpreter running `code`."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code + "\nimport resource;print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def _wall(args: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def huge_workbook(folder: Path) -> Path:
    """A valid model with an extra sheet of 150,000 filled cells (under the cell limit)."""
    from fixtures.generate import patch_part, sheet_part

    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    rows = b"".join(
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c, r, r) for c in (b"A", b"B", b"C"))
        + b"</row>"
        for r in range(1, 50_001)
    )
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>"
    )

    target = folder / "groot-model.xlsx"
    target.write_bytes(patch_part(data, sheet_part(data, "Lijsten"), lambda _xml: sheet))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="number of submissions (default 2000)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--single-sample", type=int, default=300)
    args = parser.parse_args()
    ctx, wanted = _wanted()
    results: dict[str, object] = {
        "n": args.n,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "system": platform.platform(),
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(args.n, folder)
        paths = [str(p) for p in files]
        print(f"{len(files)} submissions in {folder}", file=sys.stderr)

        floor = _stats(_timed(lambda p: openpyxl_floor(p, wanted), files))
        calamine = _stats(_timed(lambda p: calamine_read(p, wanted), files))

        judge_paths(paths[:50])  # warm caches and imports, as a long-running sweep has them
        start = time.perf_counter()
        batch = judge_paths(paths)
        batch_s = time.perf_counter() - start

        from intake.domain import Submission
        from intake.judging.pipeline import judge

        sample = files[: args.single_sample]
        single = _stats(
            _timed(lambda p: judge(Submission(p.name, p.read_bytes(), RECEIVED), ctx), sample)
        )
        singles = [judge(Submission(p.name, p.read_bytes(), RECEIVED), ctx) for p in sample]
        identical = all(
            b["status"] == s.status.value and b["codes"] == s.codes
            for b, s in zip(batch, singles, strict=False)
        )

        workers = os.cpu_count() or 1
        chunks = [paths[i::workers] for i in range(workers)]
        # A fork server, as intake's own pool: polars, which pandera runs on, hangs in a
        # child forked from a process that has run a query (this one just judged).
        forkserver = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=forkserver) as pool:
            list(pool.map(judge_paths, [c[:20] for c in chunks]))  # start and warm the workers
            start = time.perf_counter()
            pooled = [v for part in pool.map(judge_paths, chunks) for v in part]
            pool_s = time.perf_counter() - start
        identical = identical and len(pooled) == len(batch)

        code = (
            "import sys; sys.path.insert(0, '.'); from benchmarks.run import judge_paths;"
            "import json; judge_paths(json.load(open({!r})))"
        )

        def peak_rss(name: str, selection: list[str]) -> float:
            manifest = folder / f"{name}.json"
            manifest.write_text(json.dumps(selection))
            return _rss_of(code.format(str(manifest)))

        rss_all = peak_rss("all", paths)
        rss_quarter = peak_rss("quarter", paths[: max(1, len(paths) // 4)])
        rss_huge = peak_rss("huge", [str(huge_workbook(folder))])
        rss_giant = peak_rss("giant", [str(SUBMISSIONS / "reuzenblad.xlsx")])

        intake = [sys.executable, "-m", "intake"]
        help_s = _wall([*intake, "--help"])
        check_s = _wall([*intake, "check", "--received", "2019-11-20", str(files[0])])

    per_file_ms = 1000 * batch_s / len(files)
    results.update(
        {
            "openpyxl_floor": floor,
            "calamine": calamine,
            "batch": {
                "files": len(files),
                "seconds": batch_s,
                "files_per_s": len(files) / batch_s,
                "per_file_ms": per_file_ms,
            },
            "single": single,
            "pool": {
                "workers": workers,
                "seconds": pool_s,
                "files_per_s": len(files) / pool_s,
                "speedup": batch_s / pool_s,
            },
            "memory_mib": {
                "batch_n": rss_all,
                "batch_n_over_4": rss_quarter,
                "huge_valid_workbook": rss_huge,
                "giant_sheet_rejected": rss_giant,
            },
            "startup_s": {"help": help_s, "check_one_file": check_s},
            "identical_batch_single_pool": identical,
            "ratios": {
                "batch_vs_openpyxl_floor": per_file_ms / floor["mean_ms"],
                "batch_vs_calamine": per_file_ms / calamine["mean_ms"],
                "pool_speedup": batch_s / pool_s,
            },
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    if not identical:
        print("ERROR: batch, single and pool verdicts differ", file=sys.stderr)
        sys.exit(1)


def table(r: dict) -> str:
    ratios, mem = r["ratios"], r["memory_mib"]
    lines = [
        f"| measure ({r['n']} submissions) | result |",
        "|---|---|",
        f"| openpyxl read-only floor | {r['openpyxl_floor']['mean_ms']:.2f} ms/file |",
        f"| python-calamine, same sheets | {r['calamine']['mean_ms']:.2f} ms/file |",
        f"| intake batch, one process | {r['batch']['per_file_ms']:.2f} ms/file, "
        f"{r['batch']['files_per_s']:.0f} files/s |",
        f"| intake one file at a time | p50 {r['single']['p50_ms']:.2f} ms, "
        f"p95 {r['single']['p95_ms']:.2f} ms |",
        f"| intake batch, {r['pool']['workers']} processes | "
        f"{r['pool']['files_per_s']:.0f} files/s, "
        f"speed-up {ratios['pool_speedup']:.2f}x |",
        f"| batch / openpyxl floor | {ratios['batch_vs_openpyxl_floor']:.2f}x |",
        f"| batch / calamine | {ratios['batch_vs_calamine']:.2f}x |",
        f"| peak RSS, batch of N/4 and N | {mem['batch_n_over_4']:.0f} MiB / "
        f"{mem['batch_n']:.0f} MiB |",
        f"| peak RSS, 150,000-cell valid workbook | {mem['huge_valid_workbook']:.0f} MiB |",
        f"| peak RSS, giant sheet (rejected) | {mem['giant_sheet_rejected']:.0f} MiB |",
        f"| `intake --help` | {r['startup_s']['help']:.2f} s |",
        f"| `intake check` one file | {r['startup_s']['check_one_file']:.2f} s |",
        f"| batch = single = pool verdicts | {r['identical_batch_single_pool']} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
