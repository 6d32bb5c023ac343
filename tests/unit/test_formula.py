import pytest

from intake.domain import formula


def test_spellings_of_one_formula_parse_equal():
    a = formula.parse("='2. Personeel'!$F$15", "4. Kwaliteitsbudget")
    b = formula.parse("'2. Personeel'!F15", "Other")
    assert a == b
    assert formula.parse("sum(f7:f14)", "S") == formula.parse("=SUM(F7:F14)", "S")


def test_different_ranges_differ():
    assert formula.parse("SUM(F7:F13)", "S") != formula.parse("SUM(F7:F14)", "S")


def test_unqualified_refs_belong_to_the_formulas_sheet():
    assert formula.parse("C5+C6", "A") != formula.parse("C5+C6", "B")


def test_unsupported_formula_never_equals_a_supported_one():
    node = formula.parse("VLOOKUP(A1,B:B,2)", "S")
    assert isinstance(node, formula.Unsupported)
    assert node != formula.parse("SUM(F7:F14)", "S")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IF(C7=0,0,C5/C7)", 0.75),
        ("MIN(C7,C9)", 100.0),
        ("MAX(0,C7-C9)", 0.0),
        ("SUM(C5:C7)", 200.0),
        ("-C5+2*C6", -25.0),
    ],
)
def test_evaluate(text, expected):
    cells = {"C5": 75.0, "C6": 25.0, "C7": 100.0, "C9": 150.0}
    assert formula.evaluate(formula.parse(text, "S"), lambda s, r: cells.get(r, 0.0)) == expected


def test_if_guards_division_by_zero():
    node = formula.parse("IF(C7=0,0,C5/C7)", "S")
    assert formula.evaluate(node, lambda s, r: 0.0) == 0.0
    with pytest.raises(formula.FormulaError):
        formula.evaluate(formula.parse("C5/C7", "S"), lambda s, r: 0.0)


def test_references_expand_ranges_and_sheets():
    refs = formula.references(formula.parse("'2. Personeel'!F15+SUM(D7:D8)", "X"))
    assert [(r.sheet, r.ref) for r in refs] == [("2. Personeel", "F15"), ("X", "D7:D8")]
