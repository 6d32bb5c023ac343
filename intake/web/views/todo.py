"""`/`: the work queue, oldest first, and the case counts of every active campaign."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.cases import counts
from intake.casework.todo import build_todo, case_rows
from intake.web import session
from intake.web.render import page


def todo_data(app) -> dict:  # type: ignore[no-untyped-def]
    rows = case_rows(app)
    return {
        "tasks": build_todo(app, rows=rows),
        "counts": {name: counts(found) for name, found in rows.items()},
        "campaigns": list(rows),
    }


@session.guarded()
async def todo(request: Request) -> Response:
    data = await run_in_threadpool(todo_data, request.app.state.intake)
    return page(request, "todo.html", data)
