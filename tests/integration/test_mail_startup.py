"""A timer starts `intake mail --once` every few minutes, mostly on an empty mailbox: that
run loads the ledger and the mailbox, not the judging, letters or metrics code that only
a message needs. Real Dovecot and SMTP on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.test_mail_channel import MODEL, XLSX, mail, servers, write_config  # noqa: F401
from tests.manifest import ROOT

# Loaded only when a message is there.
FOR_A_MESSAGE = (
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


def _mail_once(config: Path) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(wanted=FOR_A_MESSAGE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "INTAKE_CONFIG": str(config), "PYTHONPATH": str(ROOT)},
        timeout=180,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOADED ")), None)
    assert line, done.stderr
    code, loaded = json.loads(line.removeprefix("LOADED "))
    return code, loaded


def test_an_empty_mailbox_loads_no_judging_and_a_message_does(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    assert _mail_once(config) == (0, [])

    dovecot.deliver(
        mail(
            "j.devries@zorggroeprijnland.nl",
            "Aanvraag kwaliteitsbudget",
            "<startup-1@zorggroeprijnland.nl>",
            [("aanvraag.xlsx", MODEL, XLSX)],
        ),
        time.time(),
    )
    code, loaded = _mail_once(config)
    assert code == 0
    assert {"polars", "pandera", "intake.channels.mail_message"} <= set(loaded)
    assert len(smtp.wait_for(1)) == 1
