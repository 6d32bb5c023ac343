"""Bounded reading of zip-based documents (xlsx, docx) before any parser sees them.

Zip bombs and entity bombs are stopped here, on the raw parts, with limits that
are checked while decompressing: a declared size in the zip directory can lie, the
count of bytes actually inflated cannot.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

_CHUNK = 1 << 20
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_DTD = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


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


def open_zip(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ContainerError(
            "FILE_UNREADABLE", "het zip-archief is beschadigd of onvolledig"
        ) from exc


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
        chunks = []
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_uncompressed_bytes:
                        raise ContainerError(
                            "FILE_TOO_LARGE",
                            f"uitgepakt meer dan de grens van {_mb(limits.max_uncompressed_bytes)}",
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            if isinstance(exc, ContainerError):
                raise
            raise ContainerError(
                "FILE_UNREADABLE", f"het onderdeel {info.filename} is beschadigd"
            ) from exc
        data = b"".join(chunks)
        name = info.filename
        if name.endswith((".xml", ".rels", ".vml")) and any(m in data for m in _DTD):
            raise ContainerError(
                "FILE_UNREADABLE",
                f"het onderdeel {name} bevat een DTD of entiteiten, wat in Office-bestanden "
                "niet voorkomt (mogelijk een kwaadaardig bestand)",
            )
        if count_cells and name.startswith("xl/worksheets/") and name.endswith(".xml"):
            cells += len(_CELL.findall(data))
            if cells > limits.max_cells:
                raise ContainerError(
                    "FILE_TOO_LARGE", f"meer dan {limits.max_cells:,} cellen".replace(",", ".")
                )
        parts[name] = data
    return parts
