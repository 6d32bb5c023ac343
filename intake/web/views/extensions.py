"""`/cases/{agb}/extensions`: staff grant and revoke uitstel on the case page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.casework.decide import CaseworkError
from intake.casework.extensions import grant, revoke
from intake.web import session
from intake.web.views.case import _back, _checked, _form, _invalid


@session.guarded()
async def post_extension(request: Request) -> Response:
    """Grant uitstel: `until` (YYYY-MM-DD), `reason`, `campaign`; recorded with the actor."""
    agb = request.path_params["agb"]
    name, refused = await _checked(request, agb)
    if refused is not None:
        return refused
    form = {**_form(request), "campaign": name}
    try:
        await run_in_threadpool(
            grant,
            request.app.state.intake,
            agb,
            form,
            request.state.user.name,
            session.address(request),
        )
    except CaseworkError as exc:
        return await _invalid(request, agb, exc)
    return _back(request, agb, name, "extension")


@session.guarded()
async def post_revoke(request: Request) -> Response:
    agb = request.path_params["agb"]
    name, refused = await _checked(request, agb)
    if refused is not None:
        return refused
    if not request.path_params["extension_id"].isdigit():
        return await _invalid(request, agb, CaseworkError("extension", "Onbekend uitstel."))
    try:
        await run_in_threadpool(
            revoke,
            request.app.state.intake,
            int(request.path_params["extension_id"]),
            request.state.user.name,
            session.address(request),
            agb,
        )
    except CaseworkError as exc:
        return await _invalid(request, agb, exc)
    return _back(request, agb, name, "extension-revoked")
