"""The herschikking's arithmetic and its input file: exact cents, refusal with every line."""

from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest

from intake.campaign.herschikking import (
    DeclarationsError,
    load_herschikking_rules,
    parse_budget,
    parse_declarations,
)
from intake.domain.herschikking import (
    BudgetTooSmall,
    Production,
    discount_rate,
    divide,
    extrapolate,
    half_up,
)
from tests.manifest import FIXTURES

RULES = load_herschikking_rules()
DECLARATIONS = FIXTURES / "herschikking" / "declaraties-2020.csv"
HEADER = "agb_code,naam,goedgekeurd_jan_jun,omzetderving,maatwerk\n"


def _divide(productions, budget=None):
    return divide(productions, budget, days_declared=182, days_year=366, rate_decimals=10)


def test_extrapolation_is_declared_over_182_days_times_366_to_the_cent():
    assert extrapolate(D("182.00"), 182, 366) == D("366.00")
    assert extrapolate(D("1.00"), 182, 366) == D("2.01")  # 2.010989... rounds down
    assert extrapolate(D("1000000.00"), 182, 366) == D("2010989.01")  # .010989 -> .01
    assert extrapolate(D("4812345.67"), 182, 366) == D("9677574.26")  # 9677574.2581...


def test_rounding_is_half_up_not_to_even():
    assert half_up(D("0.005")) == D("0.01")
    assert half_up(D("0.015")) == D("0.02")
    assert half_up(D("2.675")) == D("2.68")
    assert half_up(D("0.0049999")) == D("0.00")


def test_without_a_shortfall_nothing_is_discounted():
    a = Production("73730123", "A", D("91000.00"), D("500.00"), D("250.00"))
    division = _divide([a], budget=D("1000000"))
    (share,) = division.shares
    assert share.extrapolated == D("183000.00")
    assert (share.discount_rate, share.discount) == (D(0), D("0.00"))
    assert share.total == D("183750.00")
    assert _divide([a]).total == D("183750.00")  # no budget: no discount either


def test_a_shortfall_is_one_rate_on_the_extrapolated_production_only():
    a = Production("73730123", "A", D("91000.00"), D("10000.00"), D("0"))  # extrapolated 183000
    b = Production("73730456", "B", D("45500.00"), D("0"), D("5000.00"))  # extrapolated 91500
    # sum before = 274500 + 15000 = 289500; budget 262050 -> short 27450 = 10% of 274500
    division = _divide([a, b], budget=D("262050.00"))
    assert division.rate == D("0.1000000000")
    sa, sb = division.shares
    assert (sa.discount, sb.discount) == (D("18300.00"), D("9150.00"))
    assert sa.total == D("183000.00") - D("18300.00") + D("10000.00")
    assert sb.total == D("91500.00") - D("9150.00") + D("5000.00")
    assert division.total == D("262050.00")


def test_the_rate_is_rounded_half_up_at_its_tenth_decimal_and_the_region_fits():
    productions = [
        Production(f"7373{i:04d}", f"P{i}", D(declared), D("1234.56"), D("0"))
        for i, declared in enumerate(("4812345.67", "9876543.21", "3210987.65", "0.01"))
    ]
    budget = D("35000000.00")
    division = _divide(productions, budget)
    exact = (division.sum_before - budget) / division.sum_extrapolated
    assert division.rate == exact.quantize(D("1e-10"))
    assert division.rate.as_tuple().exponent == -10
    for share in division.shares:
        assert share.discount == half_up(share.extrapolated * division.rate)
        assert share.total == share.extrapolated - share.discount + D("1234.56")
    # half a cent per provider, plus what the rate's last decimal moves
    slack = D("0.005") * len(productions) + division.sum_extrapolated * D("0.5e-10")
    assert abs(division.total - budget) <= slack


def test_a_budget_that_cannot_cover_omzetderving_and_maatwerk_is_an_error():
    a = Production("73730123", "A", D("91000.00"), D("10000.00"), D("5000.00"))
    with pytest.raises(BudgetTooSmall) as caught:
        _divide([a], budget=D("14999.99"))
    assert caught.value.fixed == D("15000.00")
    # exactly the fixed amounts: the whole production is discounted
    assert _divide([a], budget=D("15000.00")).shares[0].total == D("15000.00")
    assert discount_rate(D("15000"), D("0"), D("15000"), 10) == 0


def test_the_shipped_file_reads_in_dutch_and_plain_notation():
    rows = parse_declarations(DECLARATIONS.read_bytes(), "declaraties.csv", RULES)
    assert [r.agb for r in rows][:2] == ["73730123", "73730456"]
    first = rows[0]
    assert (first.declared, first.lost_revenue, first.custom) == (
        D("4812345.67"),
        D("125000.00"),
        D(0),
    )
    assert rows[2].lost_revenue == D(0)  # an empty omzetderving is none agreed
    assert [r.line for r in rows] == [2, 3, 4, 5, 6]


def test_every_bad_row_is_named_with_its_line_and_the_file_is_refused_whole():
    text = HEADER + (
        "73730123,Goed,1000.00,0,0\n"
        "73730456,Tekst,veel,0,0\n"
        "73730789,Negatief,1000.00,-5,0\n"
        "73730123,Dubbel,1000.00,0,0\n"
        "7373,Kort,1000.00,0,0\n"
        "73731001,Leeg,,0,0\n"
    )
    with pytest.raises(DeclarationsError) as caught:
        parse_declarations(text.encode(), "in.csv", RULES)
    problems = {(p.line, p.column): p.message for p in caught.value.problems}
    assert set(problems) == {
        (3, "goedgekeurd_jan_jun"),
        (4, "omzetderving"),
        (5, "agb_code"),
        (6, "agb_code"),
        (7, "goedgekeurd_jan_jun"),
    }
    assert "'veel' is geen bedrag" in problems[(3, "goedgekeurd_jan_jun")]
    assert "negatief" in problems[(4, "omzetderving")]
    assert "staat ook op regel 2" in problems[(5, "agb_code")]
    report = caught.value.report()
    assert "er is niets geschreven" in report and "regel 7, kolom goedgekeurd_jan_jun" in report


def test_a_missing_column_refuses_the_file():
    text = "agb_code,naam,goedgekeurd_jan_jun,maatwerk\n73730123,A,1,0\n"
    with pytest.raises(DeclarationsError) as caught:
        parse_declarations(text.encode(), "in.csv", RULES)
    (problem,) = caught.value.problems
    assert problem.line is None and "omzetderving" in problem.message


def test_an_xlsx_gives_the_same_rows_as_the_csv():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["agb_code", "naam", "goedgekeurd_jan_jun", "omzetderving", "maatwerk"])
    ws.append([73730123, "Zorggroep Rijnland", 4812345.67, "125.000,00", 0])
    ws.append(["73730456", "Stichting Amstelring Zorg", 9876543.21, 210500.5, 45000])
    out = io.BytesIO()
    wb.save(out)
    rows = parse_declarations(out.getvalue(), "in.xlsx", RULES)
    assert [(r.line, r.agb, r.declared, r.lost_revenue) for r in rows] == [
        (2, "73730123", D("4812345.67"), D("125000.00")),
        (3, "73730456", D("9876543.21"), D("210500.5")),
    ]


def test_an_xlsx_bomb_is_refused_by_the_bounded_reader_not_inflated():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 80_000_000)
    with pytest.raises(DeclarationsError) as caught:
        parse_declarations(out.getvalue(), "bom.xlsx", RULES)
    assert "niet te lezen" in caught.value.problems[0].message


def test_budgets_are_read_in_dutch_notation_and_nonsense_is_refused():
    assert parse_budget("1.250.000,00", RULES) == D("1250000.00")
    assert parse_budget("€ 40000000", RULES) == D("40000000")
    for bad in ("veel", "-5", "1e9"):
        with pytest.raises(ValueError):
            parse_budget(bad, RULES)


def test_the_calendar_is_the_page_read_as_two_columns():
    days = {k: v.strftime("%d-%m-%Y") for k, v in RULES.calendar.items()}
    assert days == {
        "declarations_complete": "19-08-2020",
        "agreement_sent": "17-09-2020",
        "portal_opens": "25-09-2020",
        "provider_herschikking": "13-10-2020",
        "provider_budget_2021": "31-10-2020",
        "office_herschikking": "30-10-2020",
        "nza_herschikking": "31-10-2020",
        "office_budget_2021": "14-11-2020",
    }


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    from dataclasses import replace

    small = replace(RULES, limits={**RULES.limits, "max_file_bytes": 1_000_000})
    with pytest.raises(DeclarationsError) as caught:
        parse_declarations(HEADER.encode() + b"x" * 1_000_001, "groot.csv", small)
    assert caught.value.problems[0].message == "het bestand is groter dan 1 MB"


def test_a_letter_made_after_a_date_of_the_calendar_never_asks_for_it_uiterlijk():
    from datetime import date

    from intake.service.herschikking import compute
    from intake.service.herschikking_letter import letter_model

    declarations = parse_declarations(DECLARATIONS.read_bytes(), DECLARATIONS.name, RULES)
    result = compute(declarations, RULES, None, None)
    share = result.division.shares[0]

    in_time = letter_model(result, share, today=date(2020, 9, 17))
    labels = dict(in_time["calendar"])
    assert labels[RULES.text("calendar_provider")] == "13-10-2020"
    assert in_time["calendar_late"] == ""

    late = letter_model(result, share, today=date(2020, 10, 20))  # after 13-10, before 30/31-10
    labels = dict(late["calendar"])
    assert RULES.text("calendar_provider") not in labels
    assert labels[RULES.text("calendar_provider_past")] == "13-10-2020"
    assert labels[RULES.text("calendar_budget_2021")] == "31-10-2020"  # still to come
    assert "contact" in late["calendar_late"] and result.kenmerk(share.agb) in late["calendar_late"]
    assert "{" not in late["calendar_late"] + " ".join(label for label, _ in late["calendar"])
    assert late["date"] == "20-10-2020"
    after_all = letter_model(result, share, date(2020, 12, 1))["calendar"]
    assert "uiterlijk" not in " ".join(label for label, _ in after_all)


def test_a_rules_file_without_a_letter_sentence_or_with_a_bad_time_zone_is_refused(tmp_path):
    from intake.campaign.rules import RulesError

    shipped = (RULES.source).read_text()
    broken = shipped.replace("calendar_late = ", "calendar_late_typo = ").replace(
        'timezone = "Europe/Amsterdam"', 'timezone = "Europe/Amsterdm"'
    )
    path = tmp_path / "herschikking-2021.toml"
    path.write_text(broken)
    with pytest.raises(RulesError) as refused:
        load_herschikking_rules(path)
    named = {key for _, key, _ in refused.value.problems}
    assert {"[letter] calendar_late", "[herschikking] timezone"} <= named
