"""`/register` (admin): upload a new register for one campaign, see which cases would
change, confirm. The campaign comes from `?campaign=` or the form's `campaign` field."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from intake.campaign.register import RegisterError
from intake.casework import register_update
from intake.web import session
from intake.web.render import page
from intake.web.views import campaign as chosen


def _current(app, name: str) -> dict:  # type: ignore[no-untyped-def]
    ctx = app.ctx.for_campaign(name)
    register = ctx.register
    return {
        "configured": register_update.register_path(app, name) is not None,
        "source": register.source if register else None,
        "providers": len(register) if register else 0,
        "columns": ", ".join(ctx.rules.amount_columns),
    }


def _view(app, name: str | None = None, **values) -> dict:  # type: ignore[no-untyped-def]
    name = name or app.ctx.campaign
    return {
        "campaign": name,
        "campaigns": chosen.choices(app),
        "current": _current(app, name),
        "problems": [],
        "preview": None,
        "applied": None,
        "error": None,
        **values,
    }


@session.guarded("admin")
async def register_form(request: Request) -> Response:
    app = request.app.state.intake
    name = chosen.of_query(request)
    if name is None:
        return page(request, "register.html", _view(app, error=chosen.UNKNOWN), 400)
    return page(request, "register.html", _view(app, name))


async def _upload(request: Request, name: str) -> Response:
    app = request.app.state.intake
    upload = request.state.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(
            request,
            "register.html",
            _view(app, name, error="Kies een registerbestand (CSV of XLSX)."),
            400,
        )
    data = await upload.read(register_update.MAX_REGISTER_BYTES + 1)
    try:
        staged, register = await run_in_threadpool(
            register_update.stage, app, data, upload.filename, name
        )
    except RegisterError as exc:
        problems = [str(p) for p in exc.problems[:100]]
        return page(
            request,
            "register.html",
            _view(
                app,
                name,
                error="Dit bestand is geen bruikbaar register; er is niets gewijzigd.",
                problems=problems,
            ),
            400,
        )
    preview = await run_in_threadpool(
        register_update.preview, app, staged, register, upload.filename, name
    )
    return page(request, "register.html", _view(app, name, preview=preview))


async def _confirm(request: Request, staged: str, name: str) -> Response:
    app = request.app.state.intake
    if register_update.register_path(app, name) is None:
        return page(
            request,
            "register.html",
            _view(app, name, error="Er is geen registerbestand ingesteld ([register] path)."),
            400,
        )
    user = request.state.user
    try:
        changed = await run_in_threadpool(
            register_update.apply, app, staged, user.name, session.address(request), name
        )
    except RegisterError as exc:
        return page(
            request,
            "register.html",
            _view(
                app,
                name,
                error="Bevestigen mislukt; er is niets gewijzigd.",
                problems=[str(p) for p in exc.problems],
            ),
            400,
        )
    return page(request, "register.html", _view(app, name, applied=len(changed)))


@session.guarded("admin")
async def register_post(request: Request) -> Response:
    app = request.app.state.intake
    form = request.state.form
    raw = form.get("campaign")
    name = chosen.requested(app, raw if isinstance(raw, str) else None)
    if name is None:
        return page(request, "register.html", _view(app, error=chosen.UNKNOWN), 400)
    staged = form.get("upload")
    if isinstance(staged, str) and staged and form.get("confirm"):
        return await _confirm(request, staged, name)
    return await _upload(request, name)
