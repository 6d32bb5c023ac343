"""HTML and plain-text rendering of a report model, with jinja2 autoescaping on."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache

from intake.report.model import ReportModel


@cache
def environment(autoescape: bool):  # type: ignore[no-untyped-def]
    """The templates of every letter and report (intake/report/templates), built once."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("intake.report", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(report: ReportModel) -> str:
    return (
        environment(True)
        .get_template("report.html")
        .render(r=report, h=report.headings, data=asdict(report))
    )


def render_text(report: ReportModel) -> str:
    return environment(False).get_template("report.txt").render(r=report, h=report.headings)
