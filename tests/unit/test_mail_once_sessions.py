"""`mail --once` ends or hands on its IMAP session on every path, and opens the ledger
only for mail: a timer may start it every few minutes, and a session left open each time
would pile up at the mail server. (Against real Dovecot: test_mail_startup.py.)"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

import intake.adapters.imap as imap
from intake.channels.mail import MailChannel
from intake.channels.mailwork import MailStats
from intake.cli import cli
from tests.integration.servers import free_port


class FakeMailbox:
    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        self.logouts = 0

    def logout(self) -> None:
        self.logouts += 1


@pytest.fixture
def mailbox(monkeypatch) -> FakeMailbox:
    box = FakeMailbox(0)
    monkeypatch.setattr(imap, "connect", lambda config: box)
    monkeypatch.setattr(imap, "ensure_folders", lambda mailbox, config: None)
    monkeypatch.setattr(imap, "message_count", lambda mailbox, folder: mailbox.waiting)
    for name in [n for n in os.environ if n.startswith("INTAKE_")]:
        monkeypatch.delenv(name)
    return box


def _mail_once(tmp_path, **env: str):  # type: ignore[no-untyped-def]
    base = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_IMAP_HOST": "127.0.0.1",
        "INTAKE_IMAP_USER": "zorginkoop.wlz",
    }
    return CliRunner().invoke(cli, ["mail", "--once"], env={**base, **env})


def test_an_empty_mailbox_ends_the_session_and_leaves_the_ledger_alone(mailbox, tmp_path):
    done = _mail_once(tmp_path)
    assert done.exit_code == 0, done.output
    assert mailbox.logouts == 1
    assert not (tmp_path / "data" / "ledger.sqlite").exists()


def test_mail_and_an_unreachable_ledger_end_the_session_with_exit_2(mailbox, tmp_path):
    mailbox.waiting = 1
    nowhere = f"postgresql+psycopg://intake@127.0.0.1:{free_port()}/intake?connect_timeout=3"
    done = _mail_once(tmp_path, INTAKE_LEDGER_URL=nowhere)
    assert done.exit_code == 2, done.output
    assert mailbox.logouts == 1


def test_the_session_that_found_mail_is_the_one_the_pass_reads(mailbox, tmp_path, monkeypatch):
    mailbox.waiting = 1
    handed: list = []

    def run_once(self, *, retry_failed=False, progress=None, mailbox=None):
        handed.append(mailbox)
        return MailStats()

    monkeypatch.setattr(MailChannel, "run_once", run_once)
    done = _mail_once(tmp_path)
    assert done.exit_code == 0, done.output
    assert handed == [mailbox]
    assert (tmp_path / "data" / "ledger.sqlite").exists()
