"""The desk with two campaigns on one ledger: provider 73730123 has a 2020 case (in
review) and a 2021 case (incomplete, reminded long ago). Each is shown, decided and
noted under its own campaign; the to-do list covers both. Real SQLite, real judging,
real SMTP (aiosmtpd)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from intake.bootstrap import build_app
from intake.casework.accounts import add_user
from intake.channels import folder
from intake.config import load
from intake.service import settle_pairs
from intake.service.app import App
from intake.storage.casebook import Casebook
from tests.integration.desk import PASSWORD, PROVIDER, client_for, csrf_of, desk_env, field_of
from tests.integration.servers import SmtpSink
from tests.manifest import FIXTURES, SUBMISSIONS

Y2020, Y2021 = "kwaliteitsbudget-2020", "kwaliteitsbudget-2021"
ON_2021 = f"?campaign={Y2021}"
NOV_20_2019 = datetime(2019, 11, 20, 12, tzinfo=UTC)
NOV_20_2020 = datetime(2020, 11, 20, 12, tzinfo=UTC)


def _registers(root: Path) -> str:
    target = root / "registers"
    target.mkdir()
    for year in ("2020", "2021"):
        source = FIXTURES / "registers" / f"gereserveerde-kwaliteitsmiddelen-{year}.csv"
        shutil.copyfile(source, target / f"kwaliteitsbudget-{year}.csv")
    return str(target / "{campaign}.csv")


def _drop(app: App, source: Path, when: datetime) -> None:
    target = app.folder("inbox") / source.name
    target.write_bytes(source.read_bytes())
    os.utime(target, (when.timestamp(), when.timestamp()))


def two_campaign_app(root: Path, smtp_port: int | None = None) -> App:
    env = desk_env(root, smtp_port=smtp_port)
    env["INTAKE_REGISTER_PATH"] = _registers(root)
    env["INTAKE_GENERAL_CAMPAIGNS"] = Y2021
    app = build_app(load(None, env))
    _drop(app, SUBMISSIONS / "aandeel-personeel-laag-toegelicht.xlsx", NOV_20_2019)
    _drop(app, SUBMISSIONS / "kwaliteitsplan-2020.pdf", NOV_20_2019)
    _drop(app, FIXTURES / "submissions-2021" / "geldig-2021.xlsx", NOV_20_2020)
    folder.run_once(app)
    settle_pairs(app)
    app.ledger.mark_reminded(PROVIDER, datetime.now(UTC) - timedelta(days=30), Y2021)
    add_user(Casebook(app.ledger.engine), "medewerker", "staff", PASSWORD)
    return app


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    return two_campaign_app(tmp_path_factory.mktemp("two"))


@pytest.fixture
def mailing(tmp_path):
    sink = SmtpSink().start()
    yield two_campaign_app(tmp_path, smtp_port=sink.port), sink
    sink.stop()


def _case_of(cases: list[dict]) -> dict:
    [case] = [c for c in cases if c["agb"] == PROVIDER]
    return case


def test_the_case_list_shows_one_campaign_chosen_by_parameter(both):
    client = client_for(both)
    default = _case_of(client.get("/api/cases").json()["cases"])
    assert (default["campaign"], default["status"]) == (Y2020, "review")
    other = _case_of(client.get(f"/api/cases{ON_2021}").json()["cases"])
    assert (other["campaign"], other["status"]) == (Y2021, "incomplete")
    assert other["model_status"] is not None and other["plan_status"] is None
    html = client.get(f"/cases{ON_2021}").text
    assert '<select name="campaign" id="campaign">' in html
    assert f'<option value="{Y2021}" selected>' in html and f'<option value="{Y2020}">' in html
    assert f'href="/cases/{PROVIDER}?campaign={Y2021}"' in html
    assert f'href="/cases/{PROVIDER}"' in client.get("/cases").text


def test_an_unknown_campaign_gets_a_dutch_message(both):
    client = client_for(both)
    listed = client.get("/api/cases?campaign=kwaliteitsbudget-1999")
    assert listed.status_code == 400 and "Onbekende campagne" in listed.json()["error"]
    assert _case_of(listed.json()["cases"])["campaign"] == Y2020
    page = client.get(f"/cases/{PROVIDER}?campaign=<script>")
    assert page.status_code == 400 and "Onbekende campagne" in page.text
    assert "<script>" not in page.text


def test_each_case_page_shows_its_own_campaign(both):
    client = client_for(both)
    old = client.get(f"/api/cases/{PROVIDER}").json()
    new = client.get(f"/api/cases/{PROVIDER}{ON_2021}").json()
    assert (old["campaign"], new["campaign"]) == (Y2020, Y2021)
    assert {d["file"] for d in old["documents"]} == {
        "aandeel-personeel-laag-toegelicht.xlsx",
        "kwaliteitsplan-2020.pdf",
    }
    assert [d["file"] for d in new["documents"]] == ["geldig-2021.xlsx"]
    assert (old["status"], new["status"]) == ("review", "incomplete")
    html = client.get(f"/cases/{PROVIDER}{ON_2021}").text
    # decision, uitstel and note: every form on the page posts to the case's campaign
    assert html.count(f'<input type="hidden" name="campaign" value="{Y2021}">') == 3
    assert 'id="case-campaign"' in html


def test_the_todo_list_covers_every_campaign_and_names_each(both):
    client = client_for(both)
    tasks = [t for t in client.get("/api/todo").json()["tasks"] if t["agb"] == PROVIDER]
    found = {(t["kind"], t["campaign"]): t["link"] for t in tasks}
    assert found == {
        ("review", Y2020): f"/cases/{PROVIDER}",
        ("overdue", Y2021): f"/cases/{PROVIDER}{ON_2021}",
    }
    html = client.get("/").text
    assert f'<td class="campaign">{Y2020}</td>' in html
    assert f'<td class="campaign">{Y2021}</td>' in html


def _form(client, campaign: str | None, **values: str) -> dict[str, str]:
    query = f"?campaign={campaign}" if campaign else ""
    html = client.get(f"/cases/{PROVIDER}{query}").text
    form = {"csrf_token": csrf_of(html), "idempotency_key": field_of(html, "idempotency_key")}
    form["campaign"] = field_of(html, "campaign")
    return {**form, **values}


def test_a_decision_on_one_campaign_leaves_the_other_alone(mailing):
    app, sink = mailing
    client = client_for(app)
    form = _form(client, Y2021, decision="accepted", reason="Plan volgt apart", notify="1")
    response = client.post(f"/cases/{PROVIDER}/decisions", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{PROVIDER}{ON_2021}&msg=decision-sent"
    new = client.get(f"/api/cases/{PROVIDER}{ON_2021}").json()
    assert new["status"] == "decided" and new["decision"]["reason"] == "Plan volgt apart"
    old = client.get(f"/api/cases/{PROVIDER}").json()
    assert old["status"] == "review" and old["decision"] is None and old["decisions"] == []
    [message] = sink.wait_for(1)
    assert "Plan volgt apart" in message.get_body(("plain",)).get_content()
    new = client.get(f"/api/cases/{PROVIDER}{ON_2021}").json()
    assert [(m["kind"], m["campaign"]) for m in new["mails_out"]] == [("decision", Y2021)]
    old = client.get(f"/api/cases/{PROVIDER}").json()
    assert [m for m in old["mails_out"] if m["kind"] == "decision"] == []
    [letter] = Path(app.config.folder_path("outbox")).glob(f"besluit-{PROVIDER}-*.html")
    text = letter.read_text()
    assert "geldig-2021.xlsx" in text and "aandeel-personeel" not in text
    with app.ledger.engine.connect() as c:
        told = c.execute(sa.text("SELECT campaign, event FROM letters")).all()
    assert [tuple(r) for r in told] == [(Y2021, "decision")]
    tasks = client.get("/api/todo").json()["tasks"]
    # The 2020 case's model and plan each still wait for review; 2021 is decided.
    assert [(t["kind"], t["campaign"]) for t in tasks if t["agb"] == PROVIDER] == [
        ("review", Y2020),
        ("review", Y2020),
    ]


def test_notes_land_in_their_campaign_and_a_bad_campaign_changes_nothing(mailing):
    app, _ = mailing
    client = client_for(app)
    form = _form(client, Y2021, text="Plan komt in december")
    response = client.post(f"/cases/{PROVIDER}/notes", data=form)
    assert response.headers["location"] == f"/cases/{PROVIDER}{ON_2021}&msg=note"
    new = client.get(f"/api/cases/{PROVIDER}{ON_2021}").json()
    assert [n["text"] for n in new["notes"]] == ["Plan komt in december"]
    assert client.get(f"/api/cases/{PROVIDER}").json()["notes"] == []
    for path, values in (
        ("notes", {"text": "Verkeerde campagne"}),
        ("decisions", {"decision": "rejected", "reason": "Verkeerde campagne"}),
    ):
        bad = {**_form(client, None, **values), "campaign": "kwaliteitsbudget-1999"}
        refused = client.post(f"/cases/{PROVIDER}/{path}", data=bad)
        assert refused.status_code == 400 and "Onbekende campagne" in refused.text
    book = Casebook(app.ledger.engine)
    for year in (Y2020, Y2021):
        assert book.decisions.of_case(year, PROVIDER) == []
    assert [n["text"] for n in book.notes.of_case(Y2021, PROVIDER)] == ["Plan komt in december"]
    assert book.notes.of_case(Y2020, PROVIDER) == []


def test_a_letter_follows_the_campaign_of_its_document(mailing):
    from intake.adapters.smtp import SmtpSender
    from intake.channels import notices
    from intake.domain import Decision, Status
    from intake.service.letters import after_change, current_documents

    app, sink = mailing
    [model] = current_documents(app, PROVIDER, Y2021)
    decision = Decision(Status.ACCEPTED, "Akkoord voor 2021.", "medewerker", datetime.now(UTC))
    send = notices.sender(app, SmtpSender(app.config.smtp))
    for _ in range(2):  # a repeated request mails nothing more
        after_change(app, [(None, model)], event="decision", decision=decision, send=send)
    [mail] = sink.wait_for(1)
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "Akkoord voor 2021." in body and "2021" in body
    outbox = app.folder("outbox")
    assert "Akkoord voor 2021." in (outbox / "geldig-2021.xlsx.html").read_text()
    old = outbox / "aandeel-personeel-laag-toegelicht.xlsx.html"
    assert old.is_file() and "Akkoord voor 2021." not in old.read_text()
    with app.ledger.engine.connect() as c:
        told = c.execute(sa.text("SELECT campaign, event, state FROM letters")).all()
    assert [tuple(r) for r in told] == [(Y2021, "decision", "sent")]


def test_a_register_is_previewed_and_confirmed_per_campaign(tmp_path):
    app = two_campaign_app(tmp_path)
    add_user(Casebook(app.ledger.engine), "beheerder", "admin", PASSWORD)
    admin = client_for(app, "beheerder")
    page = admin.get(f"/register{ON_2021}").text
    assert "gereserveerd_2021" in page and f'value="{Y2021}" selected' in page
    old_2020 = (tmp_path / "registers" / f"{Y2020}.csv").read_bytes()
    target = tmp_path / "registers" / f"{Y2021}.csv"
    changed = target.read_text().replace("1250000.00", "1300000.00").encode()
    preview = admin.post(
        "/register",
        data={"csrf_token": csrf_of(page), "campaign": Y2021},
        files={"file": ("nieuw-2021.csv", changed)},
    )
    assert preview.status_code == 200 and "+RESERVED_MISMATCH" in preview.text
    assert "geldig-2021.xlsx" in preview.text and "aandeel-personeel" not in preview.text
    assert f'<a href="/cases/{PROVIDER}{ON_2021}">' in preview.text  # the 2021 case changes
    assert field_of(preview.text, "campaign") == Y2021
    confirm = admin.post(
        "/register",
        data={
            "csrf_token": csrf_of(page),
            "campaign": field_of(preview.text, "campaign"),
            "upload": field_of(preview.text, "upload"),
            "confirm": "1",
        },
    )
    assert confirm.status_code == 200 and "Nieuw register in gebruik" in confirm.text
    assert b"1300000.00" in target.read_bytes()
    assert (tmp_path / "registers" / f"{Y2020}.csv").read_bytes() == old_2020
    assert (
        _case_of(admin.get("/api/cases", params={"campaign": Y2021}).json()["cases"])["status"]
        == "rejected"
    )
    assert _case_of(admin.get("/api/cases").json()["cases"])["status"] == "review"
    counts = admin.get("/api/todo").json()["counts"]
    assert counts[Y2021]["rejected"] == 1 and counts[Y2020]["rejected"] == 0
    bad = admin.post("/register", data={"csrf_token": csrf_of(page), "campaign": "kb-1999"})
    assert bad.status_code == 400 and "Onbekende campagne" in bad.text
