"""`/cases`: every provider with its case status; search and filter."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.cases import counts, overview, search
from intake.casework.status import LABELS, CaseStatus
from intake.web import session
from intake.web.render import page

STATUSES = [(s.value, LABELS[s]) for s in CaseStatus]


def cases_data(app, query: str, status: str) -> dict:  # type: ignore[no-untyped-def]
    rows = overview(app)
    error = None
    if status and status not in {s.value for s in CaseStatus}:
        error, status = "Onbekende status; alle zaken getoond.", ""
    if len(query) > 200:
        error, query = "Zoekterm te lang (hoogstens 200 tekens).", ""
    found = search(app, rows, query, status or None)
    return {
        "query": query,
        "status": status,
        "statuses": STATUSES,
        "error": error,
        "counts": counts(rows),
        "total": len(rows),
        "cases": found,
    }


@session.guarded()
async def cases(request: Request) -> Response:
    query = request.query_params.get("q", "")
    status = request.query_params.get("status", "")
    data = await run_in_threadpool(cases_data, request.app.state.intake, query, status)
    return page(request, "cases.html", data, 400 if data["error"] else 200)
