"""What each file of the external corpus is, and so which finding it must get.

Written by hand from the files' names, sources (SOURCES.tsv) and formats, not from
intake's output. None of the 600 files is a kwaliteitsbudget model or plan, so none
may be accepted; the table says which code names the problem. `expected(name)` gives
the set of acceptable codes for the verdict's first (most severe) finding.
"""

from __future__ import annotations

from pathlib import PurePath

ENCRYPTED = {"FILE_ENCRYPTED"}
UNSUPPORTED = {"FILE_FORMAT_UNSUPPORTED"}
UNREADABLE = {"FILE_UNREADABLE"}
NOT_THE_MODEL = {"TEMPLATE_UNKNOWN"}
# A PDF or Word file that is no kwaliteitsplan: text about something else, no text at all
# (pictures or drawings only: a person looks), or nothing on the pages. Broken ones are
# listed by name below.
NOT_A_PLAN = {"DOCUMENT_UNKNOWN", "PLAN_NO_TEXT", "PLAN_EMPTY"}

# By extension: what a file of that kind is.
BY_EXTENSION: dict[str, set[str]] = {
    # Binary and other spreadsheet formats that are not Office Open XML.
    **dict.fromkeys(
        [".xls", ".xlsb", ".biff5", ".ods", ".fods", ".numbers", ".csv", ".txt", ".prn"],
        UNSUPPORTED,
    ),
    **dict.fromkeys([".slk", ".dif", ".htm", ".xml", ".qpw", ".pages", ".odt"], UNSUPPORTED),
    # Lotus 1-2-3, Quattro Pro, dBase, Windows Write: named by their extension.
    **dict.fromkeys([".wk1", ".wk4", ".wks", ".123", ".wq1", ".wb2", ".dbf", ".wri"], UNSUPPORTED),
    # Legacy Word and RTF.
    **dict.fromkeys([".doc", ".rtf"], UNSUPPORTED),
    # Real workbooks and templates: readable, but not the model.
    **dict.fromkeys([".xlsx", ".xlsm", ".xltx"], NOT_THE_MODEL),
    **dict.fromkeys([".pdf", ".docx", ".dotx"], NOT_A_PLAN),
    # A plain zip of other files.
    ".zip": UNSUPPORTED,
}

# Files whose content is not what their extension says, by hand.
BY_FILE: dict[str, set[str]] = {
    # Office Open XML encryption (an OLE container with an EncryptedPackage).
    **dict.fromkeys(
        [
            "calamine__pass_protected.xlsx",
            "calamine__pass_protected.xlsb",
            "excelize__encryptAES.xlsx",
            "excelize__encryptSHA1.xlsx",
            "excelize__encryptSHA512.xlsx",
            "poi__poifs__60320-protected.xlsx",
            "poi__poifs__extenxls_pwd123.xlsx",
            "poi__poifs__protect.xlsx",
            "poi__poifs__protected_sha512.xlsx",
            "poi__poifs__protected_agile.docx",
            "poi__spreadsheet__protected_passtika.xlsx",
            "poi__spreadsheet__protected_passtika.xlsb",
            "poi__document__bug53475-password-is-pass.docx",
            "poi__document__bug53475-password-is-solrcell.docx",
            # A fuzzing crash file that is an encrypted OOXML package.
            "poi__spreadsheet__crash-9bf3cd4bd6f50a8a9339d363c2c7af14b536865c.xlsx",
        ],
        ENCRYPTED,
    ),
    # Legacy binary Office files with a password: a FILEPASS record in the workbook
    # stream, or the fEncrypted bit of the Word FIB. The password is what to fix.
    **dict.fromkeys(
        [
            "poi__document__PasswordProtected.doc",
            "poi__document__password_password_cryptoapi.doc",
            "poi__document__password_tika_binaryrc4.doc",
            "poi__spreadsheet__password.xls",
            "poi__spreadsheet__xor-encryption-abc.xls",
            "sheetjs__biff5__password_2002_40_xor.xls",
            "sheetjs__password_2002_128_enhanced.xls",
            "sheetjs__password_2002_128_enhdss.xls",
            "sheetjs__password_2002_128_enhrsa.xls",
            "sheetjs__password_2002_128_enhrsasc.xls",
            "sheetjs__password_2002_128_strong.xls",
            "sheetjs__password_2002_40_972000.xls",
            "sheetjs__password_2002_40_basecrypto.xls",
            "sheetjs__password_2002_40_dhsc.xls",
            "sheetjs__password_2002_40_dss.xls",
            "sheetjs__password_2002_40_xor.xls",
        ],
        ENCRYPTED,
    ),
    # PDFs with a user password (no empty-password opening): encrypted, never "a scan".
    # pypdf's r5/r6 "user-password" files have an empty owner password, but a reader
    # that opens them asks for the user password, as for r2-r4: they are encrypted too.
    **dict.fromkeys(
        [
            "pdfminer__encryption__aes-128-m.pdf",
            "pdfminer__encryption__aes-128.pdf",
            "pdfminer__encryption__aes-256-m.pdf",
            "pdfminer__encryption__aes-256-r6.pdf",
            "pdfminer__encryption__aes-256.pdf",
            "pdfminer__encryption__rc4-128.pdf",
            "pdfminer__encryption__rc4-40.pdf",
            "pypdf__crazyones-encrypted-256.pdf",
            "pypdf__encrypted-file.pdf",
            "pypdf__encryption__r2-user-password.pdf",
            "pypdf__encryption__r3-user-password.pdf",
            "pypdf__encryption__r4-aes-user-password.pdf",
            "pypdf__encryption__r4-user-password.pdf",
            "pypdf__encryption__r5-user-password.pdf",
            "pypdf__encryption__r6-user-password.pdf",
            "pypdf__encryption__r6-both-passwords.pdf",
            "pypdf__libreoffice-writer-password.pdf",
        ],
        ENCRYPTED,
    ),
    # 60 MB of sheet XML once unzipped: over the rules' 60 MB limit.
    "sheetjs__large_strings.xlsx": {"FILE_TOO_LARGE"},
    # A PDF whose metadata cannot be read; fuzzed and truncated Word files. (PDFs without
    # a cross-reference table, such as pdfminer's simple1 and simple3, are rebuilt by the
    # reader as a PDF viewer does: their text is read, and they are no plan.)
    **dict.fromkeys(
        [
            "pdfsamples__017-unreadable-meta-data__unreadablemetadata.pdf",
            "poi__document__clusterfuzz-testcase-minimized-POIFuzzer-6709287337197568.docx",
            "poi__document__clusterfuzz-testcase-minimized-POIXWPFFuzzer-5166796835258368.docx",
            "poi__document__clusterfuzz-testcase-minimized-POIXWPFFuzzer-5569740188549120.docx",
            "poi__document__clusterfuzz-testcase-minimized-POIXWPFFuzzer-6061520554164224.docx",
            "poi__document__clusterfuzz-testcase-minimized-POIXWPFFuzzer-6733884933668864.docx",
            "poi__document__truncated62886.docx",
        ],
        UNREADABLE,
    ),
    # Strict Open XML: read like any workbook, and not the model.
    **dict.fromkeys(
        [
            "calamine__strict_iso_paths.xlsx",
            "poi__spreadsheet__SampleSS.strict.xlsx",
            "poi__spreadsheet__SimpleStrict.xlsx",
            "poi__spreadsheet__sample.strict.xlsx",
            "sheetjs__sheet_visibility_strict.xlsx",
        ],
        NOT_THE_MODEL,
    ),
    # Entity declarations (XML bombs, external entities): hostile XML is unreadable.
    **dict.fromkeys(
        [
            "poi__openxml4j__ContentTypeHasEntities.ooxml",
            "poi__openxml4j__CorePropertiesHasEntities.ooxml",
            "poi__openxml4j__PackageRelsHasEntities.ooxml",
            "poi__spreadsheet__poc-xmlbomb.xlsx",
            "poi__spreadsheet__poc-xmlbomb-empty.xlsx",
            "poi__document__ExternalEntityInText.docx",
        ],
        UNREADABLE,
    ),
    # Truncated or fuzzed zips, a member with a wrong CRC, a zip without a workbook.
    **dict.fromkeys(
        [
            "calamine__issue252.xlsx",
            "poi__openxml4j__invalid.xlsx",
            "poi__spreadsheet__clusterfuzz-testcase-minimized-POIXSSFFuzzer-4828727001088000.xlsx",
            "poi__spreadsheet__clusterfuzz-testcase-minimized-POIXSSFFuzzer-5089447305609216.xlsx",
            "poi__spreadsheet__clusterfuzz-testcase-minimized-POIXSSFFuzzer-5185049589579776.xlsx",
            "poi__spreadsheet__clusterfuzz-testcase-minimized-POIXSSFFuzzer-6123461607817216.xlsx",
            "poi__spreadsheet__clusterfuzz-testcase-minimized-POIXSSFFuzzer-6448258963341312.xlsx",
            "poi__spreadsheet__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5025401116950528.xlsx",
        ],
        UNREADABLE,
    ),
    # An Office theme package (.thmx) saved as .docx: a zip with no document in it.
    "poi__integration__stress025.docx": UNREADABLE | UNSUPPORTED,
}

# Files without an extension: BIFF records from POI's test data (legacy Excel streams).
NO_EXTENSION = UNSUPPORTED | UNREADABLE


def expected(name: str) -> set[str]:
    if name in BY_FILE:
        return BY_FILE[name]
    suffix = PurePath(name).suffix.lower()
    if suffix in BY_EXTENSION:
        return BY_EXTENSION[suffix]
    return NO_EXTENSION
