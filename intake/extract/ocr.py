"""Text of scanned pages by OCR: Tesseract with its Dutch model, page by page.

Providers print and scan their plans; such a PDF has pictures and no text layer. Its
pages are rendered by poppler's `pdftoppm` to a grey bitmap of a bounded size (the long
side at most `dpi` × 11.7 inches, whatever size the page claims) and read by the
`tesseract` program with the Dutch model (Debian `tesseract-ocr-nld`). Both are
separate programs, run with a timeout that ends inside the extraction worker's own time
limit, so a hostile page is stopped by the same bounds as any text extraction; the
pages read before a bound still count. Tesseract runs single-threaded: the machine's
cores are shared with the other workers.

This runs in the worker process (`intake.extract.worker.run_limited`); callers ask
`available()` first and leave a scan to a person when the programs are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

A4_LONG_INCHES = 11.7
_MARGIN_SECONDS = 2.0  # stop starting pages this long before the worker's own limit


@dataclass(frozen=True)
class OcrLimits:
    """How much OCR one document may cost; every number comes from `[limits]`."""

    max_pages: int = 20
    seconds: float = 120.0
    dpi: int = 200
    language: str = "nld"
    memory_bytes: int = 1 << 30

    @classmethod
    def from_rules(cls, limits: dict[str, Any], plan: dict[str, Any] | None = None) -> OcrLimits:
        """From `[limits]` (pages, seconds, resolution, the worker's memory) and the
        `[plan] ocr_language` the plans are written in."""
        return cls(
            max_pages=int(limits.get("ocr_max_pages", cls.max_pages)),
            seconds=float(limits.get("ocr_seconds", cls.seconds)),
            dpi=int(limits.get("ocr_dpi", cls.dpi)),
            language=str((plan or {}).get("ocr_language", cls.language)),
            memory_bytes=int(limits.get("plan_extract_memory_bytes", cls.memory_bytes)),
        )


@dataclass(frozen=True)
class PageTiming:
    page: int
    render_seconds: float
    read_seconds: float


@dataclass(frozen=True)
class OcrResult:
    """Text per page read (by page number), and what it cost."""

    texts: dict[int, str]
    timings: tuple[PageTiming, ...] = field(default=())
    stopped: str | None = None  # why not every page asked for was read, in English

    @property
    def seconds_per_page(self) -> float:
        if not self.timings:
            return 0.0
        total = sum(t.render_seconds + t.read_seconds for t in self.timings)
        return total / len(self.timings)


def available(language: str = "nld") -> bool:
    """Both programs are installed and Tesseract has the language's model."""
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        return False
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return language in (listed.stdout + listed.stderr).decode("utf-8", "replace").split()


def _environment() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1", "LC_ALL": "C.UTF-8"}


def _render(pdf: Path, page: int, out: Path, dpi: int, timeout: float) -> Path | None:
    """One page as a grey PNG, its long side at most A4 at `dpi`; None when it fails."""
    stem = out / f"page-{page}"
    size = str(round(dpi * A4_LONG_INCHES))
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    done = subprocess.run(
        ["pdftoppm", *pages, "-gray", "-png", "-scale-to", size, str(pdf), str(stem)],
        capture_output=True,
        timeout=timeout,
        env=_environment(),
        check=False,
    )
    image = stem.with_suffix(".png")
    return image if done.returncode == 0 and image.exists() else None


def _recognise(image: Path, language: str, timeout: float) -> str:
    done = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", language, "--psm", "3"],
        capture_output=True,
        timeout=timeout,
        env=_environment(),
        check=False,
    )
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def ocr_pdf(content: bytes, pages: list[int], limits: OcrLimits) -> OcrResult:
    """The text of `pages` (1-based) of a PDF, at most `max_pages` of them, within `seconds`."""
    deadline = time.monotonic() + limits.seconds - _MARGIN_SECONDS
    wanted = pages[: limits.max_pages]
    stopped = f"only the first {limits.max_pages} pages" if len(pages) > len(wanted) else None
    texts: dict[int, str] = {}
    timings: list[PageTiming] = []
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as folder:
        work = Path(folder)
        pdf = work / "document.pdf"
        pdf.write_bytes(content)
        for page in wanted:
            if time.monotonic() >= deadline:
                stopped = f"time limit of {limits.seconds:.0f} s reached at page {page}"
                break
            try:
                started = time.monotonic()
                image = _render(pdf, page, work, limits.dpi, deadline - started)
                rendered = time.monotonic()
                text = _recognise(image, limits.language, deadline - rendered) if image else ""
            except subprocess.TimeoutExpired:
                stopped = f"time limit of {limits.seconds:.0f} s reached at page {page}"
                break
            texts[page] = text
            timings.append(PageTiming(page, rendered - started, time.monotonic() - rendered))
            if image:
                image.unlink(missing_ok=True)
    return OcrResult(texts, tuple(timings), stopped)
