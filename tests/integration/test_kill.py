"""Kill -9 at random points, on SQLite and on PostgreSQL: nothing lost, nothing twice.

A mail worker (`intake mail --once` against a real Dovecot and aiosmtpd) and a
folder watcher (`intake watch`) are killed with SIGKILL many times: at the named
failpoints (after storing, after the SMTP server took the answer, after answering)
and at moments drawn from a seeded random generator (while judging, while the
slow SMTP server is receiving, while filing). After a clean restart every item
is handled, stored once, and no provider has two answers. Two workers on one
PostgreSQL ledger share 40 mails and answer each exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.storage.ledger import Ledger
from tests.integration.servers import PASSWORD, USER, Dovecot, SmtpSink
from tests.manifest import REGISTER_CSV, SUBMISSIONS

pytestmark = pytest.mark.slow

SEED = 20191231
OFFICE = "zorginkoop.wlz@zorgenzekerheid.nl"
NOV_20 = time.mktime((2019, 11, 20, 10, 30, 0, 0, 0, -1))
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PDF = ("application", "pdf")
MODELS = [
    "geldig-nov2019.xlsx",
    "loonkosten-tekst.xlsx",
    "naam-wijkt-af.xlsx",
    "fte-negatief.xlsx",
    "agb-als-getal.xlsx",
    "gereserveerd-wijkt-af.xlsx",
    "aandeel-personeel-laag.xlsx",
    "niet-besproken-or.xlsx",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite'}"
    return request.getfixturevalue("postgres").new_database()


class SlowSink(SmtpSink):
    """An SMTP server that takes its time over DATA, so kills land mid-conversation."""

    def start(self) -> SlowSink:
        super().start()
        handler = self.controller.handler
        fast = handler.handle_DATA

        async def handle_DATA(server, session, envelope):
            await asyncio.sleep(0.3)
            return await fast(server, session, envelope)

        handler.handle_DATA = handle_DATA
        return self


@pytest.fixture
def servers():
    dovecot = Dovecot().start()
    smtp = SlowSink().start()
    yield dovecot, smtp
    smtp.stop()
    dovecot.remove()


def provider_mail(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Provider <j.devries+{number}@zorggroeprijnland.nl>"
    message["To"] = OFFICE
    message["Subject"] = f"Aanvraag {number}"
    message["Message-ID"] = f"<kill{number}@zorggroeprijnland.nl>"
    message.set_content("Zie bijlage.")
    model = MODELS[number % len(MODELS)]
    message.add_attachment(
        (SUBMISSIONS / model).read_bytes(), maintype=XLSX[0], subtype=XLSX[1], filename=model
    )
    if number % 2 == 0:
        plan = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
        message.add_attachment(plan, maintype=PDF[0], subtype=PDF[1], filename="plan.pdf")
    return message


def message_ids(dovecot: Dovecot, folder: str) -> list[str]:
    client = dovecot.client()
    try:
        client.select(f'"{folder}"', readonly=True)
        _, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    finally:
        client.logout()
    found = [item[1].decode().split(":", 1)[1].strip() for item in data if isinstance(item, tuple)]
    return found


def attachments_of(number: int) -> int:
    return 2 if number % 2 == 0 else 1


def mail_env(tmp_path: Path, dovecot: Dovecot, smtp_port: int, url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return {
        **env,
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_LEDGER_URL": url,
        "INTAKE_IMAP_HOST": "127.0.0.1",
        "INTAKE_IMAP_PORT": str(dovecot.port),
        "INTAKE_IMAP_USER": USER,
        "INTAKE_IMAP_PASSWORD": PASSWORD,
        "INTAKE_IMAP_SECURITY": "none",
        "INTAKE_SMTP_HOST": "127.0.0.1",
        "INTAKE_SMTP_PORT": str(smtp_port),
        "INTAKE_SMTP_SECURITY": "none",
        "INTAKE_SMTP_FROM": OFFICE,
        **extra,
    }


def start(env: dict, *args: str, failpoint: str | None = None) -> subprocess.Popen:
    if failpoint:
        env = {**env, "INTAKE_FAILPOINT": failpoint}
    return subprocess.Popen(
        [sys.executable, "-m", "intake", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)  # reaped: its pid no longer looks alive


def finish(env: dict, *args: str) -> list[subprocess.CompletedProcess]:
    """Clean runs until one does all that is left; each must be free of tracebacks."""
    runs = []
    for _ in range(3):
        done = start(env, *args)
        out, err = done.communicate(timeout=300)
        runs.append(subprocess.CompletedProcess(done.args, done.returncode, out, err))
        assert "Traceback" not in err, err
        if done.returncode == 0:
            break
    return runs


def test_a_mail_worker_killed_again_and_again_loses_nothing_and_answers_once(
    servers, tmp_path, ledger_url
):
    dovecot, smtp = servers
    numbers = range(10)
    for number in numbers:
        dovecot.deliver(provider_mail(number), NOV_20)
    env = mail_env(tmp_path, dovecot, smtp.port, ledger_url)
    rng = random.Random(SEED)
    for point in ("after_store", "after_send", "after_reply"):
        kill_after(start(env, "mail", "--once", failpoint=point), 120)
    for _ in range(8):
        kill_after(start(env, "mail", "--once"), rng.uniform(0.5, 4.0))
    finish(env, "mail", "--once")

    ledger = Ledger.open(ledger_url)
    keys = {f"<kill{n}@zorggroeprijnland.nl>" for n in numbers}
    # A mail whose worker died under it [mailbox] max_attempts times (3) is not tried
    # again but left in Fout for staff, recorded so (a mail that kills its worker must
    # not do so forever). Random kills can land on one mail that often; it is not lost.
    given_up = {k for k in keys if (ledger.mail(k)["error"] or "").startswith("given up")}
    assert len(given_up) <= 2  # eleven kills over ten mails: most mails are not hit thrice
    assert dovecot.count("INBOX") == 0
    assert set(message_ids(dovecot, "Fout")) == given_up
    filed = message_ids(dovecot, "Verwerkt")
    # Nothing lost. A MOVE cut off by the kill can leave a second copy in Verwerkt
    # (the server copied, the expunge never came); the next run files the original.
    assert set(filed) == keys - given_up
    time.sleep(0.5)
    answered = Counter(str(m["In-Reply-To"]) for m in smtp.messages)
    assert max(answered.values()) == 1  # nobody answered twice
    for number in numbers:
        key = f"<kill{number}@zorggroeprijnland.nl>"
        row = ledger.mail(key)
        assert row["state"] in {"moved", "reply_uncertain"} or key in given_up, row
        if row["state"] == "moved":
            assert answered[key] == 1
        assert len(ledger.documents_of_mail(row["id"])) == attachments_of(number)  # stored once
    assert ledger.count("documents") == sum(attachments_of(n) for n in numbers)
    moved = len(ledger.mails_in_state("moved"))
    uncertain = len(ledger.mails_in_state("reply_uncertain"))
    assert uncertain >= 1  # at least the one killed after the SMTP server took the answer
    assert ledger.count("replies") == moved  # the ledger records what it knows went out
    assert moved <= sum(answered.values()) <= moved + uncertain


def test_a_folder_watcher_killed_again_and_again_takes_every_file_once(tmp_path, ledger_url):
    inbox = tmp_path / "data" / "inbox"
    inbox.mkdir(parents=True)
    names = [*MODELS, "kwaliteitsplan-2020.pdf", "kwaliteitsplan-2020-word.docx", "afgekapt.xlsx"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env |= {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_LEDGER_URL": ledger_url,
        "INTAKE_FOLDER_STABLE_SECONDS": "0.2",
        "INTAKE_FOLDER_RESCAN_SECONDS": "1",
    }
    rng = random.Random(SEED)
    waiting = list(names)
    rounds = [*(("file_after_store", "file_after_publish") * 2), *([None] * 8)]
    for point in rounds:
        for _ in range(min(len(waiting), 2)):  # files keep arriving between the kills
            name = waiting.pop(0)
            (inbox / name).write_bytes((SUBMISSIONS / name).read_bytes())
            os.utime(inbox / name, (NOV_20, NOV_20))
        watcher = start(env, "watch", failpoint=point)
        kill_after(watcher, 60 if point else rng.uniform(0.8, 4.0))
    for name in waiting:
        (inbox / name).write_bytes((SUBMISSIONS / name).read_bytes())
    finish(env, "watch", "--once")

    assert sorted(p.name for p in inbox.iterdir()) == []
    ledger = Ledger.open(ledger_url)
    stored = ledger.all_documents()
    assert sorted(d.verdict.file for d in stored) == sorted(names)  # each exactly once
    assert not any("DUPLICATE" in d.verdict.codes for d in stored)
    outbox = tmp_path / "data" / "outbox"
    for name in names:
        assert (outbox / f"{name}.verdict.json").exists()
    assert (tmp_path / "data" / "quarantine" / "afgekapt.xlsx").exists()


def test_two_workers_on_one_postgresql_ledger_answer_each_of_40_mails_once(
    servers, tmp_path, postgres
):
    dovecot, smtp = servers
    numbers = range(40)
    for number in numbers:
        dovecot.deliver(provider_mail(number), NOV_20)
    url = postgres.new_database()  # empty: both workers also race to create the schema
    env = mail_env(tmp_path, dovecot, smtp.port, url, INTAKE_LEDGER_CHANNEL_WORKERS="2")
    workers = [start(env, "mail", "--once") for _ in range(2)]
    results = [w.communicate(timeout=600) for w in workers]
    for worker, (_out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err and "Error" not in err, err
    answered_by = [int(out.split(":")[1].split()[0]) for out, _ in results]
    assert sum(answered_by) == 40 and min(answered_by) > 0  # both did real work

    replies = smtp.wait_for(40, timeout=60)
    time.sleep(1)
    assert len(smtp.messages) == 40
    assert Counter(str(m["In-Reply-To"]) for m in replies) == Counter(
        {f"<kill{n}@zorggroeprijnland.nl>": 1 for n in numbers}
    )
    assert dovecot.count("INBOX") == 0 and dovecot.count("Verwerkt") == 40
    ledger = Ledger.open(url)
    assert ledger.count("mails") == 40 and ledger.count("replies") == 40
    assert ledger.count("documents") == sum(attachments_of(n) for n in numbers)
