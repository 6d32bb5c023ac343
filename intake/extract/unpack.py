"""Documents inside plain zip files (and zips inside those), within a per-message budget.

A provider may zip the model and the plan, and zip that zip again; one mail must not
turn into thousands of documents or gigabytes (8.6 MB of mail once gave 5,000 documents
and 5.9 GB of memory). The mail channel makes one `DocumentBudget` per message and
passes it to `unpack` for every attachment; the folder channel may do the same per file.

    budget = DocumentBudget.from_rules(rules.limits)
    for name, data in attachments:
        documents += unpack(name, data, budget, limits)
    if budget.refused:
        ...  # tell staff (and the sender) that not everything was taken in

`unpack` never raises: a zip it cannot open, or one past the limits, stays one document
(which the pipeline then judges as what it is: broken, too large, or a plain zip).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.extract.container import BoundedZip, ContainerError, Limits

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class DocumentBudget:
    """How many documents and bytes one message may still yield; shared by its attachments."""

    max_documents: int = 20
    max_bytes: int = 100_000_000
    documents: int = 0
    bytes: int = 0
    refused: list[str] = field(default_factory=list)  # names not taken, for the staff report

    @classmethod
    def from_rules(cls, limits: dict[str, int]) -> DocumentBudget:
        return cls(
            max_documents=int(limits.get("max_documents_per_message", 20)),
            max_bytes=int(limits.get("max_bytes_per_message", 100_000_000)),
        )

    def take(self, name: str, size: int) -> bool:
        """Count one document of `size` bytes; False (and remembered) when over the budget."""
        if self.documents + 1 > self.max_documents or self.bytes + size > self.max_bytes:
            self.refused.append(name)
            return False
        self.documents += 1
        self.bytes += size
        return True

    @property
    def exhausted(self) -> bool:
        return self.documents >= self.max_documents or self.bytes >= self.max_bytes


def is_plain_zip(name: str, data: bytes) -> bool:
    """A zip that is a container of documents, not an Office file (also a zip)."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    from intake.detect.filetype import FileType, sniff

    return sniff(data, name).type is FileType.ZIP


def unpack(
    name: str, data: bytes, budget: DocumentBudget, limits: Limits, depth: int = 0
) -> list[tuple[str, bytes]]:
    """(name, bytes) of every document in `data`: itself, or what its zips hold."""
    if depth >= limits.max_depth or not is_plain_zip(name, data):
        return [(name, data)] if budget.take(name, len(data)) else []
    try:
        archive = BoundedZip(data, limits)
        if len(archive.infos) > limits.max_parts:
            raise ContainerError("FILE_TOO_LARGE", "te veel bestanden in het zip-bestand")
    except ContainerError:
        return [(name, data)] if budget.take(name, len(data)) else []
    found: list[tuple[str, bytes]] = []
    for info in archive.infos:
        inner_name = f"{name}/{info.filename}"
        if _ignored(inner_name):
            continue
        if budget.exhausted:
            budget.refused.append(inner_name)
            continue
        try:
            inner = archive.read(info)
        except ContainerError:
            budget.refused.append(inner_name)
            continue
        found += unpack(inner_name, inner, budget, limits, depth + 1)
    return found


def _ignored(name: str) -> bool:
    """macOS resource forks and folder metadata that zip tools add; never documents."""
    base = name.rsplit("/", 1)[-1]
    return "__MACOSX/" in name or base.startswith("._") or base in (".DS_Store", "Thumbs.db")
