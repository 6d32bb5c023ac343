"""The desk's ledger queries on PostgreSQL: the same pages and actions as on SQLite."""

from __future__ import annotations

from intake.storage.casebook import Casebook
from tests.integration.desk import PASSWORD, PROVIDER, client_for, csrf_of, field_of, seeded_app


def test_cases_decisions_notes_and_audit_on_postgresql(postgres, tmp_path):
    app = seeded_app(tmp_path, ledger_url=postgres.url)
    assert app.ledger.engine.dialect.name == "postgresql"
    client = client_for(app)
    listing = client.get("/api/cases").json()
    assert listing["counts"]["review"] == 1 and listing["total"] == 4
    kenmerk = client.get(f"/api/cases/{PROVIDER}").json()["documents"][0]["kenmerk"]
    assert [c["agb"] for c in client.get("/api/cases", params={"q": kenmerk}).json()["cases"]] == [
        PROVIDER
    ]
    page = client.get(f"/cases/{PROVIDER}").text
    form = {
        "csrf_token": csrf_of(page),
        "idempotency_key": field_of(page, "idempotency_key"),
        "decision": "rejected",
        "reason": "Motivering ontbreekt",
    }
    assert client.post(f"/cases/{PROVIDER}/decisions", data=form).status_code == 303
    assert (
        client.post(f"/cases/{PROVIDER}/decisions", data=form)
        .headers["location"]
        .endswith("msg=repeated")
    )
    note = {"csrf_token": form["csrf_token"], "text": "Gebeld met de controller"}
    assert client.post(f"/cases/{PROVIDER}/notes", data=note).status_code == 303
    case = client.get(f"/api/cases/{PROVIDER}").json()
    assert case["status"] == "decided" and case["decision"]["status"] == "rejected"
    assert [a["action"] for a in case["audit"]] == ["decision", "note"]
    kinds = [e["kind"] for e in case["timeline"]]
    assert {"document", "status", "decision", "note"} <= set(kinds)
    assert [t["kind"] for t in client.get("/api/todo").json()["tasks"]] == ["quarantine"]

    anonymous = client_for(app, None)
    token = csrf_of(anonymous.get("/login").text)
    for _ in range(5):
        anonymous.post(
            "/login", data={"username": "beheerder", "password": "x", "csrf_token": token}
        )
    refused = anonymous.post(
        "/login", data={"username": "beheerder", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 429
    assert Casebook(app.ledger.engine).audit.last_activity("login") is not None
    assert anonymous.get("/healthz").json()["ledger"] is True
