"""One zip reader and one per-message budget for mail and files: a mail's zips are opened
by `intake.channels.unpack` through the bounded reader, with every number from the rules
file ([mailbox] for documents and bytes, [limits] for how zips are read); `intake
migrate` reads the provider's workbook through the same reader."""

from __future__ import annotations

import struct
import tracemalloc
from dataclasses import replace

import pytest

from fixtures import hostile
from intake.campaign.reasons import reason as reason_of
from intake.campaign.rules import load_rules
from intake.channels.attachments import Limits, read
from intake.channels.unpack import DocumentBudget, unpack
from intake.extract import container
from intake.service.migration import read_inputs
from tests.mailcraft import CONTACT, MODEL, PLAN, mail, zip_with_bomb, zipped

SHIPPED = Limits.shipped()


def _mailed(name: str, data: bytes) -> bytes:
    attachment = (name, data, ("application", "zip"))
    return mail(CONTACT, "stukken", "<z@zorggroeprijnland.nl>", [attachment]).as_bytes()


def _documents(raw: bytes, limits: Limits = SHIPPED) -> list[tuple[str, bytes]]:
    _, contents = read(raw, limits)
    assert contents.over_limit is None, contents.over_limit
    return [(d.filename, d.content) for d in contents.documents]


def _encrypted(data: bytes, name: bytes) -> bytes:
    """`data` with the member `name` flagged as password-protected (as zip tools write it)."""
    content = bytearray(data)
    central = content.rfind(b"PK\x01\x02", 0, content.rfind(name))
    local = content.rfind(b"PK\x03\x04", 0, content.find(name))
    for offset in (central + 8, local + 6):
        (flags,) = struct.unpack_from("<H", content, offset)
        struct.pack_into("<H", content, offset, flags | 0x1)
    return bytes(content)


def test_the_mail_limits_are_the_numbers_in_the_rules_file():
    rules = load_rules()
    assert (SHIPPED.max_documents, SHIPPED.max_bytes, SHIPPED.max_depth) == (
        rules.mailbox["max_documents"],
        rules.mailbox["max_bytes"],
        rules.mailbox["max_depth"],
    )
    assert SHIPPED.zips == container.Limits.from_rules(rules.limits)
    custom = replace(
        rules,
        mailbox={**rules.mailbox, "max_documents": 2},
        limits={**rules.limits, "max_zip_depth": 1},
    )
    limits = Limits.from_rules(custom)
    _, three = read(
        _mailed("stukken.zip", zipped([(f"m{i}.xlsx", MODEL) for i in range(3)])), limits
    )
    assert three.over_limit == "more than 2 documents"
    inner = zipped([("binnen.zip", zipped([("model.xlsx", MODEL)]))])
    assert [n for n, _ in _documents(_mailed("stukken.zip", inner), limits)] == [
        "stukken.zip/binnen.zip"
    ]
    assert _documents(_mailed("stukken.zip", inner)) == [
        ("stukken.zip/binnen.zip/model.xlsx", MODEL)
    ]


def test_a_bomb_in_a_mailed_zip_is_stopped_by_the_zip_limits():
    bomb = zip_with_bomb(100_000_000)
    assert len(bomb) < 1_000_000
    small_parts = replace(SHIPPED, zips=replace(SHIPPED.zips, max_part_bytes=5_000_000))
    tracemalloc.start()
    _, contents = read(_mailed("stukken.zip", bomb), small_parts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert contents.over_limit and "stukken.zip/plan.pdf" in contents.over_limit
    # One 5 MB part limit and the mail: not the member (100 MB), not the mail's 100 MB
    # budget, not the limit twice over (zlib asked for everything in one answer).
    assert peak < 8_000_000
    _, shipped = read(_mailed("stukken.zip", bomb))
    assert shipped.over_limit and "plan.pdf" in shipped.over_limit


def test_a_zip_with_a_damaged_member_stays_one_document(ctx):
    good = zipped([("aanvraag.xlsx", MODEL), ("plan.pdf", PLAN)], stored=True)
    damaged = bytearray(good)
    damaged[damaged.find(PLAN[500:540]) + 10] ^= 0xFF  # the CRC no longer matches
    for data in (bytes(damaged), _encrypted(zipped([("aanvraag.xlsx", MODEL)]), b"aanvraag")):
        budget = DocumentBudget.from_rules(ctx.rules.mailbox)
        assert unpack("stukken.zip", data, budget, ctx.limits) == [("stukken.zip", data)]
        assert (budget.documents, budget.bytes, budget.refused) == (1, len(data), [])
        assert budget.over_limit is None
        assert _documents(_mailed("stukken.zip", data)) == [("stukken.zip", data)]


def test_an_office_file_named_zip_is_one_document_not_its_parts():
    assert _documents(_mailed("stukken.zip", MODEL)) == [("stukken.zip", MODEL)]


def test_members_are_named_safely_and_desktop_litter_is_skipped():
    data = zipped(
        [
            ("map/aanvraag.xlsx", MODEL),
            ("__MACOSX/map/._aanvraag.xlsx", b"resource fork"),
            ("map/.DS_Store", b"finder"),
            ("map/~$aanvraag.xlsx", b"lock file"),
            ("Thumbs.db", b"thumbnails"),
            ("../../plan.pdf", PLAN),
            ("map\\plan:2?.pdf", PLAN),
        ]
    )
    assert [n for n, _ in _documents(_mailed("stukken.zip", data))] == [
        "stukken.zip/aanvraag.xlsx",
        "stukken.zip/plan.pdf",
        "stukken.zip/plan_2_.pdf",
    ]


def test_a_zip_with_more_members_than_max_parts_is_refused(ctx):
    data = zipped([(f"plan-{i}.pdf", PLAN) for i in range(11)])
    budget = DocumentBudget(max_documents=100, max_bytes=10**9)
    assert unpack("stukken.zip", data, budget, replace(ctx.limits, max_parts=10)) == []
    assert budget.refused == ["stukken.zip"]
    assert budget.over_limit == "stukken.zip: more than 10 members"


def test_migration_reads_the_providers_workbook_within_the_zip_limits(ctx):
    rules = replace(ctx.rules, limits={**ctx.rules.limits, "max_part_bytes": 5_000_000})
    small_parts = replace(ctx, rules=rules)
    bomb = hostile.lying_bomb(100_000_000)  # its zip directory says 1 KB
    tracemalloc.start()
    with pytest.raises(container.ContainerError) as refused:
        read_inputs(bomb, small_parts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.code == "FILE_TOO_LARGE" and "bom.bin" in reason_of(refused.value)
    assert peak < 25_000_000  # inflating stopped at the 5 MB part limit
    assert read_inputs(hostile.valid(), ctx).cells  # the real model still reads


def test_rules_without_mailbox_numbers_take_the_shipped_ones():
    bare = replace(load_rules(), mailbox={"max_documents": 3})
    limits = Limits.from_rules(bare)
    assert (limits.max_documents, limits.max_bytes) == (3, SHIPPED.max_bytes)
    assert limits.max_depth == SHIPPED.max_depth


def test_a_mail_over_its_limits_tells_the_provider_why_in_dutch_only():
    from intake.channels.mail_message import too_large

    rules = load_rules()
    many = zipped([(f"m{i}.xlsx", MODEL) for i in range(3)])
    crowded = zipped([(f"m{i}.txt", b"x") for i in range(12)])
    deep = b"".join([b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"] * 300)
    cases = {
        "documents": (many, replace(SHIPPED, max_documents=2)),
        "bytes": (many, replace(SHIPPED, max_bytes=len(MODEL) + 10)),
        "members": (crowded, replace(SHIPPED, zips=replace(SHIPPED.zips, max_parts=10))),
        "member_size": (
            zip_with_bomb(100_000_000),
            replace(SHIPPED, zips=replace(SHIPPED.zips, max_part_bytes=5_000_000)),
        ),
    }
    seen = {}
    for limit, (data, limits) in cases.items():
        _, contents = read(_mailed("stukken.zip", data), limits)
        assert contents.limit == limit, (limit, contents.over_limit)
        seen[limit] = too_large(rules, contents, limits).message
    _, contents = read(deep, SHIPPED)
    seen["structure"] = too_large(rules, contents, SHIPPED).message
    for limit, message in seen.items():
        reason = rules.text(f"message_too_large_{limit}", max_documents=2)
        assert f"({reason.split('{')[0][:20]}" in message, message
        for english in ("more than", "members", "bytes", "MIME", "stukken.zip", "zip limits"):
            assert english not in message, (limit, message)
    assert "(meer dan 2 documenten)" in seen["documents"]
    assert "met meer dan 10 bestanden" in seen["members"]
