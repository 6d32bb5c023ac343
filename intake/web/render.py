"""A view's dict, served as HTML (jinja2) or, under /api, as JSON: the HTML is a view
of the data, never its only home."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from intake.domain import fmt
from intake.domain.case_status import DOCUMENT_LABELS, LABELS
from intake.web import csrf

TEMPLATES = Path(__file__).parent / "templates"


def jsonable(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return jsonable(value.to_json())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value != value:
        return None
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    return value


class DeskJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(jsonable(content), ensure_ascii=False, allow_nan=False).encode()


def _local(value: datetime | None, request: Request) -> str:
    if value is None:
        return "—"
    zone = request.app.state.intake.ctx.rules.timezone
    return value.astimezone(zone).strftime("%d-%m-%Y %H:%M")


@cache
def environment():  # type: ignore[no-untyped-def]
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = fmt.day
    env.globals["euro"] = fmt.euro
    env.globals["case_label"] = lambda status: LABELS.get(status, status)
    env.globals["nl"] = lambda status: DOCUMENT_LABELS.get(status or "", "—")
    return env


def page(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    if request.url.path.startswith("/api/"):
        return DeskJSON(data, status_code=status)
    context = {
        **data,
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf.token(request),
        "local": lambda value: _local(value, request),
    }
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return DeskJSON({"error": message}, status_code=status)
    return page(request, "error.html", {"status": status, "message": message}, status)
