"""Every document in a provider's e-mail: attachments, forwarded messages, zip files,
Outlook's winmail.dat and S/MIME wrappers, and nameless parts recognised by content.

Inline images, signature logos and detached signatures are not documents. File
names arrive RFC 2231- or RFC 2047-encoded and are decoded by the standard
library's modern e-mail policy. One mail is bounded: at most `max_documents`
documents and `max_bytes` bytes (`[mailbox]` of the rules file), counted across
forwarded messages, nested zips and wrappers by one `DocumentBudget`; zips are opened
by `intake.channels.unpack` with the bounded zip reader every file goes through, under
`[limits]`; MIME nesting is no deeper than `max_depth`. Past a bound collecting stops
and the mail says why (`over_limit`): a finding, not thousands of documents.
"""

from __future__ import annotations

import contextlib
import email
import email.parser
import email.policy
import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cache

from intake.campaign.rules import Rules, load_rules
from intake.channels import unwrap
from intake.channels.unpack import DocumentBudget, unpack
from intake.detect.filetype import FileType, sniff
from intake.domain.filenames import safe_name
from intake.extract import container
from intake.extract.plan import PlanLimits
from intake.extract.worker import run_limited

log = logging.getLogger(__name__)

SIGNATURES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
SMIME = {"application/pkcs7-mime", "application/x-pkcs7-mime"}
TNEF = {"application/ms-tnef", "application/vnd.ms-tnef"}
_LOGO = re.compile(
    r"^(image\d{3}|outlook|logo|signature|handtekening)[\w-]*\.(png|jpe?g|gif|bmp)$", re.I
)
# What a nameless part must be to count as a document (the rest is body text or decoration).
_NAMELESS_DOCUMENTS = {
    FileType.XLSX: ".xlsx",
    FileType.XLSX_STRICT: ".xlsx",
    FileType.DOCX: ".docx",
    FileType.PDF: ".pdf",
    FileType.ZIP: ".zip",
    FileType.ENCRYPTED_OFFICE: ".xlsx",
    FileType.XLS: ".xls",
    FileType.DOC: ".doc",
    FileType.ODS: ".ods",
    FileType.ODT: ".odt",
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Limits:
    """How much one mail may carry; every number comes from the rules file."""

    max_documents: int  # [mailbox]: documents of one mail, zips and wrappers included
    max_bytes: int  # [mailbox]: their bytes together
    max_depth: int  # [mailbox]: MIME levels
    zips: container.Limits  # [limits]: the zip reader's limits, as for every file
    max_parts: int = 500  # multipart headers: more than any real mail has
    # [limits] plan_extract_*: winmail.dat is parsed in a worker process under these,
    # like the text of a plan (tnefparse loops for hours on a 20-byte hostile object).
    unwrap_seconds: float = 30.0
    unwrap_memory: int = 1 << 30

    @classmethod
    def from_rules(cls, rules: Rules) -> Limits:
        """A campaign whose rules leave out a `[mailbox]` number takes the shipped one."""
        box = {**load_rules().mailbox, **rules.mailbox}
        budget = DocumentBudget.from_rules(box)
        zips = container.Limits.from_rules(rules.limits)
        worker = PlanLimits.from_rules(rules.limits)
        return cls(
            budget.max_documents,
            budget.max_bytes,
            int(box["max_depth"]),
            zips,
            unwrap_seconds=worker.seconds,
            unwrap_memory=worker.memory_bytes,
        )

    @classmethod
    @cache
    def shipped(cls) -> Limits:
        """The limits of the shipped campaign rules, for callers without a context."""
        return cls.from_rules(load_rules())

    def budget(self) -> DocumentBudget:
        return DocumentBudget(self.max_documents, self.max_bytes)


@dataclass
class Contents:
    """What one mail carries, and what staff should know about how it was wrapped."""

    documents: list[Attachment] = field(default_factory=list)
    signed: set[str] = field(default_factory=set)  # "S/MIME", "PGP"
    wrappers: set[str] = field(default_factory=set)  # "winmail.dat", "smime.p7m"
    over_limit: str | None = None  # why collecting stopped, in English for logs
    limit: str | None = None  # which limit: documents, bytes, members, member_size, structure
    encrypted: set[str] = field(default_factory=set)  # "S/MIME": content we cannot open

    @property
    def signals(self) -> dict[str, str]:
        signals = {"mail_signed": ", ".join(sorted(self.signed)) or "nee"}
        if self.wrappers:
            signals["mail_unwrapped"] = ", ".join(sorted(self.wrappers))
        if self.encrypted:
            signals["mail_encrypted"] = ", ".join(sorted(self.encrypted))
        return signals


class _Full(Exception):
    """The per-message bound is reached: stop walking."""


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def parse_headers(raw: bytes) -> EmailMessage:
    """Only the top-level headers: enough to decide on and address an answer."""
    parser = email.parser.BytesParser(policy=email.policy.default)
    return parser.parsebytes(raw, headersonly=True)  # type: ignore[return-value]


class _Collector:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.budget = limits.budget()
        self.found = Contents()

    def add(self, name: str, data: bytes) -> None:
        """One attachment: itself, or the documents of a plain zip, within the budget."""
        for inner_name, inner in unpack(name, data, self.budget, self.limits.zips):
            self.found.documents.append(Attachment(inner_name, inner))
        if self.budget.over_limit:
            self.stop(self.budget.over_limit, self.budget.limit or "documents")

    def stop(self, why: str, limit: str) -> None:
        self.found.over_limit, self.found.limit = why, limit
        raise _Full(why)

    def walk(self, part: EmailMessage, depth: int = 0) -> None:
        if depth > self.limits.max_depth:
            self.stop(f"MIME nesting deeper than {self.limits.max_depth}", "structure")
        ctype = part.get_content_type()
        if part.is_multipart():
            if ctype == "multipart/signed":
                pgp = "pgp" in str(part.get_param("protocol"))
                self.found.signed.add("PGP" if pgp else "S/MIME")
            for child in part.iter_parts():
                self.walk(child, depth + 1)  # type: ignore[arg-type]
            return
        if ctype == "message/rfc822" or isinstance(part.get_payload(), list):
            for inner in part.get_payload():  # a forwarded message
                self.walk(inner, depth + 1)
            return
        self.leaf(part, depth)

    def leaf(self, part: EmailMessage, depth: int) -> None:
        ctype = part.get_content_type()
        filename = (part.get_filename() or "").strip()
        if ctype in SIGNATURES or filename.lower().endswith((".p7s", ".asc")):
            self.found.signed.add("PGP" if "pgp" in ctype else "S/MIME")
            return
        data = part.get_payload(decode=True) or b""
        if ctype in TNEF or filename.lower() == "winmail.dat" or unwrap.is_tnef(data):
            self.tnef(filename or "winmail.dat", data)
        elif ctype in SMIME or filename.lower().endswith(".p7m"):
            self.smime(filename or "smime.p7m", data, depth)
        elif filename or part.get_content_disposition() == "attachment":
            if _is_document(part, filename):
                self.add(safe_name(filename or "bijlage"), data)
        else:
            self.nameless(part, data)

    def tnef(self, name: str, data: bytes) -> None:
        """The files inside a winmail.dat, parsed in a limited worker process; one that
        cannot be parsed in time or memory stays one (unreadable) document."""
        limits = self.limits
        try:
            inner = run_limited(
                unwrap.tnef_attachments,
                (data,),
                seconds=limits.unwrap_seconds,
                memory=limits.unwrap_memory,
            )
        except (container.ContainerError, RuntimeError) as exc:  # the worker's failures
            log.info("%s not unpacked: %s", name, exc)
            self.add(safe_name(name), data)
            return
        self.found.wrappers.add("winmail.dat")
        for item in inner:
            self.add(safe_name(item.filename), item.content)

    def smime(self, name: str, data: bytes, depth: int) -> None:
        if unwrap.smime_kind(data) == "enveloped_data":
            # Encrypted for the office's certificate, which intake does not hold: nothing
            # inside can be read, and the mail says so instead of judging a blob.
            self.found.encrypted.add("S/MIME")
            return
        try:
            content = unwrap.smime_content(data)
        except unwrap.UnwrapError:
            self.add(safe_name(name), data)  # encrypted or broken: judged as it is
            return
        self.found.signed.add("S/MIME")
        self.found.wrappers.add("smime.p7m")
        self.walk(parse(content), depth + 1)

    def nameless(self, part: EmailMessage, data: bytes) -> None:
        """A part without name or disposition: a document only if its bytes say so."""
        if part.get_content_maintype() in {"text", "image"} or not data:
            return
        kind = sniff(data, "").type
        if kind in _NAMELESS_DOCUMENTS:
            number = len(self.found.documents) + 1
            self.add(f"bijlage-{number}{_NAMELESS_DOCUMENTS[kind]}", data)


def _is_document(part: EmailMessage, filename: str) -> bool:
    if part.get_content_type().startswith("image/"):
        # Logos in signatures: inline, referenced by Content-ID, or Outlook's image001.png.
        return (
            part.get_content_disposition() == "attachment"
            and not part.get("Content-ID")
            and not _LOGO.match(filename)
        )
    return True


def collect(message: EmailMessage, limits: Limits | None = None) -> Contents:
    """The documents of a mail within the per-message limits."""
    collector = _Collector(limits or Limits.shipped())
    with contextlib.suppress(_Full):
        collector.walk(message)
    return collector.found


def read(raw: bytes, limits: Limits | None = None) -> tuple[EmailMessage, Contents]:
    """The parsed mail and its documents; a mail too complex to parse keeps its headers.

    The standard parser recurses once per MIME level, so a mail nested a thousand deep
    fails inside it: such a mail, or one with more multipart headers than any real
    mail has, is over the limit before it is parsed.
    """
    limits = limits or Limits.shipped()
    too_complex = Contents(over_limit="MIME structure too deep or too large", limit="structure")
    if raw.lower().count(b"multipart/") > limits.max_parts:
        return parse_headers(raw), too_complex
    try:
        message = parse(raw)
    except RecursionError:
        return parse_headers(raw), too_complex
    try:
        return message, collect(message, limits)
    except RecursionError:
        return message, too_complex


def documents(message: EmailMessage, limits: Limits | None = None) -> list[Attachment]:
    return collect(message, limits).documents
