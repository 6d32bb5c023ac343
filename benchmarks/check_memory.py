"""Peak memory of `intake check --json` on many files: does it grow with the batch?

    python benchmarks/check_memory.py [-n 2000] [--python PATH]   # results/check_memory.json

Copies N files (the fixtures of `fixtures/submissions/`, round robin, each under its own
name) to a temporary folder and runs `intake check --json` on all of them at once, under
`/usr/bin/time -v`, once with N files and once with N/10. `--python` names the
interpreter of another installation (a virtual environment with an older intake), for a
before/after comparison on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "fixtures" / "submissions"
RESULTS = ROOT / "benchmarks" / "results"


def make_files(folder: Path, n: int) -> list[Path]:
    sources = sorted(p for p in SUBMISSIONS.iterdir() if p.is_file())
    paths = []
    for i in range(n):
        source = sources[i % len(sources)]
        target = folder / f"{i:05d}-{source.name}"
        shutil.copyfile(source, target)
        paths.append(target)
    return paths


def measure(paths: list[Path], python: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    command = ["/usr/bin/time", "-v", python, "-m", "intake", "check", "--json"]
    started = time.monotonic()
    done = subprocess.run(  # in the files' folder: `-m` puts the working folder on the path
        [*command, *map(str, paths)],
        env=env,
        cwd=paths[0].parent,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert rss is not None, done.stderr[-2000:]
    cpu = sum(
        float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    return {
        "files": len(paths),
        "bytes": sum(p.stat().st_size for p in paths),
        "verdicts": len(json.loads(done.stdout)),
        "peak_rss_mib": round(int(rss.group(1)) / 1024, 1),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),  # user + system: less at the mercy of a busy machine
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--python", default=sys.executable, help="interpreter whose intake runs")
    parser.add_argument("--out", type=Path, default=RESULTS / "check_memory.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_files(Path(tmp), args.n)
        runs = [measure(paths[: max(1, args.n // 10)], args.python), measure(paths, args.python)]
    result = {"python": args.python, "load_average": os.getloadavg()[0], "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
