"""Originals by content hash: written once, never changed, never deleted by intake."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from intake.domain.filenames import safe_name
from intake.storage.filemodes import PRIVATE_DIR, make_dirs


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, name: str) -> Path:
        return self.root / sha256[:2] / sha256 / safe_name(name)

    def put(self, sha256: str, name: str, data: bytes) -> Path:
        target = self.path_for(sha256, name)
        if target.exists():
            return target
        make_dirs(target.parent, PRIVATE_DIR)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def get(self, sha256: str) -> tuple[str, bytes] | None:
        folder = self.root / sha256[:2] / sha256
        if not folder.is_dir():
            return None
        for path in sorted(folder.iterdir()):
            if not path.name.startswith("."):
                return path.name, path.read_bytes()
        return None
