"""Header values of an answer taken from the original: verbatim where they must be.

Threading only works when In-Reply-To and References repeat the original Message-ID
byte for byte. The standard library folds an unstructured header longer than 78
characters by RFC 2047-encoding it, which breaks the long ids Microsoft 365 writes;
here those two headers are written one id per line and never encoded. A Subject
that decodes to text with line breaks or control characters (hostile or broken
mail) is flattened to one line instead of failing the answer.
"""

from __future__ import annotations

import re
from email import policy as email_policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any

_FOLD = re.compile(r"\r?\n(?=[ \t])")
# A msg-id as mail software writes it: printable ASCII without spaces, usually <...>.
_ID = re.compile(r"^[\x21-\x7e]{1,990}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
MAX_SUBJECT = 200
MAX_REFERENCES = 20


class _IdListHeader:
    """In-Reply-To / References: space-separated msg-ids, folded between ids only."""

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        kwds["decoded"] = " ".join(str(value).split())
        kwds["parse_tree"] = None

    def fold(self, *, policy: EmailPolicy) -> str:
        ids = str(self).split()
        return f"{self.name}: " + f"{policy.linesep} ".join(ids) + policy.linesep  # type: ignore[attr-defined]


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("in-reply-to", _IdListHeader)
    registry.map_to_type("references", _IdListHeader)
    return registry


REPLY_POLICY = email_policy.default.clone(header_factory=_registry())


def new_message() -> EmailMessage:
    """An outgoing message whose threading headers are written verbatim."""
    return EmailMessage(policy=REPLY_POLICY)


def raw_header(message: EmailMessage, name: str) -> str | None:
    """The header as it arrived, unfolded, without any decoding."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            text = value if isinstance(value, str) else str(value)
            return _FOLD.sub("", text).strip()
    return None


def _ids(value: str | None) -> list[str]:
    return [token for token in (value or "").split() if _ID.match(token)]


def original_id(message: EmailMessage) -> str | None:
    """The original Message-ID verbatim, or None when there is none usable."""
    found = _ids(raw_header(message, "Message-ID"))
    return found[0] if len(found) == 1 else None


def thread_headers(message: EmailMessage) -> dict[str, str]:
    """In-Reply-To and References for an answer to `message` (empty without a usable id)."""
    own = original_id(message)
    if own is None:
        return {}
    earlier = [i for i in _ids(raw_header(message, "References")) if i != own]
    chain = [*earlier[-(MAX_REFERENCES - 1) :], own]
    return {"In-Reply-To": own, "References": " ".join(chain)}


def one_line(text: str, limit: int = MAX_SUBJECT) -> str:
    """Text safe for a header: no line breaks or control characters, bounded length."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def subject_of(message: EmailMessage) -> str:
    """The decoded Subject on one line; a header that cannot be decoded gives ''."""
    try:
        value = message.get("Subject", "")
        return one_line(str(value or ""))
    except Exception:  # a header the parser chokes on is simply not repeated
        return one_line(raw_header(message, "Subject") or "")
