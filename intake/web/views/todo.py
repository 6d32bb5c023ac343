"""`/`: the to-do list, oldest first, each task with what to do."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.cases import counts, overview
from intake.casework.todo import build_todo
from intake.web import session
from intake.web.render import page


def todo_data(app) -> dict:  # type: ignore[no-untyped-def]
    rows = overview(app)
    tasks = build_todo(app, rows=rows)
    return {"tasks": tasks, "counts": counts(rows), "campaigns": list(app.contexts)}


@session.guarded()
async def todo(request: Request) -> Response:
    data = await run_in_threadpool(todo_data, request.app.state.intake)
    return page(request, "todo.html", data)
