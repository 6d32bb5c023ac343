"""The desk's stylesheet, served from the package: no session needed, nothing private."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC = Path(__file__).parent.parent / "static"


@cache
def _stylesheet() -> bytes:
    return (STATIC / "desk.css").read_bytes()


async def stylesheet(request: Request) -> Response:
    return Response(_stylesheet(), media_type="text/css; charset=utf-8")
