"""The one place that turns configuration into real objects (the composition root).

Every command goes through here: `check` and `report` get a `Context` for the
configured campaigns, the channels an `App` with ledger and archive as well.
Nothing else builds rules, families, registers or contexts.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from intake.campaign.context import Context
from intake.campaign.register import RegisterError, load_register
from intake.campaign.rulecheck import check_campaign
from intake.campaign.rules import RulesError, default_campaign, load_rules
from intake.campaign.templates import load_family
from intake.config import Config
from intake.storage.archive import Archive

if TYPE_CHECKING:  # the ledger (SQLAlchemy) is loaded only by commands that open it
    from intake.service.app import App

log = logging.getLogger(__name__)


def campaign_names(config: Config) -> list[str]:
    """The default campaign first, then the other active ones, each once."""
    first = config.general.campaign or default_campaign()
    names = [first, *(n for n in config.general.campaigns if n)]
    return list(dict.fromkeys(names))


def _register_for(config: Config, campaign: str, default: bool, override: Path | None):  # type: ignore[no-untyped-def]
    """An override (`--register`) serves the default campaign; else `[register] path`."""
    if override and default:
        return str(override).replace("{campaign}", campaign)
    return config.register.path_for(campaign, default)


# The register files as they were when last loaded (modification time, size, inode):
# a long-running watcher compares them before each pass and reloads what changed.
_STAMPS: dict[str, tuple[int, int, int] | None] = {}


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino


def refresh_registers(app: App) -> list[str]:
    """Reload each campaign's register whose file changed since it was loaded (a register
    confirmed in the desk, or replaced by hand), so a running watcher judges the next
    document with it without a restart. A file that does not load is reported and the
    register in use is kept. Returns the campaigns whose register was replaced."""
    reloaded = []
    for ctx in app.ctx.campaigns:
        path = app.config.register.path_for(ctx.campaign, ctx is app.ctx)
        stamp = _stamp(path) if path else None
        if not path or stamp is None or stamp == _STAMPS.get(path):
            continue
        _STAMPS[path] = stamp
        try:
            register = load_register(path, ctx.rules.amount_columns)
        except RegisterError as exc:
            log.error(
                "%s: register %s changed but does not load; kept the one in use: %s",
                ctx.campaign,
                path,
                "; ".join(str(p) for p in exc.problems[:5]),
            )
            continue
        app.ctx = app.ctx.with_register(ctx.campaign, register)
        reloaded.append(ctx.campaign)
        log.info(
            "%s: register %s changed; reloaded (%d providers)", ctx.campaign, path, len(register)
        )
    return reloaded


def _own_file(config: Config, campaign: str, default: bool) -> Path | None:
    """`rules_file` for the default campaign, else `rules_dir`; None: the shipped file."""
    general = config.general
    if default and general.rules_file:
        return Path(general.rules_file)
    candidate = Path(general.rules_dir) / f"{campaign}.toml" if general.rules_dir else None
    return candidate if candidate and candidate.is_file() else None


def _own_schemas(config: Config, family: str) -> Path | None:
    folder = Path(config.general.schemas_dir) if config.general.schemas_dir else None
    return folder if folder and (folder / f"{family}.toml").is_file() else None


def _one_context(
    config: Config, campaign: str, default: bool, register: Path | None, reader: str
) -> Context:
    rules = load_rules(campaign, _own_file(config, campaign, default))
    path = _register_for(config, campaign, default, register)
    if path:
        _STAMPS[path] = _stamp(path)  # before reading: a write during the load is seen later
    loaded = load_register(path, rules.amount_columns) if path else None
    if loaded is None:
        log.info("%s: no register configured: provider, amount and sender checks are off", campaign)
    family = load_family(rules.template_family, _own_schemas(config, rules.template_family))
    problems = check_campaign(rules, family)
    if problems:
        raise RulesError(problems)
    return Context(rules, family, loaded, reader)


def build_context(
    config: Config, *, register: Path | None = None, reader: str = "fastxml"
) -> Context:
    """The contexts of every configured campaign, the default one on top.

    Raises `RulesError` for broken rules or schemas and `RegisterError` for a broken
    register: both are configuration errors for the command line (exit 2).
    """
    names = campaign_names(config)
    contexts = [_one_context(config, n, i == 0, register, reader) for i, n in enumerate(names)]
    return replace(contexts[0], alternatives=tuple(contexts[1:]))


def build_app(config: Config, ctx: Context | None = None) -> App:
    """The App: `ctx` when the caller has already read the rules and register."""
    from intake.service.app import App
    from intake.storage.ledger import Ledger

    ctx = ctx or build_context(config)  # schemas are built by the channels once there is work
    if ctx.register is None:
        log.warning("no register configured: provider, amount and sender checks are off")
    if not config.smtp.sender:  # replies come from the care office's mailbox by default
        smtp = replace(config.smtp, sender=ctx.rules.care_office["mailbox"])
        config = replace(config, smtp=smtp)
    ledger = Ledger.open(
        config.ledger_url,
        lease_seconds=config.ledger.lease_seconds,
        default_campaign=ctx.campaign,
    )
    return App(config, ctx, ledger, Archive(config.folder_path("archive")))
