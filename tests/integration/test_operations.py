"""What operations rely on: exit codes, a sweep that survives partial failure and always
writes the digest, and a drop folder that resumes where it failed without storing twice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intake.adapters.smtp import SmtpSender
from intake.bootstrap import build_app
from intake.channels import folder
from intake.channels.sweep import sweep
from intake.config import SmtpSection, load
from intake.domain import DocumentKind
from intake.storage.casebook import Casebook
from intake.storage.claims import Claims, Worker
from tests.integration.commands import intake
from tests.integration.servers import SmtpSink, free_port
from tests.manifest import REGISTER_CSV, SUBMISSIONS

NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC).timestamp()


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_FOLDER_STABLE_SECONDS": "0",
        **extra,
    }


def drop(inbox: Path, name: str, source: str | None = None) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / name
    target.write_bytes((SUBMISSIONS / (source or name)).read_bytes())
    os.utime(target, (NOV_20, NOV_20))
    return target


def test_sweep_exits_0_when_files_are_rejected(tmp_path):
    env = environment(tmp_path)
    drop(tmp_path / "data" / "inbox", "fte-negatief.xlsx")
    done = intake(env, "sweep")
    assert done.returncode == 0, done.stderr
    verdict = json.loads((tmp_path / "data/outbox/fte-negatief.xlsx.verdict.json").read_text())
    assert verdict["status"] == "rejected"
    assert intake(env, "watch", "--once").returncode == 0


def test_unreachable_mailbox_exits_1_after_the_rest_and_the_digest(tmp_path):
    env = environment(
        tmp_path,
        INTAKE_IMAP_HOST="127.0.0.1",
        INTAKE_IMAP_PORT=str(free_port()),  # nothing listens there
        INTAKE_IMAP_USER="zorginkoop.wlz",
        INTAKE_IMAP_SECURITY="none",
        INTAKE_IMAP_TIMEOUT="5",
    )
    drop(tmp_path / "data" / "inbox", "geldig-nov2019.xlsx")
    done = intake(env, "sweep")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "mailbox" in done.stderr
    assert not (tmp_path / "data/inbox/geldig-nov2019.xlsx").exists()  # the folder was done
    [digest] = (tmp_path / "data" / "outbox").glob("digest-*.html")
    assert "mailbox" in digest.read_text() and "ConnectionRefusedError" in digest.read_text()
    once = intake(env, "mail", "--once")
    assert once.returncode == 1 and "niet bereikbaar" in once.stderr
    assert "Traceback" not in once.stderr


def test_configuration_errors_exit_2(tmp_path):
    env = environment(tmp_path, INTAKE_IMAP_HOST="imap.example.nl", INTAKE_IMAP_SECURITY="tls")
    for args in (("sweep",), ("mail", "--once"), ("watch", "--once")):
        done = intake(env, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "security" in done.stderr and "Traceback" not in done.stderr
    done = intake(environment(tmp_path), "--config", str(tmp_path / "missing.toml"), "sweep")
    assert done.returncode == 2


def test_a_run_that_finds_its_channel_busy_says_so_and_exits_0(tmp_path):
    env = environment(tmp_path)
    app = build_app(load(None, env))
    drop(app.folder("inbox"), "geldig-nov2019.xlsx")
    watcher = Claims(app.ledger.engine, Worker(), timedelta(minutes=5))  # a live watcher
    assert watcher.claim("channel:folder#0")
    busy = intake(env, "watch", "--once")
    assert busy.returncode == 0 and "andere verwerking" in busy.stdout
    assert (app.folder("inbox") / "geldig-nov2019.xlsx").exists()  # left alone
    assert watcher.claim("channel:sweep#0")
    assert intake(env, "sweep").returncode == 0
    assert (app.folder("inbox") / "geldig-nov2019.xlsx").exists()
    watcher.release("channel:folder#0")
    watcher.release("channel:sweep#0")
    assert intake(env, "watch", "--once").returncode == 0
    assert not (app.folder("inbox") / "geldig-nov2019.xlsx").exists()


class RefusingSink(SmtpSink):
    """An SMTP server that refuses one recipient, as a full mailbox or a typo would."""

    refused: str = ""

    def start(self) -> RefusingSink:
        super().start()
        refused = self.refused
        handler = self.controller.handler

        async def handle_RCPT(server, session, envelope, address, options):
            if address == refused:
                return "550 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        handler.handle_RCPT = handle_RCPT
        return self


def test_one_reminder_that_fails_does_not_stop_the_others_or_the_digest(tmp_path):
    app = build_app(load(None, environment(tmp_path)))
    drop(app.folder("inbox"), "geldig-nov2019.xlsx")
    assert len(folder.run_once(app)) == 1
    stored = app.ledger.documents_of_provider("73730123")[0]
    with app.ledger.transaction() as conn:  # a second provider whose pair is incomplete
        app.ledger.record_provider_document(
            conn, "73730456", None, DocumentKind.AANVRAAG, stored.id, None
        )
    sink = RefusingSink()
    sink.refused = "j.devries@zorggroeprijnland.nl"
    sink.start()
    try:
        smtp = SmtpSender(SmtpSection(host="127.0.0.1", port=sink.port, security="none"))
        result = sweep(app, smtp=smtp, now=datetime.now(UTC) + timedelta(days=3))
        assert result.reminded == ["73730456"]
        assert result.failed and "73730123" in result.problems[0]
        assert [str(m["To"]) for m in sink.wait_for(1)] == ["kwaliteit@amstelringzorg.nl"]
        assert result.digest and "73730123" in result.digest[0].read_text()
        assert app.ledger.provider("73730123")["last_reminder_at"] is None  # tried again later
        assert Casebook(app.ledger.engine).audit.last_activity("sweep") is not None  # for /healthz
    finally:
        sink.stop()


def test_a_failure_after_storing_resumes_without_storing_twice(tmp_path):
    app = build_app(load(None, environment(tmp_path)))
    path = drop(app.folder("inbox"), "geldig-nov2019.xlsx")
    outbox = app.config.folder_path("outbox")
    outbox.parent.mkdir(parents=True, exist_ok=True)
    outbox.write_text("not a folder")  # rendering the reports fails after the document is stored
    failed = folder.run_once(app)
    assert list(failed) == [] and failed.failed and path.exists()
    assert app.ledger.count("documents") == 1
    outbox.unlink()
    [verdict] = folder.run_once(app)
    assert app.ledger.count("documents") == 1  # resumed: not judged or stored again
    assert "DUPLICATE" not in verdict.codes
    assert (outbox / "geldig-nov2019.xlsx.verdict.json").exists() and not path.exists()
    assert folder.run_once(app) == []


def test_a_file_that_keeps_failing_is_given_up_after_bounded_attempts(tmp_path):
    env = environment(tmp_path, INTAKE_FOLDER_MAX_ATTEMPTS="3")
    app = build_app(load(None, env))
    inbox = app.folder("inbox")
    drop(inbox, "geldig-nov2019.xlsx")
    if shutil.which("chattr") is None:
        pytest.skip("chattr (e2fsprogs) is needed to make the inbox refuse deletions")
    # Append-only: files can be read but not removed, as in a sticky-bit inbox of
    # another user (which root, running the tests, would not feel).
    if subprocess.run(["chattr", "+a", str(inbox)], capture_output=True).returncode:
        pytest.skip("this file system has no append-only attribute")
    try:
        passes = [folder.run_once(app) for _ in range(5)]
    finally:
        subprocess.run(["chattr", "-a", str(inbox)], check=True)
    assert [len(p.failed) for p in passes] == [1, 1, 1, 0, 0]  # given up: not tried again
    assert app.ledger.count("documents") == 1  # stored once, however often it was tried
    [item] = app.ledger.folder_items.given_up()
    assert item.attempts == 3 and "PermissionError" in item.error
    assert (inbox / "geldig-nov2019.xlsx").exists()  # never deleted: staff decide
    done = intake(env, "sweep")
    assert done.returncode == 0, done.stderr
    [digest] = app.folder("outbox").glob("digest-*.html")
    assert "geldig-nov2019.xlsx" in digest.read_text() and "opgegeven" in digest.read_text()


def test_a_very_long_file_name_is_taken_once_with_reports_that_fit(tmp_path):
    app = build_app(load(None, environment(tmp_path)))
    name = "Aanvraag kwaliteitsbudget 2020 " + "zeer lange naam " * 13 + ".xlsx"
    assert len(name.encode()) <= 255 < len(name.encode()) + len(".verdict.json")
    path = drop(app.folder("inbox"), name, "geldig-nov2019.xlsx")
    [verdict] = folder.run_once(app)
    assert verdict.file == name and not path.exists()
    reports = list(app.folder("outbox").glob("*.verdict.json"))
    assert len(reports) == 1 and all(len(p.name.encode()) <= 255 for p in reports)
    assert folder.run_once(app) == [] and app.ledger.count("documents") == 1


def test_a_digest_that_cannot_be_mailed_is_work_not_done(tmp_path):
    sink = RefusingSink()
    sink.refused = "staf@zorgenzekerheid.nl"
    sink.start()
    try:
        env = environment(
            tmp_path,
            INTAKE_SMTP_HOST="127.0.0.1",
            INTAKE_SMTP_PORT=str(sink.port),
            INTAKE_SMTP_SECURITY="none",
            INTAKE_DESK_DIGEST_TO="staf@zorgenzekerheid.nl",
        )
        drop(tmp_path / "data" / "inbox", "geldig-nov2019.xlsx")
        done = intake(env, "sweep")
        assert done.returncode == 1, done.stderr
        assert "dagoverzicht mailen" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "data/inbox/geldig-nov2019.xlsx").exists()  # the rest was done
        assert list((tmp_path / "data" / "outbox").glob("digest-*.html"))
        app = build_app(load(None, env))
        assert Casebook(app.ledger.engine).audit.last_activity("sweep") is not None  # ran after it
    finally:
        sink.stop()
    sink = SmtpSink().start()
    try:
        env["INTAKE_SMTP_PORT"] = str(sink.port)
        again = intake(env, "sweep")
        assert again.returncode == 0, again.stderr
        assert [str(m["To"]) for m in sink.wait_for(1)] == ["staf@zorgenzekerheid.nl"]
    finally:
        sink.stop()
