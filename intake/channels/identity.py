"""Which mail is this: its Message-ID and a hash of what it says.

A Message-ID alone is not enough: some senders reuse one for different messages,
which must each be judged, while the same message delivered twice must be answered
once. A second delivery path or a resend rewrites the wire form (other MIME
boundaries, other transfer-encoding line breaks, added Received headers), so the
content hash is taken from what the message means: its sender, its subject, its
text and the sha256 of each of its documents, as the bounded mail reader finds them.
Only a mail that reader cannot take apart is known by its raw body instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage

from intake.channels.attachments import Contents, Limits, read

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


def _sender(message: EmailMessage) -> bytes:
    try:
        addresses = getattr(message.get("From"), "addresses", ()) or ()
        return ",".join(sorted(a.addr_spec.lower() for a in addresses)).encode()
    except Exception:  # an unparseable From: its raw text still tells mails apart
        return str(message.get("From", "")).encode("utf-8", "replace")


def _texts(message: EmailMessage) -> list[bytes]:
    """The plain-text parts, decoded and with whitespace folded: what the sender wrote."""
    texts = []
    for part in message.walk():
        if part.get_content_type() != "text/plain" or part.get_filename():
            continue
        try:
            text = str(part.get_content())
        except Exception:  # an unknown charset: the decoded bytes still identify it
            text = (part.get_payload(decode=True) or b"").decode("latin-1")
        texts.append(" ".join(text.split()).encode())
    return texts


def _meaning(message: EmailMessage, contents: Contents) -> str:
    digest = hashlib.sha256()
    subject = " ".join(str(message.get("Subject", "")).split()).encode()
    documents = sorted(hashlib.sha256(d.content).digest() for d in contents.documents)
    for part in (_sender(message), subject, *_texts(message), b"--documents--", *documents):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _raw_hash(block: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (_header(block, rb"From"), _header(block, rb"Subject"), body):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def identify(raw: bytes, limits: Limits | None = None) -> MailIdentity:
    """The Message-ID (from the raw header block) and the content hash of `raw`.

    Reading runs under the mail's own `limits`; a mail past them, or one the parser
    refuses, falls back to the hash of its raw body, which still never changes for
    a byte-identical redelivery.
    """
    end = _END.search(raw)
    block, body = (raw[: end.start()], raw[end.end() :]) if end else (raw, b"")
    message_id = _header(block, rb"Message-ID").decode("latin-1")[:_MAX_KEY] or None
    try:
        message, contents = read(raw, limits)
        content = _raw_hash(block, body) if contents.over_limit else _meaning(message, contents)
    except Exception:  # whatever the parser meets: the raw body still identifies the mail
        content = _raw_hash(block, body)
    return MailIdentity(message_id, content)
