"""Text out of a kwaliteitsplan (PDF or DOCX), bounded in pages, characters and time.

PDF text comes from PDFium (pypdfium2), which reads a crafted PDF of 120,000 tiny text
runs in a fraction of a second where a pure-Python parser needed minutes. Extraction
still runs in a worker process (`intake.extract.worker`) that is killed when it overruns
its time or memory: no parser is trusted with hostile input. DOCX text is read in one
linear lxml pass.
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
# PDFium ends lines with CR LF; the checks read LF, as they always have.
_LINE_ENDS = re.compile(r"\r\n?")
# PDFium's marks for a hyphen at a line end and for text it could not map to Unicode.
_INVISIBLE = str.maketrans({"\x02": "-", "\ufffe": "-", "\x00": None})


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


def load_pdf_engine() -> None:
    """Load PDFium in this process, so that the workers forked from it start with it."""
    import pypdfium2  # noqa: F401


def _open_pdf(content: bytes):  # type: ignore[no-untyped-def]
    """The document opened by PDFium; owner-password-only PDFs open without a password."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise ContainerError("FILE_ENCRYPTED", "pdf_password") from exc
        if exc.err_code == raw.FPDF_ERR_SUCCESS:  # a sound file whose page tree is empty
            return None
        raise ContainerError("FILE_UNREADABLE", "pdf_damaged") from exc


def _page_text(page) -> str:  # type: ignore[no-untyped-def]
    """The page's text in reading order, lines ended by LF as the checks expect."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    return _LINE_ENDS.sub("\n", text).translate(_INVISIBLE)[:MAX_PAGE_CHARS]


def _page_has_marks(page) -> bool:  # type: ignore[no-untyped-def]
    """Pictures or drawings on a page: a scan for a person to read, not a blank page."""
    import pypdfium2.raw as raw

    for index in range(raw.FPDFPage_CountObjects(page)):
        kind = raw.FPDFPage_GetObject(page, index)
        if raw.FPDFPageObj_GetType(kind) != raw.FPDF_PAGEOBJ_TEXT:
            return True
    return False


def _pdf_pages(document, pages: int) -> tuple[list[str], int, bool]:  # type: ignore[no-untyped-def]
    texts, failed, images = [], 0, False
    for index in range(min(pages, MAX_TEXT_PAGES)):
        try:
            page = document[index]
        except Exception as exc:  # one broken page does not make the plan unreadable
            log.debug("page %d failed: %s", index + 1, exc)
            texts.append("")
            failed += 1
            images = True  # a page that cannot be read is never called empty
            continue
        try:
            texts.append(_page_text(page))
            images = images or _page_has_marks(page)
        finally:
            page.close()
    return texts, failed, images


def pdf_text(content: bytes, max_pages: int) -> Extracted:
    """Raises ContainerError for encrypted, unreadable or oversized PDFs."""
    document = _open_pdf(content)
    if document is None:
        return Extracted(PlanText(0, ()), False)
    try:
        count = len(document)
        if count > max_pages:
            raise ContainerError(
                "FILE_TOO_LARGE", "too_many_pages", {"count": f"{count}", "limit": f"{max_pages}"}
            )
        texts, failed, images = _pdf_pages(document, count)
    finally:
        document.close()
    if texts and failed == len(texts):
        raise ContainerError("FILE_UNREADABLE", "pdf_text_unreadable")
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
        raise ContainerError("FILE_UNREADABLE", "word_no_body")
    try:
        texts, images = _word_pages(body)
    except etree.XMLSyntaxError as exc:
        raise ContainerError("FILE_UNREADABLE", "word_damaged") from exc
    if not any(t.strip() for t in texts):
        return Extracted(PlanText(len(texts) if images else 0, ()), images)
    return Extracted(PlanText(len(texts), tuple(texts[:MAX_TEXT_PAGES])), images)
