"""Wires the real objects together for the channels; the one place that reads config."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from intake.config import Config
from intake.context import Context
from intake.filemodes import PRIVATE_DIR, SHARED_DIR, make_dirs
from intake.register import Register, load_register
from intake.rules import load_rules
from intake.storage.archive import Archive
from intake.storage.ledger import Ledger
from intake.templates import load_family

log = logging.getLogger(__name__)


@dataclass
class App:
    config: Config
    ctx: Context
    ledger: Ledger
    archive: Archive

    @property
    def register(self) -> Register | None:
        return self.ctx.register

    def folder(self, name: str) -> Path:
        """A configured folder, created if missing: the archive private, the others for
        the intake team's group (staff drop files in the inbox and read the outbox)."""
        path = self.config.folder_path(name)
        return make_dirs(path, PRIVATE_DIR if name == "archive" else SHARED_DIR)


def build_app(config: Config) -> App:
    rules_path = Path(config.general.rules_file) if config.general.rules_file else None
    rules = load_rules(config.general.campaign, rules_path)
    register = load_register(config.register.path) if config.register.path else None
    if register is None:
        log.warning("no register configured: provider, amount and sender checks are off")
    ctx = Context(rules, load_family(rules.template_family), register)
    ledger = Ledger.open(config.ledger_url, lease_seconds=config.ledger.lease_seconds)
    return App(config, ctx, ledger, Archive(config.folder_path("archive")))
