import pytest

from intake.campaign.register import RegisterError, load_register, parse_amount, parse_register
from tests.manifest import FIXTURES, REGISTER_CSV, REGISTER_XLSX


def test_csv_and_xlsx_registers_hold_the_same_entries():
    csv_reg, xlsx_reg = load_register(REGISTER_CSV), load_register(REGISTER_XLSX)
    assert len(csv_reg) == len(xlsx_reg) == 4
    assert csv_reg.entries == xlsx_reg.entries
    entry = csv_reg.get("73730123")
    assert entry.gereserveerd == 1250000.0
    assert entry.compensatie == 150000.0
    assert csv_reg.get("73731001").compensatie is None


def test_contacts_by_address_and_domain():
    entry = load_register(REGISTER_CSV).get("73730123")
    assert entry.is_contact("J.deVries@ZorggroepRijnland.nl")
    assert entry.is_contact("iemand.anders@zorggroeprijnland.nl")
    assert not entry.is_contact("j.devries@zorggroeprijnland.nl.evil.com")
    assert not entry.is_contact(None)


def test_broken_register_is_refused_whole_with_every_problem():
    with pytest.raises(RegisterError) as info:
        load_register(FIXTURES / "registers" / "register-kapot.csv")
    report = info.value.report()
    assert "regel 6, kolom agb_code: AGB-code 73730123 staat ook op regel 2" in report
    assert "regel 7, kolom agb_code: '7373' is geen AGB-code van 8 cijfers" in report
    assert "kolom gereserveerd_2020: 'veel' is geen geldig bedrag" in report
    assert "'geen-adres' is geen e-mailadres of @domein" in report


def test_missing_columns_and_empty_file():
    with pytest.raises(RegisterError, match="refused"):
        parse_register(b"agb_code,naam\n73730123,X\n", "x.csv")
    with pytest.raises(RegisterError):
        parse_register(b"", "leeg.csv")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1250000", 1250000.0),
        ("1250000.50", 1250000.5),
        ("1.250.000,50", 1250000.5),
        ("€ 1.250.000", 1250000.0),
        ("980500,5", 980500.5),
    ],
)
def test_amounts_in_both_notations(text, value):
    assert parse_amount(text) == value


def _register_sheet(change):
    from fixtures.generate import patch_part

    data = REGISTER_XLSX.read_bytes()
    return patch_part(data, "xl/worksheets/sheet1.xml", change)


def test_an_xlsx_register_is_read_through_the_bounded_reader():
    """A padded sheet (tiny zipped, 20 MB inflated, ratio far past the limit) and a DTD
    are refused with the reason, before openpyxl sees a byte of them."""
    padded = _register_sheet(
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 20_000_000, 1)
    )
    with pytest.raises(RegisterError) as refused:
        parse_register(padded, "register.xlsx")
    assert "keer zo groot uit (grens 200)" in refused.value.report()
    dtd = _register_sheet(lambda xml: b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml)
    with pytest.raises(RegisterError) as refused:
        parse_register(dtd, "register.xlsx")
    assert "bevat een DTD of entiteiten" in refused.value.report()


def test_a_register_saved_as_strict_open_xml_holds_the_same_entries():
    from fixtures.strict import to_strict

    data = REGISTER_XLSX.read_bytes()
    plain = parse_register(data, "register.xlsx")
    strict = parse_register(to_strict(data), "register.xlsx")
    assert strict.entries == plain.entries and len(plain.entries) > 3
