"""The human table `intake check` prints without --json."""

from __future__ import annotations

from collections.abc import Sequence

from intake.campaign.rules import Rules
from intake.domain import Verdict

_STATUS = {"accepted": "GEACCEPTEERD", "review": "BEOORDELING", "rejected": "AFGEWEZEN"}


def render_table(verdicts: Sequence[Verdict], rules: Rules) -> str:
    lines = []
    for v in verdicts:
        who = f" — {v.provider.naam or ''} ({v.provider.agb or 'geen AGB'})" if v.provider else ""
        version = f", model {v.template_version}" if v.template_version else ""
        lines.append(f"{v.file}: {_STATUS[v.status.value]} [{v.document.value}{version}]{who}")
        lines.append(
            f"  ontvangen {rules.local_date(v.received):%d-%m-%Y}, sha256 {v.sha256[:12]}…"
        )
        for f in v.findings:
            where = f" {f.location}" if f.location else ""
            lines.append(f"  {f.severity.value:<7} {f.code}{where}")
            lines.append(f"          {f.message}")
        lines.append("")
    counts = {s: sum(1 for v in verdicts if v.status.value == s) for s in _STATUS}
    lines.append(
        f"{len(verdicts)} bestand(en): {counts['accepted']} geaccepteerd, "
        f"{counts['review']} te beoordelen, {counts['rejected']} afgewezen"
    )
    return "\n".join(lines)
