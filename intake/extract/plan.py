"""Text out of a kwaliteitsplan (PDF or DOCX), bounded in pages, characters and time.

PDF parsers can spend minutes on a small hostile file (a 36 KB PDF once took half an
hour), so extraction runs in a worker process (`intake.extract.worker`) that is killed
when it overruns its time or memory. DOCX text is read in one linear lxml pass.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from lxml import etree

from intake.extract.container import ContainerError, Limits, read_parts
from intake.extract.opc import main_part

log = logging.getLogger(__name__)
MAX_TEXT_PAGES = 40
MAX_PAGE_CHARS = 100_000
_PARAGRAPH_END = {"p", "br", "cr", "tab"}
_IMAGES = {"drawing", "pict", "imagedata", "object"}
# PDF operators that put something visible on a page besides text: images, paths.
_PAINTING = re.compile(rb"(?:^|\s)(?:Do|BI|S|s|f|F|f\*|B|B\*|b|b\*|sh)(?=\s|$)")
_MARK_BYTES = 65_536


@dataclass(frozen=True)
class PlanText:
    """The text of a plan page by page, so that checks can say where they found something."""

    pages: int
    page_texts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.page_texts)


@dataclass(frozen=True)
class Extracted:
    """A plan's text and whether it has pictures or drawings: blank is empty, not a scan."""

    plan: PlanText
    has_images: bool


@dataclass(frozen=True)
class PlanLimits:
    max_pages: int
    seconds: float = 30.0
    memory_bytes: int = 1 << 30

    @classmethod
    def from_rules(cls, limits: dict[str, int]) -> PlanLimits:
        return cls(
            max_pages=int(limits["max_pdf_pages"]),
            seconds=float(limits.get("plan_extract_seconds", 30)),
            memory_bytes=int(limits.get("plan_extract_memory_bytes", 1 << 30)),
        )


def _open_pdf(content: bytes):  # type: ignore[no-untyped-def]
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted:
        # Owner-password-only PDFs open with an empty user password: those are fine.
        try:
            opened = reader.decrypt("")
        except Exception:  # unsupported algorithms raise assorted errors
            opened = 0
        if not opened:
            raise ContainerError("FILE_ENCRYPTED", "de PDF is beveiligd met een wachtwoord")
    return reader


def _content_bytes(page) -> bytes:  # type: ignore[no-untyped-def]
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    data = b""
    for stream in streams[:16]:
        data += stream.get_object().get_data()[:_MARK_BYTES]
    return data


def _page_has_marks(page) -> bool:  # type: ignore[no-untyped-def]
    """Pictures or drawings on a page without text: a scan for a person, not a blank page."""
    try:
        resources = page.get("/Resources") or {}
        if resources.get("/XObject"):
            return True
        return bool(_PAINTING.search(_content_bytes(page)))
    except Exception:  # a broken page: assume marks, never call it empty
        return True


def _pdf_pages(reader, pages: int) -> tuple[list[str], int, bool]:  # type: ignore[no-untyped-def]
    texts, failed, images = [], 0, False
    for page in list(reader.pages)[: min(pages, MAX_TEXT_PAGES)]:
        try:
            texts.append((page.extract_text() or "")[:MAX_PAGE_CHARS])
        except Exception as exc:  # one broken page does not make the plan unreadable
            log.debug("page text failed: %s", exc)
            texts.append("")
            failed += 1
        images = images or _page_has_marks(page)
    return texts, failed, images


def pdf_text(content: bytes, max_pages: int) -> Extracted:
    """Raises ContainerError for encrypted, unreadable or oversized PDFs."""
    from pypdf.errors import PdfReadError

    try:
        reader = _open_pdf(content)
        count = len(reader.pages)
        if count > max_pages:
            raise ContainerError("FILE_TOO_LARGE", f"{count} pagina's, meer dan {max_pages}")
        texts, failed, images = _pdf_pages(reader, count)
    except ContainerError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise ContainerError("FILE_UNREADABLE", "de PDF is beschadigd of onvolledig") from exc
    except (IndexError, RecursionError, MemoryError, ImportError) as exc:
        raise ContainerError("FILE_UNREADABLE", "de PDF is beschadigd of onvolledig") from exc
    if texts and failed == len(texts):
        if reader.is_encrypted:
            raise ContainerError("FILE_ENCRYPTED", "de PDF is versleuteld en niet te ontsleutelen")
        raise ContainerError("FILE_UNREADABLE", "de tekst van de PDF is niet te lezen")
    return Extracted(PlanText(count, tuple(texts)), images)


def _word_pages(body: bytes) -> tuple[list[str], bool]:
    """Text per page of a document.xml, in one pass; page breaks start a new page."""
    pages: list[list[str]] = [[]]
    images = False
    for event, node in etree.iterparse(
        io.BytesIO(body),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    ):
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        if event == "start":
            # An explicit page break always starts a page; where Word last broke the
            # page only when text came before it (not at the top of a page).
            explicit = name == "br" and _is_page_break(node)
            rendered = name == "lastRenderedPageBreak" and "".join(pages[-1]).strip()
            if explicit or rendered:
                pages.append([])
            continue
        if name == "t" and node.text:
            pages[-1].append(node.text)
        elif name in _PARAGRAPH_END:
            pages[-1].append("\n")
        images = images or name in _IMAGES
        if name == "p":
            node.clear()
    return ["".join(p)[:MAX_PAGE_CHARS] for p in pages], images


def _is_page_break(node) -> bool:  # type: ignore[no-untyped-def]
    return any(k.endswith("}type") and v == "page" for k, v in node.attrib.items())


def docx_text(content: bytes, limits: Limits) -> Extracted:
    parts = read_parts(content, limits)
    path = main_part(parts.get("_rels/.rels")) or "word/document.xml"
    body = parts.get(path) or parts.get("word/document.xml")
    if body is None:
        raise ContainerError("FILE_UNREADABLE", "het Word-document heeft geen hoofdtekst")
    try:
        texts, images = _word_pages(body)
    except etree.XMLSyntaxError as exc:
        raise ContainerError("FILE_UNREADABLE", "het Word-document is beschadigd") from exc
    if not any(t.strip() for t in texts):
        return Extracted(PlanText(len(texts) if images else 0, ()), images)
    return Extracted(PlanText(len(texts), tuple(texts[:MAX_TEXT_PAGES])), images)
