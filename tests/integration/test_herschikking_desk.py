"""The herschikking at the desk over HTTP: upload, preview, confirm, mail each letter once."""

from __future__ import annotations

import json
import threading
import time

import pytest

from intake.storage import letters as told
from intake.storage.casebook import Casebook
from tests.integration.desk import client_for, csrf_of, seeded_app
from tests.integration.servers import SmtpSink
from tests.manifest import FIXTURES

DECLARATIONS = FIXTURES / "herschikking" / "declaraties-2020.csv"


@pytest.fixture
def desk(tmp_path):
    sink = SmtpSink().start()
    app = seeded_app(tmp_path, smtp_port=sink.port)
    yield app, sink
    sink.stop()


def _upload(client, content: bytes, budget: str = ""):
    token = csrf_of(client.get("/herschikking").text)
    return client.post(
        "/herschikking",
        data={"csrf_token": token, "regional_budget": budget},
        files={"file": ("declaraties.csv", content, "text/csv")},
    )


def _step(client, action: str, key: str):
    token = csrf_of(client.get("/herschikking").text)
    return client.post("/herschikking", data={"csrf_token": token, "action": action, "key": key})


def test_staff_may_not_use_it_and_bad_rows_are_refused_with_their_lines(desk):
    app, _sink = desk
    assert client_for(app).get("/herschikking").status_code == 403
    admin = client_for(app, "beheerder")
    bad = (
        b"agb_code,naam,goedgekeurd_jan_jun,omzetderving,maatwerk\n"
        b"73730123,A,1000,0,0\n"
        b"73730456,B,veel,0,0\n"
        b"73730123,C,1000,-2,0\n"
    )
    response = _upload(admin, bad)
    assert response.status_code == 400
    assert "regel 3, kolom goedgekeurd_jan_jun" in response.text
    assert "regel 4, kolom agb_code" in response.text  # the AGB code twice
    assert "regel 4, kolom omzetderving" in response.text
    too_small = _upload(admin, DECLARATIONS.read_bytes(), budget="1.000,00")
    assert too_small.status_code == 400 and "dekt de omzetderving" in too_small.text
    assert not (app.folder("outbox") / "herschikking").exists()


def test_preview_confirm_and_the_letters_are_mailed_exactly_once(desk):
    app, sink = desk
    admin = client_for(app, "beheerder")
    preview = _upload(admin, DECLARATIONS.read_bytes(), budget="40.000.000,00")
    assert preview.status_code == 200, preview.text
    page = preview.text
    assert "0,55616187%" in page and "€ 40.000.000,00" in page
    assert "€ 9.748.751,28" in page  # Zorggroep Rijnland's herschikking
    assert page.count("niet in register") == 1  # the newcomer, flagged
    key = page.split('name="key" value="')[1].split('"')[0]
    assert not (app.folder("outbox") / "herschikking").exists()  # nothing before the confirm

    early = _step(admin, "mail", key)
    assert early.status_code == 400 and "Bevestig de herschikking" in early.text

    confirmed = _step(admin, "confirm", key)
    assert confirmed.status_code == 200 and "Herschikking bevestigd" in confirmed.text
    folder = next((app.folder("outbox") / "herschikking").iterdir())
    rows = json.loads((folder / "herschikking-2020.json").read_text(encoding="utf-8"))
    assert rows[0]["agb"] == "73730123" and rows[0]["total"] == 9748751.28
    assert (folder / "herschikking-2020.xlsx").is_file()
    assert (folder / "brieven" / "herschikking-73730123.pdf").is_file()

    # Three double-clicks at once, then once more: every provider gets one letter.
    results = []

    def mail():
        results.append(_step(admin, "mail", key).status_code)

    threads = [threading.Thread(target=mail) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    again = _step(admin, "mail", key)
    assert results == [200, 200, 200] and again.status_code == 200
    assert "0 verzonden, 3 waren al eerder verzonden" in again.text
    messages = sink.wait_for(3)
    time.sleep(0.5)
    assert len(sink.messages) == 3
    assert sorted(str(m["To"]) for m in messages) == [
        "info@dekreek.nl",
        "j.devries@zorggroeprijnland.nl",
        "kwaliteit@amstelringzorg.nl",
    ]
    rijnland = next(m for m in messages if str(m["To"]) == "j.devries@zorggroeprijnland.nl")
    assert "€ 9.748.751,28" in rijnland.get_body(("plain",)).get_content()
    assert "17-09-2020" in rijnland.get_body(("html",)).get_content()
    states = sorted(
        r["state"] for r in told.of_event(app.ledger, "herschikking-2020", "herschikking")
    )
    assert states == ["no_recipient", "no_recipient", "sent", "sent", "sent"]
    actions = [a["action"] for a in Casebook(app.ledger.engine).audit._all(_audit())]
    assert "herschikking" in actions and "herschikking_mail" in actions


def _audit():
    import sqlalchemy as sa

    from intake.storage.tables import audit

    return sa.select(audit).order_by(audit.c.id)
