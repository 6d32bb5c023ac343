"""`/healthz`: for monitoring, without a session; says nothing about providers."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.cases import book
from intake.web.render import DeskJSON

WAITING = ("received", "judged", "sending", "failed")


def _health(app) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    cb = book(app)
    try:
        cb.ping()
    except Exception as exc:
        return {"ledger": False, "error": type(exc).__name__}, 503
    last = cb.audit.last_activity("sweep")
    return {
        "ledger": True,
        "last_sweep": last.isoformat() if last else None,
        "mails_waiting": cb.mails.count(*WAITING),
        "campaign": app.ctx.rules.campaign,
    }, 200


async def healthz(request: Request) -> Response:
    data, status = await run_in_threadpool(_health, request.app.state.intake)
    return DeskJSON(data, status_code=status)
