from datetime import date

from intake.domain import fmt


def test_dutch_notation():
    assert fmt.euro(1250000) == "€ 1.250.000,00"
    assert fmt.euro(0.5) == "€ 0,50"
    assert fmt.percent(0.9077) == "90,8%"
    assert fmt.number(2.5) == "2,5"
    assert fmt.number(12) == "12"
    assert fmt.day(date(2019, 12, 31)) == "31-12-2019"
    assert fmt.euro(None) == "—"
