"""The hand-written expectations for fixtures/submissions/, shared by the test tiers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SUBMISSIONS = FIXTURES / "submissions"
REGISTER_CSV = FIXTURES / "registers" / "gereserveerde-kwaliteitsmiddelen-2020.csv"
REGISTER_XLSX = FIXTURES / "registers" / "gereserveerde-kwaliteitsmiddelen-2020.xlsx"


def cases() -> list[dict]:
    return json.loads((SUBMISSIONS / "manifest.json").read_text(encoding="utf-8"))


# The 2020 rules' `advance_later_after`: a judged model received later gets ADVANCE_LATER.
ADVANCE_LATER_AFTER = "2019-11-01"


def codes(case: dict) -> list[str]:
    """The hand-written codes, plus the info finding every later-received model gets.

    Derived here rather than written into each of the ~50 cases of the manifest.
    """
    found = set(case["codes"])
    judged = case["document"] == "aanvraag" and "TEMPLATE_MODIFIED" not in found
    if judged and case["received"] > ADVANCE_LATER_AFTER and "SUBMISSION_LATE" not in found:
        found.add("ADVANCE_LATER")
    return sorted(found)


def received(case: dict) -> datetime:
    return datetime.fromisoformat(case["received"] + "T12:00:00+01:00")
