"""Who may read what intake writes: one place, so every writer agrees.

Originals and the ledger hold providers' figures and staff notes: private to the
service user (files 0600, folders 0700). Reports and verdicts in the outbox are for the
intake team: readable by the service's group (files 0640, folders 0750). Nothing is
readable by other users of the machine. The process umask (set by the command line)
is a second line of defence for files created by libraries (SQLite's journal files).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
SHARED_FILE, SHARED_DIR = 0o640, 0o750


def make_dirs(path: Path, mode: int) -> Path:
    """Create `path` and missing parents with `mode`; an existing folder keeps its mode."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=mode, exist_ok=True)
        os.chmod(folder, mode)  # mkdir's mode is filtered by the umask
    return path


def set_mode(path: Path, mode: int) -> None:
    """Best effort: a file on a filesystem without modes (a share) is left as it is."""
    with contextlib.suppress(OSError):
        os.chmod(path, mode)
