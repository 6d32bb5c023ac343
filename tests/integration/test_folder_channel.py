"""The drop folder with real files: slow writers, lock files, quarantine, pairing."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intake.bootstrap import build_app
from intake.channels import folder
from intake.channels.sweep import send_reminders, sweep
from intake.config import load
from tests.integration.servers import SmtpSink
from tests.manifest import REGISTER_CSV, SUBMISSIONS

NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC).timestamp()


@pytest.fixture
def app(tmp_path: Path):
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_FOLDER_STABLE_SECONDS": "1",
    }
    return build_app(load(None, env))


def drop(app, name: str, source: str | None = None, when: float = NOV_20) -> Path:
    target = app.folder("inbox") / name
    target.write_bytes((SUBMISSIONS / (source or name)).read_bytes())
    os.utime(target, (when, when))
    return target


def test_a_file_is_taken_archived_reported_and_removed(app):
    path = drop(app, "geldig-nov2019.xlsx")
    [verdict] = folder.run_once(app)
    assert not path.exists()
    assert verdict.status.value == "review" and verdict.codes == ["PLAN_MISSING", "ADVANCE_LATER"]
    assert verdict.received.date().isoformat() == "2019-11-20"  # the file's mtime
    outbox = app.folder("outbox")
    for suffix in (".html", ".pdf", ".verdict.json", ".staff.html"):
        assert (outbox / f"geldig-nov2019.xlsx{suffix}").exists()
    stored = json.loads((outbox / "geldig-nov2019.xlsx.verdict.json").read_text())
    assert stored["sha256"] == verdict.sha256
    archived = app.archive.get(verdict.sha256)
    assert archived == ("geldig-nov2019.xlsx", (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes())


def test_lock_and_temporary_files_are_never_taken(app):
    inbox = app.folder("inbox")
    for name in ("~$geldig.xlsx", ".~lock.geldig.xlsx#", "scan.pdf.part", ".verborgen.xlsx"):
        (inbox / name).write_bytes(b"x")
        os.utime(inbox / name, (NOV_20, NOV_20))
    assert folder.run_once(app) == []
    assert len(list(inbox.iterdir())) == 4


def test_unreadable_file_goes_to_quarantine_with_its_verdict(app):
    drop(app, "afgekapt.xlsx")
    [verdict] = folder.run_once(app)
    quarantine = app.folder("quarantine")
    assert (quarantine / "afgekapt.xlsx").read_bytes() == (
        SUBMISSIONS / "afgekapt.xlsx"
    ).read_bytes()
    beside = json.loads((quarantine / "afgekapt.xlsx.verdict.json").read_text())
    assert beside["findings"][0]["code"] == "FILE_UNREADABLE"
    assert verdict.status.value == "rejected"


def test_a_file_written_slowly_in_pieces_is_taken_only_when_complete(app):
    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    target = app.folder("inbox") / "traag.xlsx"
    done = threading.Event()

    def writer() -> None:
        with target.open("wb") as fh:
            for start in range(0, len(data), 2048):
                fh.write(data[start : start + 2048])
                fh.flush()
                time.sleep(0.3)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    tracker = folder.StabilityTracker(delay=1.0)
    taken = []
    deadline = time.monotonic() + 30
    while not taken and time.monotonic() < deadline:
        taken = folder.run_pass(app, tracker)
        if taken:
            assert done.is_set(), "a half-written file was taken"
        time.sleep(0.2)
    thread.join()
    assert taken and taken[0].sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert taken[0].document.value == "aanvraag"


def test_watch_mode_takes_a_dropped_file(app):
    stop = threading.Event()
    watcher = threading.Thread(target=folder.watch, args=(app, stop), daemon=True)
    watcher.start()
    try:
        time.sleep(0.5)
        drop(app, "kwaliteitsplan-2020.pdf")
        verdict_file = app.folder("outbox") / "kwaliteitsplan-2020.pdf.verdict.json"
        deadline = time.monotonic() + 20
        while not verdict_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert verdict_file.exists()
    finally:
        stop.set()
        watcher.join(timeout=10)


def test_pairing_newest_model_wins_and_sweep_settles_the_pair(app):
    drop(app, "a.xlsx", "loonkosten-tekst.xlsx")
    drop(app, "b.xlsx", "geldig-nov2019.xlsx", when=NOV_20 + 60)
    first = folder.run_once(app)
    assert all("PLAN_MISSING" in v.codes for v in first)
    state = app.ledger.provider("73730123")
    newest = app.ledger.document(state["model_document_id"]).verdict
    assert newest.file == "b.xlsx"  # the newer model supersedes the older one

    drop(app, "plan.pdf", "kwaliteitsplan-2020.pdf")
    result = sweep(app, now=datetime(2019, 11, 21, tzinfo=UTC))
    assert [v.file for v in result.folder] == ["plan.pdf"]
    assert result.folder[0].codes == ["PLAN_COUNCILS"]  # the model is already there; info only
    assert {v.file for v in result.settled} == {"a.xlsx", "b.xlsx"}
    assert app.ledger.document(state["model_document_id"]).verdict.status.value == "accepted"
    html = next(app.folder("outbox").glob("digest-*.html")).read_text()
    assert "<td>73730123</td><td>Zorggroep Rijnland</td><td>geaccepteerd</td>" in html


def test_reminder_at_most_once_per_interval(app):
    smtp = SmtpSink().start()
    try:
        from intake.adapters.smtp import SmtpSender
        from intake.config import SmtpSection

        sender = SmtpSender(SmtpSection(host="127.0.0.1", port=smtp.port, security="none"))
        drop(app, "geldig-nov2019.xlsx")
        folder.run_once(app)
        now = datetime.now(UTC)
        assert send_reminders(app, sender, now) == []  # too soon after the model arrived
        later = now + timedelta(days=2)
        assert send_reminders(app, sender, later) == ["73730123"]
        assert send_reminders(app, sender, later + timedelta(days=1)) == []
        assert send_reminders(app, sender, later + timedelta(days=8)) == ["73730123"]
        reminder = smtp.wait_for(2)[0]
        assert str(reminder["To"]) == "j.devries@zorggroeprijnland.nl"
        assert "Kwaliteitsplan" in reminder.get_content() and "73730123" in reminder.get_content()
    finally:
        smtp.stop()


def test_rejudge_after_a_register_change(app, tmp_path):
    drop(app, "geldig-nov2019.xlsx")
    drop(app, "kwaliteitsplan-2020.pdf")
    folder.run_once(app)
    from intake.service import rejudge, settle_pairs

    settle_pairs(app)
    assert rejudge(app) == []  # nothing changed: nothing rewritten

    changed_register = tmp_path / "register-nieuw.csv"
    changed_register.write_text(REGISTER_CSV.read_text().replace("1250000.00", "1300000.00"))
    env = {"INTAKE_DATA_DIR": str(tmp_path / "data"), "INTAKE_REGISTER_PATH": str(changed_register)}
    updated = build_app(load(None, env))
    preview = rejudge(updated, dry_run=True)
    assert [(c.before.status.value, c.after.codes) for c in preview] == [
        ("accepted", ["RESERVED_MISMATCH", "ADVANCE_LATER"])
    ]
    state = updated.ledger.provider("73730123")
    assert updated.ledger.document(state["model_document_id"]).verdict.codes == [
        "ADVANCE_LATER"
    ]  # dry run: unchanged
    changed = [c.after for c in rejudge(updated)]
    assert [v.file for v in changed] == ["geldig-nov2019.xlsx"]
    assert changed[0].codes == ["RESERVED_MISMATCH", "ADVANCE_LATER"]
    assert changed[0].status.value == "rejected"
    state = updated.ledger.provider("73730123")
    assert updated.ledger.document(state["model_document_id"]).verdict.codes == [
        "RESERVED_MISMATCH",
        "ADVANCE_LATER",
    ]


def _drop_bytes(app, name: str, data: bytes, when: float = NOV_20) -> Path:
    target = app.folder("inbox") / name
    target.write_bytes(data)
    os.utime(target, (when, when))
    return target


def test_a_zip_in_the_folder_is_unpacked_as_the_mail_channel_does(app):
    from fixtures.hostile import nested_zip

    model = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    plan = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
    members = [("stukken/aanvraag.xlsx", model), ("stukken/kwaliteitsplan.pdf", plan)]
    dropped = nested_zip(2, members)  # a zip in a zip
    path = _drop_bytes(app, "stukken.zip", dropped)
    verdicts = folder.run_once(app)
    assert not path.exists()
    assert sorted(v.document.value for v in verdicts) == ["aanvraag", "kwaliteitsplan"]
    assert {v.file for v in verdicts} == {
        "stukken.zip/laag-1.zip/aanvraag.xlsx",
        "stukken.zip/laag-1.zip/kwaliteitsplan.pdf",
    }
    assert all("PLAN_MISSING" not in v.codes and "MODEL_MISSING" not in v.codes for v in verdicts)
    original = app.archive.get(hashlib.sha256(dropped).hexdigest())
    assert original == ("stukken.zip", dropped)  # the zip as dropped is kept too
    outbox = app.folder("outbox")
    assert (outbox / "aanvraag.xlsx.verdict.json").exists()
    assert (outbox / "kwaliteitsplan.pdf.staff.html").exists()


def test_a_zip_past_the_mail_budget_is_one_verdict_in_quarantine(app):
    from fixtures.hostile import nested_zip

    budget = app.ctx.rules.mailbox["max_documents"]
    many = [(f"plan-{i}.pdf", b"%PDF-1.4 " + bytes(str(i), "ascii")) for i in range(budget + 5)]
    _drop_bytes(app, "alles.zip", nested_zip(1, many))
    [verdict] = folder.run_once(app)
    assert verdict.codes == ["FILE_TOO_LARGE"]
    assert f"meer dan {budget} documenten" in verdict.findings[0].message
    assert (app.folder("quarantine") / "alles.zip.verdict.json").exists()


def test_a_zip_with_a_password_in_the_folder_is_named_encrypted(app):
    from fixtures.hostile import encrypted_zip

    model = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    _drop_bytes(app, "beveiligd.zip", encrypted_zip([("aanvraag.xlsx", model)]))
    [verdict] = folder.run_once(app)
    assert verdict.codes == ["FILE_ENCRYPTED"]
    assert (app.folder("quarantine") / "beveiligd.zip").exists()


def test_a_superseded_models_letter_in_the_outbox_follows_its_changed_verdict(app):
    """The provider sent two models, then the plan: both models' letters lose PLAN_MISSING,
    also the older one's, which is no longer the case's current model."""
    drop(app, "eerste.xlsx", "geldig-nov2019.xlsx", NOV_20 - 7200)
    drop(app, "tweede.xlsx", "compensatie-wijkt-af.xlsx", NOV_20 - 3600)
    folder.run_once(app)
    outbox = app.folder("outbox")
    first = json.loads((outbox / "eerste.xlsx.verdict.json").read_text())
    assert "PLAN_MISSING" in [f["code"] for f in first["findings"]]

    drop(app, "kwaliteitsplan-2020.pdf")
    sweep(app)

    for name in ("eerste.xlsx", "tweede.xlsx"):
        stored = json.loads((outbox / f"{name}.verdict.json").read_text())
        assert "PLAN_MISSING" not in [f["code"] for f in stored["findings"]], name
        assert "wij missen nog" not in (outbox / f"{name}.html").read_text(encoding="utf-8")
