"""Files that staff read (outbox, reports, the digest) are written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from intake.storage.filemodes import SHARED_DIR, SHARED_FILE, make_dirs


def atomic_write(path: Path, data: bytes | str) -> None:
    """Readers (staff browsing the outbox) never see half a file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    make_dirs(path.parent, SHARED_DIR)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, SHARED_FILE)  # staff of the intake team read reports; nobody else
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
