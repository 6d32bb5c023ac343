"""The service layer: what happens to documents once a channel has them (`documents.py`:
take in, pair, re-judge), the letters and mails that follow, and the `App` every
command opens.

The names of `documents.py` are offered here too (`from intake.service import take_in`),
but loaded on first use (PEP 562): every command imports `intake.service.app`, and a
package that imported its whole service on the way would load letters, reports and the
plan comparison into runs that never touch a document (an empty `mail --once`).
"""

from __future__ import annotations

from typing import Any

_DOCUMENTS = frozenset(
    {
        "LEDGER_CODES",
        "PAIRED_KINDS",
        "PAIRING",
        "Rejudged",
        "Taken",
        "rejudge",
        "settle_pairs",
        "take_in",
    }
)

__all__ = sorted(_DOCUMENTS)


def __getattr__(name: str) -> Any:
    if name in _DOCUMENTS:
        from intake.service import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
