"""Lateness with and without uitstel: the campaign's deadline, the provider's own date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from intake.campaign.rules import load_rules
from intake.checks.campaign import check_late, lateness
from intake.domain import (
    DocumentKind,
    Provider,
    Status,
    Verdict,
    decide_status,
)
from intake.service.extensions import with_extension

RULES = load_rules("kwaliteitsbudget-2020")
UNTIL = date(2020, 1, 31)


def _at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


def test_on_time_late_and_within_an_extension():
    assert lateness(_at("2019-12-31"), RULES, UNTIL) == []
    assert [f.code for f in lateness(_at("2020-01-15"), RULES)] == ["SUBMISSION_LATE"]
    (within,) = lateness(_at("2020-01-15"), RULES, UNTIL)
    assert (within.code, within.severity.value) == ("EXTENSION_APPLIED", "info")
    assert "15-01-2020" in within.message and "31-12-2019" in within.message
    assert "tot en met 31-01-2020" in within.message
    assert [f.code for f in lateness(_at("2020-01-31", 20), RULES, UNTIL)] == ["EXTENSION_APPLIED"]
    # 23:00 UTC on 31 January is midnight, 1 February, in Amsterdam: after the uitstel
    assert [f.code for f in lateness(_at("2020-01-31", 23), RULES, UNTIL)] == ["SUBMISSION_LATE"]
    # the registered check, which the pipeline runs, knows no uitstel
    assert [f.code for f in check_late(_at("2020-01-15"), RULES)] == ["SUBMISSION_LATE"]


def _verdict(received: datetime, findings) -> Verdict:
    return Verdict(
        file="model.xlsx",
        sha256="0" * 64,
        document=DocumentKind.AANVRAAG,
        status=decide_status(findings),
        findings=list(findings),
        received=received,
        provider=Provider("73730123", "Zorggroep Rijnland"),
        campaign="kwaliteitsbudget-2020",
    )


def test_an_extension_changes_a_late_verdict_and_its_status_and_back():
    late = _verdict(_at("2020-01-15"), lateness(_at("2020-01-15"), RULES))
    assert late.status is Status.REVIEW
    on_time = with_extension(late, UNTIL, RULES)
    assert on_time.codes == ["EXTENSION_APPLIED"] and on_time.status is Status.ACCEPTED
    assert late.codes == ["SUBMISSION_LATE"]  # the original is not changed in place
    revoked = with_extension(on_time, None, RULES)
    assert revoked.codes == ["SUBMISSION_LATE"] and revoked.status is Status.REVIEW
    shorter = with_extension(on_time, date(2020, 1, 10), RULES)
    assert shorter.codes == ["SUBMISSION_LATE"]


def test_a_verdict_the_pipeline_found_on_time_is_left_alone():
    early = _verdict(_at("2019-12-01"), [])
    assert with_extension(early, UNTIL, RULES) is early
