"""What a file really is, from its bytes; the name is only a hint.

Providers rename files, mail clients mangle names, and `.xlsx` on a legacy `.xls`
is common: the content decides, and a mismatch with the name is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from intake.extract.container import BoundedZip, ContainerError, open_zip
from intake.extract.opc import STRICT_MARKER, main_part

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileType(StrEnum):
    XLSX = "xlsx"
    XLSX_STRICT = "xlsx-strict"
    XLSB = "xlsb"
    DOCX = "docx"
    PDF = "pdf"
    ZIP = "zip"
    BROKEN_ZIP = "broken-zip"
    ENCRYPTED_OFFICE = "encrypted-office"
    XLS = "xls"
    DOC = "doc"
    ODS = "ods"
    ODT = "odt"
    RTF = "rtf"
    NUMBERS = "numbers"
    CSV = "csv"
    TEXT = "text"
    IMAGE = "image"
    OTHER_SPREADSHEET = "other-spreadsheet"
    EMPTY = "empty"
    UNKNOWN = "unknown"


_EXTENSIONS = {
    ".xlsx": FileType.XLSX,
    ".xlsm": FileType.XLSX,
    ".docx": FileType.DOCX,
    ".pdf": FileType.PDF,
    ".zip": FileType.ZIP,
    ".xls": FileType.XLS,
    ".xlsb": FileType.XLSB,
    ".rtf": FileType.RTF,
    ".doc": FileType.DOC,
    ".ods": FileType.ODS,
    ".odt": FileType.ODT,
    ".fods": FileType.ODS,  # flat OpenDocument: the same spreadsheet as one XML file
    ".fodt": FileType.ODT,
    ".numbers": FileType.NUMBERS,
    ".csv": FileType.CSV,
    ".txt": FileType.TEXT,
    ".xltx": FileType.XLSX,
    ".xltm": FileType.XLSX,
    ".dotx": FileType.DOCX,
}
# Formats no care office accepts, known only by their names (their bytes vary too much).
_OTHER_SPREADSHEETS = {
    ".wk1",
    ".wk3",
    ".wk4",
    ".wks",
    ".123",
    ".wq1",
    ".wq2",
    ".wb1",
    ".wb2",
    ".wb3",
    ".qpw",
    ".dbf",
    ".slk",
    ".dif",
    ".wri",
    ".prn",
}

_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class Sniffed:
    type: FileType
    by_extension: FileType | None

    @property
    def extension_mismatch(self) -> bool:
        compatible = {self.type, FileType.ENCRYPTED_OFFICE}
        if self.type is FileType.XLSX_STRICT:
            compatible.add(FileType.XLSX)  # Strict is an .xlsx as Excel saves it
        return self.by_extension is not None and self.by_extension not in compatible


_TEXT_FORMATS = {FileType.OTHER_SPREADSHEET, FileType.ODS, FileType.ODT}


def _text_type(head: bytes, by_name: FileType | None) -> FileType:
    """Text is many formats: a SYLK, DIF or flat OpenDocument file says so by its name
    (its bytes are just text); markup is no CSV however many commas it holds."""
    if by_name in _TEXT_FORMATS:
        return by_name
    sample = head.decode("utf-8", errors="replace")
    if sample.lstrip("\ufeff \t\r\n").startswith("<"):
        return FileType.TEXT
    return FileType.CSV if (sample.count(";") + sample.count(",")) >= 2 else FileType.TEXT


def type_from_name(filename: str) -> FileType | None:
    suffix = PurePath(filename).suffix.lower()
    if suffix in _OTHER_SPREADSHEETS:
        return FileType.OTHER_SPREADSHEET
    return _EXTENSIONS.get(suffix)


_SNIFF_BYTES = 4096
_RELS_BYTES = 1_000_000


def _zip_type(content: bytes) -> FileType:
    """What a zip holds, from its directory and the first bytes of a few members."""
    try:
        archive = open_zip(content)
        mimetype = archive.head("mimetype", 100)
        if b"spreadsheet" in mimetype:
            return FileType.ODS
        if b"opendocument.text" in mimetype or b"text" in mimetype:
            return FileType.ODT
        return _office_type(archive)
    except ContainerError:
        return FileType.BROKEN_ZIP


def _office_type(archive: BoundedZip) -> FileType:
    main = main_part(archive.head("_rels/.rels", _RELS_BYTES))
    names = {n.casefold() for n in archive.names}
    if main is None:
        main = next(
            (n for n in ("xl/workbook.xml", "xl/workbook.bin", "word/document.xml") if n in names),
            None,
        )
    if main is None or archive.find(main) is None:
        if any(n.startswith("index/") for n in names):
            return FileType.NUMBERS
        return FileType.ZIP
    lowered = main.casefold()
    if lowered.endswith(".bin"):
        return FileType.XLSB
    head = archive.head(main, _SNIFF_BYTES)
    if b"spreadsheetml" in head or b"<workbook" in head or lowered.endswith("workbook.xml"):
        return FileType.XLSX_STRICT if STRICT_MARKER in head else FileType.XLSX
    if b"wordprocessingml" in head or lowered.endswith("document.xml"):
        return FileType.DOCX
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
    elif head.startswith(b"{\\rtf"):
        kind = FileType.RTF
    elif head.startswith(_IMAGES):
        kind = FileType.IMAGE
    elif _looks_like_text(head):
        kind = _text_type(head, by_name)
    else:
        kind = FileType.UNKNOWN
    return Sniffed(kind, by_name)
