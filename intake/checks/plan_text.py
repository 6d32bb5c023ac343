"""A plan's text as sentences with their page, and the one normalisation every stem uses.

Staff must be able to find what a check quotes, so every sentence keeps its page;
stems from the rules file and the text are normalised the same way, so that a
campaign owner writes "clientenraad" and the plan's "Cliëntenraad" and
"cliënten-raad" still match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from intake.extract.plan import PlanText

_INNER_HYPHEN = re.compile(r"(?<=[a-z])[-\u2010\u2011](?=[a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9%]+")
_LINE_HYPHEN = re.compile(r"(\w)-\n(?=[a-zà-ÿ])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý€\"'(])")
_NOT_AN_END = re.compile(  # "1." of a heading, "drs." of a name: the sentence goes on
    r"(?:^\d{1,2}(?:\.\d{1,2})*\.|\b(?:bijv|o\.a|ca|nr|drs|dr|mr|mw|dhr|incl|excl|"
    r"t\.b\.v|m\.b\.t|i\.s\.m)\.)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-•*▪●◦–]|\d{1,2}[.)])\s")
HEADING_CHARS = 50  # a line shorter than this without end punctuation is a heading
MAX_SENTENCE = 600


@dataclass(frozen=True)
class Sentence:
    page: int | None  # 1-based; None when the document does not say
    text: str  # as written, whitespace collapsed
    norm: str  # normalised words between single spaces, with a space at both ends


def normalise(text: str) -> str:
    """Lower case, no accents, hyphens inside words removed, other punctuation as spaces."""
    plain = text.casefold()
    if not plain.isascii():
        folded = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = _INNER_HYPHEN.sub("", plain)
    return " " + _NOT_WORD.sub(" ", plain).strip() + " "


def stem_pattern(stem: str) -> str:
    """A stem from the rules in normalised form; edge spaces (word start/end) are kept."""
    core = normalise(stem).strip()
    return (" " if stem.startswith(" ") else "") + core + (" " if stem.endswith(" ") else "")


def stem_patterns(stems: Iterable[str]) -> list[tuple[str, str]]:
    """(stem as written, normalised pattern) for every non-empty stem."""
    return [(s.strip(), p) for s in stems if (p := stem_pattern(s)).strip()]


def _blocks(page_text: str) -> list[str]:
    """Lines joined into paragraphs: wrapped lines continue, headings and bullets break."""
    text = _LINE_HYPHEN.sub(r"\1", page_text)
    blocks: list[list[str]] = []
    previous = ""
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            previous = ""
            continue
        starts_new = (
            not blocks
            or not previous
            or previous[-1] in ".!?:;"
            or len(previous) < HEADING_CHARS
            or _BULLET.match(line) is not None
        )
        if starts_new:
            blocks.append([line])
        else:
            blocks[-1].append(line)
        previous = line
    return [" ".join(b) for b in blocks]


def _pieces(block: str) -> list[str]:
    parts: list[str] = []
    for part in _SENTENCE_END.split(block):
        if parts and _NOT_AN_END.search(parts[-1]):
            parts[-1] += " " + part
        else:
            parts.append(part)
    out = []
    for part in parts:
        while len(part) > MAX_SENTENCE:  # a table flattened into one line
            cut = part.rfind(" ", 0, MAX_SENTENCE)
            cut = cut if cut > 0 else MAX_SENTENCE
            out.append(part[:cut])
            part = part[cut:].lstrip()
        if part.strip():
            out.append(part.strip())
    return out


def sentences(plan: PlanText, *, paged: bool = True, max_chars: int = 400_000) -> list[Sentence]:
    """The plan's sentences in reading order, bounded to `max_chars` of text."""
    result: list[Sentence] = []
    budget = max_chars
    for number, page_text in enumerate(plan.page_texts, start=1):
        if budget <= 0:
            break
        chunk = page_text[:budget]
        budget -= len(chunk)
        for block in _blocks(chunk):
            for piece in _pieces(block):
                result.append(Sentence(number if paged else None, piece, normalise(piece)))
    return result


def quote(sentence: Sentence, limit: int = 240) -> str:
    text = sentence.text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def where(page: int | None) -> str | None:
    """The location of a plan finding, as staff and providers read it."""
    return f"pagina {page}" if page else None
