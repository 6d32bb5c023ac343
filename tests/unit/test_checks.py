"""Each registered check on a hand-built workbook picture: what raises its code and what
does not. The integration tests run the same checks on real files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.checks import campaign, compute, formulas, plausibility, register_checks
from intake.checks.facts import gather
from intake.checks.registry import Stage, all_checks, codes, for_stage
from intake.detect.version import Detection
from tests.workbook_picture import picture

NOV = "nov2019"
SEPT = "sept2019"
NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC)
NOV_1 = datetime(2019, 11, 1, 12, tzinfo=UTC)
OCT_15 = datetime(2019, 10, 15, 12, tzinfo=UTC)  # in time, before any advance note
JAN_10 = datetime(2020, 1, 10, 12, tzinfo=UTC)


def _codes(findings) -> set[str]:
    return {f.code for f in findings}


def test_every_code_a_check_declares_is_described_in_the_rules(ctx):
    assert codes() <= set(ctx.rules.catalogue), codes() - set(ctx.rules.catalogue)


def test_every_workbook_check_reads_only_gathered_facts(ctx):
    facts = gather(
        picture(ctx.family, NOV), ctx.family, ctx.rules, Detection(True, NOV), OCT_15, None
    )
    for each in for_stage(Stage.WORKBOOK):
        assert set(each.needs) <= set(vars(facts)), each.name
        assert each.run(facts) == [], each.name  # a valid model raises nothing
    assert {c.name for c in all_checks()} >= {"campaign.check_late", "plan_checks.check_plan"}


def test_outdated_model_is_review_before_the_cutoff_and_an_error_after(ctx):
    rules, family = ctx.rules, ctx.family
    old = Detection(True, SEPT)
    [early] = campaign.check_outdated(old, family, NOV_1, rules)
    [late] = campaign.check_outdated(old, family, NOV_20, rules)
    assert (early.code, early.severity.value) == ("TEMPLATE_OUTDATED", "review")
    assert (late.code, late.severity.value) == ("TEMPLATE_OUTDATED", "error")
    assert campaign.check_outdated(Detection(True, NOV), family, NOV_20, rules) == []


def test_version_conflict_names_both_versions(ctx):
    detection = Detection(True, NOV, claimed=SEPT)
    [finding] = campaign.check_version_conflict(detection, ctx.family, ctx.rules)
    assert finding.code == "TEMPLATE_VERSION_CONFLICT"
    assert campaign.check_version_conflict(Detection(True, NOV), ctx.family, ctx.rules) == []


def test_late_and_advance_later_follow_the_calendar(ctx):
    assert _codes(campaign.check_late(JAN_10, ctx.rules)) == {"SUBMISSION_LATE"}
    assert campaign.check_late(NOV_20, ctx.rules) == []
    assert _codes(campaign.check_advance_later(NOV_20, ctx.rules)) == {"ADVANCE_LATER"}
    assert campaign.check_advance_later(JAN_10, ctx.rules) == []  # late says more


def test_unusual_kind_of_care_in_the_agb_code(ctx):
    ir = picture(ctx.family, NOV, {"agb": "01730123"})
    [finding] = register_checks.check_agb_kind(ir, ctx.family, ctx.rules)
    assert finding.code == "AGB_KIND_UNUSUAL" and finding.location.endswith("!C5")
    assert register_checks.check_agb_kind(picture(ctx.family, NOV), ctx.family, ctx.rules) == []


def test_compensation_cannot_exceed_the_reserved_amount(ctx):
    ir = picture(ctx.family, NOV, {"compensatie": 2_000_000.0})
    found = register_checks.check_compensation_within_reserved(ir, ctx.family, ctx.rules)
    assert _codes(found) == {"COMPENSATION_EXCEEDS_RESERVED"}


def test_register_names_unknown_providers_and_differences(ctx, register):
    family, rules = ctx.family, ctx.rules
    unknown = picture(family, NOV, {"agb": "73799999"})
    entry = register_checks.lookup(unknown, family, register)
    found = register_checks.check_register(unknown, family, register, entry, rules)
    assert _codes(found) == {"PROVIDER_UNKNOWN"}
    other = picture(family, NOV, {"naam": "Iets Anders BV", "gereserveerd": 999_000.0})
    entry = register_checks.lookup(other, family, register)
    found = register_checks.check_register(other, family, register, entry, rules)
    assert {"PROVIDER_NAME_MISMATCH", "RESERVED_MISMATCH"} <= _codes(found)
    assert register_checks.check_register(other, family, None, None, rules) == []


def test_overwritten_formula_and_its_downstream_totals(ctx):
    family, rules = ctx.family, ctx.rules
    sheet = family.tables["personeel"].sheet
    ir = picture(family, NOV, cells={(sheet, "F9"): 1.0})
    broken = formulas.overwritten(ir, family, NOV)
    assert (sheet, "F9") in broken
    found = formulas.check_formula_overwritten(ir, family, NOV, rules, broken)
    assert _codes(found) == {"FORMULA_OVERWRITTEN"}


def test_cached_total_that_disagrees_with_the_recomputation(ctx):
    family, rules = ctx.family, ctx.rules
    ir = picture(family, NOV)
    key = family.figures["requested"]
    ir.cells[key] = type(ir.cells[key])(ir.cells[key].value + 5000.0, ir.cells[key].formula)
    own = compute.recompute(ir, family, NOV)
    found = formulas.check_total_mismatch(ir, family, NOV, own, rules, set())
    assert _codes(found) == {"TOTAL_MISMATCH"}


def test_a_workbook_saved_without_results(ctx):
    ir = picture(ctx.family, NOV, cached=False)
    assert _codes(formulas.check_values_calculated(ir, ctx.rules)) == {"VALUES_NOT_CALCULATED"}


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"gereserveerd": 9e12}, "AMOUNT_IMPLAUSIBLE")],
)
def test_implausible_amounts(ctx, fields, code):
    ir = picture(ctx.family, NOV, fields)
    own = compute.recompute(ir, ctx.family, NOV)
    assert code in _codes(plausibility.check_plausible(ir, ctx.family, own, ctx.rules))


def test_implausible_fte_increase(ctx):
    sheet = ctx.family.tables["personeel"].sheet
    ir = picture(ctx.family, NOV, cells={(sheet, "C9"): 5000.0})
    own = compute.recompute(ir, ctx.family, NOV)
    found = plausibility.check_plausible(ir, ctx.family, own, ctx.rules)
    assert "FTE_TOTAL_IMPLAUSIBLE" in _codes(found)


def test_the_september_formula_leaves_out_the_bbl_row(ctx):
    """The corrected recomputation counts row 14 (BBL); the september one does not."""
    ir = picture(ctx.family, SEPT)
    facts = gather(ir, ctx.family, ctx.rules, Detection(True, SEPT), NOV_1, None)
    own = facts.own.figure(ctx.family, "personnel_cost")
    corrected = facts.corrected.figure(ctx.family, "personnel_cost")
    assert corrected - own == pytest.approx(5.5 * 30_000.0)


def test_one_parser_for_a_findings_location():
    from intake.domain.cells import Location

    where = Location.parse("'2. Personeel'!E9")
    assert (where.sheet, where.cell, str(where)) == ("2. Personeel", "E9", "'2. Personeel'!E9")
    assert Location.parse("'Jan''s blad'!$c$3") == Location("Jan's blad", "C3")
    assert Location.parse("pagina 2") == Location("", "pagina 2")
    assert Location.parse(None) == Location()
    rows = ["'2. Personeel'!E10", "'2. Personeel'!E9", "'1. Algemene gegevens'!C12"]
    ordered = sorted(rows, key=lambda r: Location.parse(r).sort_key())
    assert ordered == ["'1. Algemene gegevens'!C12", "'2. Personeel'!E9", "'2. Personeel'!E10"]
