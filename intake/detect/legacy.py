"""Is a legacy binary Office file (.xls, .doc) protected with a password?

Both are OLE compound files. An encrypted Excel 97-2003 workbook has a FILEPASS record
(0x002F) among the first records of its Workbook stream, right after the BOF; an
encrypted Word 97-2003 document has the fEncrypted bit (0x0100) in the flags of its
FIB at the start of the WordDocument stream (MS-XLS 2.4.117, MS-DOC 2.5.2). Only the
first kilobytes of one stream are read, through olefile, which reads the container's
directory and nothing else; a damaged container is simply "not known to be encrypted".
"""

from __future__ import annotations

import io
import struct

_FILEPASS = 0x002F
_BOF_TYPES = {0x0809, 0x0409, 0x0209, 0x0009}
_MAX_RECORDS = 64  # FILEPASS follows the BOF at once; a few records of slack
_HEAD_BYTES = 16_384
_FIB_MAGIC = 0xA5EC
_F_ENCRYPTED = 0x0100


def _stream_head(content: bytes, names: tuple[str, ...]) -> bytes | None:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            for name in names:
                if ole.exists(name):
                    with ole.openstream(name) as stream:
                        return stream.read(_HEAD_BYTES)
    except Exception:  # a damaged container: not known to be encrypted
        return None
    return None


def _workbook_encrypted(head: bytes) -> bool:
    offset = 0
    for index in range(_MAX_RECORDS):
        if offset + 4 > len(head):
            return False
        kind, length = struct.unpack_from("<HH", head, offset)
        if index == 0 and kind not in _BOF_TYPES:
            return False
        if kind == _FILEPASS:
            return True
        offset += 4 + length
    return False


def _document_encrypted(head: bytes) -> bool:
    if len(head) < 12:
        return False
    magic, flags = struct.unpack_from("<H", head, 0)[0], struct.unpack_from("<H", head, 10)[0]
    return magic == _FIB_MAGIC and bool(flags & _F_ENCRYPTED)


def encrypted_xls(content: bytes) -> bool:
    head = _stream_head(content, ("Workbook", "Book"))
    return head is not None and _workbook_encrypted(head)


def encrypted_doc(content: bytes) -> bool:
    head = _stream_head(content, ("WordDocument",))
    return head is not None and _document_encrypted(head)
