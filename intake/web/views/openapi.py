"""`/api/openapi.json`: the API's description, for the care office's other systems."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from intake import __version__
from intake.web import session
from intake.web.openapi import document
from intake.web.render import DeskJSON


@session.guarded()
async def openapi(request: Request) -> Response:
    return DeskJSON(document(request.app.routes, __version__))
