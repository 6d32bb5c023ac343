"""Bounded reading of zip-based documents (xlsx, docx) before any parser sees them.

Zip bombs and entity bombs are stopped here, on the raw parts, with limits that
are checked while decompressing: a declared size in the zip directory can lie, the
count of bytes actually inflated cannot.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
# A DTD or entity declaration, in the encodings an XML part may use: one pass per part.
_DTD = re.compile(
    b"|".join(
        re.escape(word.encode(encoding))
        for word in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
        for encoding in ("ascii", "utf-16-le", "utf-16-be")
    )
)


class ContainerError(Exception):
    """The container cannot be used; `code` is the finding code, `reason` Dutch text."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_cells: int
    max_parts: int = 2_000

    @classmethod
    def from_rules(cls, limits: dict[str, int]) -> Limits:
        return cls(
            max_file_bytes=limits["max_file_bytes"],
            max_uncompressed_bytes=limits["max_uncompressed_bytes"],
            max_cells=limits["max_cells"],
        )


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB".replace(".", ",")


_last_opened: tuple[bytes, zipfile.ZipFile] | None = None


def open_zip(content: bytes) -> zipfile.ZipFile:
    """The archive's directory; the last one is kept, as sniffing and reading ask in turn."""
    global _last_opened
    if _last_opened is not None and _last_opened[0] is content:
        return _last_opened[1]
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ContainerError(
            "FILE_UNREADABLE", "het zip-archief is beschadigd of onvolledig"
        ) from exc
    _last_opened = (content, archive)
    return archive


def _cells_in(xml: bytes) -> int:
    """Cells in a worksheet part: byte counts for plain XML, a regex for prefixed tags."""
    if b":c" in xml:
        return len(_CELL.findall(xml))
    return sum(xml.count(tag) for tag in (b"<c ", b"<c>", b"<c/", b"<c\n", b"<c\t", b"<c\r"))


_LOCAL_HEADER = struct.Struct("<4s5HL2L2H")


def _inflate(content: bytes, info: zipfile.ZipInfo, budget: int, limit: int) -> bytes:
    """One member, inflated straight from the archive's bytes, never more than `budget`.

    zipfile has already read the central directory (ZIP64 included); going to the
    local header and zlib directly avoids its per-member file objects, which cost
    more than inflating the small parts of an Office file. The CRC is still checked.
    """
    broken = ContainerError("FILE_UNREADABLE", f"het onderdeel {info.filename} is beschadigd")
    try:
        header = _LOCAL_HEADER.unpack_from(content, info.header_offset)
    except struct.error as exc:
        raise broken from exc
    if header[0] != b"PK\x03\x04":
        raise broken
    start = info.header_offset + _LOCAL_HEADER.size + header[9] + header[10]
    raw = content[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise broken
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw, budget + 1)
        except zlib.error as exc:
            raise broken from exc
    else:
        raise ContainerError("FILE_UNREADABLE", f"onbekende compressie in {info.filename}")
    if len(data) > budget:
        raise ContainerError("FILE_TOO_LARGE", f"uitgepakt meer dan de grens van {_mb(limit)}")
    if zlib.crc32(data) != info.CRC:
        raise broken
    return data


def read_parts(content: bytes, limits: Limits, *, count_cells: bool = False) -> dict[str, bytes]:
    """All parts of a zip container, inflated under the limits, XML parts without DTDs."""
    archive = open_zip(content)
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > limits.max_parts:
        raise ContainerError("FILE_TOO_LARGE", f"meer dan {limits.max_parts} onderdelen")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_uncompressed_bytes:
        raise ContainerError(
            "FILE_TOO_LARGE",
            f"uitgepakt {_mb(declared)}, "
            f"meer dan de grens van {_mb(limits.max_uncompressed_bytes)}",
        )
    parts: dict[str, bytes] = {}
    total = cells = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ContainerError("FILE_ENCRYPTED", "het zip-archief is versleuteld")
        data = _inflate(
            content, info, limits.max_uncompressed_bytes - total, limits.max_uncompressed_bytes
        )
        total += len(data)
        name = info.filename
        if name.endswith((".xml", ".rels", ".vml")) and _DTD.search(data):
            raise ContainerError(
                "FILE_UNREADABLE",
                f"het onderdeel {name} bevat een DTD of entiteiten, wat in Office-bestanden "
                "niet voorkomt (mogelijk een kwaadaardig bestand)",
            )
        if count_cells and name.startswith("xl/worksheets/") and name.endswith(".xml"):
            cells += _cells_in(data)
            if cells > limits.max_cells:
                raise ContainerError(
                    "FILE_TOO_LARGE", f"meer dan {limits.max_cells:,} cellen".replace(",", ".")
                )
        parts[name] = data
    return parts
