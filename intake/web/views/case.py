"""`/cases/{agb}`: the case page, and the decisions and notes posted on it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from intake.casework.case import case_detail
from intake.casework.decide import CaseworkError, add_note, decide
from intake.casework.status import DECISION_LABELS, LABELS
from intake.web import session
from intake.web.render import error_page, page

_AGB = re.compile(r"^\d{8}$")
MESSAGES = {
    "decision": "Beslissing vastgelegd.",
    "decision-sent": "Beslissing vastgelegd en aan de zorgaanbieder gemaild.",
    "decision-pending": "Beslissing vastgelegd; de mail wordt later verzonden.",
    "decision-failed": "Beslissing vastgelegd; verzenden mislukte, zie de takenlijst.",
    "repeated": "Deze beslissing was al vastgelegd; er is niets dubbel gedaan.",
    "note": "Notitie toegevoegd.",
}


def _not_found(request: Request) -> Response:
    return error_page(request, 404, "Geen zaak met deze AGB-code.")


def _data(request: Request, detail: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        **detail,
        "status_label": LABELS[detail["status"]],
        "computed_label": LABELS[detail["computed"]],
        "decision_labels": DECISION_LABELS,
        "idempotency_key": uuid.uuid4().hex,
        "message": MESSAGES.get(request.query_params.get("msg", "")),
        "error": None,
        "form": {},
        **extra,
    }


async def _detail(request: Request, agb: str) -> dict[str, Any] | None:
    if not _AGB.match(agb):
        return None
    return await run_in_threadpool(case_detail, request.app.state.intake, agb)


@session.guarded()
async def case(request: Request) -> Response:
    detail = await _detail(request, request.path_params["agb"])
    if detail is None:
        return _not_found(request)
    return page(request, "case.html", _data(request, detail))


async def _invalid(request: Request, agb: str, exc: CaseworkError) -> Response:
    detail = await _detail(request, agb)
    form = {k: v for k, v in request.state.form.items() if isinstance(v, str)}
    data = _data(request, detail, error=exc.message, error_field=exc.field, form=form)
    return page(request, "case.html", data, 400)


@session.guarded()
async def post_decision(request: Request) -> Response:
    agb = request.path_params["agb"]
    if await _detail(request, agb) is None:
        return _not_found(request)
    form = {k: v for k, v in request.state.form.items() if isinstance(v, str)}
    user = request.state.user
    try:
        result = await run_in_threadpool(
            decide, request.app.state.intake, agb, form, user.name, session.address(request)
        )
    except CaseworkError as exc:
        return await _invalid(request, agb, exc)
    msg = (
        "repeated"
        if result.repeated
        else (f"decision-{result.notification}" if result.notification else "decision")
    )
    return RedirectResponse(f"/cases/{agb}?msg={msg}", status_code=303)


@session.guarded()
async def post_note(request: Request) -> Response:
    agb = request.path_params["agb"]
    if await _detail(request, agb) is None:
        return _not_found(request)
    text = request.state.form.get("text")
    user = request.state.user
    try:
        await run_in_threadpool(
            add_note,
            request.app.state.intake,
            agb,
            text if isinstance(text, str) else "",
            user.name,
            session.address(request),
        )
    except CaseworkError as exc:
        return await _invalid(request, agb, exc)
    return RedirectResponse(f"/cases/{agb}?msg=note", status_code=303)
