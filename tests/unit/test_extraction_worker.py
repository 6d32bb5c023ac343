"""The extraction worker runs under an address-space limit: it must start small, also in a
process that has loaded polars (pandera's backend) to judge workbooks."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.manifest import ROOT

_PROBE = """
import pathlib, re
import polars as pl
import intake.checks.frames  # as a process that judged workbooks has it
from intake.extract.worker import _ctx, run_limited

pl.LazyFrame({"a": [1]}).collect()
status = run_limited(pathlib.Path("/proc/self/status").read_text, (), seconds=60, memory=1 << 30)
print(_ctx().get_start_method(), re.search(r"VmSize:\\s+(\\d+)", status).group(1))
"""


def test_after_polars_the_worker_comes_from_the_lean_fork_server():
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    method, vm_kib = done.stdout.split()
    assert method == "forkserver", done.stderr
    assert int(vm_kib) < 250_000  # a fork of this process would start above 400 MB
