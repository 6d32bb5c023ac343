"""`/api/openapi.json` describes every `/api` route, and what the routes really answer
matches the description key for key and type for type (real ledger, real judging)."""

from __future__ import annotations

from typing import Any

import pytest

from intake.web.app import ROUTES, SESSION_COOKIE
from intake.web.openapi import UndescribedRoute, document
from tests.integration.desk import PROVIDER, client_for, csrf_of, seeded_app

TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}


def mismatches(value: Any, schema: dict, where: str = "$") -> list[str]:
    """Where `value` differs from `schema` (the subset of JSON Schema the document uses)."""
    if "oneOf" in schema:
        tried = [mismatches(value, option, where) for option in schema["oneOf"]]
        return [] if [] in tried else [f"{where}: matches no alternative: {tried}"]
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds and not any(
        isinstance(value, TYPES[k]) and not (k in ("integer", "number") and value is True)
        for k in kinds
    ):
        return [f"{where}: {type(value).__name__} is not {kinds}"]
    found = []
    if "enum" in schema and value is not None and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict) and "properties" in schema:
        described, real = set(schema["properties"]), set(value)
        if real != described:
            found.append(f"{where}: extra {real - described}, missing {described - real}")
        for key in real & described:
            found += mismatches(value[key], schema["properties"][key], f"{where}.{key}")
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            found += mismatches(item, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            found += mismatches(item, schema["items"], f"{where}[{n}]")
    return found


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = seeded_app(tmp_path_factory.mktemp("openapi"))
    client = client_for(app)
    page = client.get(f"/cases/{PROVIDER}").text
    token = csrf_of(page)
    form = {"csrf_token": token, "text": "Gebeld met de aanbieder."}
    assert client.post(f"/cases/{PROVIDER}/notes", data=form).status_code == 303
    decision = {
        "csrf_token": token,
        "decision": "accepted",
        "reason": "Toelichting is voldoende.",
        "idempotency_key": "k" * 32,
    }
    assert client.post(f"/cases/{PROVIDER}/decisions", data=decision).status_code == 303
    extension = {"csrf_token": token, "until": "2020-01-31", "reason": "Ziekte bij de aanbieder."}
    assert client.post(f"/cases/{PROVIDER}/extensions", data=extension).status_code == 303
    sha256 = client.get(f"/api/cases/{PROVIDER}").json()["documents"][0]["sha256"]
    assert client.get(f"/documents/{sha256}/original").status_code == 200  # into the audit
    return app


@pytest.fixture(scope="module")
def described(app) -> dict:
    response = client_for(app).get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_document_is_openapi_3_with_a_session_scheme(described):
    assert described["openapi"].startswith("3.")
    assert described["info"]["title"] and described["info"]["version"]
    scheme = described["components"]["securitySchemes"]["session"]
    assert scheme == {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}


def test_every_api_route_is_described_and_nothing_else(described):
    routes = {
        (route.path, method.lower())
        for route in ROUTES
        if route.path.startswith("/api/")
        for method in route.methods - {"HEAD"}
    }
    documented = {(path, method) for path, ops in described["paths"].items() for method in ops}
    assert documented == routes
    assert len(routes) >= 4


def test_a_route_without_a_description_breaks_the_document():
    from starlette.routing import Route

    async def export(request):  # a new /api route someone forgot to describe
        return None

    with pytest.raises(UndescribedRoute, match="/api/export"):
        document([*ROUTES, Route("/api/export", export)], "0")


def responses_of(described: dict, path: str) -> dict:
    return described["paths"][path]["get"]["responses"]


def schema_of(described: dict, path: str, status: int) -> dict:
    return responses_of(described, path)[str(status)]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/todo", "/api/todo", 200),
        ("/api/cases", "/api/cases", 200),
        ("/api/cases?page=1&status=review", "/api/cases", 200),
        ("/api/cases?status=onzin", "/api/cases", 400),
        ("/api/cases?size=0", "/api/cases", 400),
        (f"/api/cases/{PROVIDER}", "/api/cases/{agb}", 200),
        ("/api/cases/12345678", "/api/cases/{agb}", 404),
        (f"/api/cases/{PROVIDER}?campaign=onbekend", "/api/cases/{agb}", 400),
    ],
)
def test_real_answers_match_their_description(app, described, url, path, status):
    response = client_for(app).get(url)
    assert response.status_code == status
    assert mismatches(response.json(), schema_of(described, path, status)) == []


def test_the_case_answer_exercises_every_list_it_describes(app):
    case = client_for(app).get(f"/api/cases/{PROVIDER}").json()
    filled = {key for key, value in case.items() if isinstance(value, list) and value}
    # mails_in and mails_out stay empty: the seeded case arrived through the drop folder.
    assert {"documents", "decisions", "notes", "audit", "timeline", "extensions"} <= filled
    assert case["decision"] is not None and case["register"] is not None


def test_the_validator_notices_a_difference(described):
    schema = schema_of(described, "/api/todo", 200)
    assert mismatches({"tasks": [], "counts": {}, "campaigns": []}, schema)
    assert mismatches({"tasks": [], "campaigns": [], "extra": 1}, schema)


def test_without_a_session_the_description_is_refused(app):
    for path in ("/api/openapi.json",):
        assert client_for(app, None).get(path).status_code == 401
    assert "401" in responses_of(document(ROUTES, "0"), "/api/todo")
