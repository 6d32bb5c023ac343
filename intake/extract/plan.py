"""Text out of a kwaliteitsplan (PDF or DOCX), bounded in pages and bytes."""

from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass

from intake.extract.container import ContainerError, Limits, read_parts

log = logging.getLogger(__name__)
_WORD_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(?:p|br|tab)[\s/>]")
MAX_TEXT_PAGES = 40


@dataclass(frozen=True)
class PlanText:
    pages: int
    text: str


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
        return PlanText(count, "\n".join(parts))
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
    pieces = []
    for match in _WORD_TEXT.finditer(body):
        pieces.append(
            html.unescape(match.group(1).decode("utf-8", "replace"))
            if match.group(1) is not None
            else "\n"
        )
    text = "".join(pieces)
    pages = 1 + body.count(b'w:type="page"') + body.count(b"<w:lastRenderedPageBreak")
    return PlanText(pages if text.strip() else 0 if not body.count(b"<w:p") else 1, text)
