"""CSRF: a per-session token that every POST must carry as the form field `csrf_token`.

The form is read once here and kept on the request (`request.state.form`), so an
endpoint never parses the body twice.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

MAX_FORM_BYTES = 8 * 1024 * 1024  # a register upload is the largest thing staff post


def new_token(request: Request) -> str:
    token = secrets.token_urlsafe(32)
    request.session["csrf"] = token
    return token


def token(request: Request) -> str:
    current = request.session.get("csrf")
    return current if isinstance(current, str) else new_token(request)


async def read_form(request: Request) -> FormData | None:
    """The posted form, or None when it is too large or not a form."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FORM_BYTES:
        return None
    try:
        return await request.form(max_files=2, max_fields=50, max_part_size=MAX_FORM_BYTES)
    except Exception:  # malformed multipart or urlencoded body from a hostile client
        return None
