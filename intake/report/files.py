"""Writes `<name>.html`, `<name>.pdf` and `<name>.verdict.json` for a verdict."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from intake.domain import Verdict
from intake.report.html import render_html
from intake.report.model import ReportModel
from intake.report.pdf import render_pdf
from intake.storage.filemodes import SHARED_DIR, SHARED_FILE, make_dirs


def verdict_json(verdict: Verdict) -> str:
    return json.dumps(verdict.to_json(), ensure_ascii=False, indent=2, default=str)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Readers (staff browsing the outbox) never see half a file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    make_dirs(path.parent, SHARED_DIR)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, SHARED_FILE)  # staff of the intake team read reports; nobody else
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report_files(verdict: Verdict, report: ReportModel, out: Path, name: str) -> list[Path]:
    paths = [out / f"{name}.html", out / f"{name}.pdf", out / f"{name}.verdict.json"]
    atomic_write(paths[0], render_html(report))
    atomic_write(paths[1], render_pdf(report))
    atomic_write(paths[2], verdict_json(verdict))
    return paths
