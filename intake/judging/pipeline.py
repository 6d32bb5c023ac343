"""Bytes and a received date in, a verdict out: the one hand-off for every channel.

Data problems become findings; an exception here means a defect or a file so broken
that no check can run, and it still becomes a verdict at this boundary
(INTERNAL_ERROR, for staff: the provider is not blamed for a defect of intake), so
one bad file never stops a batch and never shows a traceback.

Batches run in two stages: everything per file first, then the pandera schemas
once over all workbooks of the batch, whose fixed cost would otherwise dominate.
The per-document work lives in `documents.py`, the inputs in `context.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from intake.campaign.context import Context
from intake.campaign.rules import Rules
from intake.checks import tables
from intake.detect import legacy
from intake.detect.filetype import FileType, Sniffed, sniff
from intake.domain import Finding, Submission, Verdict, decide_status, order_findings
from intake.extract.container import encrypted_members
from intake.judging.documents import (
    Work,
    ensure_aware,
    file_finding,
    judge_plan,
    judge_workbook,
    new_verdict,
)

__all__ = ["Context", "judge", "judge_many"]

log = logging.getLogger("intake.pipeline")

UNSUPPORTED = {
    FileType.XLS,
    FileType.XLSB,
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


# Office Open XML workbooks, Transitional or Strict: the readers take both alike.
WORKBOOKS = (FileType.XLSX, FileType.XLSX_STRICT)


def format_name(rules: Rules, kind: FileType) -> str:
    """The rules' Dutch phrase for a kind of file, article included: "een PDF-bestand"."""
    return rules.text(f"format_{kind.value}")


# A workbook with these findings may be another active campaign's model.
NOT_THIS_MODEL = {"TEMPLATE_UNKNOWN", "TEMPLATE_MODIFIED"}


def _locked(kind: FileType, content: bytes, ctx: Context) -> bool:
    """A legacy .xls/.doc with a password, or a zip with an encrypted member: the password
    is what stops us reading it, so that is what the provider is told (not the format)."""
    if kind is FileType.XLS:
        return legacy.encrypted_xls(content)
    if kind is FileType.DOC:
        return legacy.encrypted_doc(content)
    if kind is FileType.ZIP:
        return bool(encrypted_members(content, ctx.limits))
    return False


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
    if sniffed.extension_mismatch and sniffed.type in (*WORKBOOKS, FileType.PDF, FileType.DOCX):
        work.verdict.findings.append(
            file_finding(
                rules,
                "EXTENSION_MISMATCH",
                sub,
                extension=PurePath(sub.filename).suffix,
                format=format_name(rules, sniffed.type),
            )
        )
    if sniffed.type in WORKBOOKS:
        judge_workbook(work, ctx)
    elif sniffed.type in (FileType.PDF, FileType.DOCX):
        judge_plan(work, sniffed, ctx)
    elif sniffed.type is FileType.ENCRYPTED_OFFICE or _locked(sniffed.type, sub.content, ctx):
        work.verdict.findings.append(file_finding(rules, "FILE_ENCRYPTED", sub))
    elif sniffed.type in UNSUPPORTED:
        work.verdict.findings.append(
            file_finding(
                rules, "FILE_FORMAT_UNSUPPORTED", sub, format=format_name(rules, sniffed.type)
            )
        )
    elif sniffed.type is FileType.BROKEN_ZIP:
        work.verdict.findings.append(
            file_finding(
                rules,
                "FILE_UNREADABLE",
                sub,
                reason=rules.text("reason_truncated"),
            )
        )
    elif sniffed.type is FileType.EMPTY:
        work.verdict.findings.append(
            file_finding(rules, "FILE_UNREADABLE", sub, reason=rules.text("reason_empty"))
        )
    elif (
        sniffed.by_extension in (FileType.XLSX, FileType.PDF, FileType.DOCX)
        or sniffed.by_extension is None
    ):
        work.verdict.findings.append(
            file_finding(rules, "FILE_UNREADABLE", sub, reason=rules.text("reason_not_a_document"))
        )
    else:
        work.verdict.findings.append(
            file_finding(
                rules,
                "FILE_FORMAT_UNSUPPORTED",
                sub,
                format=format_name(rules, sniffed.by_extension),
            )
        )


def _finish(work: Work, extra: Iterable[Finding]) -> Verdict:
    verdict = work.verdict
    verdict.findings = order_findings([*verdict.findings, *extra])
    verdict.status = decide_status(verdict.findings)
    return verdict


def _crashed(work: Work, ctx: Context, exc: BaseException) -> None:
    """A defect of intake or its rules while judging: staff look, the provider is not blamed."""
    log.exception("%s: judging failed: %s", work.submission.filename, exc)
    work.ir = None
    work.verdict.findings = [file_finding(ctx.rules, "INTERNAL_ERROR", work.submission)]
    work.verdict.signals["internal_error"] = f"{type(exc).__name__}: {exc}"


def _judge_campaign(submissions: Sequence[Submission], ctx: Context) -> list[Verdict]:
    """Judge a batch under one campaign: per file first, then the schemas once for all."""
    works = [Work(i, sub, new_verdict(sub, ctx)) for i, sub in enumerate(submissions)]
    for work in works:
        try:
            _stage_one(work, ctx)
        except Exception as exc:  # the pipeline boundary: a defect becomes a verdict
            _crashed(work, ctx, exc)
    ready = [
        tables.Judged(w.key, w.ir, w.corrected, w.explained) for w in works if w.ir is not None
    ]
    try:
        extra = tables.check_tables(ready, ctx.family, ctx.rules)
    except Exception as exc:
        extra = _one_by_one(ready, works, ctx, exc)
    return [_finish(w, extra.get(w.key, [])) for w in works]


def _one_by_one(
    ready: list[tables.Judged], works: list[Work], ctx: Context, exc: Exception
) -> dict[int, list[Finding]]:
    """Isolate the file that breaks a batch's schema checks by checking one at a time."""
    if len(ready) <= 1:
        for item in ready:
            _crashed(works[item.key], ctx, exc)
        return {}
    extra: dict[int, list[Finding]] = {}
    for item in ready:
        try:
            extra.update(tables.check_tables([item], ctx.family, ctx.rules))
        except Exception as single:
            _crashed(works[item.key], ctx, single)
    return extra


def _judge_routed(submissions: Sequence[Submission], routes: list[Context]) -> list[Verdict]:
    """Judge each submission under its own campaign, batching per campaign, order kept."""
    verdicts: list[Verdict | None] = [None] * len(submissions)
    for campaign_ctx in dict.fromkeys(routes):
        positions = [i for i, c in enumerate(routes) if c is campaign_ctx]
        batch = _judge_campaign([submissions[i] for i in positions], campaign_ctx)
        for i, verdict in zip(positions, batch, strict=True):
            verdicts[i] = verdict
    return [v for v in verdicts if v is not None]


def judge_many(submissions: Sequence[Submission], ctx: Context) -> list[Verdict]:
    """Judge a batch; the verdicts are identical to judging each file on its own.

    Each document goes to the campaign its date of receipt points at; a workbook
    that is not that campaign's model is tried against the template families of
    the other active campaigns.
    """
    routes = [ctx.for_received(ensure_aware(s.received, ctx.rules)) for s in submissions]
    verdicts = _judge_routed(submissions, routes)
    for other in ctx.campaigns:
        retry = [
            i
            for i, v in enumerate(verdicts)
            if NOT_THIS_MODEL & set(v.codes) and routes[i].family is not other.family
        ]
        if not retry:
            continue
        again = _judge_campaign([submissions[i] for i in retry], other)
        for i, verdict in zip(retry, again, strict=True):
            if not NOT_THIS_MODEL & set(verdict.codes):
                verdicts[i], routes[i] = verdict, other
    return verdicts


def judge(submission: Submission, ctx: Context) -> Verdict:
    return judge_many([submission], ctx)[0]
