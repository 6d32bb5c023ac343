"""The case's status history is stored as records (from, to, when, who, why) where the
status changes: documents stored, pairs settled, decisions, rejudging; the case page and
`/api/cases/{agb}` show those records. Real SQLite ledger, real judging."""

from __future__ import annotations

import sqlalchemy as sa

from intake.casework import register_update
from intake.service.status_log import record_status
from intake.storage.status_history import StatusHistory
from tests.integration.desk import PROVIDER, client_for, csrf_of, field_of, seeded_app
from tests.manifest import REGISTER_CSV

CAMPAIGN = "kwaliteitsbudget-2020"


def _history(app) -> list[dict]:
    return StatusHistory(app.ledger.engine).of_case(CAMPAIGN, PROVIDER)


def test_documents_and_pairs_write_one_record_per_change(tmp_path):
    app = seeded_app(tmp_path)
    history = _history(app)
    assert history[0]["from_status"] is None
    assert [h["from_status"] for h in history[1:]] == [h["to_status"] for h in history[:-1]]
    assert (
        history[0]["actor"],
        history[0]["event"],
        history[0]["reason"],
    ) == ("folder", "document", "geldig-nov2019.xlsx")
    assert ("incomplete", "review", "accepted", "pair") in {
        (a["to_status"], b["to_status"], c["to_status"], c["event"])
        for a, b, c in zip(history, history[1:], history[2:], strict=False)
    }
    assert history[-1]["to_status"] == "review"
    assert history[-1]["reason"] == "aandeel-personeel-laag-toegelicht.xlsx"
    case = client_for(app).get(f"/api/cases/{PROVIDER}").json()
    assert case["status"] == history[-1]["to_status"]
    shown = [e for e in case["timeline"] if e["kind"] == "status"]
    assert len(shown) == len(history) == len(case["status_history"])
    assert shown[-1]["text"] == (
        "Status: geaccepteerd → te beoordelen "
        "(document ontvangen: aandeel-personeel-laag-toegelicht.xlsx)"
    )
    assert record_status(app, None, actor="intake", event="sync") == []  # nothing missed


def test_a_decision_and_a_rejudge_are_recorded_with_who_and_why(tmp_path):
    app = seeded_app(tmp_path)
    client = client_for(app)
    page = client.get(f"/cases/{PROVIDER}").text
    form = {
        "csrf_token": csrf_of(page),
        "idempotency_key": field_of(page, "idempotency_key"),
        "decision": "accepted",
        "reason": "Toelichting volstaat",
    }
    assert client.post(f"/cases/{PROVIDER}/decisions", data=form).status_code == 303
    assert client.post(f"/cases/{PROVIDER}/decisions", data=form).status_code == 303  # again
    decided = [h for h in _history(app) if h["event"] == "decision"]
    assert [(h["from_status"], h["to_status"], h["actor"], h["reason"]) for h in decided] == [
        ("review", "decided", "medewerker", "Toelichting volstaat")
    ]
    html = client.get(f"/cases/{PROVIDER}").text
    assert "Status: te beoordelen → besloten (beslissing: Toelichting volstaat)" in html

    changed = REGISTER_CSV.read_text().replace("1250000.00", "1300000.00").encode()
    staged, _ = register_update.stage(app, changed, "nieuw.csv")
    register_update.apply(app, staged, "beheerder", None)
    rejudged = [h for h in _history(app) if h["event"] == "rejudge"]
    # The decision stands over a re-judged verdict: no status change, so no record.
    assert rejudged == []


def test_the_sweep_catches_up_a_ledger_without_history(tmp_path):
    app = seeded_app(tmp_path)
    with app.ledger.engine.begin() as c:  # as a ledger from before the history was stored
        c.execute(sa.text("DELETE FROM status_history"))
    [synced] = record_status(app, None, actor="intake", event="sync")
    assert (synced.from_status, synced.to_status, synced.agb) == (None, "review", PROVIDER)
    assert record_status(app, None, actor="intake", event="sync") == []


def test_a_rejudge_that_changes_the_status_is_recorded(tmp_path):
    app = seeded_app(tmp_path)
    changed = REGISTER_CSV.read_text().replace("1250000.00", "1300000.00").encode()
    staged, _ = register_update.stage(app, changed, "nieuw.csv")
    register_update.apply(app, staged, "beheerder", None)
    last = _history(app)[-1]
    assert (last["from_status"], last["to_status"], last["actor"], last["event"]) == (
        "review",
        "rejected",
        "beheerder",
        "rejudge",
    )
    assert "aandeel-personeel-laag-toegelicht.xlsx" in last["reason"]
