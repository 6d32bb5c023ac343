"""302 real mails from other mail libraries' test suites, plus crafted attacks, in a real
Dovecot: `intake mail --once` runs twice as a user would run it, and then nothing is
left in INBOX, nothing that must not be answered is answered, no traceback reaches
stderr, and every mail has a clear state in the ledger. Mails are known by their
`X-Acc-Id` header (the corpus file name, or `crafted-…`).

Which mails must not be answered is decided here on its own, from the headers, so the
test does not merely repeat the product's rules.
"""

from __future__ import annotations

import imaplib
import re
import time
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest

from intake.channels.identity import identify
from tests.integration.servers import Dovecot, SmtpSink
from tests.integration.test_mail_channel import NOV_20, run_intake, write_config
from tests.mailcraft import (
    CONTACT,
    LONG_ID,
    MODEL,
    PLAN,
    XLSX,
    mail,
    nameless_part,
    nested,
    smime_opaque,
    tnef,
    zip_with_bomb,
    zipped,
)

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpora" / "mail"
CLEAR = {"moved", "no_reply", "failed", "judged"}
_NO_REPLY = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)
_ADDRESS = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def crafted() -> dict[str, bytes]:
    def b(message) -> bytes:
        return message.as_bytes()

    tnef_mail = mail(
        CONTACT,
        "winmail",
        "<tnef@zorggroeprijnland.nl>",
        [("winmail.dat", tnef([("aanvraag.xlsx", MODEL)]), ("application", "ms-tnef"))],
    )
    inner = mail(CONTACT, "binnen", None, [("model.xlsx", MODEL, XLSX)])
    zip_in_zip = zipped([("binnen.zip", zipped([("aanvraag.xlsx", MODEL), ("plan.pdf", PLAN)]))])
    zips = {
        "crafted-zip-bomb": (zip_with_bomb(100_000_000), "<zipbomb@zorggroeprijnland.nl>"),
        "crafted-zip-in-zip": (zip_in_zip, "<zipzip@zorggroeprijnland.nl>"),
    }
    zip_mails = {
        name: b(mail(CONTACT, "stukken", msgid, [("stukken.zip", data, ("application", "zip"))]))
        for name, (data, msgid) in zips.items()
    }
    return zip_mails | {
        "crafted-newline-subject": (
            f"From: {CONTACT}\r\nTo: x@zorgenzekerheid.nl\r\nMessage-ID: <nl@zorggroeprijnland.nl>"
            "\r\nSubject: =?utf-8?q?Aanvraag=0D=0ABcc:_x@evil.example?=\r\n\r\nZie bijlage."
        ).encode(),
        "crafted-deep-nesting": nested(1000, "<deep@zorggroeprijnland.nl>"),
        "crafted-reply-to-phishing": b(
            mail(
                CONTACT,
                "aanvraag",
                "<phish@zorggroeprijnland.nl>",
                [("model.xlsx", MODEL, XLSX)],
                Reply_To="boef@zorggroep-rijnland.example",
            )
        ),
        "crafted-long-message-id": b(
            mail(CONTACT, "Outlook", LONG_ID, [("plan.pdf", PLAN, ("application", "pdf"))])
        ),
        "crafted-tnef": b(tnef_mail),
        "crafted-smime": b(smime_opaque(inner, CONTACT, "<smime@zorggroeprijnland.nl>")),
        "crafted-nameless": nameless_part(CONTACT, "<nameless@zorggroeprijnland.nl>"),
        "crafted-reused-1": b(
            mail(CONTACT, "eerste", "<reused@zorggroeprijnland.nl>", [("model.xlsx", MODEL, XLSX)])
        ),
        "crafted-reused-2": b(
            mail(
                CONTACT,
                "tweede",
                "<reused@zorggroeprijnland.nl>",
                [("plan.pdf", PLAN, ("application", "pdf"))],
            )
        ),
        "crafted-no-from": b"To: x@zz.nl\r\nSubject: wie?\r\nMessage-ID: <nofrom@x.nl>\r\n\r\nhoi",
        "crafted-domainless-from": b"From: jan\r\nSubject: ?\r\nMessage-ID: <nod@x.nl>\r\n\r\nhoi",
    }


def must_not_answer(raw: bytes) -> bool:
    head = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)

    def value(name: str) -> str:
        return " ".join(str(head.get(name, "")).split()).lower()

    auto = value("Auto-Submitted")
    sender = (value("From").rpartition("<")[2].rstrip(">") or "").strip()
    if re.sub(r'"[^"]*"', "", value("From")).count("@") > 1:
        return True  # an address in the display name: which one is meant is a guess
    return bool(
        (auto and not auto.startswith("no"))
        or value("Precedence") in {"bulk", "list", "junk", "auto_reply"}
        or head.get("List-Id")
        or head.get("List-Unsubscribe")
        or (value("X-Auto-Response-Suppress") not in {"", "none"})
        or head.get("X-Autoreply")
        or value("Return-Path") == "<>"
        or head.get_content_type() == "multipart/report"
        or _NO_REPLY.match(sender)
        or not _ADDRESS.match(sender)
    )


def with_id(name: str, raw: bytes) -> bytes:
    raw = imaplib.MapCRLF.sub(b"\r\n", raw)
    return raw if raw.startswith(b"X-Acc-Id:") else f"X-Acc-Id: {name}\r\n".encode() + raw


def append_all(dovecot: Dovecot, mails: dict[str, bytes]) -> None:
    client = dovecot.client()
    try:
        for raw in mails.values():
            status, data = client.append("INBOX", None, imaplib.Time2Internaldate(NOV_20), raw)
            assert status == "OK", data
    finally:
        client.logout()


@pytest.mark.slow
def test_real_and_crafted_mails_in_a_real_mailbox(tmp_path):
    mails = {p.name: with_id(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.eml"))}
    mails.update({name: with_id(name, raw) for name, raw in crafted().items()})
    assert len(mails) >= 302 + 13
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    try:
        append_all(dovecot, mails)
        config = write_config(tmp_path, dovecot, smtp.port)
        started = time.monotonic()
        runs = [run_intake(config, "mail", "--once") for _ in range(2)]
        print(f"two runs over {len(mails)} mails: {time.monotonic() - started:.1f} s")
        for run in runs:
            assert "Traceback" not in run.stderr, run.stderr[-3000:]
            assert run.returncode == 0, run.stderr[-3000:]
        time.sleep(0.5)
        assert dovecot.count("INBOX") == 0
        check_ledger(tmp_path, mails, smtp)
    finally:
        smtp.stop()
        dovecot.remove()


def _rows(tmp_path: Path, mails: dict[str, bytes]):
    from tests.integration.test_mail_channel import ledger_of

    ledger = ledger_of(tmp_path)
    rows = {}
    for name, raw in mails.items():
        ident = identify(raw)
        row = ledger.mail(ident.key)
        if row is not None and row["content_sha256"] != ident.content_sha256:
            row = ledger.mail(ident.distinct_key) or row  # a reused id, or a redelivery
        rows[name] = row
    return ledger, rows


def check_ledger(tmp_path: Path, mails: dict[str, bytes], smtp: SmtpSink) -> None:
    import sqlalchemy as sa

    from intake.storage.tables import replies

    ledger, rows = _rows(tmp_path, mails)
    missing = [name for name, row in rows.items() if row is None]
    assert not missing
    unclear = {n: r["state"] for n, r in rows.items() if r["state"] not in CLEAR}
    assert not unclear
    with ledger.engine.connect() as c:
        sent = {r.mail_id: r for r in c.execute(sa.select(replies))}
    assert len(sent) == len(smtp.messages)
    by_id = {row["id"]: name for name, row in rows.items()}
    answered = {by_id[mail_id]: r for mail_id, r in sent.items()}
    wrongly = sorted(n for n in answered if must_not_answer(mails[n]))
    assert not wrongly
    for name, reply in answered.items():
        original = BytesHeaderParser(policy=policy.default).parsebytes(mails[name])
        assert reply.recipient == original["From"].addresses[0].addr_spec.lower()
    states = {}
    for row in rows.values():
        states[row["state"]] = states.get(row["state"], 0) + 1
    print("states:", states, "replies:", len(sent))
    check_crafted(ledger, rows, smtp, answered)


def check_crafted(ledger, rows, smtp, answered) -> None:
    wire = {str(m["In-Reply-To"]): m for m in smtp.messages if m["In-Reply-To"]}
    assert str(wire["<phish@zorggroeprijnland.nl>"]["To"]) == CONTACT
    assert LONG_ID in wire and str(wire[LONG_ID]["References"]) == LONG_ID
    assert "crafted-newline-subject" in answered
    deep = ledger.documents_of_mail(rows["crafted-deep-nesting"]["id"])
    assert [d.verdict.codes for d in deep] == [["MESSAGE_TOO_LARGE"]]
    tnef_docs = ledger.documents_of_mail(rows["crafted-tnef"]["id"])
    assert [d.verdict.document.value for d in tnef_docs] == ["aanvraag"]
    smime_docs = ledger.documents_of_mail(rows["crafted-smime"]["id"])
    assert [d.verdict.signals["mail_signed"] for d in smime_docs] == ["S/MIME"]
    assert smime_docs[0].verdict.document.value == "aanvraag"
    nameless = ledger.documents_of_mail(rows["crafted-nameless"]["id"])
    assert [d.verdict.document.value for d in nameless] == ["aanvraag"]
    first, second = rows["crafted-reused-1"], rows["crafted-reused-2"]
    assert first["id"] != second["id"]
    assert {"crafted-reused-1", "crafted-reused-2"} <= set(answered)
    for name in ("crafted-no-from", "crafted-domainless-from"):
        assert rows[name]["state"] == "no_reply" and name not in answered
    bomb = ledger.documents_of_mail(rows["crafted-zip-bomb"]["id"])
    assert [d.verdict.codes for d in bomb] == [["MESSAGE_TOO_LARGE"]]
    assert "stukken.zip/plan.pdf" in bomb[0].verdict.signals["mail_limit"]
    nested = ledger.documents_of_mail(rows["crafted-zip-in-zip"]["id"])
    assert sorted((d.verdict.file, d.verdict.document.value) for d in nested) == [
        ("stukken.zip/binnen.zip/aanvraag.xlsx", "aanvraag"),
        ("stukken.zip/binnen.zip/plan.pdf", "kwaliteitsplan"),
    ]
    assert {"crafted-zip-bomb", "crafted-zip-in-zip"} <= set(answered)
