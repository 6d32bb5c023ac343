"""The desk over HTTP, in-process: access control and CSRF on every route, login
throttling, validation of every form, decisions with exactly-once mail, downloads and
the register preview. Real SQLite ledger, real judging, real SMTP (aiosmtpd)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from intake.storage.casebook import Casebook
from intake.web.app import ROUTES
from tests.integration.desk import (
    PASSWORD,
    PROVIDER,
    client_for,
    csrf_of,
    field_of,
    seeded_app,
)
from tests.integration.servers import SmtpSink, free_port
from tests.manifest import REGISTER_CSV, SUBMISSIONS

OPEN = {"/login", "/healthz", "/static/desk.css", "/metrics"}  # /metrics: by address


def concrete(path: str) -> str:
    return (
        path.replace("{agb}", PROVIDER).replace("{sha256}", "0" * 64).replace("{kind}", "original")
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("desk"))


@pytest.fixture
def fresh(tmp_path):
    return seeded_app(tmp_path)


def book(app) -> Casebook:
    return Casebook(app.ledger.engine)


def test_without_a_session_pages_redirect_and_the_api_answers_401(app):
    anonymous = client_for(app, None)
    for route in ROUTES:
        if route.path in OPEN:
            continue
        for method in route.methods - {"HEAD"}:
            response = anonymous.request(method, concrete(route.path))
            if route.path.startswith("/api/"):
                assert response.status_code == 401, route.path
            else:
                assert response.status_code == 303, (method, route.path)
                assert response.headers["location"].startswith("/login")
    assert anonymous.get("/healthz").json()["ledger"] is True


def test_every_post_refuses_a_missing_or_wrong_csrf_token(fresh):
    admin = client_for(fresh, "beheerder")
    posts = [r for r in ROUTES if "POST" in r.methods]
    assert {r.path for r in posts} >= {"/login", "/logout", "/register"}
    for route in posts:
        for data in ({}, {"csrf_token": "vervalst"}):
            response = admin.post(
                concrete(route.path), data={**data, "decision": "accepted", "reason": "x"}
            )
            assert response.status_code == 403, route.path
            assert "formulier is verlopen" in response.text
    assert book(fresh).decisions.of_case("kwaliteitsbudget-2020", PROVIDER) == []
    assert admin.get("/").status_code == 200  # logout was refused too


def test_session_cookie_flags(fresh):
    client = client_for(fresh, None)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "medewerker", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    from dataclasses import replace

    fresh.config = replace(fresh.config, desk=replace(fresh.config.desk, base_url="https://x.nl"))
    secure = client_for(fresh, None)
    assert "secure" in secure.get("/login").headers["set-cookie"].lower()


def test_login_failures_are_audited_and_throttled(fresh):
    client = client_for(fresh, None)
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        response = client.post(
            "/login", data={"username": "medewerker", "password": "fout", "csrf_token": token}
        )
        assert response.status_code == 401 and "onjuist" in response.text
    response = client.post(
        "/login", data={"username": "medewerker", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429 and "Te veel mislukte pogingen" in response.text
    with fresh.ledger.engine.connect() as c:
        actions = [r.action for r in c.exec_driver_sql("SELECT action FROM audit")]
    assert actions.count("login_failed") == 5 and "login" not in actions


def test_a_disabled_account_loses_its_session(fresh):
    client = client_for(fresh)
    assert client.get("/").status_code == 200
    book(fresh).accounts.update("medewerker", disabled=True)
    assert client.get("/").status_code == 303
    assert client.get("/api/cases").status_code == 401


def test_staff_may_not_manage_the_register(app):
    staff = client_for(app)
    assert staff.get("/register").status_code == 403
    token = csrf_of(staff.get("/").text)
    assert staff.post("/register", data={"csrf_token": token}).status_code == 403
    assert client_for(app, "beheerder").get("/register").status_code == 200


def test_todo_lists_review_and_quarantine_oldest_first(app):
    tasks = client_for(app).get("/api/todo").json()["tasks"]
    kinds = [t["kind"] for t in tasks]
    # The quarantined file is from 20-11-2019 12:00; both documents of the pair wait for
    # review (the plan's figures disagree with the newer model), each on its own line.
    assert kinds == ["quarantine", "review", "review"]
    assert [t["subject"] for t in tasks] == [
        "afgekapt.xlsx",
        "kwaliteitsplan-2020.pdf",
        "aandeel-personeel-laag-toegelicht.xlsx",
    ]
    assert "beschadigd of onvolledig" in tasks[0]["why"]
    assert "aandeel personeelskosten" in tasks[2]["why"]
    assert {t["deadline"] for t in tasks} == {"2019-12-31"}
    assert tasks[1]["link"] == f"/cases/{PROVIDER}" and tasks[1]["action"]


def test_cases_search_filter_and_unknown_status(app):
    client = client_for(app)
    everyone = client.get("/api/cases").json()
    assert everyone["total"] == 4 and len(everyone["cases"]) == 4
    review = client.get("/api/cases", params={"status": "review"}).json()["cases"]
    assert [c["agb"] for c in review] == [PROVIDER]
    assert [c["agb"] for c in client.get("/api/cases", params={"q": "amstel"}).json()["cases"]] == [
        "73730456"
    ]
    case = client.get(f"/api/cases/{PROVIDER}").json()
    kenmerk = case["documents"][0]["kenmerk"]
    found = client.get("/api/cases", params={"q": kenmerk.lower()}).json()["cases"]
    assert [c["agb"] for c in found] == [PROVIDER]
    bad = client.get("/cases", params={"status": "<script>"})
    assert bad.status_code == 400 and "Onbekende status" in bad.text and "<script>" not in bad.text


def test_case_json_carries_the_contract_fields(app):
    case = client_for(app).get(f"/api/cases/{PROVIDER}").json()
    assert {"agb", "naam", "status", "decision", "documents", "timeline"} <= set(case)
    document = case["documents"][0]  # the current model first
    assert document["file"] == "aandeel-personeel-laag-toegelicht.xlsx" and document["current"]
    assert {"sha256", "file", "document", "status", "findings"} <= set(document)
    finding = document["findings"][0]
    assert finding["code"] == "PERSONNEL_SHARE_LOW" and finding["cell"] and finding["sheet"]
    assert {"at", "kind", "actor", "text"} <= set(case["timeline"][0])
    assert any(f["recomputed"] for f in document["figures"])


def test_the_case_list_json_carries_each_case_with_its_documents(app):
    client = client_for(app)
    listed = {c["agb"]: c for c in client.get("/api/cases").json()["cases"]}
    case = client.get(f"/api/cases/{PROVIDER}").json()
    documents = listed[PROVIDER]["documents"]
    assert {d["sha256"] for d in documents} == {d["sha256"] for d in case["documents"]}
    for document in documents:
        assert set(document) == {"sha256", "file", "document", "status", "received", "findings"}
    model = next(d for d in documents if d["file"] == "aandeel-personeel-laag-toegelicht.xlsx")
    assert model["status"] == "review"
    assert {"code", "severity", "location", "message"} == set(model["findings"][0])
    assert "PERSONNEL_SHARE_LOW" in {f["code"] for f in model["findings"]}
    waiting = [c for c in listed.values() if c["status"] == "none"]
    assert waiting and all(c["documents"] == [] for c in waiting)


def test_unknown_agb_is_404(app):
    client = client_for(app)
    for path in ("/cases/99999999", "/cases/abc", "/api/cases/99999999"):
        assert client.get(path).status_code == 404
    assert client.get("/api/cases/99999999").json()["error"]
    token = csrf_of(client.get("/").text)
    response = client.post("/cases/99999999/notes", data={"csrf_token": token, "text": "x"})
    assert response.status_code == 404


def _decision_form(client, **values):
    page = client.get(f"/cases/{PROVIDER}").text
    return {
        "csrf_token": csrf_of(page),
        "idempotency_key": field_of(page, "idempotency_key"),
        **values,
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"decision": "", "reason": "goed"}, "Kies een beslissing"),
        ({"decision": "misschien", "reason": "goed"}, "Kies een beslissing"),
        ({"decision": "accepted", "reason": "   "}, "reden is verplicht"),
        ({"decision": "accepted", "reason": "x" * 5000}, "hoogstens"),
        ({"decision": "accepted", "reason": "goed", "idempotency_key": "!"}, "verlopen"),
        ({"decision": "accepted", "reason": "goed", "notify": "1"}, "geen mailserver"),
    ],
)
def test_a_bad_decision_form_changes_nothing(fresh, values, message):
    client = client_for(fresh)
    response = client.post(f"/cases/{PROVIDER}/decisions", data=_decision_form(client, **values))
    assert response.status_code == 400 and message in response.text
    assert book(fresh).decisions.of_case("kwaliteitsbudget-2020", PROVIDER) == []


def test_a_decision_overrides_without_erasing_and_a_repeat_is_one_decision(fresh):
    client = client_for(fresh)
    form = _decision_form(client, decision="accepted", reason="Toelichting volstaat")
    first = client.post(f"/cases/{PROVIDER}/decisions", data=form)
    again = client.post(f"/cases/{PROVIDER}/decisions", data=form)
    assert first.headers["location"].endswith("msg=decision")
    assert again.headers["location"].endswith("msg=repeated")
    case = client.get(f"/api/cases/{PROVIDER}").json()
    assert case["status"] == "decided" and case["computed"] == "review"
    assert case["decision"]["reason"] == "Toelichting volstaat"
    assert case["documents"][0]["status"] == "review"  # the verdict is kept
    assert len(book(fresh).decisions.of_case("kwaliteitsbudget-2020", PROVIDER)) == 1
    outbox = fresh.config.folder_path("outbox")
    [report] = outbox.glob(f"besluit-{PROVIDER}-*.html")
    text = report.read_text()
    assert "Toelichting volstaat" in text and "geaccepteerd" in text
    # every document reads as decided: no "to be reviewed" or "to be fixed" beside it
    assert "Besloten door het zorgkantoor" in text
    assert "Wordt beoordeeld door het zorgkantoor" not in text
    assert "Moet worden hersteld" not in text
    assert "decision" in [e["kind"] for e in case["timeline"]]
    assert client.get("/api/todo").json()["tasks"][-1]["kind"] != "review"


@pytest.fixture
def notifying(tmp_path):
    sink = SmtpSink().start()
    app = seeded_app(tmp_path, smtp_port=sink.port)
    yield app, sink
    sink.stop()


def test_notify_sends_exactly_one_mail_for_a_double_click(notifying):
    app, sink = notifying
    client = client_for(app)
    form = _decision_form(client, decision="rejected", reason="Plan ontbreekt", notify="1")
    results = []

    def post():
        results.append(client.post(f"/cases/{PROVIDER}/decisions", data=form).status_code)

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [303, 303, 303]
    client.post(f"/cases/{PROVIDER}/decisions", data=form)
    [message] = sink.wait_for(1)
    import time

    time.sleep(0.5)
    assert len(sink.messages) == 1
    assert str(message["To"]) == "j.devries@zorggroeprijnland.nl"
    assert "Plan ontbreekt" in message.get_body(("plain",)).get_content()
    assert [n["state"] for n in book(app).decisions.notifications()] == ["sent"]
    kinds = [e["kind"] for e in client.get(f"/api/cases/{PROVIDER}").json()["timeline"]]
    assert "mail_out" in kinds


def test_a_crash_before_sending_sends_later_once_and_an_uncertain_send_never(tmp_path):
    from intake.adapters.smtp import SmtpSender
    from intake.casework.decide import deliver_pending

    dead_port = free_port()  # nothing listens: refused before anything went out
    app = seeded_app(tmp_path, smtp_port=dead_port)
    client = client_for(app)
    form = _decision_form(client, decision="accepted", reason="Akkoord", notify="1")
    response = client.post(f"/cases/{PROVIDER}/decisions", data=form)
    assert response.headers["location"].endswith("msg=decision-pending")
    assert [t["kind"] for t in client.get("/api/todo").json()["tasks"]].count("notification") == 1
    sink = SmtpSink(port=dead_port).start()
    try:
        smtp = SmtpSender(app.config.smtp)
        assert deliver_pending(app, smtp) == "sent"
        assert deliver_pending(app, smtp) is None
        assert len(sink.wait_for(1)) == 1
        # A process killed after claiming a notification, before SMTP finished:
        # the claim is stored, the mail may or may not have gone; it is never repeated.
        from intake.casework.decide import _store

        cb = book(app)
        decision_id = _store(
            app, PROVIDER, "review", "Nog eens kijken", True, "k" * 16, "medewerker", "127.0.0.1"
        )
        [claimed] = [n for n in cb.decisions.notifications() if n["decision_id"] == decision_id]
        assert cb.decisions.claim_notification(claimed["id"])
        assert deliver_pending(app, smtp) is None
        assert len(sink.messages) == 1
        states = sorted(n["state"] for n in cb.decisions.notifications())
        assert states == ["sending", "sent"]
        tasks = client.get("/api/todo").json()["tasks"]
        assert any("mogelijk niet verzonden" in t["title"] for t in tasks)
    finally:
        sink.stop()


def test_notes_are_validated_and_audited(fresh):
    client = client_for(fresh)
    token = csrf_of(client.get("/").text)
    empty = client.post(f"/cases/{PROVIDER}/notes", data={"csrf_token": token, "text": " "})
    assert empty.status_code == 400 and "niet leeg" in empty.text
    ok = client.post(f"/cases/{PROVIDER}/notes", data={"csrf_token": token, "text": "Gebeld"})
    assert ok.status_code == 303
    case = client.get(f"/api/cases/{PROVIDER}").json()
    assert [n["text"] for n in case["notes"]] == ["Gebeld"]
    assert [a["action"] for a in case["audit"]] == ["note"]


def test_downloads_are_audited(fresh):
    client = client_for(fresh)
    documents = client.get(f"/api/cases/{PROVIDER}").json()["documents"]
    [sha] = [d["sha256"] for d in documents if d["file"] == "geldig-nov2019.xlsx"]
    original = client.get(f"/documents/{sha}/original")
    assert original.content == (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    assert original.headers["content-disposition"].startswith("attachment")
    assert client.get(f"/documents/{sha}/report.pdf").content.startswith(b"%PDF")
    html = client.get(f"/documents/{sha}/report.html")
    # The plan (€ 1.138.000) contradicts the newer model (€ 1.250.000): the case is in review.
    assert (
        "wordt beoordeeld door een medewerker" in html.text
        and "default-src 'none'" in html.headers["content-security-policy"]
    )
    assert client.get(f"/documents/{'f' * 64}/original").status_code == 404
    assert client.get(f"/documents/{sha}/passwd").status_code == 404
    audit = client.get(f"/api/cases/{PROVIDER}").json()["audit"]
    assert [a["action"] for a in audit] == ["download"] * 3
    assert all(a["actor"] == "medewerker" and a["address"] for a in audit)


def _upload(client, name: str, data: bytes, **extra):
    token = csrf_of(client.get("/register").text)
    return client.post(
        "/register", data={"csrf_token": token, **extra}, files={"file": (name, data)}
    )


def test_register_upload_refuses_what_is_not_a_register(fresh):
    admin = client_for(fresh, "beheerder")
    pdf = _upload(admin, "plan.pdf", (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes())
    assert pdf.status_code == 400 and "geen bruikbaar register" in pdf.text
    broken = (REGISTER_CSV.parent / "register-kapot.csv").read_bytes()
    response = _upload(admin, "register-kapot.csv", broken)
    assert response.status_code == 400 and "regel" in response.text
    assert _upload(admin, "leeg.csv", b"").status_code == 400
    token = csrf_of(admin.get("/register").text)
    assert admin.post("/register", data={"csrf_token": token}).status_code == 400


def test_register_preview_then_confirm(fresh):
    admin = client_for(fresh, "beheerder")
    changed = REGISTER_CSV.read_text().replace("1250000.00", "1300000.00").encode()
    preview = _upload(admin, "nieuw.csv", changed)
    assert preview.status_code == 200 and 'id="preview-cases"' in preview.text
    assert "afgewezen" in preview.text and "+RESERVED_MISMATCH" in preview.text
    client = client_for(fresh)
    assert client.get(f"/api/cases/{PROVIDER}").json()["status"] == "review"  # not yet
    token = csrf_of(admin.get("/register").text)
    confirm = admin.post(
        "/register",
        data={"csrf_token": token, "upload": field_of(preview.text, "upload"), "confirm": "1"},
    )
    assert confirm.status_code == 200 and "Nieuw register in gebruik" in confirm.text
    assert client.get(f"/api/cases/{PROVIDER}").json()["status"] == "rejected"
    assert b"1300000.00" in Path(fresh.config.register.path).read_bytes()


def test_hostile_requests_get_answers_not_tracebacks(fresh, caplog):
    client = client_for(fresh)
    token = csrf_of(client.get("/").text)
    caplog.set_level(logging.DEBUG)
    answers = [
        client.get("/cases/%00"),
        client.get("/cases", params={"q": "x" * 5000}),
        client.get("/documents/../../etc/passwd/original"),
        client.post(
            "/cases/73730123/notes",
            content=b"--x\r\n\r\n",
            headers={"content-type": "multipart/form-data; boundary=x"},
        ),
        client.post(
            "/cases/73730123/notes",
            content=b"\xff" * 100,
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        client.post("/cases/73730123/notes", data={"csrf_token": token, "text": "\x00" * 10}),
        client.put("/cases/73730123"),
        client.get("/nergens"),
    ]
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_the_sweep_mails_the_todo_list_with_links_and_healthz_sees_it(tmp_path):
    from dataclasses import replace
    from datetime import UTC, datetime

    from intake.adapters.smtp import SmtpSender
    from intake.channels.sweep import sweep

    sink = SmtpSink().start()
    try:
        app = seeded_app(tmp_path, smtp_port=sink.port)
        desk = replace(
            app.config.desk, base_url="https://intake.example.nl", digest_to=("team@zk.nl",)
        )
        app.config = replace(app.config, desk=desk)
        assert client_for(app, None).get("/healthz").json()["last_sweep"] is None
        sweep(app, smtp=SmtpSender(app.config.smtp), now=datetime(2019, 11, 21, tzinfo=UTC))
        [digest] = sink.wait_for(1)
        assert str(digest["To"]) == "team@zk.nl"
        text = digest.get_body(("plain",)).get_content()
        html = digest.get_body(("html",)).get_content()
        assert f"https://intake.example.nl/cases/{PROVIDER}" in text
        assert f'href="https://intake.example.nl/cases/{PROVIDER}"' in html
        assert "afgekapt.xlsx" in text and "Beoordelen: Zorggroep Rijnland" in text
        assert list(app.config.folder_path("outbox").glob("digest-*.html"))
        health = client_for(app, None).get("/healthz").json()
        assert health["last_sweep"] and health["mails_waiting"] == 0
    finally:
        sink.stop()


def test_the_case_list_pages(app, monkeypatch):
    from intake.web.views import cases

    monkeypatch.setattr(cases, "PAGE_SIZE", 3)
    client = client_for(app)
    first = client.get("/cases")
    assert first.text.count('<tr><td><a href="/cases/') == 3 and 'id="next-page"' in first.text
    second = client.get("/cases", params={"page": "2"})
    assert second.text.count('<tr><td><a href="/cases/') == 1 and "pagina 2 van 2" in second.text
    bad = client.get("/cases", params={"page": "-1"})
    assert bad.status_code == 400 and "Ongeldig paginanummer" in bad.text
    monkeypatch.setattr(cases, "API_PAGE_SIZE", 3)
    listing = client.get("/api/cases").json()  # the JSON twin pages too, and says where next
    assert len(listing["cases"]) == 3 and listing["total"] == 4 and listing["pages"] == 2
    rest = client.get(listing["next"]).json()
    assert len(rest["cases"]) == 1 and rest["next"] is None and rest["page"] == 2
    both = client.get("/api/cases", params={"size": "10"}).json()
    assert len(both["cases"]) == 4 and both["next"] is None
    assert client.get("/api/cases", params={"size": "0"}).status_code == 400
    assert client.get("/api/cases", params={"size": "100000"}).status_code == 400


def test_todo_lists_overdue_pairs_and_failed_mails(tmp_path):
    from datetime import UTC, datetime, timedelta

    from intake.bootstrap import build_app
    from intake.config import load
    from tests.integration.desk import desk_env, drop

    app = build_app(load(None, desk_env(tmp_path)))
    drop(app, "geldig-nov2019.xlsx")  # a model without its plan
    from intake.casework.accounts import add_user

    add_user(book(app), "medewerker", "staff", PASSWORD)
    client = client_for(app)
    assert [t["kind"] for t in client.get("/api/todo").json()["tasks"]] == []  # not reminded yet
    app.ledger.mark_reminded(PROVIDER, datetime.now(UTC) - timedelta(days=8))
    mail_id = app.ledger.add_mail(message_key="<kapot@x.nl>", sender="a@x.nl", subject="Aanvraag")
    app.ledger.update_mail(mail_id, state="failed", error="unparseable MIME")
    tasks = client.get("/api/todo").json()["tasks"]
    assert [t["kind"] for t in tasks] == ["overdue", "mail"]
    assert tasks[0]["agb"] == PROVIDER and "herinnering" in tasks[0]["action"].lower()
    assert tasks[1]["why"] == "unparseable MIME" and "Fout" in tasks[1]["action"]
    answer_due = app.ctx.rules.local_date(datetime.now(UTC) - timedelta(days=1))
    assert tasks[0]["deadline"] in {answer_due.isoformat(), (answer_due - timedelta(1)).isoformat()}
    assert tasks[0]["deadline_label"] == "antwoord op de herinnering"
    assert (
        client.get("/api/cases", params={"status": "incomplete"}).json()["cases"][0]["agb"]
        == PROVIDER
    )
