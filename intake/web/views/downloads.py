"""Originals and reports of a document, each download written to the audit trail."""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.case import case_detail
from intake.casework.cases import book
from intake.casework.decide import decision_report
from intake.domain import verdict_from_json
from intake.report.html import render_html
from intake.report.model import build
from intake.report.pdf import render_pdf
from intake.service import letters
from intake.web import session
from intake.web.render import error_page

_SHA = re.compile(r"^[0-9a-f]{64}$")
KINDS = {"original", "report.pdf", "report.html"}


def safe_name(name: str) -> str:
    """A file name as a browser may save it: no control or separator characters, no path."""
    cleaned = "".join(
        "_" if unicodedata.category(ch).startswith(("C", "Z")) and ch != " " else ch for ch in name
    )
    cleaned = cleaned.replace("/", "_").replace("\\", "_").strip(" .")
    return cleaned[:200] or "document"


def disposition(name: str, inline: bool) -> str:
    """RFC 6266: an ASCII fallback in `filename`, the real name in `filename*` (RFC 5987)."""
    name = safe_name(name)
    fallback = name.encode("ascii", "replace").decode()
    fallback = "".join("_" if ch in '"?%;' else ch for ch in fallback)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _report(app, row) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    """The provider report of this document, with the case's standing decision if any."""
    verdict = verdict_from_json(json.loads(row["verdict_json"]))
    agb = row["provider_agb"]
    detail = case_detail(app, agb, app.ctx.for_campaign(row["campaign"]).campaign) if agb else None
    decision = detail["decision"] if detail else None
    if decision is not None:
        return verdict.file, decision_report_for(app, verdict, agb, decision)
    return verdict.file, letters.letter(app, [verdict])  # in the light of the whole case


def decision_report_for(app, verdict, agb, decision):  # type: ignore[no-untyped-def]
    report = decision_report(app, agb, decision)
    ctx = app.ctx.for_campaign(verdict.campaign)
    return report if report.documents else build([verdict], ctx.rules, ctx.family)


def _produce(app, sha256: str, kind: str):  # type: ignore[no-untyped-def]
    row = book(app).cases.document_by_sha(sha256)
    if row is None:
        return None
    if kind == "original":
        original = app.archive.get(sha256)
        if original is None:
            return None
        return row, original[0], original[1], "application/octet-stream"
    name, report = _report(app, row)
    if kind == "report.pdf":
        return row, f"{name}.pdf", render_pdf(report), "application/pdf"
    return row, f"{name}.html", render_html(report).encode(), "text/html; charset=utf-8"


@session.guarded()
async def download(request: Request) -> Response:
    sha256, kind = request.path_params["sha256"], request.path_params["kind"]
    if not _SHA.match(sha256) or kind not in KINDS:
        return error_page(request, 404, "Dit document bestaat niet.")
    app = request.app.state.intake
    produced = await run_in_threadpool(_produce, app, sha256, kind)
    if produced is None:
        return error_page(request, 404, "Dit document bestaat niet (of het origineel ontbreekt).")
    row, name, body, media_type = produced
    session.audit(
        request,
        "download",
        campaign=app.ctx.for_campaign(row["campaign"]).campaign,
        agb=row["provider_agb"],
        detail=f"{kind} van {row['filename']}",
    )
    headers = {"Content-Disposition": disposition(name, kind == "report.html")}
    if kind == "report.html":  # the provider's report carries its styles inline
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        )
    return Response(body, media_type=media_type, headers=headers)
