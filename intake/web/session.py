"""Who is asking: the session, roles, the audit trail's actor and address.

The cookie is Starlette's SessionMiddleware (itsdangerous-signed, HttpOnly,
SameSite=Lax, Secure under https). It holds only a session token and the CSRF token;
the token names a row in the ledger (`Sessions`), looked up on every request with the
account, so logout, a disabled account and `[desk] idle_minutes` without a request end
the session on the server, whatever copies of the cookie exist.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from intake.casework.accounts import User, active_user
from intake.storage.casebook import Casebook
from intake.storage.login_attempts import LoginAttempts
from intake.storage.sessions import Sessions
from intake.web import csrf, guard


def casebook(request: Request) -> Casebook:
    return request.app.state.casebook


def login_attempts(request: Request) -> LoginAttempts:
    return request.app.state.login_attempts


def sessions(request: Request) -> Sessions:
    return request.app.state.sessions


def address(request: Request) -> str | None:
    """The client: the peer, or what a proxy in `[desk] trusted_proxies` forwarded."""
    return request.client.host if request.client else None


def current_user(request: Request) -> User | None:
    token = request.session.get("sid")
    if not isinstance(token, str):
        return None
    desk = request.app.state.intake.config.desk
    name = sessions(request).user_of(
        token, timedelta(minutes=desk.idle_minutes), timedelta(hours=desk.session_hours)
    )
    if name is None:
        return None
    user = active_user(casebook(request), name)
    if user is None:  # disabled since: the session ends with the account
        sessions(request).end(token, "disabled")
    return user


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _refuse(request: Request) -> Response:
    if is_api(request):
        return JSONResponse({"error": "niet ingelogd"}, status_code=401)
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _forbidden(request: Request) -> Response:
    from intake.web.render import error_page

    return error_page(request, 403, "U hebt hiervoor geen rechten (alleen beheerders).")


def guarded(role: str = "staff"):  # type: ignore[no-untyped-def]
    """Every route but /login and /healthz goes through this: session, role, CSRF on POST."""

    def wrap(endpoint):  # type: ignore[no-untyped-def]
        @wraps(endpoint)
        async def handler(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                return _refuse(request)
            if role == "admin" and not user.is_admin:
                return _forbidden(request)
            request.state.user = user
            if request.method == "POST":
                refused = await guard.refuse_without_token(request)
                if refused is not None:
                    return refused
            return await endpoint(request)

        handler.guarded_role = role  # type: ignore[attr-defined]
        return handler

    return wrap


def start_session(request: Request, user: User) -> None:
    request.session.clear()
    request.session["sid"] = sessions(request).start(user.name, address(request))
    csrf.new_token(request)


def end_session(request: Request) -> None:
    token = request.session.get("sid")
    if isinstance(token, str):
        sessions(request).end(token, "logout")
    request.session.clear()


def audit(request: Request, action: str, **values: Any) -> None:
    user = getattr(request.state, "user", None)
    casebook(request).audit.record(
        user.name if user else "-", action, address=address(request), **values
    )
