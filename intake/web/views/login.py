"""Login and logout: local accounts, throttled (see `throttle`), all audited."""

from __future__ import annotations

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from intake.casework.accounts import authenticate
from intake.web import guard, session, throttle
from intake.web.render import page

HASHING_AT_ONCE = 2  # argon2 takes 64 MiB per check: a login flood must not take the RAM


def _hashing(request: Request) -> anyio.CapacityLimiter:
    limiter = getattr(request.app.state, "hashing", None)
    if limiter is None:
        limiter = request.app.state.hashing = anyio.CapacityLimiter(HASHING_AT_ONCE)
    return limiter


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


def _wait(request: Request, name: str, seconds: int) -> Response:
    """Not now: the template says how long to wait, Retry-After says it to machines."""
    data = {"next": _next(request), "error": None, "wait": seconds, "username": name}
    response = page(request, "login.html", data, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


async def login(request: Request) -> Response:
    refused = await guard.refuse_without_token(request)
    if refused is not None:
        return refused
    form = request.state.form
    name = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    if not name or not password:
        return _failed(request, name, "Vul gebruikersnaam en wachtwoord in.", 400)
    book, attempts = session.casebook(request), session.login_attempts(request)
    address = session.address(request) or "-"
    wait = await anyio.to_thread.run_sync(throttle.retry_after, attempts, name, address)
    if wait:
        book.audit.record(name, "login_throttled", address=address, detail=f"{wait} s")
        return _wait(request, name, wait)
    # argon2 takes ~0.1 s of CPU: in a worker thread, so the pages of others keep moving
    user = await anyio.to_thread.run_sync(
        authenticate, book, name, password[:1024], limiter=_hashing(request)
    )
    attempts.record(name, address, succeeded=user is not None)
    if user is None:
        book.audit.record(name, "login_failed", address=address)
        return _failed(request, name, "Gebruikersnaam of wachtwoord onjuist.", 401)
    session.start_session(request, user)
    book.audit.record(user.name, "login", address=session.address(request))
    return RedirectResponse(_next(request, form.get("next")), status_code=303)


@session.guarded()
async def logout(request: Request) -> Response:
    session.audit(request, "logout")
    session.end_session(request)
    return RedirectResponse("/login", status_code=303)
