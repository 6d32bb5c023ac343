"""Every fixture against the outcome written down by hand in fixtures/generate.py."""

from __future__ import annotations

from datetime import UTC

import pytest

from intake.campaign.register import load_register
from intake.domain import Submission
from intake.judging.pipeline import Context, judge, judge_many
from tests.manifest import REGISTER_XLSX, SUBMISSIONS, cases, codes, received

CASES = cases()


def _submission(case: dict) -> Submission:
    return Submission(case["file"], (SUBMISSIONS / case["file"]).read_bytes(), received(case))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_verdict_matches_expectation(case, ctx, bare_ctx):
    verdict = judge(_submission(case), ctx if case["register"] else bare_ctx)
    assert verdict.status.value == case["status"], verdict.findings
    assert sorted(set(verdict.codes)) == codes(case), verdict.findings
    assert verdict.document.value == case["document"]
    assert verdict.template_version == case["template_version"]


def test_every_finding_has_a_dutch_message_and_a_cell_where_one_exists(ctx):
    for case in CASES:
        verdict = judge(_submission(case), ctx)
        for finding in verdict.findings:
            assert "{" not in finding.message, finding  # every placeholder filled
            assert "Traceback" not in finding.message
            if finding.code in {
                "REQUIRED_MISSING",
                "AGB_INVALID",
                "VALUE_NOT_NUMERIC",
                "FTE_NEGATIVE",
                "WAGE_IMPLAUSIBLE",
                "TOTAL_MISMATCH",
                "FORMULA_OVERWRITTEN",
                "RESERVED_MISMATCH",
                "REGION_NOT_SERVED",
                "PLAN_NOT_DISCUSSED",
                "PERSONNEL_SHARE_LOW",
                "VALUE_NOT_ALLOWED",
                "PROVIDER_UNKNOWN",
            }:
                assert finding.location and "!" in finding.location, finding
                assert finding.location in finding.message or finding.code == "PERSONNEL_SHARE_LOW"


def test_xlsx_register_gives_the_same_verdicts_as_csv(ctx):
    xlsx_ctx = Context(ctx.rules, ctx.family, load_register(REGISTER_XLSX))
    subs = [_submission(c) for c in CASES if c["register"]]
    assert [v.to_json() for v in judge_many(subs, ctx)] == [
        v.to_json() for v in judge_many(subs, xlsx_ctx)
    ]


def test_batch_and_single_file_verdicts_are_identical(ctx):
    subs = [_submission(c) for c in CASES]
    batch = [v.to_json() for v in judge_many(subs, ctx)]
    single = [judge(s, ctx).to_json() for s in subs]
    assert batch == single


def test_old_model_figures_are_recalculated_with_the_corrected_formula(ctx):
    case = next(c for c in CASES if c["file"] == "sept2019-voor-8-november.xlsx")
    figures = judge(_submission(case), ctx).figures
    # The BBL row costs 8 fte x € 28.000: the old total leaves it out.
    assert figures["workbook"]["personnel_cost"] == 809000.0
    assert figures["corrected"]["personnel_cost"] == 1033000.0
    assert figures["workbook"]["requested"] == 914000.0
    assert figures["corrected"]["requested"] == 1138000.0
    assert figures["requested_difference"] == 224000.0
    assert figures["reserved_register"] == 1250000.0


def test_specific_locations(ctx):
    def findings(name):
        case = next(c for c in CASES if c["file"] == name)
        found = judge(_submission(case), ctx).findings
        return {(f.code, f.location) for f in found if f.code != "ADVANCE_LATER"}

    assert ("VALUE_NOT_NUMERIC", "'2. Personeel'!E9") in findings("loonkosten-tekst.xlsx")
    assert ("FTE_NEGATIVE", "'2. Personeel'!B8") in findings("fte-negatief.xlsx")
    assert ("WAGE_IMPLAUSIBLE", "'2. Personeel'!E11") in findings(
        "loonkosten-onwaarschijnlijk.xlsx"
    )
    assert findings("totalen-verouderd.xlsx") == {("TOTAL_MISMATCH", "'2. Personeel'!F9")}
    assert findings("formule-overschreven.xlsx") == {("FORMULA_OVERWRITTEN", "'2. Personeel'!F15")}
    assert ("PLAN_NOT_DISCUSSED", "'4. Kwaliteitsbudget'!C16") in findings("niet-besproken-or.xlsx")
    assert findings("keuze-ongeldig.xlsx") == {
        ("VALUE_NOT_ALLOWED", "'4. Kwaliteitsbudget'!C15"),
        ("VALUE_NOT_ALLOWED", "'3. Overige kosten'!C8"),
    }


@pytest.mark.parametrize(("day", "status"), [("2019-11-07", "review"), ("2019-11-08", "rejected")])
def test_cutoff_day_for_the_old_model(day, status, ctx):
    case = next(c for c in CASES if c["file"] == "sept2019-voor-8-november.xlsx")
    verdict = judge(_submission({**case, "received": day}), ctx)
    assert verdict.status.value == status


def test_deadline_is_a_dutch_day(ctx):
    from datetime import datetime

    case = next(c for c in CASES if c["file"] == "geldig-nov2019.xlsx")
    data = (SUBMISSIONS / case["file"]).read_bytes()
    # 23:30 UTC on 31-12 is already 1 January in Amsterdam.
    late = judge(Submission("x.xlsx", data, datetime(2019, 12, 31, 23, 30, tzinfo=UTC)), ctx)
    on_time = judge(Submission("x.xlsx", data, datetime(2019, 12, 31, 22, 30, tzinfo=UTC)), ctx)
    assert late.codes == ["SUBMISSION_LATE"]
    assert on_time.codes == ["ADVANCE_LATER"]  # received after 1-11-2019


def test_numbered_rows_are_named_as_a_provider_would(ctx):
    case = next(c for c in CASES if c["file"] == "keuze-ongeldig.xlsx")
    [finding] = [
        f for f in judge(_submission(case), ctx).findings if (f.location or "").endswith("!C8")
    ]
    assert "(regel 2, categorie)" in finding.message
