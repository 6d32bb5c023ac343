from intake.detect.filetype import FileType, sniff
from tests.manifest import SUBMISSIONS


def test_content_decides_not_the_name():
    xls = (SUBMISSIONS / "xls-in-xlsx-jas.xlsx").read_bytes()
    assert sniff(xls, "model.xlsx").type is FileType.XLS
    xlsx = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    sniffed = sniff(xlsx, "model.xls")
    assert sniffed.type is FileType.XLSX and sniffed.extension_mismatch


def test_kinds():
    assert sniff(b"", "a.xlsx").type is FileType.EMPTY
    assert sniff(b"%PDF-1.7\n...", "a.pdf").type is FileType.PDF
    assert sniff(b"agb;naam;x\n1;2;3\n", "a.csv").type is FileType.CSV
    assert (
        sniff((SUBMISSIONS / "versleuteld.xlsx").read_bytes(), "a.xlsx").type
        is FileType.ENCRYPTED_OFFICE
    )
    assert sniff((SUBMISSIONS / "opendocument.ods").read_bytes(), "a.ods").type is FileType.ODS
    assert sniff((SUBMISSIONS / "afgekapt.xlsx").read_bytes(), "a.xlsx").type is FileType.BROKEN_ZIP


def test_entity_declarations_are_refused_in_utf16_parts_too():
    import io
    import zipfile

    import pytest

    from intake.extract.container import ContainerError, Limits, read_parts

    bomb = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", bomb.encode("utf-16"))
    with pytest.raises(ContainerError) as info:
        read_parts(buffer.getvalue(), Limits(10**7, 10**7, 10**5))
    assert info.value.code == "FILE_UNREADABLE"


def test_text_formats_are_named_by_what_they_are():
    from intake.detect.filetype import FileType, sniff

    assert sniff(b"ID;PWXL;N;E\r\nC;Y1;X1;K1\r\nE\r\n", "a.slk").type is FileType.OTHER_SPREADSHEET
    flat = b'<?xml version="1.0"?><office:document office:mimetype="a,b,c">'
    assert sniff(flat, "a.fods").type is FileType.ODS
    assert sniff(b"<html><body><table><tr><td>1,2,3</td></tr>", "a.htm").type is FileType.TEXT
    assert sniff(b"naam;agb;bedrag\nx;1;2\n", "a.csv").type is FileType.CSV
