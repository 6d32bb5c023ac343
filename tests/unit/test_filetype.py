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
