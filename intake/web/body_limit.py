"""A POST body is limited by the bytes that arrive, not by what Content-Length claims.

The body is read here, before any endpoint, up to a limit that depends on who posts
what: without a session only a login form fits; a register upload is the largest thing
staff post. A chunked body without Content-Length is counted as it arrives and cut off
at the limit with 413, so an anonymous client cannot make the desk hold 30 MiB.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.web.csrf import MAX_FORM_BYTES
from intake.web.render import error_page

ANONYMOUS_BYTES = 16 * 1024  # a login form
FORM_BYTES = 256 * 1024  # a decision or a note (4,000 characters, percent-encoded)
UPLOADS = {"/register": MAX_FORM_BYTES, "/herschikking": MAX_FORM_BYTES}  # file uploads
WITH_BODY = {"POST", "PUT", "PATCH", "DELETE"}


def limit_for(scope: Scope) -> int:
    if not (scope.get("session") or {}).get("sid"):
        return ANONYMOUS_BYTES
    return UPLOADS.get(scope["path"], FORM_BYTES)


def _declared(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    """Reads the whole body (at most the limit) and hands it on; 413 past the limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WITH_BODY:
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope)
        declared = _declared(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, receive, send)
            return
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nobody to answer
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        await self.app(scope, replay, send)

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = error_page(request, 413, "Het verzoek is te groot.")
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
