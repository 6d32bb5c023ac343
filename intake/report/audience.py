"""Who may read budget figures: the confidentiality rule of the provider report."""

from __future__ import annotations

from collections.abc import Sequence

from intake.campaign.register import Register
from intake.domain import Verdict


def sender_registered(
    verdicts: Sequence[Verdict], register: Register | None, sender: str | None
) -> bool:
    """True when figures may go to `sender`.

    No sender means the documents came in by hand (folder, command line): the reader
    is staff. With a sender, every provider named in the documents must list the
    sender among its contacts; when no provider could be read, the sender must be a
    contact of at least one registered provider.
    """
    if sender is None:
        return True
    if register is None:
        return False
    agbs = {v.provider.agb for v in verdicts if v.provider and v.provider.agb}
    if not agbs:
        return bool(register.for_sender(sender))
    for agb in agbs:
        entry = register.get(agb)
        if entry is None or not entry.is_contact(sender):
            return False
    return True
