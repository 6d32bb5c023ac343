"""`/register` (admin): upload a new register, see which cases would change, confirm."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from intake.campaign.register import RegisterError
from intake.casework import register_update
from intake.web import session
from intake.web.render import page


def _current(app) -> dict:  # type: ignore[no-untyped-def]
    register = app.register
    return {
        "configured": bool(app.config.register.path),
        "source": register.source if register else None,
        "providers": len(register) if register else 0,
        "columns": ", ".join(app.ctx.rules.amount_columns),
    }


def _view(app, **values) -> dict:  # type: ignore[no-untyped-def]
    return {
        "current": _current(app),
        "problems": [],
        "preview": None,
        "applied": None,
        "error": None,
        **values,
    }


@session.guarded("admin")
async def register_form(request: Request) -> Response:
    return page(request, "register.html", _view(request.app.state.intake))


async def _upload(request: Request) -> Response:
    app = request.app.state.intake
    upload = request.state.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(
            request,
            "register.html",
            _view(app, error="Kies een registerbestand (CSV of XLSX)."),
            400,
        )
    data = await upload.read(register_update.MAX_REGISTER_BYTES + 1)
    try:
        staged, register = await run_in_threadpool(
            register_update.stage, app, data, upload.filename
        )
    except RegisterError as exc:
        problems = [str(p) for p in exc.problems[:100]]
        return page(
            request,
            "register.html",
            _view(
                app,
                error="Dit bestand is geen bruikbaar register; er is niets gewijzigd.",
                problems=problems,
            ),
            400,
        )
    preview = await run_in_threadpool(
        register_update.preview, app, staged, register, upload.filename
    )
    return page(request, "register.html", _view(app, preview=preview))


async def _confirm(request: Request, staged: str) -> Response:
    app = request.app.state.intake
    if not app.config.register.path:
        return page(
            request,
            "register.html",
            _view(app, error="Er is geen registerbestand ingesteld ([register] path)."),
            400,
        )
    user = request.state.user
    try:
        changed = await run_in_threadpool(
            register_update.apply, app, staged, user.name, session.address(request)
        )
    except RegisterError as exc:
        return page(
            request,
            "register.html",
            _view(
                app,
                error="Bevestigen mislukt; er is niets gewijzigd.",
                problems=[str(p) for p in exc.problems],
            ),
            400,
        )
    return page(request, "register.html", _view(app, applied=len(changed)))


@session.guarded("admin")
async def register_post(request: Request) -> Response:
    staged = request.state.form.get("upload")
    if isinstance(staged, str) and staged and request.state.form.get("confirm"):
        return await _confirm(request, staged)
    return await _upload(request)
