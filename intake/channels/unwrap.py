"""Containers that mail clients wrap documents in: Outlook's TNEF and S/MIME.

Outlook sends `winmail.dat` (application/ms-tnef) with the real attachments inside;
S/MIME opaque signing (`smime.p7m`, application/pkcs7-mime) wraps the whole MIME
entity in a CMS SignedData structure. Both are opened here so that the documents
inside are judged, not the wrapper. Signatures are not verified: the staff report
only says that the mail was signed.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
MAX_TNEF_OBJECTS = 10_000

logging.getLogger("tnefparse").setLevel(logging.ERROR)  # checksum chatter is not ours


class UnwrapError(ValueError):
    """The container is broken or over its limits; it stays one (unreadable) document."""


@dataclass(frozen=True)
class Unwrapped:
    filename: str
    content: bytes


def is_tnef(data: bytes) -> bool:
    return data[:4] == TNEF_SIGNATURE


def _count_tnef_objects(data: bytes) -> int:
    """Walk the object headers first: the parser copies the rest of the buffer per object."""
    offset, count = 6, 0
    while offset + 11 <= len(data):
        (length,) = struct.unpack_from("<I", data, offset + 5)
        offset += 11 + length
        count += 1
        if count > MAX_TNEF_OBJECTS:
            raise UnwrapError("TNEF with too many objects")
    return count


def tnef_attachments(data: bytes) -> list[Unwrapped]:
    """The files inside a winmail.dat."""
    from tnefparse import TNEF

    _count_tnef_objects(data)
    try:
        parsed = TNEF(data, do_checksum=False)
    except Exception as exc:  # the library raises whatever its parsing meets
        raise UnwrapError(f"TNEF not readable: {exc}") from exc
    found = []
    for index, attachment in enumerate(parsed.attachments, start=1):
        content = bytes(attachment.data or b"")
        try:
            name = str(attachment.long_filename() or "").strip("\x00 ")
        except Exception:  # a name in an unknown code page
            name = ""
        found.append(Unwrapped(name or f"winmail-bijlage-{index}", content))
    return found


def smime_kind(data: bytes) -> str | None:
    """`signed_data`, `enveloped_data` … for a CMS structure, None when it is not one."""
    try:
        from asn1crypto import cms

        return str(cms.ContentInfo.load(data)["content_type"].native)
    except Exception:
        return None


def smime_content(data: bytes) -> bytes:
    """The MIME entity inside an opaque-signed S/MIME blob (smime.p7m)."""
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise UnwrapError(f"S/MIME {info['content_type'].native} cannot be opened")
        content = info["content"]["encap_content_info"]["content"].native
    except UnwrapError:
        raise
    except Exception as exc:
        raise UnwrapError(f"S/MIME not readable: {exc}") from exc
    if not isinstance(content, bytes):
        raise UnwrapError("S/MIME signature without content (detached)")
    return content
