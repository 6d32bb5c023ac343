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
from intake.domain.case_status import DECISION_LABELS, LABELS
from intake.web import session
from intake.web.render import error_page, page
from intake.web.views import campaign as chosen

_AGB = re.compile(r"^\d{8}$")
MESSAGES = {
    "decision": "Beslissing vastgelegd.",
    "decision-sent": "Beslissing vastgelegd en aan de zorgaanbieder gemaild.",
    "decision-pending": "Beslissing vastgelegd; de mail wordt later verzonden.",
    "decision-failed": "Beslissing vastgelegd; verzenden mislukte, zie de takenlijst.",
    "repeated": "Deze beslissing was al vastgelegd; er is niets dubbel gedaan.",
    "note": "Notitie toegevoegd.",
    "extension": "Uitstel vastgelegd; de documenten van deze zaak zijn opnieuw beoordeeld.",
    "extension-revoked": "Uitstel ingetrokken; de documenten zijn opnieuw beoordeeld.",
}


def _not_found(request: Request) -> Response:
    return error_page(request, 404, "Geen zaak met deze AGB-code.")


def _data(request: Request, detail: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        **detail,
        "status_label": LABELS[detail["status"]],
        "computed_label": LABELS[detail["computed"]],
        "decision_labels": DECISION_LABELS,
        "campaigns": chosen.choices(request.app.state.intake),
        "in_campaign": chosen.suffix(request.app.state.intake, detail["campaign"]),
        "idempotency_key": uuid.uuid4().hex,
        "message": MESSAGES.get(request.query_params.get("msg", "")),
        "error": None,
        "form": {},
        **extra,
    }


async def _detail(request: Request, agb: str, name: str | None) -> dict[str, Any] | None:
    if not _AGB.match(agb):
        return None
    return await run_in_threadpool(case_detail, request.app.state.intake, agb, name)


def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.state.form.items() if isinstance(v, str)}


@session.guarded()
async def case(request: Request) -> Response:
    name = chosen.of_query(request)
    if name is None:
        return error_page(request, 400, chosen.UNKNOWN)
    detail = await _detail(request, request.path_params["agb"], name)
    if detail is None:
        return _not_found(request)
    return page(request, "case.html", _data(request, detail))


async def _invalid(request: Request, agb: str, exc: CaseworkError) -> Response:
    """The case page again with the Dutch message; a bad campaign shows the default one."""
    name = chosen.requested(request.app.state.intake, _form(request).get("campaign"))
    detail = await _detail(request, agb, name)
    if detail is None:
        return error_page(request, 400, exc.message)
    form = _form(request)
    data = _data(request, detail, error=exc.message, error_field=exc.field, form=form)
    return page(request, "case.html", data, 400)


async def _checked(request: Request, agb: str) -> tuple[str | None, Response | None]:
    """The form's campaign, or the response that refuses the POST."""
    name = chosen.requested(request.app.state.intake, _form(request).get("campaign"))
    if name is None:
        return None, await _invalid(request, agb, CaseworkError("campaign", chosen.UNKNOWN))
    if await _detail(request, agb, name) is None:
        return None, _not_found(request)
    return name, None


def _back(request: Request, agb: str, name: str, msg: str) -> Response:
    query = chosen.suffix(request.app.state.intake, name)
    query = f"{query}&msg={msg}" if query else f"?msg={msg}"
    return RedirectResponse(f"/cases/{agb}{query}", status_code=303)


@session.guarded()
async def post_decision(request: Request) -> Response:
    agb = request.path_params["agb"]
    name, refused = await _checked(request, agb)
    if refused is not None:
        return refused
    form = {**_form(request), "campaign": name}
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
    return _back(request, agb, name, msg)


@session.guarded()
async def post_note(request: Request) -> Response:
    agb = request.path_params["agb"]
    name, refused = await _checked(request, agb)
    if refused is not None:
        return refused
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
            name,
        )
    except CaseworkError as exc:
        return await _invalid(request, agb, exc)
    return _back(request, agb, name, "note")
