"""Campaign rules, read from `rules/<campaign>.toml`: dates, thresholds, limits, messages.

The checks ask this object for every number they compare against and every Dutch
sentence they produce, so a new campaign is a new rules file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from intake.domain import Finding, Severity
from intake.resources import rules_dir

DEFAULT_CAMPAIGN = "kwaliteitsbudget-2020"


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
    limits: dict[str, int]
    plan: dict[str, Any]
    catalogue: dict[str, dict[str, Any]]
    mail: dict[str, str] = field(default_factory=dict)
    # The mailbox channel's limits and no-reply senders (`[mailbox]`).
    mailbox: dict[str, Any] = field(default_factory=dict)
    source: Path = field(compare=False, default=Path())

    @property
    def regions(self) -> list[str]:
        return list(self.care_office["regions"])

    def local_date(self, moment: datetime) -> date:
        """The calendar day in the campaign's time zone: deadlines are Dutch days."""
        return moment.astimezone(self.timezone).date()

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
        fill = _Blank({"cell": location or "", **values})
        return Finding(
            code=code,
            severity=severity or Severity(entry["severity"]),
            message=template.format_map(fill),
            location=location,
            evidence=evidence or {},
        )

    def mail_text(self, key: str, **values: Any) -> str:
        office = self.care_office
        fill = _Blank(
            {
                "office": office["name"],
                "department": office["department"],
                "mailbox": office["mailbox"],
                "deadline": self.deadline.strftime("%d-%m-%Y"),
                **values,
            }
        )
        return self.mail[key].format_map(fill)

    def title(self, code: str) -> str:
        return self.catalogue.get(code, {}).get("title", code)


def parse_rules(data: dict[str, Any], source: Path = Path()) -> Rules:
    campaign = data["campaign"]
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
        limits={k: int(v) for k, v in data["limits"].items()},
        plan=dict(data["plan"]),
        catalogue={code: dict(entry) for code, entry in data["findings"].items()},
        mail={k: str(v) for k, v in data.get("mail", {}).items()},
        mailbox=dict(data.get("mailbox", {})),
        source=source,
    )


@cache
def load_rules(campaign: str = DEFAULT_CAMPAIGN, path: Path | None = None) -> Rules:
    """Rules of one campaign, from a given file or the one shipped with the package."""
    source = path or rules_dir() / f"{campaign}.toml"
    with source.open("rb") as fh:
        return parse_rules(tomllib.load(fh), source)
