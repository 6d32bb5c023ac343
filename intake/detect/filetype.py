"""What a file really is, from its bytes; the name is only a hint.

Providers rename files, mail clients mangle names, and `.xlsx` on a legacy `.xls`
is common: the content decides, and a mismatch with the name is reported.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from intake.extract.container import ContainerError, open_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileType(StrEnum):
    XLSX = "xlsx"
    DOCX = "docx"
    PDF = "pdf"
    ZIP = "zip"
    BROKEN_ZIP = "broken-zip"
    ENCRYPTED_OFFICE = "encrypted-office"
    XLS = "xls"
    DOC = "doc"
    ODS = "ods"
    ODT = "odt"
    NUMBERS = "numbers"
    CSV = "csv"
    TEXT = "text"
    IMAGE = "image"
    EMPTY = "empty"
    UNKNOWN = "unknown"


# How the Dutch messages name a format.
FORMAT_NAMES = {
    FileType.XLSX: "Excel (.xlsx)",
    FileType.DOCX: "Word (.docx)",
    FileType.PDF: "PDF",
    FileType.ZIP: "zip",
    FileType.XLS: "oud Excel (.xls)",
    FileType.DOC: "oud Word (.doc)",
    FileType.ODS: "OpenDocument-rekenblad (.ods)",
    FileType.ODT: "OpenDocument-tekst (.odt)",
    FileType.NUMBERS: "Apple Numbers",
    FileType.CSV: "CSV",
    FileType.TEXT: "tekst",
    FileType.IMAGE: "afbeelding",
    FileType.UNKNOWN: "onbekend",
}

_EXTENSIONS = {
    ".xlsx": FileType.XLSX,
    ".xlsm": FileType.XLSX,
    ".docx": FileType.DOCX,
    ".pdf": FileType.PDF,
    ".zip": FileType.ZIP,
    ".xls": FileType.XLS,
    ".doc": FileType.DOC,
    ".ods": FileType.ODS,
    ".odt": FileType.ODT,
    ".numbers": FileType.NUMBERS,
    ".csv": FileType.CSV,
    ".txt": FileType.TEXT,
}

_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class Sniffed:
    type: FileType
    by_extension: FileType | None

    @property
    def extension_mismatch(self) -> bool:
        compatible = {self.type, FileType.ENCRYPTED_OFFICE}
        return self.by_extension is not None and self.by_extension not in compatible


def type_from_name(filename: str) -> FileType | None:
    return _EXTENSIONS.get(PurePath(filename).suffix.lower())


def _zip_type(content: bytes) -> FileType:
    try:
        archive = open_zip(content)
        names = set(archive.namelist())
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:100]
            if b"spreadsheet" in mimetype:
                return FileType.ODS
            if b"text" in mimetype:
                return FileType.ODT
    except (ContainerError, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return FileType.BROKEN_ZIP
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return FileType.XLSX
    if "word/document.xml" in names:
        return FileType.DOCX
    if any(n.startswith("Index/") for n in names):
        return FileType.NUMBERS
    return FileType.ZIP


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def sniff(content: bytes, filename: str) -> Sniffed:
    by_name = type_from_name(filename)
    head = content[:4096]
    if not content:
        kind = FileType.EMPTY
    elif head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind = _zip_type(content)
    elif head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        kind = FileType.PDF
    elif head.startswith(OLE_MAGIC):
        # Encrypted OOXML files are OLE containers holding an EncryptedPackage stream.
        if "EncryptedPackage".encode("utf-16-le") in content:
            kind = FileType.ENCRYPTED_OFFICE
        elif "WordDocument".encode("utf-16-le") in content:
            kind = FileType.DOC
        else:
            kind = FileType.XLS
    elif head.startswith(_IMAGES):
        kind = FileType.IMAGE
    elif _looks_like_text(head):
        sample = head.decode("utf-8", errors="replace")
        kind = FileType.CSV if (sample.count(";") + sample.count(",")) >= 2 else FileType.TEXT
    else:
        kind = FileType.UNKNOWN
    return Sniffed(kind, by_name)
