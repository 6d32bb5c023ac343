"""`/cases`: every provider with its case status; search and filter."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.cases import counts, overview, search, with_documents
from intake.domain.case_status import LABELS, CaseStatus
from intake.web import session
from intake.web.render import error_page, page
from intake.web.views import campaign as chosen

STATUSES = [(s.value, LABELS[s]) for s in CaseStatus]
PAGE_SIZE = 100  # the HTML list
API_PAGE_SIZE = 250  # /api/cases: pages too, with `next`; `?size=` up to API_MAX_SIZE
API_MAX_SIZE = 1000


def _page_number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else None


def cases_data(  # type: ignore[no-untyped-def]
    app, query: str, status: str, page_raw: str, size: int, campaign_raw: str = ""
) -> dict:
    name, error = chosen.requested(app, campaign_raw), None
    if name is None:
        error, name = chosen.UNKNOWN, app.ctx.campaign
    rows = overview(app, name)
    if status and status not in {s.value for s in CaseStatus}:
        error, status = "Onbekende status; alle zaken getoond.", ""
    if len(query) > 200:
        error, query = "Zoekterm te lang (hoogstens 200 tekens).", ""
    number = _page_number(page_raw or "1")
    if number is None:
        error, number = "Ongeldig paginanummer; pagina 1 getoond.", 1
    found = search(app, rows, query, status or None, name)
    pages = max(1, -(-len(found) // size)) if size else 1
    number = min(number, pages)
    shown = found[(number - 1) * size : number * size] if size else found
    return {
        "size": size,
        "campaign": name,
        "campaigns": chosen.choices(app),
        "query": query,
        "status": status,
        "statuses": STATUSES,
        "error": error,
        "counts": counts(rows),
        "total": len(rows),
        "found": len(found),
        "page": number,
        "pages": pages,
        "cases": shown,
    }


def _api_size(raw: str) -> int | None:
    if not raw:
        return API_PAGE_SIZE
    return int(raw) if raw.isdigit() and 0 < int(raw) <= API_MAX_SIZE else None


def _next_page(request: Request, data: dict) -> str | None:
    """The URL of the next page of the JSON list, or None on the last."""
    if data["page"] >= data["pages"]:
        return None
    params = dict(request.query_params) | {"page": str(data["page"] + 1)}
    return f"{request.url.path}?{urlencode(params)}"


@session.guarded()
async def cases(request: Request) -> Response:
    params = request.query_params
    api = request.url.path.startswith("/api/")
    size = _api_size(params.get("size", "")) if api else PAGE_SIZE
    if size is None:
        return error_page(request, 400, f"Ongeldige paginagrootte (1 tot {API_MAX_SIZE}).")
    data = await run_in_threadpool(
        cases_data,
        request.app.state.intake,
        params.get("q", ""),
        params.get("status", ""),
        params.get("page", ""),
        size,
        params.get("campaign", ""),
    )
    if api:
        data["next"] = _next_page(request, data)
        data["cases"] = await run_in_threadpool(
            with_documents, request.app.state.intake, data["campaign"], data["cases"]
        )
    return page(request, "cases.html", data, 400 if data["error"] else 200)
