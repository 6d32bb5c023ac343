"""A POST is read only with the form's CSRF token; anything else is refused in Dutch."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response

from intake.web import csrf
from intake.web.render import error_page


async def refuse_without_token(request: Request) -> Response | None:
    form = await csrf.read_form(request)
    if form is None:
        return error_page(
            request, 400, "Het formulier kon niet worden gelezen (te groot of beschadigd)."
        )
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not hmac.compare_digest(sent, expected)
    ):
        return error_page(
            request,
            403,
            "Het formulier is verlopen of niet door deze site verstuurd. "
            "Laad de pagina opnieuw en probeer het nog eens.",
        )
    request.state.form = form
    return None
