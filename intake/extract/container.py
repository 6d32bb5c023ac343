"""The one bounded zip reader: every zip-based file (xlsx, docx, ods, plain zip) goes here.

Zip bombs and entity bombs are stopped on the raw parts, with limits checked while
inflating: a declared size in the zip directory can lie, the count of bytes actually
inflated cannot. Members are inflated in chunks, so a member never costs more memory
than its limit, and sniffing reads only the first bytes of a member it looks at.

Part names are matched as Excel matches them: case-insensitively, with backslashes
read as slashes and without a leading slash.
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
_CHUNK = 1 << 16
# Inflated bytes asked of zlib at a time: it builds each answer in blocks it then joins.
_OUT = 1 << 20
# Below this size a part's compression ratio says nothing: small XML packs very well.
_RATIO_FLOOR = 1_000_000


class ContainerError(Exception):
    """The container cannot be used: `code` is the finding code, `key` names the reason
    and `values` fill it in. The reason's Dutch words are in rules/reasons.toml
    (`intake.campaign.reasons`), so that this layer holds no Dutch."""

    def __init__(self, code: str, key: str, values: dict[str, str] | None = None) -> None:
        values = dict(values or {})
        super().__init__(code, key, values)  # args: it pickles as it was made
        self.code = code
        self.key = key
        self.values = values

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.values.items())
        return f"{self.code}: {self.key}" + (f" ({details})" if details else "")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_uncompressed_bytes: int  # all members of one container together
    max_cells: int
    max_parts: int = 2_000
    max_part_bytes: int = 0  # one member; 0: the total limit
    max_part_ratio: int = 0  # inflated / compressed of one member over 1 MB; 0: none
    max_depth: int = 2  # zips inside zips opened by `unpack`

    @classmethod
    def from_rules(cls, limits: dict[str, int]) -> Limits:
        return cls(
            max_file_bytes=limits["max_file_bytes"],
            max_uncompressed_bytes=limits["max_uncompressed_bytes"],
            max_cells=limits["max_cells"],
            max_parts=int(limits.get("max_parts", 2_000)),
            max_part_bytes=int(limits.get("max_part_bytes", 0)),
            max_part_ratio=int(limits.get("max_part_ratio", 0)),
            max_depth=int(limits.get("max_zip_depth", 2)),
        )

    @property
    def part_limit(self) -> int:
        return min(self.max_part_bytes or self.max_uncompressed_bytes, self.max_uncompressed_bytes)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB"


def normalise_name(name: str) -> str:
    """A part name as Excel resolves it: slashes, no leading slash, no `./`."""
    name = name.replace("\\", "/").lstrip("/")
    return name[2:] if name.startswith("./") else name


_LOCAL_HEADER = struct.Struct("<4s5HL2L2H")


class BoundedZip:
    """A zip archive whose members are read under the limits, never more than asked."""

    def __init__(self, content: bytes, limits: Limits | None = None) -> None:
        infos = _directory(content)
        self.content = content
        self.limits = limits or Limits(len(content), 60_000_000, 200_000)
        self.infos = infos
        self.inflated = 0
        self._by_key: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self._by_key.setdefault(normalise_name(info.filename).casefold(), info)

    @property
    def names(self) -> list[str]:
        """Member names, normalised (slashes, no leading slash), in archive order."""
        return [normalise_name(i.filename) for i in self.infos]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self._by_key.get(normalise_name(name).casefold())

    def head(self, name: str, size: int) -> bytes:
        """The first `size` bytes of a member (sniffing): a bomb inflates no further."""
        info = self.find(name)
        if info is None:
            return b""
        return self._inflate(info, size, check=False)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """One whole member, within the per-member, ratio and total limits."""
        budget = min(self.limits.part_limit, self.limits.max_uncompressed_bytes - self.inflated)
        data = self._inflate(info, budget, check=True)
        self.inflated += len(data)
        return data

    def _raw(self, info: zipfile.ZipInfo) -> bytes:
        broken = ContainerError("FILE_UNREADABLE", "part_damaged", {"part": info.filename})
        if info.flag_bits & 0x1:
            raise ContainerError("FILE_ENCRYPTED", "zip_encrypted")
        try:
            header = _LOCAL_HEADER.unpack_from(self.content, info.header_offset)
        except struct.error as exc:
            raise broken from exc
        if header[0] != b"PK\x03\x04":
            raise broken
        start = info.header_offset + _LOCAL_HEADER.size + header[9] + header[10]
        raw = self.content[start : start + info.compress_size]
        if len(raw) != info.compress_size:
            raise broken
        return raw

    def _inflate(self, info: zipfile.ZipInfo, budget: int, *, check: bool) -> bytes:
        """Inflate chunk by chunk, stopping at `budget`; with `check`, over it is an error."""
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            chunks = [raw[: budget + 1]]
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            chunks = self._deflated(info, raw, budget)
        else:
            raise ContainerError("FILE_UNREADABLE", "unknown_compression", {"part": info.filename})
        if not check:
            return b"".join(chunks)[:budget]
        # Checked before the chunks are joined: a member over its limit costs one limit.
        self._check_size(info, sum(len(c) for c in chunks), budget)
        data = b"".join(chunks)
        if zlib.crc32(data) != info.CRC:
            raise ContainerError("FILE_UNREADABLE", "part_damaged", {"part": info.filename})
        return data

    def _deflated(self, info: zipfile.ZipInfo, raw: bytes, budget: int) -> list[bytes]:
        """The inflated chunks, at most `budget` + 1 bytes, asked for 1 MB at a time: one
        growing buffer, or one large answer from zlib, would hold a bomb's bytes twice."""
        inflater = zlib.decompressobj(-15)
        chunks: list[bytes] = []
        size = 0
        view = memoryview(raw)
        try:
            for start in range(0, max(len(raw), 1), _CHUNK):
                pending = view[start : start + _CHUNK]
                while pending and size <= budget:
                    chunk = inflater.decompress(pending, min(_OUT, budget + 1 - size))
                    chunks.append(chunk)
                    size += len(chunk)
                    pending = inflater.unconsumed_tail
                if size > budget:
                    break
        except zlib.error as exc:
            raise ContainerError(
                "FILE_UNREADABLE", "part_damaged", {"part": info.filename}
            ) from exc
        return chunks

    def _check_size(self, info: zipfile.ZipInfo, size: int, budget: int) -> None:
        limits = self.limits
        if size > budget:
            limit = limits.max_uncompressed_bytes
            if limits.part_limit < limit and budget == limits.part_limit:
                raise ContainerError(
                    "FILE_TOO_LARGE",
                    "part_too_large",
                    {"part": info.filename, "limit": _mb(budget)},
                )
            raise ContainerError("FILE_TOO_LARGE", "unpacked_over_limit", {"limit": _mb(limit)})
        ratio = size / max(info.compress_size, 1)
        if limits.max_part_ratio and size > _RATIO_FLOOR and ratio > limits.max_part_ratio:
            raise ContainerError(
                "FILE_TOO_LARGE",
                "part_ratio",
                {
                    "part": info.filename,
                    "ratio": f"{ratio:.0f}",
                    "limit": f"{limits.max_part_ratio}",
                },
            )


_last_directory: tuple[bytes, list[zipfile.ZipInfo]] | None = None


def _directory(content: bytes) -> list[zipfile.ZipInfo]:
    """The members of a zip; the last archive's are kept, as sniffing and reading ask in turn."""
    global _last_directory
    if _last_directory is not None and _last_directory[0] is content:
        return _last_directory[1]
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error) as exc:
        raise ContainerError("FILE_UNREADABLE", "zip_damaged") from exc
    _last_directory = (content, infos)
    return infos


def encrypted_members(content: bytes, limits: Limits | None = None) -> list[str]:
    """Names of the password-protected members of a zip (from its directory only)."""
    try:
        return [i.filename for i in BoundedZip(content, limits).infos if i.flag_bits & 0x1]
    except ContainerError:
        return []


def open_zip(content: bytes, limits: Limits | None = None) -> BoundedZip:
    return BoundedZip(content, limits)


def _cells_in(xml: bytes) -> int:
    """Cells in a worksheet part: byte counts for plain XML, a regex for prefixed tags."""
    if b":c" in xml:
        return len(_CELL.findall(xml))
    return sum(xml.count(tag) for tag in (b"<c ", b"<c>", b"<c/", b"<c\n", b"<c\t", b"<c\r"))


class Parts(dict[str, bytes]):
    """Inflated parts by normalised name; lookups also match another letter case."""

    def _key(self, name: object) -> object:
        if not isinstance(name, str) or dict.__contains__(self, name):
            return name
        wanted = normalise_name(name).casefold()
        return next((k for k in self if k.casefold() == wanted), name)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, self._key(name))

    def __getitem__(self, name: str) -> bytes:
        return dict.__getitem__(self, self._key(name))  # type: ignore[arg-type]

    def get(self, name: str, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        return dict.get(self, self._key(name), default)  # type: ignore[arg-type]


def _refuse_dtd(name: str, data: bytes) -> None:
    # Every word of _DTD starts with "<!" (b"<!" in ASCII, b"<\0!" in UTF-16 either way
    # round): C's substring search rules out nearly every part before the regular
    # expression (an alternation of twelve words, slow in Python) runs.
    if b"<!" not in data and b"<\x00!" not in data:
        return
    if name.lower().endswith((".xml", ".rels", ".vml")) and _DTD.search(data):
        raise ContainerError("FILE_UNREADABLE", "part_has_dtd", {"part": name})


def read_parts(content: bytes, limits: Limits, *, count_cells: bool = False) -> Parts:
    """All parts of a zip container, inflated under the limits, XML parts without DTDs."""
    archive = open_zip(content, limits)
    if len(archive.infos) > limits.max_parts:
        raise ContainerError("FILE_TOO_LARGE", "too_many_parts", {"limit": f"{limits.max_parts}"})
    declared = sum(i.file_size for i in archive.infos)
    if declared > limits.max_uncompressed_bytes:
        raise ContainerError(
            "FILE_TOO_LARGE",
            "declared_over_limit",
            {"size": _mb(declared), "limit": _mb(limits.max_uncompressed_bytes)},
        )
    parts = Parts()
    cells = 0
    for info in archive.infos:
        name = normalise_name(info.filename)
        data = archive.read(info)
        _refuse_dtd(name, data)
        if count_cells and _is_worksheet(name):
            cells += _cells_in(data)
            if cells > limits.max_cells:
                limit = f"{limits.max_cells:,}".replace(",", ".")  # written the Dutch way
                raise ContainerError("FILE_TOO_LARGE", "too_many_cells", {"limit": limit})
        parts.setdefault(name, data)
    return parts


def _is_worksheet(name: str) -> bool:
    lowered = name.lower()
    return "worksheets/" in lowered and lowered.endswith(".xml")
