"""Time and peak memory of `intake check --json` on every file of the external corpus.

    python benchmarks/corpus.py                     # fixtures/corpora/external, 2 workers
    python benchmarks/corpus.py --out /tmp/c.json --jobs 1

Each file runs in its own interpreter (`intake check --json FILE`, interpreter start
included) under a 1 GiB address-space limit and a wall-clock timeout, as an operator
would run it; per file: exit code, output, wall time and the child's peak RSS. Prints
median/p95/max and the slowest files; writes everything to benchmarks/results/corpus.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "corpora" / "external"
MEMORY_LIMIT = 1 << 30  # 1 GiB address space per file
TIMEOUT = 120.0


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_check(path: Path, timeout: float = TIMEOUT) -> dict[str, object]:
    """`intake check --json FILE` in a child under the memory limit: exit, output, wall
    time and the child's peak RSS (from wait4); a child past `timeout` is killed."""
    command = [sys.executable, "-m", "intake", "check", "--json", "--received", "2019-11-20"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*command, str(path)],
            stdout=out,
            stderr=err,
            preexec_fn=_limit,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"file": path.name, "timeout": True, "seconds": timeout}
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "file": path.name,
            "exit": proc.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
            "seconds": seconds,
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        }


def _p95(values: list[float]) -> float:
    return values[max(0, round(0.95 * len(values)) - 1)]


def _compact(result: dict[str, object]) -> dict[str, object]:
    """What is kept per file: the finding codes instead of the whole output."""
    try:
        verdicts = json.loads(str(result.get("stdout") or "[]"))
        codes = [f["code"] for v in verdicts for f in v["findings"]]
    except (ValueError, KeyError, TypeError):
        codes = ["<no JSON>"]
    kept = {k: v for k, v in result.items() if k not in ("stdout", "stderr")}
    kept["traceback"] = "Traceback" in str(result.get("stderr", ""))
    return {**kept, "codes": codes, "seconds": round(float(result["seconds"]), 3)}


def summary(results: list[dict[str, object]]) -> dict[str, object]:
    times = sorted(float(r["seconds"]) for r in results)
    memory = sorted(float(r.get("peak_rss_mib", 0)) for r in results)
    return {
        "files": len(times),
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(_p95(times), 3),
        "max_s": round(times[-1], 3),
        "median_rss_mib": statistics.median(memory),
        "p95_rss_mib": _p95(memory),
        "max_rss_mib": memory[-1],
        "timeouts": sum(1 for r in results if r.get("timeout")),
        "tracebacks": sum(1 for r in results if r.get("traceback")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/corpus.json")
    args = parser.parse_args()
    files = sorted(p for p in CORPUS.iterdir() if p.name != "SOURCES.tsv")
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_check, files))
    results = [_compact(r) for r in results]
    slowest = sorted(results, key=lambda r: -float(r["seconds"]))[:5]
    report = {"summary": summary(results), "slowest": slowest, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report["summary"], indent=1))
    for r in slowest:
        print(f"{r['seconds']:7.2f} s {r.get('peak_rss_mib', '?'):>7} MiB  {r['file']}")


if __name__ == "__main__":
    main()
