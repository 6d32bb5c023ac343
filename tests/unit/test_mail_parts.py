"""Reading and answering one mail, without a server: documents, policy, headers, identity."""

from __future__ import annotations

import io
import struct
import threading
import time
import zipfile
from dataclasses import replace
from email import message_from_bytes, policy

import pytest

from intake.channels import answerable, headers
from intake.channels.attachments import Limits, parse, read
from intake.channels.identity import identify
from tests.mailcraft import (
    CONTACT,
    LONG_ID,
    MODEL,
    PLAN,
    XLSX,
    _tnef_object,
    mail,
    nameless_part,
    nested,
    smime_enveloped,
    smime_opaque,
    tnef,
)

SHIPPED = Limits.shipped()


def test_a_thousand_nested_multiparts_are_over_the_limit_not_a_crash():
    message, contents = read(nested(1000, "<deep@x.nl>"))
    assert contents.over_limit and contents.documents == []
    assert headers.subject_of(message) == "diep"
    _, shallow = read(nested(5, "<ok@x.nl>"))
    assert shallow.over_limit is None


def test_winmail_dat_is_unpacked():
    data = tnef([("Aanvraagmodel 2020.xlsx", MODEL), ("plan.pdf", PLAN)])
    message = mail(
        CONTACT, "winmail", "<t@x.nl>", [("winmail.dat", data, ("application", "ms-tnef"))]
    )
    _, contents = read(message.as_bytes())
    assert [(d.filename, d.content) for d in contents.documents] == [
        ("Aanvraagmodel 2020.xlsx", MODEL),
        ("plan.pdf", PLAN),
    ]
    assert contents.signals["mail_unwrapped"] == "winmail.dat"


@pytest.mark.parametrize("threads", [False, True], ids=["fork", "forkserver"])
def test_a_hostile_winmail_dat_is_parsed_in_a_worker_that_is_stopped_in_time(threads):
    """20 bytes that claim four billion MAPI properties keep tnefparse busy for hours:
    parsed in the mail process itself they would stall the mailbox. With other threads
    running (the mail watcher's lease heartbeat) the worker comes from the fork server."""
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait, daemon=True)
    if threads:
        beside.start()
    hostile = tnef([("model.xlsx", MODEL)]) + _tnef_object(
        1, 0x9003, 0x0006, struct.pack("<I", 0xFFFFFFFF)
    )
    message = mail(
        CONTACT, "winmail", "<h@x.nl>", [("winmail.dat", hostile, ("application", "ms-tnef"))]
    )
    started = time.monotonic()
    try:
        _, contents = read(message.as_bytes(), replace(SHIPPED, unwrap_seconds=1.0))
    finally:
        stop.set()
    assert time.monotonic() - started < 20
    # Not unpacked: the wrapper itself is the one document, judged (unreadable) as it is.
    assert [(d.filename, d.content) for d in contents.documents] == [("winmail.dat", hostile)]
    assert "mail_unwrapped" not in contents.signals
    # A sound winmail.dat still opens through the same worker.
    sound = tnef([("model.xlsx", MODEL)])
    _, fine = read(
        mail(
            CONTACT, "w", "<w@x.nl>", [("winmail.dat", sound, ("application", "ms-tnef"))]
        ).as_bytes()
    )
    assert [d.content for d in fine.documents] == [MODEL]


def test_opaque_smime_is_unpacked_and_said_to_be_signed():
    inner = mail(CONTACT, "binnen", None, [("model.xlsx", MODEL, XLSX)])
    _, contents = read(smime_opaque(inner, CONTACT, "<s@x.nl>").as_bytes())
    assert [d.content for d in contents.documents] == [MODEL]
    assert contents.signals["mail_signed"] == "S/MIME"


def test_detached_signature_is_not_a_document_but_is_recorded():
    message = mail(CONTACT, "getekend", "<d@x.nl>", [("model.xlsx", MODEL, XLSX)])
    message.add_attachment(
        b"sig", maintype="application", subtype="pkcs7-signature", filename="smime.p7s"
    )
    _, contents = read(message.as_bytes())
    assert [d.filename for d in contents.documents] == ["model.xlsx"]
    assert contents.signals["mail_signed"] == "S/MIME"
    _, plain = read(mail(CONTACT, "x", "<p@x.nl>", [("m.xlsx", MODEL, XLSX)]).as_bytes())
    assert plain.signals["mail_signed"] == "nee"


def test_a_nameless_part_is_classified_by_its_content():
    _, contents = read(nameless_part(CONTACT, "<n@x.nl>"))
    assert [(d.filename, d.content) for d in contents.documents] == [("bijlage-1.xlsx", MODEL)]


def test_documents_per_message_are_bounded_across_nested_zips():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        for i in range(30):
            z.writestr(f"model-{i}.xlsx", MODEL)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("binnen.zip", inner.getvalue())
    message = mail(
        CONTACT, "veel", "<z@x.nl>", [("stukken.zip", outer.getvalue(), ("application", "zip"))]
    )
    _, contents = read(message.as_bytes(), replace(SHIPPED, max_documents=25))
    assert contents.over_limit and len(contents.documents) <= 26
    _, few = read(message.as_bytes(), replace(SHIPPED, max_documents=40))
    assert few.over_limit is None and len(few.documents) == 30
    _, small = read(message.as_bytes(), replace(SHIPPED, max_bytes=3 * len(MODEL)))
    assert small.over_limit and "bytes" in small.over_limit


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"Jan" <j.devries@zorggroeprijnland.nl>', "j.devries@zorggroeprijnland.nl"),
        ("J.DeVries@ZorggroepRijnland.NL", "j.devries@zorggroeprijnland.nl"),
        ("jan", None),
        ("jan@localhost", None),
        ("", None),
        ("a@x.nl, b@y.nl", None),
        ("<>", None),
        ("purchasing@example.com <do-not-reply@example.org>", None),
        ("tim@example.com concierge@example.com", None),
        ("J. de Vries <jan@zorg.nl>", "jan@zorg.nl"),
        ("=?utf-8?q?Jan=0A?= <jan@zorg.nl>", None),  # unparseable: no answer
    ],
)
def test_only_one_well_formed_from_address_is_answered(header, expected):
    raw = f"From: {header}\r\nSubject: x\r\n\r\nbody".encode()
    assert answerable.checked_sender(parse(raw)) == expected


@pytest.mark.parametrize(
    "extra",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated; owner-email=x@y.nl",
        "Precedence: bulk",
        "Precedence: auto_reply",
        "List-Id: <lijst.example.nl>",
        "List-Unsubscribe: <mailto:uit@example.nl>",
        "X-Auto-Response-Suppress: All",
        "X-Autoreply: yes",
        "Return-Path: <>",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b",
    ],
)
def test_automatic_and_list_mail_is_never_answered(extra):
    raw = f"From: jan@zorg.nl\r\n{extra}\r\nSubject: x\r\n\r\nbody".encode()
    assert answerable.why_not_answer(parse(raw), "jan@zorg.nl", "office@zz.nl", ()) is not None


def test_people_and_no_reply_senders():
    raw = b"From: jan@zorg.nl\r\nAuto-Submitted: no\r\nSubject: x\r\n\r\nbody"
    names = (*answerable.DEFAULT_NO_REPLY, "no-reply", "do-not-reply")
    assert answerable.why_not_answer(parse(raw), "jan@zorg.nl", "office@zz.nl", names) is None
    for sender in ("do_not_reply+42@zorg.nl", "MAILER-DAEMON@zorg.nl", "no-reply@zorg.nl"):
        assert answerable.no_reply_sender(sender.lower(), names)


def test_threading_headers_carry_a_long_message_id_verbatim():
    original = mail(CONTACT, "x", LONG_ID, References="<a@b.nl>")
    reply = headers.new_message()
    reply["From"] = "office@zz.nl"
    reply["Subject"] = "Re"
    for name, value in headers.thread_headers(original).items():
        reply[name] = value
    reply.set_content("x")
    wire = reply.as_bytes()
    assert b"=?" not in wire
    back = message_from_bytes(wire, policy=policy.default)
    assert str(back["In-Reply-To"]) == LONG_ID
    assert str(back["References"]).split() == ["<a@b.nl>", LONG_ID]


def test_a_subject_with_an_encoded_newline_becomes_one_line():
    raw = b"From: jan@zorg.nl\r\nSubject: =?utf-8?q?Aanvraag=0D=0ABcc:_x@evil.nl?=\r\n\r\nbody"
    assert headers.subject_of(parse(raw)) == "Aanvraag Bcc: x@evil.nl"


def test_a_reused_message_id_with_other_content_is_another_mail():
    first = mail(CONTACT, "een", "<same@x.nl>", body="een").as_bytes()
    again = first.replace(b"\r\n\r\n", b"\r\nReceived: by relay\r\n\r\n", 1)
    other = mail(CONTACT, "twee", "<same@x.nl>", body="twee").as_bytes()
    assert identify(first) == identify(again)
    assert identify(first).key == identify(other).key == "<same@x.nl>"
    assert identify(first).content_sha256 != identify(other).content_sha256


def _resent(message) -> bytes:
    """The same message as a second delivery path writes it: other boundary, other lines."""
    wire = message.as_bytes()
    boundary = message.get_boundary()
    again = wire.replace(boundary.encode(), b"=_resent_" + boundary[::-1].encode())
    return b"Received: by relay.zorg.nl\r\n" + again.replace(b"\n", b"\r\n").replace(
        b"\r\r\n", b"\r\n"
    )


def test_a_mail_delivered_again_with_other_mime_boundaries_is_the_same_mail():
    attachments = [("model.xlsx", MODEL, XLSX), ("plan.pdf", PLAN, ("application", "pdf"))]
    first = mail(CONTACT, "Stukken", "<twice@x.nl>", attachments)
    wire, again = first.as_bytes(), _resent(first)
    assert wire != again and first.get_boundary().encode() not in again
    assert identify(wire) == identify(again)


def test_a_reused_message_id_with_another_document_is_another_mail():
    one = mail(CONTACT, "Stukken", "<reuse@x.nl>", [("model.xlsx", MODEL, XLSX)])
    other = mail(CONTACT, "Stukken", "<reuse@x.nl>", [("model.xlsx", MODEL + b"\0", XLSX)])
    assert identify(one.as_bytes()).key == identify(other.as_bytes()).key
    assert identify(one.as_bytes()) != identify(other.as_bytes())
    forged = mail("iemand@elders.nl", "Stukken", "<reuse@x.nl>", [("model.xlsx", MODEL, XLSX)])
    assert identify(one.as_bytes()) != identify(forged.as_bytes())


def test_the_staff_report_says_whether_the_mail_was_signed(ctx):
    from datetime import UTC, datetime

    from intake.domain import Submission
    from intake.judging.pipeline import judge
    from intake.report.html import render_html
    from intake.report.model import build

    verdict = judge(Submission("model.xlsx", MODEL, datetime(2019, 11, 20, tzinfo=UTC)), ctx)
    verdict.signals.update({"mail_signed": "S/MIME", "mail_unwrapped": "smime.p7m"})
    staff = render_html(build([verdict], ctx.rules, ctx.family, audience="staff"))
    assert "E-mail ondertekend" in staff and "S/MIME (uitgepakt uit smime.p7m)" in staff
    provider = render_html(build([verdict], ctx.rules, ctx.family))
    assert "E-mail ondertekend" not in provider


def test_an_encrypted_smime_mail_is_named_not_judged_as_a_blob():
    inner = mail(CONTACT, "aanvraag", "<in@x.nl>", [("model.xlsx", MODEL, XLSX)])
    raw = smime_enveloped(inner, CONTACT, "<enc@x.nl>").as_bytes()
    _, contents = read(raw)
    assert contents.documents == [] and contents.encrypted == {"S/MIME"}
    assert contents.signals["mail_encrypted"] == "S/MIME"
    _, signed = read(smime_opaque(inner, CONTACT, "<sig@x.nl>").as_bytes())
    assert not signed.encrypted and [d.filename for d in signed.documents] == ["model.xlsx"]
