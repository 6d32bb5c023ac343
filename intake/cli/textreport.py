"""The human table `intake check` prints without --json."""

from __future__ import annotations

from collections.abc import Sequence

from intake.campaign.rules import Rules
from intake.domain import Verdict

_STATUS = {"accepted": "GEACCEPTEERD", "review": "BEOORDELING", "rejected": "AFGEWEZEN"}


def render_table(verdicts: Sequence[Verdict], rules: Rules) -> str:
    lines = [line for v in verdicts for line in verdict_lines(v, rules)]
    lines.append(summary_line([v.status.value for v in verdicts]))
    return "\n".join(lines)


def verdict_lines(v: Verdict, rules: Rules) -> list[str]:
    """One file's block of the table, blank line included (printed as it is judged)."""
    lines = []
    who = f" — {v.provider.naam or ''} ({v.provider.agb or 'geen AGB'})" if v.provider else ""
    version = f", model {v.template_version}" if v.template_version else ""
    lines.append(f"{v.file}: {_STATUS[v.status.value]} [{v.document.value}{version}]{who}")
    lines.append(f"  ontvangen {rules.local_date(v.received):%d-%m-%Y}, sha256 {v.sha256[:12]}…")
    for f in v.findings:
        where = f" {f.location}" if f.location else ""
        lines.append(f"  {f.severity.value:<7} {f.code}{where}")
        lines.append(f"          {f.message}")
    lines.append("")
    return lines


def summary_line(statuses: Sequence[str]) -> str:
    counts = {s: sum(1 for status in statuses if status == s) for s in _STATUS}
    return (
        f"{len(statuses)} bestand(en): {counts['accepted']} geaccepteerd, "
        f"{counts['review']} te beoordelen, {counts['rejected']} afgewezen"
    )
