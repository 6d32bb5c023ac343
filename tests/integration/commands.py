"""`intake` as operations run it: a subprocess with only the environment it is given."""

from __future__ import annotations

import os
import subprocess
import sys


def intake(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return subprocess.run(
        [sys.executable, "-m", "intake", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
