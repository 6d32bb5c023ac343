"""The benchmark runs end to end on a small N; its figures are not asserted (no timing in tests)."""

import json
import subprocess
import sys

from tests.manifest import ROOT


def test_benchmark_runs_and_batch_single_and_pool_agree(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "-n",
            "24",
            "--out",
            str(out),
            "--single-sample",
            "24",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["identical_batch_single_pool"] is True
    assert data["batch"]["files"] == 24
    for key in ("batch_vs_openpyxl_floor", "batch_vs_calamine", "pool_speedup"):
        assert data["ratios"][key] > 0
    assert "| intake batch, one process |" in result.stdout
