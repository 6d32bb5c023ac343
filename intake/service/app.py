"""What every service, casework and channel function works with: configuration, the
campaigns' contexts, the ledger and the archive. `intake.bootstrap` builds it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intake.campaign.context import Context
from intake.campaign.register import Register
from intake.config import Config
from intake.storage.archive import Archive
from intake.storage.filemodes import PRIVATE_DIR, SHARED_DIR, make_dirs
from intake.storage.ledger import Ledger


@dataclass
class App:
    config: Config
    ctx: Context  # the configured default campaign; its alternatives are the others
    ledger: Ledger
    archive: Archive

    @property
    def register(self) -> Register | None:
        return self.ctx.register

    @property
    def contexts(self) -> dict[str, Context]:
        return {c.campaign: c for c in self.ctx.campaigns}

    def folder(self, name: str) -> Path:
        """A configured folder, created if missing: the archive private, the others for
        the intake team's group (staff drop files in the inbox and read the outbox)."""
        path = self.config.folder_path(name)
        return make_dirs(path, PRIVATE_DIR if name == "archive" else SHARED_DIR)
