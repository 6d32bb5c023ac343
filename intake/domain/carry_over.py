"""Which workbooks can be carried over to the corrected model, and under what name.

A rule about verdicts alone: the letter explains a refusal with it, and the service that
writes the corrected workbook refuses with it, so both sit on the same decision.
"""

from __future__ import annotations

from pathlib import PurePath

from intake.domain import DocumentKind, Verdict

# Findings after which the inputs cannot be read back with confidence.
UNSAFE = ("TEMPLATE_MODIFIED", "FORMULA_OVERWRITTEN")
UNREADABLE = ("FILE_UNREADABLE", "FILE_ENCRYPTED", "FILE_TOO_LARGE", "FILE_FORMAT_UNSUPPORTED")


def refusal(verdict: Verdict, current: str) -> str | None:
    """Why `verdict`'s workbook gets no corrected copy, or None when it can have one."""
    codes = set(verdict.codes)
    for code in (*UNREADABLE, *UNSAFE):
        if code in codes:
            return code
    if verdict.document is not DocumentKind.AANVRAAG or not verdict.template_version:
        return "NOT_OUTDATED"
    if verdict.template_version == current:
        return "NOT_OUTDATED"
    return None


def migrated_name(filename: str, version: str) -> str:
    path = PurePath(filename)
    return f"{path.stem}-{version}.xlsx"
