"""Configuration: defaults, then one TOML file, then environment variables.

The file is named by `--config FILE` or `INTAKE_CONFIG`. Every key can be
overridden as `INTAKE_<SECTION>_<KEY>` (for example `INTAKE_IMAP_PASSWORD`), which
is how secrets should arrive. Nothing is read at import time; `load()` is called
by the command line, once.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

SECRET_KEYS = {"password", "secret_key"}


class ConfigError(Exception):
    """A configuration that cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class General:
    data_dir: str = "var"
    campaign: str = ""  # empty: the default named in rules/campaigns.toml
    rules_file: str = ""  # a rules file of one's own for the default campaign
    campaigns: tuple[str, ...] = ()  # further campaigns active on the same ledger
    rules_dir: str = ""  # rules/<campaign>.toml of one's own, before the shipped ones
    schemas_dir: str = ""  # schemas/<family>.toml of one's own, before the shipped ones
    metrics_file: str = ""  # one-shot runs write /metrics here (node_exporter's textfile dir)


@dataclass(frozen=True)
class LedgerSection:
    url: str = ""  # default: SQLite in the data folder
    lease_seconds: float = 300.0  # a killed worker's claims are taken over after this
    channel_workers: int = 1  # workers that may run one channel at once (1: never overlap)


@dataclass(frozen=True)
class RegisterSection:
    path: str = ""

    def path_for(self, campaign: str, default: bool) -> str | None:
        """The register file of one campaign: `path` may hold `{campaign}`; without it
        the file serves the default campaign only."""
        if not self.path or ("{campaign}" not in self.path and not default):
            return None
        return self.path.replace("{campaign}", campaign)


@dataclass(frozen=True)
class FolderSection:
    inbox: str = ""
    outbox: str = ""
    archive: str = ""
    quarantine: str = ""
    stable_seconds: float = 2.0
    rescan_seconds: float = 30.0
    max_attempts: int = 5  # a file that keeps failing is given up (and shown in the digest)


@dataclass(frozen=True)
class ImapSection:
    host: str = ""
    port: int = 993
    user: str = ""
    password: str = ""
    security: str = "ssl"
    ca_file: str = ""  # extra CAs to trust (PEM); verification itself is never off
    folder: str = "INBOX"
    processed_folder: str = "Verwerkt"
    failed_folder: str = "Fout"
    idle_seconds: float = 300.0
    timeout: float = 30.0


@dataclass(frozen=True)
class SmtpSection:
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    security: str = "starttls"
    ca_file: str = ""
    sender: str = ""  # empty: the mailbox of the campaign's care office
    timeout: float = 30.0


@dataclass(frozen=True)
class DeskSection:
    """`intake serve`: the staff desk. The secret key arrives by INTAKE_DESK_SECRET_KEY."""

    listen: str = "127.0.0.1:8080"
    base_url: str = "http://127.0.0.1:8080"
    secret_key: str = ""
    digest_to: tuple[str, ...] = ()
    session_hours: float = 10.0  # a session ends this long after login, whatever happens
    idle_minutes: float = 30.0  # ... and this long after its last request
    # Whose X-Forwarded-For is believed (addresses or networks, e.g. "10.0.0.0/8"):
    # the reverse proxy in front of the desk. Anyone else's header is ignored.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    metrics_from: tuple[str, ...] = ()  # addresses or networks besides loopback for /metrics

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.lower().startswith("https://")


@dataclass(frozen=True)
class LogSection:
    format: str = "text"  # text | json (one JSON object per line, for journald or a collector)


@dataclass(frozen=True)
class Config:
    general: General = field(default_factory=General)
    ledger: LedgerSection = field(default_factory=LedgerSection)
    register: RegisterSection = field(default_factory=RegisterSection)
    folder: FolderSection = field(default_factory=FolderSection)
    imap: ImapSection = field(default_factory=ImapSection)
    smtp: SmtpSection = field(default_factory=SmtpSection)
    desk: DeskSection = field(default_factory=DeskSection)
    log: LogSection = field(default_factory=LogSection)
    source: str = "defaults"

    @property
    def data_dir(self) -> Path:
        return Path(self.general.data_dir)

    @property
    def ledger_url(self) -> str:
        return self.ledger.url or f"sqlite:///{(self.data_dir / 'ledger.sqlite').resolve()}"

    def folder_path(self, name: str) -> Path:
        value = getattr(self.folder, name)
        return Path(value) if value else self.data_dir / name

    @property
    def mail_enabled(self) -> bool:
        return bool(self.imap.host)

    def as_toml(self) -> str:
        """The effective configuration, secrets masked: safe to paste in a ticket."""
        lines = [f"# effective configuration (from {self.source})"]
        for section in SECTIONS:
            lines.append(f"\n[{section}]")
            values = getattr(self, section)
            for f in fields(values):
                value = getattr(values, f.name)
                if f.name in SECRET_KEYS and value:
                    value = "********"
                if section == "ledger" and f.name == "url":
                    value = _mask_url(self.ledger_url)
                key = "from" if (section, f.name) == ("smtp", "sender") else f.name
                lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"


SECTIONS = ("general", "ledger", "register", "folder", "imap", "smtp", "desk", "log")
_ALIASES = {("smtp", "from"): "sender"}  # `from` is the SPEC's key, a keyword in Python


def _mask_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:********@{host}"
    return url


def _toml_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _coerce(section: str, key: str, raw: Any, default: Any) -> Any:
    try:
        if isinstance(default, tuple):
            items = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
            return tuple(str(item).strip() for item in items if str(item).strip())
        if isinstance(default, bool):
            if isinstance(raw, str):
                return raw.strip().lower() in {"1", "true", "yes", "ja", "on"}
            return bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"[{section}] {key}: '{raw}' is not a valid {type(default).__name__}"
        ) from exc


def _apply(config: Config, section: str, values: Mapping[str, Any], origin: str) -> Config:
    current = getattr(config, section)
    known = {f.name: f for f in fields(current)}
    updates = {}
    for key, raw in values.items():
        name = _ALIASES.get((section, key), key)
        if name not in known:
            raise ConfigError(f"{origin}: unknown key [{section}] {key}")
        updates[name] = _coerce(section, key, raw, getattr(current, name))
    return replace(config, **{section: replace(current, **updates)})


def _validate(config: Config) -> None:
    for section in ("imap", "smtp"):
        security = getattr(config, section).security
        if security not in {"ssl", "starttls", "none"}:
            raise ConfigError(
                f"[{section}] security must be ssl, starttls or none, not '{security}'"
            )
        ca_file = getattr(config, section).ca_file
        if ca_file and not Path(ca_file).is_file():
            raise ConfigError(f"[{section}] ca_file: {ca_file} is not a readable file")
    if config.log.format not in {"text", "json"}:
        raise ConfigError(f"[log] format must be text or json, not '{config.log.format}'")
    if config.ledger.lease_seconds <= 0 or config.ledger.channel_workers < 1:
        raise ConfigError("[ledger] lease_seconds must be > 0 and channel_workers >= 1")
    for entry in config.desk.metrics_from:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            problem = f"[desk] metrics_from: '{entry}' is not an address or network"
            raise ConfigError(problem) from exc
    if config.folder.max_attempts < 1:
        raise ConfigError("[folder] max_attempts must be at least 1")
    if config.desk.idle_minutes <= 0 or config.desk.session_hours <= 0:
        raise ConfigError("[desk] idle_minutes and session_hours must be > 0")
    for proxy in config.desk.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise ConfigError(
                f"[desk] trusted_proxies: '{proxy}' is not an address or network"
            ) from exc
    if config.mail_enabled and not config.imap.user:
        raise ConfigError("[imap] user is required when [imap] host is set")


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    config = Config()
    path = path or env.get("INTAKE_CONFIG") or None
    if path:
        try:
            with Path(path).open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"configuration file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from exc
        for section, values in data.items():
            if section not in SECTIONS or not isinstance(values, dict):
                raise ConfigError(f"{path}: unknown section [{section}]")
            config = _apply(config, section, values, str(path))
        config = replace(config, source=str(path))
    for section in SECTIONS:
        prefix = f"INTAKE_{section.upper()}_"
        overrides = {
            name[len(prefix) :].lower(): value
            for name, value in env.items()
            if name.startswith(prefix)
        }
        if overrides:
            config = _apply(config, section, overrides, "environment")
    if "INTAKE_DATA_DIR" in env:
        config = _apply(config, "general", {"data_dir": env["INTAKE_DATA_DIR"]}, "environment")
    _validate(config)
    return config
