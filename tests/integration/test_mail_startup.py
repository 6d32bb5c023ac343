"""A timer starts `intake mail --once` every few minutes, mostly on an empty mailbox: that
run asks the mailbox and reads the rules, and loads neither the ledger nor the judging,
letters or metrics code that only a message (or a metrics file) needs. Real Dovecot and
SMTP on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.servers import free_port
from tests.integration.test_mail_channel import MODEL, XLSX, mail, servers, write_config  # noqa: F401
from tests.manifest import ROOT

# Loaded only when a message is there.
FOR_A_MESSAGE = (
    "sqlalchemy",
    "psycopg",
    "polars",
    "pandera",
    "reportlab",
    "prometheus_client",
    "intake.judging.pipeline",
    "intake.service.letters",
    "intake.channels.mail_message",
)

_PROBE = """
import json, sys
from intake.cli import main
sys.argv = ["intake", "mail", "--once"]
try:
    main()
except SystemExit as exit:
    code = exit.code
print("\\nLOADED " + json.dumps([code, sorted(m for m in {wanted!r} if m in sys.modules)]))
"""


def _mail_once(config: Path, **env: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(wanted=FOR_A_MESSAGE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "INTAKE_CONFIG": str(config), "PYTHONPATH": str(ROOT), **env},
        timeout=180,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOADED ")), None)
    assert line, done.stderr
    code, loaded = json.loads(line.removeprefix("LOADED "))
    return code, loaded


def _deliver(dovecot, n: int) -> None:  # type: ignore[no-untyped-def]
    dovecot.deliver(
        mail(
            "j.devries@zorggroeprijnland.nl",
            "Aanvraag kwaliteitsbudget",
            f"<startup-{n}@zorggroeprijnland.nl>",
            [("aanvraag.xlsx", MODEL, XLSX)],
        ),
        time.time(),
    )


def test_an_empty_mailbox_loads_no_judging_and_a_message_does(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    assert _mail_once(config) == (0, [])

    _deliver(dovecot, 1)
    code, loaded = _mail_once(config)
    assert code == 0
    assert {"polars", "pandera", "intake.channels.mail_message"} <= set(loaded)
    assert len(smtp.wait_for(1)) == 1


def test_an_empty_run_writes_the_metrics_file_from_the_ledger(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    metrics = tmp_path / "intake.prom"
    code, loaded = _mail_once(config, INTAKE_GENERAL_METRICS_FILE=str(metrics))
    assert code == 0 and "sqlalchemy" in loaded
    assert "intake_documents" in metrics.read_text()


def test_an_unreachable_ledger_shows_at_the_first_mail_and_keeps_it(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    nowhere = f"postgresql+psycopg://intake@127.0.0.1:{free_port()}/intake?connect_timeout=3"
    assert _mail_once(config, INTAKE_LEDGER_URL=nowhere) == (0, [])  # nothing to do

    _deliver(dovecot, 2)
    code, _ = _mail_once(config, INTAKE_LEDGER_URL=nowhere)
    assert code == 2  # a configuration problem, as before any mail was read
    assert dovecot.count("INBOX") == 1 and not smtp.messages
    assert _mail_once(config)[0] == 0  # the ledger back: answered once
    assert len(smtp.wait_for(1)) == 1 and dovecot.count("INBOX") == 0


def test_broken_rules_exit_2_on_an_empty_mailbox(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "kwaliteitsbudget-2020.toml").write_text("[campaign\n")
    code, loaded = _mail_once(config, INTAKE_GENERAL_RULES_DIR=str(rules))
    assert code == 2 and loaded == []


def test_a_folder_that_is_not_on_the_server_is_a_configuration_error(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    code, loaded = _mail_once(config, INTAKE_IMAP_FOLDER="Zorginkoop/Bestaat-niet")
    assert code == 2 and loaded == []
