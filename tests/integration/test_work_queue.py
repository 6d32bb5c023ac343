"""The staff work queue, one list in two views: the desk's `/` (and `/api/todo`) and the
digest's to-do section list the same items in the same order, each with why it waits;
the case counts and the digest's provider table speak the same words. Real SQLite ledger,
real judging of fixture files."""

from __future__ import annotations

from datetime import UTC, date, datetime

from intake.bootstrap import build_app
from intake.casework.accounts import add_user
from intake.casework.digest import build_digest
from intake.config import load
from intake.domain.case_status import LABELS, CaseStatus
from intake.report.digest import render_digest_html, render_digest_text
from intake.storage.casebook import Casebook
from tests.integration.desk import PASSWORD, PROVIDER, client_for, desk_env, drop, seeded_app

DAY = date(2019, 11, 21)


def _failed_mail(app) -> None:
    mail_id = app.ledger.add_mail(message_key="<kapot@x.nl>", sender="a@x.nl", subject="Aanvraag")
    app.ledger.update_mail(mail_id, state="failed", error="unparseable MIME")


def test_the_desk_and_the_digest_list_the_same_items_in_the_same_order(tmp_path):
    app = seeded_app(tmp_path)
    _failed_mail(app)
    desk = client_for(app).get("/api/todo").json()
    digest = build_digest(app, DAY)
    keys = [t["key"] for t in desk["tasks"]]
    assert keys == [t["key"] for t in digest.tasks]
    assert [t["kind"] for t in desk["tasks"]] == ["quarantine", "review", "review", "mail"]
    assert [t["why"] for t in desk["tasks"]] == [t["why"] for t in digest.tasks]
    assert all(t["why"] and t["subject"] and t["deadline"] for t in desk["tasks"])
    html, text = render_digest_html(digest), render_digest_text(digest)
    assert [html.index(f'data-key="{k}"') for k in keys] == sorted(
        html.index(f'data-key="{k}"') for k in keys
    )
    assert "Waarom: unparseable MIME" in text and "Termijn: 31-12-2019" in text
    page = client_for(app).get("/").text
    assert [page.index(f'data-key="{k}"') for k in keys] == sorted(
        page.index(f'data-key="{k}"') for k in keys
    )


def test_the_counts_and_the_provider_table_use_one_vocabulary(tmp_path):
    app = seeded_app(tmp_path)
    counts = client_for(app).get("/api/todo").json()["counts"]
    campaign = app.ctx.campaign
    assert counts[campaign] == client_for(app).get("/api/cases").json()["counts"]
    digest = build_digest(app, DAY)
    labelled = {LABELS[CaseStatus(k)]: n for k, n in counts[campaign].items()}
    assert digest.case_counts[campaign] == labelled
    states = [p.state for p in digest.providers if p.campaign == campaign]
    assert {s: states.count(s) for s in labelled} == labelled
    assert labelled["te beoordelen"] == 1 and labelled["niets ontvangen"] == 3
    # "vandaag" counts the documents received that day (every fixture: 20-11-2019)
    assert digest.counts_today[campaign] == {}
    received_day = build_digest(app, date(2019, 11, 20))
    assert received_day.counts_today[campaign] == received_day.counts_total[campaign] != {}


def test_a_model_in_review_without_its_plan_is_on_the_queue(tmp_path):
    app = build_app(load(None, desk_env(tmp_path)))
    add_user(Casebook(app.ledger.engine), "medewerker", "staff", PASSWORD)
    drop(app, "geldig-nov2019.xlsx")  # only waiting for its plan: not staff work
    client = client_for(app)
    assert client.get("/api/todo").json()["tasks"] == []
    drop(app, "aandeel-personeel-laag-toegelicht.xlsx")  # a newer model that needs a person
    [task] = client.get("/api/todo").json()["tasks"]
    assert (task["kind"], task["agb"], task["subject"]) == (
        "review",
        PROVIDER,
        "aandeel-personeel-laag-toegelicht.xlsx",
    )
    assert "aandeel personeelskosten" in task["why"] and "Kwaliteitsplan" not in task["why"]
    assert client.get(f"/api/cases/{PROVIDER}").json()["status"] == "incomplete"
    digest = build_digest(app, DAY, now=datetime(2019, 11, 21, tzinfo=UTC))
    assert [t["key"] for t in digest.tasks] == [task["key"]]


def test_a_mail_left_in_fout_after_judging_is_on_the_queue(tmp_path):
    app = build_app(load(None, desk_env(tmp_path)))
    add_user(Casebook(app.ledger.engine), "medewerker", "staff", PASSWORD)
    busy = app.ledger.add_mail(message_key="<bezig@x.nl>", sender="a@x.nl", subject="Bezig")
    app.ledger.update_mail(busy, state="judged")  # being answered right now: not staff work
    stuck = app.ledger.add_mail(message_key="<vast@x.nl>", sender="b@x.nl", subject="Aanvraag")
    error = "given up after 3 attempts; last error: ConnectionRefusedError"
    app.ledger.update_mail(stuck, state="judged", error=error)
    [task] = client_for(app).get("/api/todo").json()["tasks"]
    assert (task["kind"], task["key"], task["why"]) == ("mail", f"mail:{stuck}", error)
    assert "niet verstuurd" in task["action"] and "Fout" in task["action"]


def test_an_uitstel_moves_the_deadline_a_case_is_measured_against(tmp_path):
    from intake.casework.extensions import grant
    from intake.storage.status_history import StatusHistory

    app = build_app(load(None, desk_env(tmp_path)))
    add_user(Casebook(app.ledger.engine), "medewerker", "staff", PASSWORD)
    jan_15 = datetime(2020, 1, 15, 12, tzinfo=UTC).timestamp()
    drop(app, "geldig-nov2019.xlsx", "kwaliteitsplan-2020.pdf", when=jan_15)
    client = client_for(app)
    late = client.get("/api/todo").json()["tasks"]
    assert [(t["kind"], t["deadline"]) for t in late] == [("review", "2019-12-31")] * 2
    assert all("na de uiterste indieningsdatum" in t["why"] for t in late)
    grant(app, PROVIDER, {"until": "2020-01-31", "reason": "overleg"}, "medewerker", None)
    assert client.get("/api/todo").json()["tasks"] == []  # within the uitstel: not late
    last = StatusHistory(app.ledger.engine).of_case("kwaliteitsbudget-2020", PROVIDER)[-1]
    assert (last["from_status"], last["to_status"], last["event"], last["actor"]) == (
        "review",
        "accepted",
        "extension",
        "medewerker",
    )
    drop(app, "aandeel-personeel-laag-toegelicht.xlsx", when=jan_15)
    tasks = client.get("/api/todo").json()["tasks"]  # the new model, and the plan against it
    assert [t["subject"] for t in tasks] == [
        "kwaliteitsplan-2020.pdf",
        "aandeel-personeel-laag-toegelicht.xlsx",
    ]
    assert {(t["deadline"], t["deadline_label"]) for t in tasks} == {
        ("2020-01-31", "uitstel verleend")
    }


def test_the_desk_shows_the_queue_a_page_at_a_time_in_the_same_order(tmp_path, monkeypatch):
    import re

    from intake.web.views import todo

    monkeypatch.setattr(todo, "PAGE_SIZE", 3)
    app = seeded_app(tmp_path)
    _failed_mail(app)
    client = client_for(app)
    every = client.get("/api/todo").json()
    keys = [t["key"] for t in every["tasks"]]
    assert every["total"] == 4 and every["kinds"] == {"review": 2, "mail": 1, "quarantine": 1}
    first, second = client.get("/").text, client.get("/", params={"page": "2"}).text
    assert re.findall(r'data-key="([^"]+)"', first) == keys[:3] and 'id="next-page"' in first
    assert re.findall(r'data-key="([^"]+)"', second) == keys[3:]
    paged = client.get("/api/todo", params={"page": "2"}).json()
    assert [t["key"] for t in paged["tasks"]] == keys[3:] and paged["pages"] == 2
