"""Bytes and a received date in, a verdict out: the one hand-off for every channel.

Data problems become findings; an exception here means a defect or a file so broken
that no check can run, and it still becomes a verdict (FILE_UNREADABLE) at this
boundary, so one bad file never stops a batch and never shows a traceback.

Batches run in two stages: everything per file first, then the pandera schemas
once over all workbooks of the batch, whose fixed cost would otherwise dominate.
The per-document work lives in `documents.py`, the inputs in `context.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from intake.context import Context
from intake.detect.filetype import FORMAT_NAMES, FileType, Sniffed, sniff
from intake.documents import Work, file_finding, judge_plan, judge_workbook, new_verdict
from intake.domain import Finding, Submission, Verdict, decide_status, order_findings
from intake.validate import tables

__all__ = ["Context", "judge", "judge_many"]

log = logging.getLogger(__name__)

UNSUPPORTED = {
    FileType.XLS,
    FileType.XLSB,
    FileType.XLSX_STRICT,
    FileType.RTF,
    FileType.DOC,
    FileType.ODS,
    FileType.ODT,
    FileType.NUMBERS,
    FileType.CSV,
    FileType.TEXT,
    FileType.IMAGE,
    FileType.ZIP,
}


def _stage_one(work: Work, ctx: Context) -> None:
    sub, rules = work.submission, ctx.rules
    if len(sub.content) > rules.limits["max_file_bytes"]:
        size = f"{len(sub.content) / 1_000_000:.1f} MB".replace(".", ",")
        work.verdict.findings.append(file_finding(rules, "FILE_TOO_LARGE", sub, reason=size))
        return
    sniffed = sniff(sub.content, sub.filename)
    if sniffed.type is FileType.ZIP and sniffed.by_extension in (FileType.XLSX, FileType.DOCX):
        # Named as an Office file, but no workbook or document in it: broken, not "a zip".
        sniffed = Sniffed(FileType.BROKEN_ZIP, sniffed.by_extension)
    work.verdict.signals["file_type"] = sniffed.type.value
    if sniffed.extension_mismatch and sniffed.type in (FileType.XLSX, FileType.PDF, FileType.DOCX):
        work.verdict.findings.append(
            file_finding(
                rules,
                "EXTENSION_MISMATCH",
                sub,
                extension=PurePath(sub.filename).suffix,
                format=FORMAT_NAMES[sniffed.type],
            )
        )
    if sniffed.type is FileType.XLSX:
        judge_workbook(work, ctx)
    elif sniffed.type in (FileType.PDF, FileType.DOCX):
        judge_plan(work, sniffed, ctx)
    elif sniffed.type is FileType.ENCRYPTED_OFFICE:
        work.verdict.findings.append(file_finding(rules, "FILE_ENCRYPTED", sub))
    elif sniffed.type in UNSUPPORTED:
        work.verdict.findings.append(
            file_finding(rules, "FILE_FORMAT_UNSUPPORTED", sub, format=FORMAT_NAMES[sniffed.type])
        )
    elif sniffed.type is FileType.BROKEN_ZIP:
        work.verdict.findings.append(
            file_finding(
                rules,
                "FILE_UNREADABLE",
                sub,
                reason="het bestand is beschadigd of onvolledig (afgekapt)",
            )
        )
    elif sniffed.type is FileType.EMPTY:
        work.verdict.findings.append(
            file_finding(rules, "FILE_UNREADABLE", sub, reason="het bestand is leeg (0 bytes)")
        )
    elif (
        sniffed.by_extension in (FileType.XLSX, FileType.PDF, FileType.DOCX)
        or sniffed.by_extension is None
    ):
        work.verdict.findings.append(
            file_finding(rules, "FILE_UNREADABLE", sub, reason="de inhoud is geen geldig document")
        )
    else:
        work.verdict.findings.append(
            file_finding(
                rules, "FILE_FORMAT_UNSUPPORTED", sub, format=FORMAT_NAMES[sniffed.by_extension]
            )
        )


def _finish(work: Work, extra: Iterable[Finding]) -> Verdict:
    verdict = work.verdict
    verdict.findings = order_findings([*verdict.findings, *extra])
    verdict.status = decide_status(verdict.findings)
    return verdict


def _crashed(work: Work, ctx: Context, exc: BaseException) -> None:
    log.exception("%s: judging failed: %s", work.submission.filename, exc)
    work.ir = None
    work.verdict.findings = [
        file_finding(
            ctx.rules,
            "FILE_UNREADABLE",
            work.submission,
            reason="het bestand kon niet worden verwerkt",
        )
    ]


def judge_many(submissions: Sequence[Submission], ctx: Context) -> list[Verdict]:
    """Judge a batch; the verdicts are identical to judging each file on its own."""
    works = [Work(i, sub, new_verdict(sub, ctx.rules)) for i, sub in enumerate(submissions)]
    for work in works:
        try:
            _stage_one(work, ctx)
        except Exception as exc:  # the pipeline boundary: a defect becomes a verdict
            _crashed(work, ctx, exc)
    ready = [
        tables.Judged(w.key, w.ir, w.corrected, w.explained) for w in works if w.ir is not None
    ]
    try:
        extra = tables.check_tables(ready, ctx.family, ctx.rules, ctx.validation)
    except Exception as exc:
        if len(ready) <= 1:
            for w in works:
                if w.ir is not None:
                    _crashed(w, ctx, exc)
            extra = {}
        else:  # isolate the file that breaks the batch by judging one at a time
            extra = {}
            for item in ready:
                try:
                    extra.update(tables.check_tables([item], ctx.family, ctx.rules, ctx.validation))
                except Exception as single:
                    _crashed(works[item.key], ctx, single)
    return [_finish(w, extra.get(w.key, [])) for w in works]


def judge(submission: Submission, ctx: Context) -> Verdict:
    return judge_many([submission], ctx)[0]
