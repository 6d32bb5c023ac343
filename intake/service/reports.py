"""A verdict's three files side by side: `<name>.html`, `<name>.pdf`, `<name>.verdict.json`."""

from __future__ import annotations

import json
from pathlib import Path

from intake.domain import Verdict
from intake.report.html import render_html
from intake.report.model import ReportModel
from intake.report.pdf import render_pdf
from intake.storage.files import atomic_write


def verdict_json(verdict: Verdict) -> str:
    return json.dumps(verdict.to_json(), ensure_ascii=False, indent=2, default=str)


def write_report_files(verdict: Verdict, report: ReportModel, out: Path, name: str) -> list[Path]:
    paths = [out / f"{name}.html", out / f"{name}.pdf", out / f"{name}.verdict.json"]
    atomic_write(paths[0], render_html(report))
    atomic_write(paths[1], render_pdf(report))
    atomic_write(paths[2], verdict_json(verdict))
    return paths
