"""Letters rendered again when the application changes, mailed once when its outcome did."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest

from intake.adapters.smtp import SmtpSender
from intake.bootstrap import build_app
from intake.campaign.register import load_register
from intake.channels import folder, notices
from intake.config import SmtpSection, load
from intake.domain import Decision, Status
from intake.service import rejudge
from intake.service.letters import after_change, current_documents
from tests.integration.servers import SmtpSink
from tests.integration.test_folder_channel import drop
from tests.manifest import REGISTER_CSV

AGB = "73730123"


def _app(tmp_path, register=REGISTER_CSV):
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(register),
        "INTAKE_FOLDER_STABLE_SECONDS": "1",
        "INTAKE_SMTP_FROM": "zorginkoop.wlz@zorgenzekerheid.nl",
    }
    return build_app(load(None, env))


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def test_rejudge_renders_again_and_mails_the_changed_outcome_once(tmp_path, smtp):
    app = _app(tmp_path)
    sender = SmtpSender(SmtpSection(host="127.0.0.1", port=smtp.port, security="none"))
    drop(app, "geldig-nov2019.xlsx")
    drop(app, "kwaliteitsplan-2020.pdf")
    folder.run_once(app)
    from intake.service import settle_pairs

    settle_pairs(app)  # the pair completes: letters again, the outcome did not change
    assert notices.send_due(app, sender) == 0
    outbox = app.folder("outbox")
    assert "compleet en geaccepteerd" in _pdf_text(outbox / "kwaliteitsplan-2020.pdf.pdf")

    changed = tmp_path / "register-nieuw.csv"
    changed.write_text(REGISTER_CSV.read_text().replace("1250000.00", "1300000.00"))
    updated = _app(tmp_path, changed)
    assert [c.after.file for c in rejudge(updated)] == ["geldig-nov2019.xlsx"]
    plan_letter = _pdf_text(outbox / "kwaliteitsplan-2020.pdf.pdf")
    assert (
        "geaccepteerd" not in plan_letter
        and "het aanvraagmodel moet worden hersteld" in plan_letter
    )

    assert notices.send_due(updated, sender) == 1
    assert notices.send_due(updated, sender) == 0  # once
    old_register = load_register(REGISTER_CSV)
    assert rejudge(updated, register=old_register, dry_run=True) != []  # a preview tells nobody
    assert notices.send_due(updated, sender) == 0
    assert rejudge(updated) == []  # nothing changed again: nothing to tell
    assert notices.send_due(updated, sender) == 0
    [mail] = smtp.wait_for(1)
    assert str(mail["To"]) == "j.devries@zorggroeprijnland.nl"
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "het aanvraagmodel moet worden hersteld" in body and "RESERVED" not in body


def test_a_staff_decision_is_in_the_letter_and_mailed_once(tmp_path, smtp):
    app = _app(tmp_path)
    drop(app, "aandeel-personeel-laag-toegelicht.xlsx")
    drop(app, "kwaliteitsplan-2020.pdf")
    folder.run_once(app)
    decision = Decision(
        Status.ACCEPTED, "De toelichting is voldoende.", "medewerker", datetime.now(UTC)
    )
    sender = SmtpSender(SmtpSection(host="127.0.0.1", port=smtp.port, security="none"))
    model = next(
        v
        for v in current_documents(app, AGB, "kwaliteitsbudget-2020")
        if v.document.value == "aanvraag"
    )
    for _ in range(2):  # a repeated request mails nothing more
        after_change(
            app,
            [(None, model)],
            event="decision",
            decision=decision,
            send=notices.sender(app, sender),
        )
    [mail] = smtp.wait_for(1)
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "besloten: uw aanvraag kwaliteitsbudget 2020 is geaccepteerd" in body
    assert "De toelichting is voldoende." in body
    letter = _pdf_text(app.folder("outbox") / "aandeel-personeel-laag-toegelicht.xlsx.pdf")
    assert "De toelichting is voldoende." in letter


def test_a_desk_decision_stands_in_the_letters_and_a_rejudge_mails_nothing(tmp_path, smtp):
    from intake.casework.decide import decide

    app = _app(tmp_path)
    sender = SmtpSender(SmtpSection(host="127.0.0.1", port=smtp.port, security="none"))
    drop(app, "geldig-nov2019.xlsx")
    drop(app, "kwaliteitsplan-2020.pdf")
    folder.run_once(app)
    form = {
        "decision": "rejected",
        "reason": "Plan en model horen niet bij elkaar.",
        "idempotency_key": "besluit-0001",
    }
    decide(app, AGB, form, "medewerker", None)
    outbox = app.folder("outbox")
    for name in ("geldig-nov2019.xlsx.pdf", "kwaliteitsplan-2020.pdf.pdf"):
        text = _pdf_text(outbox / name)
        assert "Plan en model horen niet bij elkaar." in text and "geaccepteerd" not in text

    changed = tmp_path / "register-nieuw.csv"
    changed.write_text(REGISTER_CSV.read_text().replace("1250000.00", "1300000.00"))
    updated = _app(tmp_path, changed)
    assert rejudge(updated) != []
    assert notices.send_due(updated, sender) == 0  # the decision stands: nothing new to tell
    assert "Plan en model horen niet bij elkaar." in _pdf_text(outbox / "geldig-nov2019.xlsx.pdf")
