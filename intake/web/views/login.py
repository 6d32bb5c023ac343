"""Login and logout: local accounts, throttled after repeated failures, all audited."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from intake.casework.accounts import authenticate
from intake.web import guard, session
from intake.web.render import page


def _next(request: Request, form_value: object = None) -> str:
    target = form_value if isinstance(form_value, str) else request.query_params.get("next", "/")
    # Only paths on this site: never an open redirect.
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if safe else "/"


async def login_form(request: Request) -> Response:
    if session.current_user(request) is not None:
        return RedirectResponse(_next(request), status_code=303)
    return page(request, "login.html", {"next": _next(request), "error": None, "username": ""})


def _failed(request: Request, name: str, message: str, status: int) -> Response:
    data = {"next": _next(request), "error": message, "username": name}
    return page(request, "login.html", data, status)


async def login(request: Request) -> Response:
    refused = await guard.refuse_without_token(request)
    if refused is not None:
        return refused
    form = request.state.form
    name = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    if not name or not password:
        return _failed(request, name, "Vul gebruikersnaam en wachtwoord in.", 400)
    book = session.casebook(request)
    if session.throttled(request, name):
        book.record(name, "login_throttled", address=session.address(request))
        return _failed(
            request, name, "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.", 429
        )
    user = authenticate(book, name, password[:1024])
    if user is None:
        book.record(name, "login_failed", address=session.address(request))
        return _failed(request, name, "Gebruikersnaam of wachtwoord onjuist.", 401)
    session.start_session(request, user)
    book.record(user.name, "login", address=session.address(request))
    return RedirectResponse(_next(request, form.get("next")), status_code=303)


@session.guarded()
async def logout(request: Request) -> Response:
    session.audit(request, "logout")
    session.end_session(request)
    return RedirectResponse("/login", status_code=303)
