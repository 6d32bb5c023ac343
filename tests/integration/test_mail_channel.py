"""The mailbox channel against a real Dovecot and a real SMTP server.

Provider-style mails (forwarded, zipped, Dutch file names, duplicates, unregistered
senders, hostile attachments) go into a fresh mailbox; `intake mail --once` runs as
a separate process, twice; replies, folder moves and ledger rows are checked. The
crash tests kill that process (SIGKILL) at the two dangerous moments.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
import zipfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.storage.ledger import Ledger
from tests.integration.servers import PASSWORD, USER, Dovecot, SmtpSink
from tests.manifest import REGISTER_CSV, SUBMISSIONS

OFFICE = "zorginkoop.wlz@zorgenzekerheid.nl"
CONTACT = "j.devries@zorggroeprijnland.nl"
NOV_20 = datetime(2019, 11, 20, 10, 30).timestamp()
MODEL = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
PLAN = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def mail(
    sender: str,
    subject: str,
    message_id: str,
    attachments=(),
    body: str = "Zie bijlage.",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Provider <{sender}>"
    message["To"] = OFFICE
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    for filename, data, (maintype, subtype) in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


@pytest.fixture
def servers(tmp_path: Path):
    dovecot = Dovecot().start()
    smtp = SmtpSink().start()
    yield dovecot, smtp
    smtp.stop()
    dovecot.remove()


def write_config(tmp_path: Path, dovecot: Dovecot, smtp_port: int) -> Path:
    config = tmp_path / "intake.toml"
    config.write_text(f"""
[general]
data_dir = "{tmp_path / "data"}"
[register]
path = "{REGISTER_CSV}"
[imap]
host = "127.0.0.1"
port = {dovecot.port}
user = "{USER}"
password = "{PASSWORD}"
security = "none"
idle_seconds = 1
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "{OFFICE}"
""")
    return config


def run_intake(
    config: Path, *args: str, failpoint: str | None = None
) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "INTAKE_CONFIG": str(config)}
    env.pop("INTAKE_FAILPOINT", None)
    if failpoint:
        env["INTAKE_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "intake", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def ledger_of(tmp_path: Path) -> Ledger:
    return Ledger.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite'}")


def test_provider_mails_are_judged_answered_once_and_filed(servers, tmp_path):
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)

    # 1. model + plan, Dutch file names (RFC 2231), from a registered contact
    dovecot.deliver(
        mail(
            CONTACT,
            "Aanvraag kwaliteitsbudget 2020",
            "<m1@zorggroeprijnland.nl>",
            [
                ("Aanvraagmodel kwaliteitsbudget 2020 – Zorggroep Rijnland.xlsx", MODEL, XLSX),
                ("Kwaliteitsplan 2020 cliëntenraad-versie.pdf", PLAN, ("application", "pdf")),
            ],
        ),
        NOV_20,
    )
    # 2. a forwarded message with the model inside
    inner = mail(
        CONTACT,
        "aanvraag",
        "<inner@zorggroeprijnland.nl>",
        [("model.xlsx", (SUBMISSIONS / "loonkosten-tekst.xlsx").read_bytes(), XLSX)],
    )
    outer = mail("controller@zorggroeprijnland.nl", "Fwd: aanvraag", "<m2@zorggroeprijnland.nl>")
    outer.add_attachment(inner)
    dovecot.deliver(outer, NOV_20)
    # 3. a zip with model and plan, from a registered domain
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("stukken/aanvraag.xlsx", (SUBMISSIONS / "agb-als-getal.xlsx").read_bytes())
        archive.writestr("stukken/kwaliteitsplan.pdf", PLAN)
    dovecot.deliver(
        mail(
            "bestuur@zorggroeprijnland.nl",
            "Stukken kwaliteitsbudget",
            "<m3@zorggroeprijnland.nl>",
            [("stukken.zip", buffer.getvalue(), ("application", "zip"))],
        ),
        NOV_20,
    )
    # 4. the same message delivered twice
    duplicate = mail(
        CONTACT,
        "Nogmaals",
        "<m4@zorggroeprijnland.nl>",
        [("model.xlsx", (SUBMISSIONS / "naam-wijkt-af.xlsx").read_bytes(), XLSX)],
    )
    dovecot.deliver(duplicate, NOV_20)
    dovecot.deliver(duplicate, NOV_20 + 60)
    # ... and a third time as a resend writes it: other MIME boundary, an added header
    resent = duplicate.as_bytes().replace(duplicate.get_boundary().encode(), b"=_resent_4")
    dovecot.deliver(b"Received: by relay.zorggroeprijnland.nl\r\n" + resent, NOV_20 + 120)
    # 5. an unregistered sender with figures that must not leak
    dovecot.deliver(
        mail(
            "iemand@gmail.com",
            "aanvraag",
            "<m5@gmail.com>",
            [("model.xlsx", (SUBMISSIONS / "gereserveerd-wijkt-af.xlsx").read_bytes(), XLSX)],
        ),
        NOV_20,
    )
    # 6. a hostile attachment and 7. no attachment at all
    dovecot.deliver(
        mail(
            CONTACT,
            "bom",
            "<m6@zorggroeprijnland.nl>",
            [("model.xlsx", (SUBMISSIONS / "zip-bom.xlsx").read_bytes(), XLSX)],
        ),
        NOV_20,
    )
    dovecot.deliver(
        mail(CONTACT, "Vraag", "<m7@zorggroeprijnland.nl>", body="Wat moet ik sturen?"), NOV_20
    )
    # 8. an out-of-office answer: never answered
    dovecot.deliver(
        mail(CONTACT, "Afwezig", "<m8@zorggroeprijnland.nl>", Auto_Submitted="auto-replied"), NOV_20
    )

    first = run_intake(config, "mail", "--once")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    replies = smtp.wait_for(7)
    second = run_intake(config, "mail", "--once")
    assert second.returncode == 0, second.stderr
    time.sleep(0.5)
    assert len(smtp.messages) == 7  # the duplicate and the auto-reply got none; nothing twice

    by_reply_to = {str(r["In-Reply-To"]): r for r in replies}
    assert set(by_reply_to) == {
        *(f"<m{i}@zorggroeprijnland.nl>" for i in (1, 2, 3, 4, 6, 7)),
        "<m5@gmail.com>",
    }

    def text_of(reply: EmailMessage) -> str:
        return reply.get_body(preferencelist=("plain",)).get_content()

    first_reply = by_reply_to["<m1@zorggroeprijnland.nl>"]
    assert first_reply["Subject"] == "Re: Aanvraag kwaliteitsbudget 2020"
    assert first_reply["References"].endswith("<m1@zorggroeprijnland.nl>")
    assert str(first_reply["To"]) == CONTACT
    pdfs = [p for p in first_reply.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")
    assert first_reply.get_body(preferencelist=("html",)) is not None
    assert "compleet en geaccepteerd" in text_of(first_reply)
    assert "€ 1.138.000,00" in text_of(first_reply)
    assert "Kwaliteitsplan 2020 cliëntenraad-versie.pdf" in text_of(first_reply)

    forwarded = text_of(by_reply_to["<m2@zorggroeprijnland.nl>"])
    assert "moet worden hersteld" in forwarded
    assert "E9" in forwarded and "vijftigduizend" in forwarded
    zipped = text_of(by_reply_to["<m3@zorggroeprijnland.nl>"])
    assert "stukken.zip/aanvraag.xlsx" in zipped and "stukken.zip/kwaliteitsplan.pdf" in zipped
    leaked = by_reply_to["<m5@gmail.com>"]
    for part in (text_of(leaked), leaked.get_body(preferencelist=("html",)).get_content()):
        assert "€" not in part and "1.250.000" not in part and "Zorggroep Rijnland" not in part
    assert "niet in orde" in text_of(by_reply_to["<m6@zorggroeprijnland.nl>"])
    assert "geen bijlage" in text_of(by_reply_to["<m7@zorggroeprijnland.nl>"])

    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Verwerkt") == 10
    assert dovecot.count("Fout") == 0
    ledger = ledger_of(tmp_path)
    assert ledger.count("mails") == 8
    assert ledger.count("replies") == 7
    states = {m["message_key"]: m for m in ledger.mails_in_state("moved", "no_reply")}
    assert states["<m4@zorggroeprijnland.nl>"]["duplicates"] == 2
    assert states["<m8@zorggroeprijnland.nl>"]["state"] == "no_reply"
    received = ledger.documents_of_mail(states["<m1@zorggroeprijnland.nl>"]["id"])
    assert [d.verdict.document.value for d in received] == ["aanvraag", "kwaliteitsplan"]
    assert received[0].verdict.received.date().isoformat() == "2019-11-20"  # INTERNALDATE
    gmail = ledger.documents_of_mail(states["<m5@gmail.com>"]["id"])[0].verdict
    assert "SENDER_NOT_REGISTERED" in gmail.codes


@pytest.mark.parametrize("point", ["after_store", "after_reply"])
def test_a_killed_process_loses_no_mail_and_never_answers_twice(servers, tmp_path, point):
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    dovecot.deliver(
        mail(
            CONTACT,
            "Aanvraag",
            "<crash@zorggroeprijnland.nl>",
            [("model.xlsx", MODEL, XLSX), ("plan.pdf", PLAN, ("application", "pdf"))],
        ),
        NOV_20,
    )
    killed = run_intake(config, "mail", "--once", failpoint=point)
    assert killed.returncode == -9, killed.stderr
    time.sleep(0.5)
    assert len(smtp.messages) == (0 if point == "after_store" else 1)
    assert dovecot.count("INBOX") == 1  # not filed yet: nothing lost
    state = ledger_of(tmp_path).mail("<crash@zorggroeprijnland.nl>")["state"]
    assert state == ("judged" if point == "after_store" else "replied")

    again = run_intake(config, "mail", "--once")
    assert again.returncode == 0, again.stderr
    smtp.wait_for(1)
    time.sleep(0.5)
    assert len(smtp.messages) == 1
    assert dovecot.count("INBOX") == 0 and dovecot.count("Verwerkt") == 1
    ledger = ledger_of(tmp_path)
    assert ledger.mail("<crash@zorggroeprijnland.nl>")["state"] == "moved"
    assert ledger.count("documents") == 2  # judged once, not again after the restart


def test_failed_message_goes_to_failed_folder_and_the_sweep_retries_it(servers, tmp_path):
    dovecot, smtp = servers
    closed_port = SmtpSink().port  # nothing listens there
    config = write_config(tmp_path, dovecot, closed_port)
    dovecot.deliver(
        mail(CONTACT, "Aanvraag", "<retry@zorggroeprijnland.nl>", [("model.xlsx", MODEL, XLSX)]),
        NOV_20,
    )
    failed = run_intake(config, "mail", "--once")
    assert failed.returncode == 1
    assert dovecot.count("Fout") == 1 and dovecot.count("INBOX") == 0
    row = ledger_of(tmp_path).mail("<retry@zorggroeprijnland.nl>")
    assert row["state"] == "judged" and "answer not sent" in row["error"]

    config = write_config(tmp_path, dovecot, smtp.port)
    swept = run_intake(config, "sweep")
    assert swept.returncode == 0, swept.stderr
    assert len(smtp.wait_for(1)) == 1
    assert dovecot.count("Fout") == 0 and dovecot.count("Verwerkt") == 1
    assert ledger_of(tmp_path).mail("<retry@zorggroeprijnland.nl>")["state"] == "moved"
    assert list((tmp_path / "data" / "outbox").glob("digest-*.pdf"))


def test_idle_watch_survives_a_server_restart(servers, tmp_path):
    from intake.bootstrap import build_app
    from intake.channels.mail import MailChannel
    from intake.config import load

    dovecot, smtp = servers
    app = build_app(load(write_config(tmp_path, dovecot, smtp.port)))
    stop = threading.Event()
    watcher = threading.Thread(target=MailChannel(app).watch, args=(stop,), daemon=True)
    watcher.start()
    try:
        dovecot.deliver(
            mail(CONTACT, "Eerste", "<idle1@zorggroeprijnland.nl>", [("model.xlsx", MODEL, XLSX)]),
            NOV_20,
        )
        smtp.wait_for(1, timeout=30)
        dovecot.stop()  # the server drops the connection
        time.sleep(1.5)
        dovecot.start()
        dovecot.deliver(
            mail(
                CONTACT,
                "Tweede",
                "<idle2@zorggroeprijnland.nl>",
                [("plan.pdf", PLAN, ("application", "pdf"))],
            ),
            NOV_20,
        )
        replies = smtp.wait_for(2, timeout=60)
        assert {str(r["In-Reply-To"]) for r in replies} == {
            "<idle1@zorggroeprijnland.nl>",
            "<idle2@zorggroeprijnland.nl>",
        }
    finally:
        stop.set()
        watcher.join(timeout=30)


def test_a_mail_that_keeps_failing_is_tried_a_bounded_number_of_times(servers, tmp_path):
    dovecot, _ = servers
    closed_port = SmtpSink().port  # the answer can never be sent
    config = write_config(tmp_path, dovecot, closed_port)
    dovecot.deliver(
        mail(CONTACT, "Aanvraag", "<bounded@zorggroeprijnland.nl>", [("model.xlsx", MODEL, XLSX)]),
        NOV_20,
    )
    for _ in range(4):  # the first run plus the sweep's retries
        result = run_intake(config, "sweep")
        assert "Traceback" not in result.stderr
    row = ledger_of(tmp_path).mail("<bounded@zorggroeprijnland.nl>")
    assert row["attempts"] == 3  # [mailbox] max_attempts: the fourth run did not try again
    assert row["error"].startswith("given up after 3 attempts")
    assert dovecot.count("Fout") == 1 and dovecot.count("INBOX") == 0
    assert ledger_of(tmp_path).count("documents") == 1  # judged once, not per attempt
    digest = sorted((tmp_path / "data" / "outbox").glob("digest-*.html"))[-1].read_text()
    assert "given up after 3 attempts" in digest


def test_an_address_the_server_refuses_for_good_is_not_tried_again(servers, tmp_path):
    dovecot, _ = servers
    refusing = SmtpSink(refuse={CONTACT}).start()
    try:
        config = write_config(tmp_path, dovecot, refusing.port)
        dovecot.deliver(
            mail(CONTACT, "Aanvraag", "<refused@zorggroeprijnland.nl>", [("m.xlsx", MODEL, XLSX)]),
            NOV_20,
        )
        result = run_intake(config, "mail", "--once")
        assert result.returncode == 0, result.stderr
        row = ledger_of(tmp_path).mail("<refused@zorggroeprijnland.nl>")
        assert row["state"] == "no_reply" and "refused" in row["error"]
        assert dovecot.count("Verwerkt") == 1 and dovecot.count("Fout") == 0
        assert refusing.messages == []
    finally:
        refusing.stop()


def test_the_watcher_logs_and_retries_a_server_it_cannot_verify(tmp_path, caplog):
    import logging
    from dataclasses import replace

    from intake.bootstrap import build_app
    from intake.channels.mail import MailChannel
    from intake.config import load
    from tests.mailcraft import make_pki

    pki, _ = make_pki(tmp_path / "pki", "mail.example.org", "wrong")
    dovecot = Dovecot(tls=(pki.cert_file, pki.key_file)).start()
    try:
        app = build_app(load(write_config(tmp_path, dovecot, 1)))
        imap = replace(app.config.imap, security="ssl", port=dovecot.tls_port)
        app.config = replace(app.config, imap=imap)
        stop = threading.Event()
        with caplog.at_level(logging.WARNING, logger="intake.channels.mail"):
            watcher = threading.Thread(target=MailChannel(app).watch, args=(stop,), daemon=True)
            watcher.start()
            time.sleep(4)  # back-off 1 s, 2 s: at least two attempts
            stop.set()
            watcher.join(timeout=30)
        refused = [r for r in caplog.records if "TLS certificate not trusted" in r.getMessage()]
        assert len(refused) >= 2 and not watcher.is_alive()
    finally:
        dovecot.remove()


def test_an_encrypted_mail_is_answered_with_what_to_do_and_shown_to_staff(servers, tmp_path):
    from intake.storage.casebook import Casebook
    from tests.mailcraft import smime_enveloped

    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    inner = mail(CONTACT, "Aanvraag", "<inner-enc@zorggroeprijnland.nl>", [("m.xlsx", MODEL, XLSX)])
    dovecot.deliver(smime_enveloped(inner, CONTACT, "<enc@zorggroeprijnland.nl>"), NOV_20)
    done = run_intake(config, "mail", "--once")
    assert done.returncode == 0, done.stderr  # the mailbox did its job
    [reply] = smtp.wait_for(1)
    text = reply.get_body(preferencelist=("plain",)).get_content()
    assert "Uw e-mail is versleuteld (S/MIME)" in text and "zonder versleuteling" in text
    ledger = ledger_of(tmp_path)
    row = ledger.mail("<enc@zorggroeprijnland.nl>")
    [stored] = ledger.documents_of_mail(row["id"])
    assert stored.verdict.codes == ["MAIL_ENCRYPTED"]
    assert stored.verdict.signals["mail_encrypted"] == "S/MIME"
    waiting = Casebook(ledger.engine).mails.unanswered_codes("MAIL_ENCRYPTED")
    assert [w["sender"] for w in waiting] == [CONTACT]  # on the staff's to-do list

    dovecot.deliver(
        mail(CONTACT, "Opnieuw", "<plain@zorggroeprijnland.nl>", [("m.xlsx", MODEL, XLSX)]),
        NOV_20 + 60,
    )
    run_intake(config, "mail", "--once")
    smtp.wait_for(2)
    assert Casebook(ledger.engine).mails.unanswered_codes("MAIL_ENCRYPTED") == []
