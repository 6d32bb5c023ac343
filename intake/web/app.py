"""The desk's routes: one Starlette application over the same App as the channels."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from intake.service.app import App
from intake.storage.casebook import Casebook
from intake.storage.login_attempts import LoginAttempts
from intake.storage.sessions import Sessions
from intake.web.body_limit import BodyLimit
from intake.web.headers import SecurityHeaders
from intake.web.render import error_page
from intake.web.views import (
    case,
    cases,
    downloads,
    extensions,
    health,
    herschikking,
    login,
    metrics,
    openapi,
    register,
    static,
    todo,
)

log = logging.getLogger(__name__)
MIN_SECRET = 32
SESSION_COOKIE = "intake_session"


class SecretKeyError(ValueError):
    """No usable `[desk] secret_key`: the desk does not start."""


def check_secret(secret: str) -> None:
    if not secret:
        raise SecretKeyError("[desk] secret_key ontbreekt (zet INTAKE_DESK_SECRET_KEY)")
    if len(secret) < MIN_SECRET:
        raise SecretKeyError(f"[desk] secret_key is te kort (minstens {MIN_SECRET} tekens)")


ROUTES = [
    Route("/login", login.login_form, methods=["GET"]),
    Route("/login", login.login, methods=["POST"]),
    Route("/logout", login.logout, methods=["POST"]),
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/metrics", metrics.metrics, methods=["GET"]),
    Route("/static/desk.css", static.stylesheet, methods=["GET"]),
    Route("/", todo.todo, methods=["GET"]),
    Route("/api/openapi.json", openapi.openapi, methods=["GET"]),
    Route("/api/todo", todo.todo, methods=["GET"]),
    Route("/cases", cases.cases, methods=["GET"]),
    Route("/api/cases", cases.cases, methods=["GET"]),
    Route("/cases/{agb}", case.case, methods=["GET"]),
    Route("/api/cases/{agb}", case.case, methods=["GET"]),
    Route("/cases/{agb}/notes", case.post_note, methods=["POST"]),
    Route("/cases/{agb}/decisions", case.post_decision, methods=["POST"]),
    Route("/cases/{agb}/extensions", extensions.post_extension, methods=["POST"]),
    Route(
        "/cases/{agb}/extensions/{extension_id}/revoke",
        extensions.post_revoke,
        methods=["POST"],
    ),
    Route("/documents/{sha256}/{kind}", downloads.download, methods=["GET"]),
    Route("/herschikking", herschikking.herschikking_form, methods=["GET"]),
    Route("/herschikking", herschikking.herschikking_post, methods=["POST"]),
    Route("/register", register.register_form, methods=["GET"]),
    Route("/register", register.register_post, methods=["POST"]),
]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    messages = {404: "Deze pagina bestaat niet.", 405: "Deze actie kan hier niet."}
    return error_page(
        request, status, messages.get(status, "Het verzoek kon niet worden verwerkt.")
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error(
        "request %s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc
    )
    log.debug("details", exc_info=exc)
    return error_page(request, 500, "Er ging iets mis aan onze kant; probeer het later opnieuw.")


def create_app(app: App) -> Starlette:
    desk = app.config.desk
    check_secret(desk.secret_key)
    web = Starlette(
        routes=ROUTES,
        middleware=[
            # The client address throttling and the audit trail see: X-Forwarded-For
            # is believed only from the proxies listed in `[desk] trusted_proxies`.
            Middleware(ProxyHeadersMiddleware, trusted_hosts=list(desk.trusted_proxies)),
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=desk.secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=int(desk.session_hours * 3600),
                same_site="lax",
                https_only=desk.secure_cookies,
            ),
            Middleware(BodyLimit),  # inside the session: the limit depends on it
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    web.state.intake = app
    web.state.casebook = Casebook(app.ledger.engine)
    web.state.login_attempts = LoginAttempts(app.ledger.engine)
    web.state.sessions = Sessions(app.ledger.engine)
    return web
