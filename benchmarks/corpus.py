"""Time and peak memory of `intake check --json` on every file of the external corpus.

    python benchmarks/corpus.py                     # fixtures/corpora/external, 2 workers
    python benchmarks/corpus.py --out /tmp/c.json --jobs 1

Each file runs in its own interpreter under an address-space limit and a wall-clock
timeout, as an operator would run it; the result per file is the exit code, the codes of
its findings, wall time and the peak RSS of the child. Prints median/p95/max and the
slowest files; writes everything to benchmarks/results/corpus.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "corpora" / "external"
MEMORY_LIMIT = 1 << 30  # 1 GiB address space per file
TIMEOUT = 20.0


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check_file(path: Path, timeout: float = TIMEOUT) -> dict[str, object]:
    """One file through `intake check --json` in a child process; never raises."""
    command = [sys.executable, "-m", "intake", "check", "--json", "--received", "2019-11-20"]
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.Popen(
            [*command, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_limit,
            env=env,
        )
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"file": path.name, "timeout": True, "seconds": timeout}
    seconds = time.perf_counter() - start
    return {
        "file": path.name,
        "exit": proc.returncode,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace"),
        "seconds": seconds,
    }


def _peak_kib(path: Path) -> int:
    """Peak RSS of one run (KiB), measured with a fresh child and wait4."""
    command = [sys.executable, "-m", "intake", "check", "--json", str(path)]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss


def summary(results: list[dict[str, object]]) -> dict[str, object]:
    times = sorted(float(r["seconds"]) for r in results)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return {
        "files": len(times),
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(p95, 3),
        "max_s": round(times[-1], 3),
        "timeouts": sum(1 for r in results if r.get("timeout")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/corpus.json")
    args = parser.parse_args()
    files = sorted(p for p in CORPUS.iterdir() if p.name != "SOURCES.tsv")
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(check_file, files))
    slowest = sorted(results, key=lambda r: -float(r["seconds"]))[:5]
    for r in slowest:
        r["peak_rss_mib"] = round(_peak_kib(CORPUS / str(r["file"])) / 1024, 1)
    report = {"summary": summary(results), "slowest": slowest, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report["summary"], indent=1))
    for r in slowest:
        print(f"{r['seconds']:7.2f} s {r.get('peak_rss_mib', '?'):>7} MiB  {r['file']}")


if __name__ == "__main__":
    main()
