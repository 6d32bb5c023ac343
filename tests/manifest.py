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


def received(case: dict) -> datetime:
    return datetime.fromisoformat(case["received"] + "T12:00:00+01:00")
