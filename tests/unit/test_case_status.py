"""Where a case stands: the rules' status, and a decision over it until a newer document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.domain.case_status import CaseStatus, case_status, computed_status

T0 = datetime(2019, 11, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("model", "plan", "expected"),
    [
        (None, None, CaseStatus.NONE),
        ("accepted", None, CaseStatus.INCOMPLETE),
        (None, "review", CaseStatus.INCOMPLETE),
        ("rejected", None, CaseStatus.REJECTED),  # must be fixed whatever else is missing
        ("accepted", "rejected", CaseStatus.REJECTED),
        ("review", "accepted", CaseStatus.REVIEW),
        ("accepted", "accepted", CaseStatus.ACCEPTED),
    ],
)
def test_computed_status(model, plan, expected):
    assert computed_status(model, plan) is expected


def test_a_decision_stands_until_a_newer_document_arrives():
    review = CaseStatus.REVIEW
    assert case_status(review, None, None, T0) is review
    assert case_status(review, "accepted", T0 + timedelta(hours=1), T0) is CaseStatus.DECIDED
    assert case_status(review, "rejected", T0 + timedelta(hours=1), T0) is CaseStatus.DECIDED
    assert case_status(CaseStatus.ACCEPTED, "review", T0 + timedelta(hours=1), T0) is review
    assert case_status(review, "accepted", T0, T0 + timedelta(hours=1)) is review


def test_login_redirects_stay_on_the_site():
    from starlette.requests import Request

    from intake.web.views.login import _next

    request = Request({"type": "http", "query_string": b"", "headers": []})
    for target, expected in [
        ("/cases/73730123", "/cases/73730123"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        (None, "/"),
    ]:
        assert _next(request, target) == expected
