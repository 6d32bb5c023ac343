"""Named points where a test can kill the process, to prove crash safety for real.

`INTAKE_FAILPOINT=after_store` makes the process SIGKILL itself at that point; in
normal operation the variable is unset and a failpoint costs one lookup.
"""

from __future__ import annotations

import os
import signal


def failpoint(name: str) -> None:
    if os.environ.get("INTAKE_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
