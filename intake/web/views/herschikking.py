"""`/herschikking` (admin): upload the declarations, see the division, confirm, mail.

One page in three steps, each a POST with the CSRF token: the upload shows the
preview (totals, the discount rate, every provider, the ones not in the register);
`confirm` writes the JSON, workbook and letters to the outbox; `mail` sends every
provider its letter once. Nothing changes before the confirm.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from intake.casework import herschikking as work
from intake.domain import fmt
from intake.service.herschikking_letter import rate_text
from intake.web import session
from intake.web.render import page


def _preview(staged: work.Staged) -> dict[str, Any]:
    result = staged.result
    division = result.division
    decimals = result.rules.rate_decimals
    return {
        "key": staged.key,
        "filename": staged.filename,
        "count": len(division.shares),
        "budget": fmt.euro(float(division.budget)) if division.budget is not None else None,
        "sum_before": fmt.euro(float(division.sum_before)),
        "sum_extrapolated": fmt.euro(float(division.sum_extrapolated)),
        "sum_fixed": fmt.euro(float(division.sum_fixed)),
        "total": fmt.euro(float(division.total)),
        "rate": rate_text(division.rate, decimals),
        "short": division.short,
        "rows": [
            {
                "agb": s.agb,
                "naam": s.naam,
                "declared": fmt.euro(float(s.declared)),
                "extrapolated": fmt.euro(float(s.extrapolated)),
                "discount": fmt.euro(float(s.discount)),
                "lost_revenue": fmt.euro(float(s.lost_revenue)),
                "custom": fmt.euro(float(s.custom)),
                "total": fmt.euro(float(s.total)),
                "registered": result.registered.get(s.agb),
            }
            for s in division.shares
        ],
    }


def _view(**values: Any) -> dict[str, Any]:
    return {"preview": None, "error": None, "problems": [], "message": None, **values}


@session.guarded("admin")
async def herschikking_form(request: Request) -> Response:
    return page(request, "herschikking.html", _view())


async def _upload(request: Request) -> Response:
    app = request.app.state.intake
    upload = request.state.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = work.rules().message("choose_file")
        return page(request, "herschikking.html", _view(error=error), 400)
    data = await upload.read(work.MAX_BYTES + 1)
    budget = request.state.form.get("regional_budget")
    try:
        staged = await run_in_threadpool(
            work.stage, app, data, upload.filename, budget if isinstance(budget, str) else None
        )
    except work.HerschikkingRefused as exc:
        data_ = _view(error=exc.heading, problems=exc.problems[:200])
        return page(request, "herschikking.html", data_, 400)
    return page(request, "herschikking.html", _view(preview=_preview(staged)))


@session.guarded("admin")
async def herschikking_post(request: Request) -> Response:
    """The upload (file, regional_budget), or `action` confirm / mail with the preview's key."""
    app = request.app.state.intake
    action = request.state.form.get("action")
    key = request.state.form.get("key")
    if action not in ("confirm", "mail") or not isinstance(key, str):
        return await _upload(request)
    user, address = request.state.user, session.address(request)
    try:
        if action == "confirm":
            staged = await run_in_threadpool(work.confirm, app, key, user.name, address)
            message = work.rules().message(
                "confirmed",
                count=len(staged.result.division.shares),
                total=fmt.euro(float(staged.result.division.total)),
                folder=work.output_folder(app, key),
            )
            preview = {**_preview(staged), "confirmed": True}
            return page(request, "herschikking.html", _view(preview=preview, message=message))
        mailed = await run_in_threadpool(work.mail_letters, app, key, user.name, address)
    except work.HerschikkingRefused as exc:
        return page(request, "herschikking.html", _view(error=exc.heading), 400)
    message = work.rules().message(
        "mailed",
        sent=len(mailed.sent),
        repeated=len(mailed.repeated),
        no_recipient=len(mailed.no_recipient),
        pending=len(mailed.pending),
        failed=len(mailed.failed),
    )
    return page(request, "herschikking.html", _view(message=message))
