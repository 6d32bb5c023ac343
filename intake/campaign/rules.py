"""Campaign rules, read from `rules/<campaign>.toml`: dates, thresholds, limits, texts.

The checks ask this object for every number they compare against and every Dutch
sentence they produce, so a new campaign is a new rules file. A file may `extends`
another campaign's file and state only what differs; it is checked against
`rulecheck` when loaded, so a mistake in it is a configuration error naming the
file and the key, never a provider's problem.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from intake.campaign.resources import rules_dir
from intake.domain import Finding, Severity


class RulesError(Exception):
    """Rules or schema files that cannot be used; `problems` lists (file, key, why)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the campaign rules")
        self.problems = problems

    def report(self) -> str:
        lines = [f"Fout in de campagneregels ({len(self.problems)} probleem/problemen):"]
        lines += [f"  {file}: {key}: {why}" for file, key, why in self.problems]
        return "\n".join(lines)


class _Blank(dict):
    """Leaves a placeholder the check did not fill visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once, cached
class Rules:
    campaign: str
    template_family: str
    timezone: ZoneInfo
    deadline: date
    corrected_model_from: date
    current_version: str
    reminder_interval_days: int
    care_office: dict[str, Any]
    thresholds: dict[str, float]
    limits: dict[str, int | float]
    plan: dict[str, Any]
    catalogue: dict[str, dict[str, Any]]
    mail: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    register_columns: dict[str, str] = field(default_factory=dict)
    agb: dict[str, Any] = field(default_factory=dict)
    received_from: date | None = None
    advance_later_after: date | None = None
    version: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the merged file, for later additions
    sources: tuple[Path, ...] = ()
    # The mailbox channel's limits and no-reply senders (`[mailbox]`).
    mailbox: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> Path:
        return self.sources[0] if self.sources else Path()

    @property
    def amount_columns(self) -> tuple[str, str]:
        """The register's reserved and compensation columns for this campaign."""
        names = self.register_columns
        return names["reserved_column"], names["compensation_column"]

    @property
    def regions(self) -> list[str]:
        return list(self.care_office["regions"])

    def local_date(self, moment: datetime) -> date:
        """The calendar day in the campaign's time zone: deadlines are Dutch days."""
        return moment.astimezone(self.timezone).date()

    def common_values(self) -> dict[str, Any]:
        """What every message may quote: the care office and the campaign's dates."""
        return dict(self._common)

    @cached_property
    def _common(self) -> dict[str, Any]:
        """Worked out once: rules never change after loading, and the work queue and the
        letters fill thousands of sentences."""
        office = self.care_office
        base = {
            "office": office["name"],
            "department": office.get("department", ""),
            "mailbox": office.get("mailbox", ""),
            "phone": office.get("phone", ""),
            "deadline": self.deadline.strftime("%d-%m-%Y"),
            "corrected_model_from": self.corrected_model_from.strftime("%d-%m-%Y"),
            "year": str(self.plan.get("year", "")),  # the budget year, as the letter has it
        }
        names = {
            k: v.format_map(_Blank(base)) for k, v in self.texts.items() if k.startswith("name_")
        }
        return {**base, **names}

    def finding(
        self,
        code: str,
        location: str | None = None,
        *,
        variant: str | None = None,
        severity: Severity | None = None,
        evidence: dict[str, Any] | None = None,
        **values: Any,
    ) -> Finding:
        """Build a finding from the catalogue: its severity and its Dutch message."""
        entry = self.catalogue[code]
        template = entry[f"message_{variant}"] if variant else entry["message"]
        fill = _Blank({**self.common_values(), "cell": location or "", **values})
        return Finding(
            code=code,
            severity=severity or Severity(entry["severity"]),
            message=template.format_map(fill),
            location=location,
            evidence=evidence or {},
        )

    def mail_text(self, key: str, **values: Any) -> str:
        return str(self.mail[key]).format_map(_Blank({**self.common_values(), **values}))

    def text(self, key: str, **values: Any) -> str:
        """A Dutch sentence of the reports, mails or digest, with its placeholders filled."""
        return self.texts[key].format_map(_Blank({**self._common, **values}))

    def title(self, code: str) -> str:
        return self.catalogue.get(code, {}).get("title", code)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for path in self.sources:
            digest.update(path.read_bytes())
        return digest.hexdigest()


def _date(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def parse_rules(data: dict[str, Any], sources: tuple[Path, ...] = ()) -> Rules:
    """Rules from an already merged and checked rules document."""
    campaign = data["campaign"]
    register = data.get("register", {})
    return Rules(
        campaign=campaign["id"],
        template_family=campaign["template_family"],
        timezone=ZoneInfo(campaign["timezone"]),
        deadline=campaign["deadline"],
        corrected_model_from=campaign["corrected_model_from"],
        current_version=campaign["current_version"],
        reminder_interval_days=int(campaign.get("reminder_interval_days", 7)),
        care_office=dict(data["care_office"]),
        thresholds={k: float(v) for k, v in data["thresholds"].items()},
        limits=dict(data["limits"]),
        plan=dict(data.get("plan", {})),
        catalogue={code: dict(entry) for code, entry in data["findings"].items()},
        mail=dict(data.get("mail", {})),
        texts={k: str(v) for k, v in data.get("texts", {}).items()},
        register_columns={k: str(v) for k, v in register.items()},
        agb=dict(data.get("agb", {})),
        received_from=_date(campaign.get("received_from")),
        advance_later_after=_date(campaign.get("advance_later_after")),
        version=campaign.get("version"),
        data=data,
        sources=sources,
        mailbox=dict(data.get("mailbox", {})),
    )


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` on top of `base`, table by table, so a campaign states only what differs."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def read_chain(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """The rules file merged over the files it `extends`, and every file that took part."""
    if path in seen:
        raise RulesError([(str(path), "extends", "the files extend each other in a circle")])
    if not path.is_file():
        raise RulesError([(str(path), "-", "the rules file does not exist")])
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([(str(path), "-", f"not valid TOML: {exc}")]) from exc
    parent = data.pop("extends", None)
    if parent is None:
        return data, (path,)
    if not isinstance(parent, str):
        raise RulesError([(str(path), "extends", "must be the name of a campaign")])
    base, base_sources = read_chain(path.parent / f"{parent}.toml", (*seen, path))
    return merge(base, data), (path, *base_sources)


def rules_path(campaign: str, path: Path | None = None) -> Path:
    return path or rules_dir() / f"{campaign}.toml"


def load_rules(campaign: str | None = None, path: Path | None = None) -> Rules:
    """Rules of one campaign (default: the shipped default), from a file or the package's."""
    return _load_rules(campaign or default_campaign(), path)


@cache
def _load_rules(campaign: str, path: Path | None) -> Rules:
    from intake.campaign.rulecheck import check_rules

    source = rules_path(campaign, path)
    data, sources = read_chain(source)
    problems = check_rules(data, str(source))
    if problems:
        raise RulesError(problems)
    return parse_rules(data, sources)


def default_campaign() -> str:
    """The campaign shipped as the default, named in `rules/campaigns.toml`."""
    with (rules_dir() / "campaigns.toml").open("rb") as fh:
        return str(tomllib.load(fh)["default"])
