"""The plan's text pieces: normalisation, sentences with pages, Dutch figures, years."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intake.campaign.rules import load_rules
from intake.checks.plan_checks import check_year, years_covered
from intake.checks.plan_councils import councils
from intake.checks.plan_figures import find_figures, parse_number
from intake.checks.plan_text import normalise, sentences, stem_pattern
from intake.extract.plan import PlanText

RULES = load_rules()


def plan(*pages: str) -> PlanText:
    return PlanText(len(pages), tuple(pages))


def test_normalise_joins_compounds_and_drops_accents():
    assert normalise("Cliënten-raad: medicatie-veiligheid!") == " clientenraad medicatieveiligheid "
    assert "veiligheid" in normalise("Medicatieveiligheid")
    assert stem_pattern(" or ") == " or "
    assert stem_pattern(" or ") not in normalise("door de orde")
    assert stem_pattern(" or ") in normalise("De OR heeft ingestemd.")


def test_sentences_keep_their_page_and_join_wrapped_lines():
    text = plan(
        "Kwaliteitsplan 2020\nDit is een lange regel van een alinea die over twee regels loopt en\n"
        "hier verder gaat. Tweede zin.",
        "1. Veiligheid\nMedicatie-\nveiligheid staat voorop.",
    )
    found = sentences(text)
    assert [(s.page, s.text) for s in found] == [
        (1, "Kwaliteitsplan 2020"),
        (
            1,
            "Dit is een lange regel van een alinea die over twee regels loopt en hier verder gaat.",
        ),
        (1, "Tweede zin."),
        (2, "1. Veiligheid"),
        (2, "Medicatieveiligheid staat voorop."),
    ]
    assert all(s.page is None for s in sentences(text, paged=False))


@pytest.mark.parametrize(
    ("written", "value", "precision"),
    [
        ("12,5", "12.5", "0.05"),
        ("1.249.675", "1249675", "0.5"),
        ("99.000.000", "99000000", "0.5"),
        ("1.249.675,50", "1249675.50", "0.005"),
        ("12.5", "12.5", "0.05"),
        ("1.250", "1250", "0.5"),
        ("22", "22", "0.5"),
    ],
)
def test_dutch_numbers(written, value, precision):
    assert parse_number(written) == (Decimal(value), Decimal(precision))


def test_fte_and_euro_figures_in_dutch_notation():
    text = plan(
        "In 2020 komen er 12,5 fte extra bij. Wij vragen € 1.249.675 aan kwaliteitsbudget. "
        "Dat is ongeveer 1,2 miljoen. De stichting heeft 350 fte in dienst. "
        "Totaal kosten EUR 99.000.000 en 2 miljoen euro en € 45.000,- voor scholing."
    )
    figures = find_figures(sentences(text), RULES.plan)
    got = [(f.kind, f.value, f.context) for f in figures]
    assert ("fte", Decimal("12.5"), True) in got
    assert ("fte", Decimal("350"), False) in got  # staff in service: no extra-staff words
    assert ("euro", Decimal("1249675"), True) in got
    assert ("euro", Decimal("99000000"), True) in got
    assert ("euro", Decimal("2000000"), True) in got
    assert ("euro", Decimal("45000"), True) in got
    million = next(f for f in figures if f.written == "1,2 miljoen")
    assert million.value == Decimal("1200000") and million.precision == Decimal("50000")
    assert all(f.page == 1 and f.quote for f in figures)


def test_years_and_periods():
    assert 2020 in years_covered("Meerjarenplan 2019-2021")
    assert 2020 in years_covered("kwaliteitsplan 2019 – 2021")
    assert 2020 in years_covered("plan 2020-2021")
    assert 2020 in years_covered("periode 2018 t/m 2022")
    assert 2020 in years_covered("plan 2019/20")
    assert 2020 not in years_covered("vastgesteld 2019-11-20")  # a date, not a period
    assert years_covered("25-11-2019") == {2019}


def _year_codes(name: str, *pages: str) -> list[tuple[str, str]]:
    return [(f.code, f.severity.value) for f in check_year(name, plan(*pages), RULES)]


def test_a_plan_for_2020_or_a_period_with_it_passes():
    assert _year_codes("plan.pdf", "Kwaliteitsplan verpleeghuiszorg 2020\nTekst.") == []
    assert _year_codes("plan.pdf", "Meerjarig kwaliteitsplan 2019-2021\nTekst.") == []
    assert _year_codes("kwaliteitsplan-2020.pdf", "Kwaliteitsplan\nVastgesteld 25-11-2019.") == []


def test_last_years_plan_is_a_review_not_a_rejection():
    codes = _year_codes("plan.pdf", "Kwaliteitsplan 2019\nIn 2019 deden wij veel.")
    assert codes == [("PLAN_LAST_YEAR", "review")]
    # the title decides: a 2019 plan that looks ahead to 2020 is still last year's plan
    finding = check_year("plan.pdf", plan("Kwaliteitsplan 2019\nIn 2020 gaan wij verder."), RULES)
    assert finding[0].code == "PLAN_LAST_YEAR"
    assert "vorig jaar" in finding[0].message and "2020 komt wel voor" in finding[0].message


def test_a_plan_without_2020_or_for_a_later_year_is_a_review():
    assert _year_codes("plan.pdf", "Kwaliteitsplan 2021\nTekst.") == [("PLAN_WRONG_YEAR", "review")]
    assert _year_codes("plan.pdf", "Kwaliteitsplan\nZonder jaartal.") == [
        ("PLAN_WRONG_YEAR", "review")
    ]


def _levels(text: str) -> dict[str, str | None]:
    found = councils(sentences(plan(text)), RULES.plan["councils"])
    return {k: v["level"] for k, v in found.items()}


def test_councils_advice_and_consent_per_council():
    assert _levels(
        "De cliëntenraad heeft positief geadviseerd en de ondernemingsraad heeft ingestemd."
    ) == {"clientenraad": "advies", "ondernemingsraad": "instemming"}
    assert _levels("De cliëntenraad en de OR hebben ingestemd.") == {
        "clientenraad": "instemming",
        "ondernemingsraad": "instemming",
    }
    # "adviesraad" is a council's name, not advice
    assert _levels("De verpleegkundige adviesraad kent het plan.")["ondernemingsraad"] == "genoemd"
    assert _levels("De VAR heeft advies uitgebracht.")["ondernemingsraad"] == "advies"
    assert _levels("Wij volgen de orde van de dag.") == {
        "clientenraad": None,
        "ondernemingsraad": None,
    }
