"""`/`: the work queue, oldest first, and the case counts of every active campaign.

The HTML shows the queue 100 items per page (`?page=`), so a busy week stays a page a
browser renders at once; the JSON twin answers every item unless asked for a page."""

from __future__ import annotations

from collections import Counter

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.cases import counts
from intake.casework.todo import KINDS, build_todo, case_rows
from intake.web import session
from intake.web.render import page

PAGE_SIZE = 100


def todo_data(app, page_raw: str = "", size: int = 0) -> dict:  # type: ignore[no-untyped-def]
    rows = case_rows(app)
    tasks = build_todo(app, rows=rows)
    pages = max(1, -(-len(tasks) // size)) if size else 1
    number = int(page_raw) if page_raw.isdigit() and int(page_raw) > 0 else 1
    number = min(number, pages)
    per_kind = Counter(t.kind for t in tasks)
    return {
        "tasks": tasks[(number - 1) * size : number * size] if size else tasks,
        "total": len(tasks),
        "kinds": {kind: per_kind[kind] for kind in KINDS if per_kind[kind]},
        "page": number,
        "pages": pages,
        "counts": {name: counts(found) for name, found in rows.items()},
        "campaigns": list(rows),
    }


@session.guarded()
async def todo(request: Request) -> Response:
    params = request.query_params
    api = request.url.path.startswith("/api/")
    size = 0 if api and "page" not in params else PAGE_SIZE
    app = request.app.state.intake
    data = await run_in_threadpool(todo_data, app, params.get("page", ""), size)
    return page(request, "todo.html", data)
