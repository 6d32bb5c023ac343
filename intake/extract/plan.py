"""Text out of a kwaliteitsplan (PDF or DOCX), bounded in pages and bytes."""

from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass

from intake.extract.container import ContainerError, Limits, read_parts

log = logging.getLogger(__name__)
_WORD_TEXT = re.compile(
    rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>"
    rb"|(<w:br\s[^>]*w:type=\"page\"[^>]*>|<w:lastRenderedPageBreak\s*/>)"
    rb"|<w:(?:p|br|tab)[\s/>]"
)
MAX_TEXT_PAGES = 40


@dataclass(frozen=True)
class PlanText:
    """The text of a plan page by page, so that checks can say where they found something."""

    pages: int
    page_texts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.page_texts)


def pdf_text(content: bytes, max_pages: int) -> PlanText:
    """Raises ContainerError for encrypted, unreadable or oversized PDFs."""
    import pypdf
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            # Owner-password-only PDFs open with an empty user password: those are fine.
            try:
                opened = reader.decrypt("")
            except Exception:  # unsupported algorithms raise assorted errors
                opened = 0
            if not opened:
                raise ContainerError("FILE_ENCRYPTED", "de PDF is beveiligd met een wachtwoord")
        count = len(reader.pages)
        if count > max_pages:
            raise ContainerError("FILE_TOO_LARGE", f"{count} pagina's, meer dan {max_pages}")
        parts = []
        for page in list(reader.pages)[:MAX_TEXT_PAGES]:
            try:
                parts.append(page.extract_text() or "")
            except Exception as exc:  # one broken page does not make the plan unreadable
                log.debug("page text failed: %s", exc)
        return PlanText(count, tuple(parts))
    except ContainerError:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        AttributeError,
        IndexError,
    ) as exc:
        raise ContainerError("FILE_UNREADABLE", "de PDF is beschadigd of onvolledig") from exc


def docx_text(content: bytes, limits: Limits) -> PlanText:
    parts = read_parts(content, limits)
    body = parts.get("word/document.xml")
    if body is None:
        raise ContainerError("FILE_UNREADABLE", "het Word-document heeft geen hoofdtekst")
    page_texts: list[str] = []
    pieces: list[str] = []
    for match in _WORD_TEXT.finditer(body):
        if match.group(1) is not None:
            pieces.append(html.unescape(match.group(1).decode("utf-8", "replace")))
        elif match.group(2) is not None:  # a page break: explicit, or where Word last broke
            if "".join(pieces).strip() or b"lastRendered" not in match.group(2):
                page_texts.append("".join(pieces))
                pieces = []
        else:
            pieces.append("\n")
    page_texts.append("".join(pieces))
    text = "".join(page_texts)
    pages = len(page_texts)
    return PlanText(
        pages if text.strip() else 0 if not body.count(b"<w:p") else 1, tuple(page_texts)
    )
