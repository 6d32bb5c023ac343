"""Every document in a provider's e-mail: attachments, forwarded messages, zip files.

Inline images, signature logos and S/MIME signatures are not documents. File names
arrive RFC 2231- or RFC 2047-encoded and are decoded by the standard library's
modern e-mail policy.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import PurePath

from intake.storage.archive import safe_name

SIGNATURES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
    "application/ms-tnef",
}
_LOGO = re.compile(
    r"^(image\d{3}|outlook|logo|signature|handtekening)[\w-]*\.(png|jpe?g|gif|bmp)$", re.I
)
MAX_ZIP_MEMBERS = 50
MAX_ZIP_BYTES = 60_000_000


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def _is_document(part: EmailMessage) -> bool:
    ctype = part.get_content_type()
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    if ctype in SIGNATURES or (filename or "").lower().endswith((".p7s", ".asc")):
        return False
    if ctype.startswith("image/"):
        # Logos in signatures: inline, referenced by Content-ID, or Outlook's image001.png.
        return (
            disposition == "attachment"
            and not part.get("Content-ID")
            and not _LOGO.match(filename or "")
        )
    if filename:
        return True
    return disposition == "attachment"


def _unzip(name: str, data: bytes, depth: int = 0) -> list[Attachment]:
    """Members of a zip as separate documents; a broken or oversized zip stays one document."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
        members = [
            i
            for i in members
            if not i.filename.startswith("__MACOSX/")
            and not PurePath(i.filename).name.startswith((".", "~$"))
        ]
        if len(members) > MAX_ZIP_MEMBERS or sum(i.file_size for i in members) > MAX_ZIP_BYTES:
            return [Attachment(name, data)]
        result = []
        for info in members:
            with archive.open(info) as fh:
                body = fh.read(MAX_ZIP_BYTES + 1)
            inner = f"{name}/{safe_name(info.filename)}"
            if _looks_like_plain_zip(info.filename, body) and depth == 0:
                result.extend(_unzip(inner, body, depth + 1))
            else:
                result.append(Attachment(inner, body))
        return result
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return [Attachment(name, data)]


def _looks_like_plain_zip(name: str, data: bytes) -> bool:
    """A .zip container, not an Office file (which is a zip too)."""
    return name.lower().endswith(".zip") and data[:4] == b"PK\x03\x04"


def documents(message: EmailMessage) -> list[Attachment]:
    found: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart() or not _is_document(part):
            continue
        data = part.get_payload(decode=True) or b""
        filename = safe_name(part.get_filename() or "bijlage")
        if _looks_like_plain_zip(filename, data):
            found.extend(_unzip(filename, data))
        else:
            found.append(Attachment(filename, data))
    return found
