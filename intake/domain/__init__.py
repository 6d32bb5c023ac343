"""The domain vocabulary: findings, verdicts and the submission they judge.

Standard library only, so that every layer (checks, reports, ledger, channels)
can share these types without dragging parsers or drivers along.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from intake.domain.cells import Location


class Severity(StrEnum):
    """How much a finding weighs; the order of the members is the order of importance."""

    ERROR = "error"
    REVIEW = "review"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Status(StrEnum):
    ACCEPTED = "accepted"
    REVIEW = "review"
    REJECTED = "rejected"


class DocumentKind(StrEnum):
    AANVRAAG = "aanvraag"
    KWALITEITSPLAN = "kwaliteitsplan"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Finding:
    """One thing the provider or staff must know, addressed to a cell where possible."""

    code: str
    severity: Severity
    message: str
    location: str | None = None
    # The raw cell values behind the finding, for the staff report only.
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
        }


@dataclass(frozen=True)
class Provider:
    agb: str | None
    naam: str | None

    def to_json(self) -> dict[str, Any]:
        return {"agb": self.agb, "naam": self.naam}


@dataclass(frozen=True)
class Submission:
    """What every channel hands to the pipeline: bytes, a name and when they arrived."""

    filename: str
    content: bytes
    received: datetime
    channel: str = "cli"
    sender: str | None = None


@dataclass
class Verdict:
    file: str
    sha256: str
    document: DocumentKind
    status: Status
    findings: list[Finding]
    received: datetime
    template_version: str | None = None
    provider: Provider | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    # Detection signals and other facts staff need to decide; not for providers.
    signals: dict[str, Any] = field(default_factory=dict)
    size: int = 0
    # Which rules judged it: the campaign and the version (hash) of its rules and schema.
    campaign: str | None = None
    rules_version: str | None = None

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_json(self) -> dict[str, Any]:
        """The object `intake check --json` prints, as the SPEC fixes it (plus context keys)."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "document": self.document.value,
            "template_version": self.template_version,
            "provider": self.provider.to_json() if self.provider else None,
            "status": self.status.value,
            "findings": [f.to_json() for f in self.findings],
            "figures": json_safe(json_money(self.figures)),
            "campaign": self.campaign,
            "rules_version": self.rules_version,
            "received": self.received.isoformat(),
            "size": self.size,
            "signals": json_safe(self.signals),
        }


CENT = Decimal("0.01")


def money(value: float | Decimal | None) -> Decimal | None:
    """An amount to the cent, as a letter shows it: 327379.9999999997 is € 327.380,00."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None  # NaN or infinity is no amount: shown as unknown, never a crash
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def json_money(value: Any) -> Any:
    """Figures for JSON: amounts (Decimal) become numbers with at most two decimals."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: json_money(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_money(v) for v in value]
    return value


def json_safe(value: Any) -> Any:
    """NaN and infinity have no JSON spelling: they become null, so the output stays JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def decide_status(findings: list[Finding]) -> Status:
    """Errors reject, review findings need a person; warnings and info never change the outcome."""
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Status.REJECTED
    if Severity.REVIEW in severities:
        return Status.REVIEW
    return Status.ACCEPTED


def order_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then in reading order of the workbook, so reports read top-down."""
    return sorted(findings, key=lambda f: (f.severity.rank, location_key(f.location), f.code))


def location_key(location: str | None) -> tuple[str, int, str]:
    """Sort key for `'Sheet'!C12`: sheet, then row number, then column (so C9 before C10)."""
    return Location.parse(location).sort_key()


def finding_from_json(data: dict[str, Any]) -> Finding:
    return Finding(
        code=data["code"],
        severity=Severity(data["severity"]),
        message=data["message"],
        location=data.get("location"),
    )


__all__ = [
    "DocumentKind",
    "Finding",
    "Provider",
    "Severity",
    "Status",
    "Submission",
    "Verdict",
    "decide_status",
    "finding_from_json",
    "order_findings",
]


def verdict_from_json(data: dict[str, Any]) -> Verdict:
    """The inverse of `Verdict.to_json`, for verdicts read back from the ledger."""
    provider = data.get("provider")
    return Verdict(
        file=data["file"],
        sha256=data["sha256"],
        document=DocumentKind(data["document"]),
        status=Status(data["status"]),
        findings=[finding_from_json(f) for f in data.get("findings", [])],
        received=datetime.fromisoformat(data["received"]),
        template_version=data.get("template_version"),
        provider=Provider(provider.get("agb"), provider.get("naam")) if provider else None,
        figures=data.get("figures") or {},
        signals=data.get("signals") or {},
        size=data.get("size", 0),
        campaign=data.get("campaign"),
        rules_version=data.get("rules_version"),
    )


@dataclass(frozen=True)
class Decision:
    """A staff decision on a case: it overrides the computed status, never erases it.

    The computed verdicts stay in the ledger beside the decision, so that staff and
    auditors can always see what the rules said and what a person decided, and why.
    """

    status: Status
    reason: str
    actor: str
    decided_at: datetime


_KENMERK = re.compile(r"\b([A-Z][A-Z0-9]{1,11})-([0-9A-F]{8})\b", re.IGNORECASE)


def kenmerk(prefix: str, sha256: str) -> str:
    """The reference a provider quotes on the phone: short, unambiguous, searchable.

    Derived from the document's content hash, so the same file always has the same
    reference and staff can find the document from it without another lookup table.
    """
    return f"{prefix}-{sha256[:8].upper()}"


def kenmerk_hash_prefix(text: str) -> str | None:
    """The sha256 prefix inside a reference typed by staff or quoted by a provider."""
    match = _KENMERK.search(text.strip())
    return match.group(2).lower() if match else None
