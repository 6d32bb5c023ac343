"""The corrected model travels with the real mail reply (Dovecot, aiosmtpd, `intake mail`)."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import openpyxl

from intake.domain import Submission
from intake.judging.pipeline import judge
from tests.conftest import context
from tests.integration.test_mail_channel import (
    CONTACT,
    XLSX,
    mail,
    run_intake,
    servers,  # noqa: F401  (the fixture)
    write_config,
)
from tests.manifest import REGISTER_CSV, SUBMISSIONS

NOV_1 = datetime(2019, 11, 1, 10, 30).timestamp()
OLD = (SUBMISSIONS / "sept2019-voor-8-november.xlsx").read_bytes()


def test_old_model_reply_carries_the_corrected_workbook_only_to_a_contact(servers, tmp_path):  # noqa: F811
    dovecot, smtp = servers
    config = write_config(tmp_path, dovecot, smtp.port)
    for sender, key in (
        (CONTACT, "<old@zorggroeprijnland.nl>"),
        ("x@gmail.com", "<old@gmail.com>"),
    ):
        dovecot.deliver(mail(sender, "Aanvraag", key, [("aanvraag.xlsx", OLD, XLSX)]), NOV_1)
    result = run_intake(config, "mail", "--once")
    assert result.returncode == 0, result.stderr
    replies = {str(r["In-Reply-To"]): r for r in smtp.wait_for(2)}
    time.sleep(0.3)

    reply = replies["<old@zorggroeprijnland.nl>"]
    [workbook] = [p for p in reply.iter_attachments() if p.get_filename().endswith(".xlsx")]
    assert workbook.get_filename() == "aanvraag-nov2019.xlsx"
    text = " ".join(reply.get_body(("plain",)).get_content().split())
    assert "U hoeft niets te doen" in text and "aanvraag-nov2019.xlsx" in text
    ctx = context(REGISTER_CSV)
    content = workbook.get_content()
    verdict = judge(Submission("aanvraag-nov2019.xlsx", content, datetime.now(UTC)), ctx)
    assert verdict.template_version == "nov2019"
    assert openpyxl.load_workbook(io.BytesIO(content))["1. Algemene gegevens"]["C4"].value

    receipt = replies["<old@gmail.com>"]
    assert [p.get_content_type() for p in receipt.iter_attachments()] == ["application/pdf"]
    assert "€" not in receipt.get_body(("plain",)).get_content()
