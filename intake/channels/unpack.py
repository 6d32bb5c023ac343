"""Documents inside plain zip files (and zips inside those), within a per-message budget.

A provider may zip the model and the plan, and zip that zip again; one mail must not
turn into thousands of documents or gigabytes (8.6 MB of mail once gave 5,000 documents
and 5.9 GB of memory). The mail channel makes one `DocumentBudget` per message, from
`[mailbox]` of the rules file, and passes it to `unpack` for every attachment, also the
ones inside forwarded messages, winmail.dat and S/MIME; the folder channel may do the
same per file. Members are read by the one bounded zip reader (`BoundedZip`), under the
`[limits]` of every file.

    budget = DocumentBudget.from_rules(rules.mailbox)
    for name, data in attachments:
        documents += unpack(name, data, budget, limits)
    if budget.over_limit:
        ...  # why the first document was refused; `budget.refused` names them all

`unpack` never raises. A zip it cannot open, or one with a damaged or encrypted member,
stays one document (which the pipeline then judges as what it is: broken or a plain
zip). What does not fit (past the budget, a member over the zip limits, a zip with more
members than `max_parts`) is refused: named in `budget.refused`, and the first reason
kept in `budget.over_limit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake.detect.filetype import FileType, sniff
from intake.domain.filenames import safe_name
from intake.extract.container import BoundedZip, ContainerError, Limits

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class DocumentBudget:
    """How many documents and bytes one message may still yield; shared by its attachments."""

    max_documents: int
    max_bytes: int
    documents: int = 0
    bytes: int = 0
    refused: list[str] = field(default_factory=list)  # names not taken, for the staff report
    over_limit: str | None = None  # why the first of them was not taken, in English for logs
    limit: str | None = None  # which limit that was: documents, bytes, members, member_size

    @classmethod
    def from_rules(cls, mailbox: Mapping[str, Any]) -> DocumentBudget:
        """From `[mailbox] max_documents` and `max_bytes`: the one place these numbers live."""
        return cls(int(mailbox["max_documents"]), int(mailbox["max_bytes"]))

    def take(self, name: str, size: int) -> bool:
        """Count one document of `size` bytes; False (and remembered) when over the budget."""
        why = self.why_not(size)
        if why:
            self.refuse(name, why, self.limit_of(size))
            return False
        self.documents += 1
        self.bytes += size
        return True

    def why_not(self, size: int = 1) -> str | None:
        """Why one more document of `size` bytes does not fit, or None when it does."""
        kind = self.limit_of(size)
        if kind == "documents":
            return f"more than {self.max_documents} documents"
        if kind == "bytes":
            return f"more than {self.max_bytes} bytes of documents"
        return None

    def limit_of(self, size: int = 1) -> str | None:
        """Which limit one more document of `size` bytes would pass: documents, bytes or None."""
        if self.documents + 1 > self.max_documents:
            return "documents"
        if self.bytes + size > self.max_bytes:
            return "bytes"
        return None

    def refuse(self, name: str, why: str, limit: str | None = None) -> None:
        """Remember `name` as not taken; the first `why` (English) and `limit` are kept."""
        self.refused.append(name)
        if self.over_limit is None:
            self.over_limit, self.limit = why, limit or self.limit_of()

    @property
    def exhausted(self) -> bool:
        return self.why_not() is not None

    def mark(self) -> tuple[int, int, int, str | None, str | None]:
        return self.documents, self.bytes, len(self.refused), self.over_limit, self.limit

    def restore(self, mark: tuple[int, int, int, str | None, str | None]) -> None:
        """Forget what was counted since `mark` (a zip that turned out to be damaged)."""
        self.documents, self.bytes, refused, self.over_limit, self.limit = mark
        del self.refused[refused:]


def is_plain_zip(name: str, data: bytes) -> bool:
    """A zip that is a container of documents, not an Office file (also a zip)."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    return sniff(data, name).type is FileType.ZIP


class _Damaged(Exception):
    """A member cannot be read for another reason than its size: the zip stays whole."""


def unpack(
    name: str, data: bytes, budget: DocumentBudget, limits: Limits, depth: int = 0
) -> list[tuple[str, bytes]]:
    """(name, bytes) of every document in `data`: itself, or what its zips hold."""
    itself = [(name, data)]
    if depth >= limits.max_depth or not is_plain_zip(name, data):
        return itself if budget.take(name, len(data)) else []
    try:
        archive = BoundedZip(data, limits)
    except ContainerError:
        return itself if budget.take(name, len(data)) else []
    if len(archive.infos) > limits.max_parts:
        budget.refuse(name, f"{name}: more than {limits.max_parts} members", "members")
        return []
    mark = budget.mark()
    try:
        return _members(name, archive, budget, limits, depth)
    except _Damaged:
        budget.restore(mark)
        return itself if budget.take(name, len(data)) else []


def _members(
    name: str, archive: BoundedZip, budget: DocumentBudget, limits: Limits, depth: int
) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for info in archive.infos:
        if _ignored(info.filename):
            continue
        inner_name = f"{name}/{safe_name(info.filename)}"
        full = budget.why_not()
        if full:
            budget.refuse(inner_name, full, budget.limit_of())
            continue
        try:
            inner = archive.read(info)
        except ContainerError as exc:
            if exc.code != "FILE_TOO_LARGE":
                raise _Damaged(str(exc)) from exc
            budget.refuse(inner_name, f"{inner_name}: over the zip limits", "member_size")
            continue
        found += unpack(inner_name, inner, budget, limits, depth + 1)
    return found


def _ignored(member: str) -> bool:
    """What zip tools and desktops add beside the documents: never documents themselves.

    macOS resource forks and folder metadata, hidden files, Office lock files (`~$…`)
    and Windows thumbnail caches.
    """
    path = member.replace("\\", "/")
    base = path.rsplit("/", 1)[-1]
    return "__MACOSX/" in path or base.startswith((".", "~$")) or base == "Thumbs.db"
