"""The time "now" for letters, the digest and the work queue: the wall clock, unless a
run sets another moment (the demo judges a night inside the campaign, so its letters
and digest read as they would have then). Stored times in the ledger stay real."""

from __future__ import annotations

from datetime import datetime, tzinfo

_FIXED: datetime | None = None


def now(zone: tzinfo) -> datetime:
    """The current moment in `zone`, or the moment this run was set to."""
    return _FIXED.astimezone(zone) if _FIXED is not None else datetime.now(zone)


def set_now(moment: datetime | None) -> None:
    """Let this process run at `moment` (aware); None returns to the wall clock."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the moment needs a time zone")
    global _FIXED
    _FIXED = moment
