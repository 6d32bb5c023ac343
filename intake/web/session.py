"""Who is asking: the signed session cookie, login with throttling, roles.

The session itself is Starlette's SessionMiddleware (itsdangerous-signed, HttpOnly,
SameSite=Lax, Secure under https). It holds only the user name and the CSRF token;
the account is looked up on every request, so disabling a user ends its sessions.
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
from intake.storage.ledger import now
from intake.web import csrf, guard

THROTTLE_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)


def casebook(request: Request) -> Casebook:
    return request.app.state.casebook


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_user(request: Request) -> User | None:
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    return active_user(casebook(request), name)


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


def throttled(request: Request, name: str) -> bool:
    since = now() - THROTTLE_WINDOW
    return casebook(request).failed_logins(name, address(request), since) >= THROTTLE_FAILURES


def start_session(request: Request, user: User) -> None:
    request.session.clear()
    request.session["user"] = user.name
    csrf.new_token(request)


def end_session(request: Request) -> None:
    request.session.clear()


def audit(request: Request, action: str, **values: Any) -> None:
    user = getattr(request.state, "user", None)
    casebook(request).record(user.name if user else "-", action, address=address(request), **values)
