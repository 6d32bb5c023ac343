"""`/metrics` and the metrics file: Prometheus' text format, numbers that agree with the
ledger, counted events, and who may read them. Real SQLite ledger, real judging, real
SMTP (aiosmtpd) and the real command line for the one-shot runs."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from intake.bootstrap import build_app
from intake.casework.todo import build_todo
from intake.channels import folder
from intake.config import load
from intake.storage.claims import Claims, Worker
from intake.storage.tables import documents, mails
from tests.integration.commands import intake
from tests.integration.desk import client_for, desk_env, seeded_app
from tests.integration.servers import SmtpSink, free_port
from tests.manifest import REGISTER_CSV, SUBMISSIONS

FAMILIES = {
    "intake_documents_total": {"channel", "status", "campaign"},
    "intake_mails_total": {"outcome"},
    "intake_queue_items": {"kind"},
    "intake_quarantined_files": set(),
    "intake_extraction_timeouts_total": set(),
    "intake_smtp_failures_total": set(),
    "intake_claims_taken_over_total": set(),
    "intake_last_sweep_success_timestamp_seconds": set(),
}
LOCAL = ("127.0.0.1", 50000)


def parse(text: str) -> dict[str, dict[tuple, float]]:
    """Each sample by name, keyed by its sorted labels."""
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def scrape(app, client=LOCAL, headers=None):  # type: ignore[no-untyped-def]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from intake.web.app import create_app

    return TestClient(create_app(app), client=client).get("/metrics", headers=headers or {})


def one(samples: dict[str, dict[tuple, float]], name: str) -> float:
    [value] = samples[name].values()
    return value


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("metrics"))


def test_the_desk_answers_every_family_in_the_text_format_without_a_session(app):
    response = scrape(app)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = parse(response.text)
    assert set(samples) == set(FAMILIES)
    types = {f.name: f.type for f in text_string_to_metric_families(response.text)}
    # State read from the ledger can go down (a rejudge, a retried mail): gauges. Events
    # only ever add up: counters (the parser names a counter without its _total).
    assert types["intake_documents_total"] == types["intake_mails_total"] == "gauge"
    assert types["intake_smtp_failures"] == "counter"
    for name, labels in FAMILIES.items():
        for key in samples[name]:
            assert {label for label, _ in key} == labels, name


def test_documents_mails_and_the_queue_agree_with_the_ledger(app):
    samples = parse(scrape(app).text)
    with app.ledger.engine.connect() as c:
        rows = c.execute(
            sa.select(documents.c.channel, documents.c.status, documents.c.campaign)
        ).all()
        mail_count = c.execute(sa.select(sa.func.count()).select_from(mails)).scalar()
    expected = Counter((("campaign", cp), ("channel", ch), ("status", st)) for ch, st, cp in rows)
    assert len(rows) == 4 and mail_count == 0
    assert samples["intake_documents_total"] == {k: float(n) for k, n in expected.items()}
    assert set(samples["intake_mails_total"].values()) == {0.0}
    queue = Counter(task.kind for task in build_todo(app))
    assert queue["quarantine"] == 1 and queue["review"] >= 1  # what the seeded desk holds
    for (label,), value in samples["intake_queue_items"].items():
        assert value == queue.get(label[1], 0)
    assert one(samples, "intake_quarantined_files") == 1
    assert one(samples, "intake_last_sweep_success_timestamp_seconds") == 0  # never swept


def test_only_loopback_and_metrics_from_may_read_it(app, tmp_path):
    assert scrape(app, client=("::1", 50000)).status_code == 200
    assert scrape(app, client=("192.0.2.7", 50000)).status_code == 403
    assert scrape(app, client=("testclient", 50000)).status_code == 403
    # Through the reverse proxy the peer is local, but the request is not.
    assert scrape(app, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 403
    env = {**desk_env(tmp_path), "INTAKE_DESK_METRICS_FROM": "192.0.2.0/28, 2001:db8::5"}
    monitoring = build_app(load(None, env))
    assert scrape(monitoring, client=("192.0.2.7", 50000)).status_code == 200
    assert scrape(monitoring, client=("2001:db8::5", 50000)).status_code == 200
    assert scrape(monitoring, client=("192.0.2.99", 50000)).status_code == 403
    # Through the proxy (a trusted one, loopback) the forwarded address decides.
    assert scrape(monitoring, headers={"X-Forwarded-For": "192.0.2.7"}).status_code == 200
    assert scrape(monitoring, headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 403
    # A logged-in colleague elsewhere gets no more than anyone else.
    assert client_for(app).get("/metrics").status_code == 403


def test_a_claim_taken_over_is_counted_once(tmp_path):
    app = build_app(load(None, desk_env(tmp_path)))
    old = Claims(app.ledger.engine, Worker(host="elders", pid=1), timedelta(seconds=0.05))
    new = Claims(app.ledger.engine, Worker(host="hier", pid=2), timedelta(minutes=5))
    assert old.claim("file:abc:x.xlsx")
    assert not new.claim("file:abc:x.xlsx")  # the lease still runs: no takeover
    time.sleep(0.1)
    assert new.claim("file:abc:x.xlsx")
    assert new.claim("file:abc:x.xlsx")  # renewing one's own claim is no takeover
    assert one(parse(scrape(app).text), "intake_claims_taken_over_total") == 1


def test_a_plan_whose_reading_overruns_its_time_is_counted(tmp_path):
    rules = tmp_path / "rules.toml"
    shipped = Path(__file__).parents[2] / "rules" / "kwaliteitsbudget-2020.toml"
    text = shipped.read_text()
    assert "plan_extract_seconds = 30" in text
    rules.write_text(text.replace("plan_extract_seconds = 30", "plan_extract_seconds = 0.001"))
    env = {**desk_env(tmp_path), "INTAKE_GENERAL_RULES_FILE": str(rules)}
    app = build_app(load(None, env))
    inbox = app.folder("inbox")
    shutil.copyfile(SUBMISSIONS / "kwaliteitsplan-2020.pdf", inbox / "plan.pdf")
    shutil.copyfile(SUBMISSIONS / "geldig-nov2019.xlsx", inbox / "model.xlsx")
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    assert len(folder.run_once(app)) == 2
    samples = parse(scrape(app).text)
    assert one(samples, "intake_extraction_timeouts_total") == 1  # the workbook has no worker


def test_one_shot_runs_leave_the_same_families_in_the_metrics_file(tmp_path):
    metrics_file = tmp_path / "textfile" / "intake.prom"
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_FOLDER_STABLE_SECONDS": "0",
        "INTAKE_GENERAL_METRICS_FILE": str(metrics_file),
        "INTAKE_DESK_DIGEST_TO": "team-wlz@zorgenzekerheid.nl",
        "INTAKE_DESK_SECRET_KEY": "metrics-test-" + "x" * 32,
        "INTAKE_SMTP_HOST": "127.0.0.1",
        "INTAKE_SMTP_PORT": str(free_port()),  # nothing listens: the digest mail fails
        "INTAKE_SMTP_SECURITY": "none",
    }
    inbox = tmp_path / "data" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copyfile(SUBMISSIONS / "geldig-nov2019.xlsx", inbox / "model.xlsx")
    os.utime(inbox / "model.xlsx", (time.time() - 60, time.time() - 60))
    assert intake(env, "watch", "--once").returncode == 0
    after_watch = parse(metrics_file.read_text())
    assert set(after_watch) == set(FAMILIES)
    assert sum(after_watch["intake_documents_total"].values()) == 1

    failed = intake(env, "sweep")
    assert failed.returncode == 1, failed.stderr
    after_failure = parse(metrics_file.read_text())
    assert one(after_failure, "intake_smtp_failures_total") >= 1
    assert one(after_failure, "intake_last_sweep_success_timestamp_seconds") == 0

    sink = SmtpSink().start()
    try:
        before = time.time()
        done = intake({**env, "INTAKE_SMTP_PORT": str(sink.port)}, "sweep")
        assert done.returncode == 0, done.stderr
    finally:
        sink.stop()
    written = metrics_file.read_text()
    after_success = parse(written)
    last = one(after_success, "intake_last_sweep_success_timestamp_seconds")
    assert before - 1 <= last <= time.time() + 1
    assert one(after_success, "intake_smtp_failures_total") == one(
        after_failure, "intake_smtp_failures_total"
    )
    assert list(metrics_file.parent.iterdir()) == [metrics_file]  # no temporary left over
    desk = build_app(load(None, env))
    assert parse(scrape(desk).text) == after_success  # the desk says the same


def test_a_mail_pass_that_cannot_reach_its_mailbox_still_leaves_the_file(tmp_path):
    metrics_file = tmp_path / "intake.prom"
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_GENERAL_METRICS_FILE": str(metrics_file),
        "INTAKE_IMAP_HOST": "127.0.0.1",
        "INTAKE_IMAP_PORT": str(free_port()),  # nothing listens there
        "INTAKE_IMAP_USER": "zorginkoop.wlz",
        "INTAKE_IMAP_SECURITY": "none",
        "INTAKE_IMAP_TIMEOUT": "5",
    }
    done = intake(env, "mail", "--once")
    assert done.returncode == 1, done.stderr
    text = metrics_file.read_text()
    # Every family is there; an empty ledger has no document samples yet, only the family.
    assert set(re.findall(r"^# TYPE (\S+)", text, re.M)) == set(FAMILIES)
    assert set(parse(text)) == set(FAMILIES) - {"intake_documents_total"}
