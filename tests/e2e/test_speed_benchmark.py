"""benchmarks/speed.py runs end to end on a small N; its figures are not asserted (no
timing in tests), only that each part measured its reference and the pool's verdicts
are those of one process."""

import json
import subprocess
import sys

from tests.manifest import ROOT


def test_speed_benchmark_runs_and_the_pool_judges_as_one_process(tmp_path):
    out = tmp_path / "speed.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "speed.py"),
            "one-file",
            "rejudge",
            "--rounds",
            "1",
            "--documents",
            "30",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    one_file = data["one-file"]
    assert one_file["intake_check_model_s"] > 0 and one_file["openpyxl_s"] > 0
    assert one_file["intake_check_model_cpu_s"] > 0
    assert data["rejudge"]["documents"] == 30
    assert data["rejudge"]["same_verdicts"] is True
