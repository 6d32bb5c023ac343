"""The OpenAPI 3.1 document of `/api`, generated from the desk's routes.

Paths, methods and path parameters come from the router (Starlette's schema generator
lists them), so a new `/api` route appears by itself, and one without a description
here makes the document fail to build (and the test that checks it). Objects that are
ledger rows (decisions, notes, mails, replies, notifications, audit) are described from
their tables, so a new column is described the moment it is added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from starlette.routing import BaseRoute
from starlette.schemas import BaseSchemaGenerator

from intake.casework.todo import KINDS as QUEUE_KINDS
from intake.domain.case_status import CaseStatus
from intake.storage import tables

Schema = dict[str, Any]
API_PREFIX = "/api/"


class UndescribedRoute(LookupError):
    """An `/api` route without an entry in OPERATIONS."""


# --- small schema builders ---------------------------------------------------------------


def of(kind: str, nullable: bool = False, **extra: Any) -> Schema:
    return {"type": [kind, "null"] if nullable else kind, **extra}


def obj(nullable: bool = False, **properties: Schema) -> Schema:
    """An object whose keys are exactly `properties`, every one always present."""
    schema = of("object", nullable, properties=properties, required=sorted(properties))
    return {**schema, "additionalProperties": False}


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


STR, INT, NUM, BOOL = of("string"), of("integer"), of("number"), of("boolean")
MOMENT = of("string", format="date-time")
FREE = {"type": "object", "description": "free-form; see the verdict JSON in the README"}


def _column(column: sa.Column) -> Schema:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return of("boolean", bool(column.nullable))
    if isinstance(kind, sa.Integer):
        return of("integer", bool(column.nullable))
    if isinstance(kind, sa.DateTime):
        return of("string", bool(column.nullable), format="date-time")
    if isinstance(kind, sa.Date):
        return of("string", bool(column.nullable), format="date")
    return of("string", bool(column.nullable))


def row(table: sa.Table, **extra: Schema) -> Schema:
    """A ledger row as the API shows it: every column, typed as stored, and `extra`."""
    return obj(**{c.name: _column(c) for c in table.columns}, **extra)


# --- the responses -----------------------------------------------------------------------

ERROR = obj(error=STR)
COUNTS = obj(**{status.value: INT for status in CaseStatus})
TASK = obj(
    key=of("string", description="the item's stable name, the same in the digest"),
    kind=of("string", enum=list(QUEUE_KINDS)),
    campaign=of("string", True),
    at=of("string", format="date-time", description="since when it waits"),
    agb=of("string", True),
    naam=of("string", True),
    subject=of("string", description="the document's file name or the mail's subject"),
    title=STR,
    why=of("string", description="the finding, the mail's error, the quarantine reason"),
    deadline=of("string", True, format="date"),
    deadline_label=STR,
    action=STR,
    link=of("string", True),
)
CASE_ROW = obj(
    campaign=STR,
    agb=STR,
    naam=STR,
    status=STR,
    computed_status=STR,
    decision=of("string", True),
    model_status=of("string", True),
    plan_status=of("string", True),
    registered=BOOL,
    last_document_at=of("string", True, format="date-time"),
)
LISTED_FINDING = obj(code=STR, severity=STR, location=of("string", True), message=STR)
LISTED_DOCUMENT = obj(
    sha256=STR,
    file=STR,
    document=of("string", enum=["aanvraag", "kwaliteitsplan", "unknown"]),
    status=of("string", enum=["accepted", "review", "rejected"]),
    received=of("string", format="date-time"),
    findings=arr(LISTED_FINDING),
)
CASE_LISTED = obj(
    **CASE_ROW["properties"],
    documents=of(
        "array",
        items=LISTED_DOCUMENT,
        description="every document of the case in this campaign, oldest first, as judged",
    ),
)
CASES = obj(
    campaign=STR,
    campaigns=arr(STR),
    query=STR,
    status=STR,
    statuses=arr(arr(STR)),
    error=of("string", True),
    counts=COUNTS,
    total=INT,
    found=INT,
    size=INT,
    page=INT,
    pages=INT,
    next=of("string", True, description="the URL of the next page; null on the last"),
    cases=arr(CASE_LISTED),
)
FINDING = obj(
    code=STR,
    severity=STR,
    location=of("string", True),
    message=STR,
    sheet=STR,
    cell=STR,
    severity_label=of("string", description="the severity in the desk's Dutch words"),
)
DOCUMENT = obj(
    id=INT,
    sha256=STR,
    kenmerk=STR,
    file=STR,
    document=of("string", enum=["aanvraag", "kwaliteitsplan", "unknown"]),
    document_label=STR,
    status=of("string", enum=["accepted", "review", "rejected"]),
    status_label=STR,
    current=BOOL,
    channel=STR,
    channel_label=of("string", description="the channel in the desk's Dutch words"),
    sender=of("string", True),
    received=MOMENT,
    received_day=STR,
    template_version=of("string", True),
    template_version_label=of("string", True, description="the model version by its name"),
    findings=arr(FINDING),
    figures=arr(obj(key=STR, label=STR, workbook=STR, recomputed=STR)),
    figures_raw=FREE,
    plan_themes={**FREE, "type": ["object", "array", "null"]},
    plan_ocr=of("string", True, description="for staff: how a scan was read by OCR; null: text"),
    created_at=MOMENT,
)
REGISTER_ENTRY = obj(
    True,
    agb_code=STR,
    naam=STR,
    regio=of("string", True),
    gereserveerd=of("number", True),
    compensatie=of("number", True),
    contact=arr(STR),
)
CASE = obj(
    campaign=STR,
    agb=STR,
    naam=STR,
    register=REGISTER_ENTRY,
    documents=arr(DOCUMENT),
    decisions=arr(row(tables.decisions)),
    notes=arr(row(tables.notes)),
    mails_in=arr(row(tables.mails)),
    mails_out=arr(row(tables.replies)),
    notifications=arr(row(tables.notifications)),
    audit=arr(row(tables.audit)),
    extensions=arr(row(tables.extensions, until_day=STR)),
    status_history=arr(
        obj(
            at=MOMENT,
            from_status=of("string", True),
            to_status=STR,
            actor=STR,
            event=STR,
            reason=of("string", True),
        )
    ),
    last_reminder_at=of("string", True, format="date-time"),
    computed=STR,
    status=STR,
    decision={**row(tables.decisions), "type": ["object", "null"]},
    timeline=arr(obj(at=MOMENT, kind=STR, actor=STR, text=STR)),
    status_label=STR,
    computed_label=STR,
    decision_labels=obj(accepted=STR, rejected=STR, review=STR),
    campaigns=arr(STR),
    in_campaign=STR,
    idempotency_key=STR,
    message=of("string", True),
    error=of("string", True),
    form={"type": "object", "additionalProperties": {"type": "string"}},
)
TODO = obj(
    tasks=arr(TASK),
    total=INT,
    kinds={"type": "object", "additionalProperties": INT},
    page=INT,
    pages=INT,
    counts={"type": "object", "additionalProperties": COUNTS, "description": "per campaign"},
    campaigns=arr(STR),
)


def _query(name: str, text: str, **schema: Any) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": text,
        "schema": {"type": "string", **schema},
    }


CAMPAIGN = _query("campaign", "an active campaign; default: the configured one")


def _json(text: str, schema: Schema) -> Schema:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


UNAUTHORISED = _json("no session", ERROR)

# Keyed by the view function behind the route (the same view also answers the HTML page).
OPERATIONS: dict[str, Schema] = {
    "todo": {
        "summary": "The work queue: what waits for a person, oldest first",
        "parameters": [_query("page", "page number; without it every item")],
        "responses": {"200": _json("the work queue", TODO), "401": UNAUTHORISED},
    },
    "cases": {
        "summary": "Every provider of the campaign's register with its case status",
        "parameters": [
            _query("q", "AGB code or part of the name (at most 200 characters)"),
            _query(
                "status", "only cases in this status", enum=[status.value for status in CaseStatus]
            ),
            _query("page", "page number (default 1)"),
            _query("size", "cases per page, 1 to 1,000 (default 250)"),
            CAMPAIGN,
        ],
        "responses": {
            "200": _json("the cases", CASES),
            "400": _json(
                "an unknown status, page or campaign: every case, with `error`; "
                "a bad `size`: only `error`",
                {"oneOf": [CASES, ERROR]},
            ),
            "401": UNAUTHORISED,
        },
    },
    "case": {
        "summary": "One case: register data, documents, decisions, notes, mails, timeline",
        "parameters": [CAMPAIGN],
        "responses": {
            "200": _json("the case", CASE),
            "400": _json("an unknown campaign", ERROR),
            "401": UNAUTHORISED,
            "404": _json("no case with this AGB code", ERROR),
        },
    },
    "openapi": {
        "summary": "This document",
        "responses": {
            "200": _json("OpenAPI 3.1", {"type": "object"}),
            "401": UNAUTHORISED,
        },
    },
}


def _name(endpoint: Callable[..., Any]) -> str:
    return getattr(endpoint, "__wrapped__", endpoint).__name__


def _path_parameters(path: str) -> list[Schema]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]


def document(routes: Sequence[BaseRoute], version: str) -> Schema:
    """The OpenAPI document of every `/api` route among `routes`."""
    paths: dict[str, dict[str, Schema]] = {}
    for endpoint in BaseSchemaGenerator().get_endpoints(list(routes)):
        if not endpoint.path.startswith(API_PREFIX):
            continue
        name = _name(endpoint.func)
        if name not in OPERATIONS:
            raise UndescribedRoute(f"{endpoint.http_method.upper()} {endpoint.path}")
        operation = dict(OPERATIONS[name])
        parameters = _path_parameters(endpoint.path) + operation.pop("parameters", [])
        if parameters:
            operation["parameters"] = parameters
        paths.setdefault(endpoint.path, {})[endpoint.http_method] = {
            "operationId": f"{name}",
            **operation,
            "security": [{"session": []}],
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "intake desk API",
            "version": version,
            "description": "The staff desk's data as JSON, for the care office's own systems. "
            "Every route needs a desk session (log in at /login).",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "intake_session"}
            }
        },
    }
