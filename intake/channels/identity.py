"""Which mail is this: its Message-ID and a hash of what it says, read from raw bytes.

This runs before the message is parsed (parsing is what may fail), so it only looks
for the end of the header block and three headers. A Message-ID alone is not
enough: some senders reuse one for different messages, which must each be judged,
while the same message delivered twice must be answered once. The content hash
(From, Subject and body, which a redelivery does not change) tells the two apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_END = re.compile(rb"\r?\n\r?\n")
_MAX_KEY = 900


def _header(block: bytes, name: bytes) -> bytes:
    match = re.search(rb"(?im)^" + name + rb"[ \t]*:(.*(?:\r?\n[ \t].*)*)", block)
    return re.sub(rb"\r?\n", b"", match.group(1)).strip() if match else b""


@dataclass(frozen=True)
class MailIdentity:
    message_id: str | None
    content_sha256: str

    @property
    def key(self) -> str:
        """The ledger key of the first mail with this Message-ID."""
        return self.message_id or f"sha256:{self.content_sha256}"

    @property
    def distinct_key(self) -> str:
        """The ledger key when an earlier, different mail already has this Message-ID."""
        return f"{(self.message_id or '')[:_MAX_KEY]} sha256:{self.content_sha256}"


def identify(raw: bytes) -> MailIdentity:
    end = _END.search(raw)
    block, body = (raw[: end.start()], raw[end.end() :]) if end else (raw, b"")
    message_id = _header(block, rb"Message-ID").decode("latin-1")[:_MAX_KEY] or None
    digest = hashlib.sha256()
    for part in (_header(block, rb"From"), _header(block, rb"Subject"), body):
        digest.update(hashlib.sha256(part).digest())
    return MailIdentity(message_id, digest.hexdigest())
