"""Bytes and a received date in, a verdict out: the one hand-off for every channel.

Data problems become findings; an exception here means a defect or a file so broken
that no check can run, and it still becomes a verdict (FILE_UNREADABLE) at this
boundary, so one bad file never stops a batch and never shows a traceback.

Batches run in two stages: everything per file first, then the pandera schemas
once over all workbooks of the batch, whose fixed cost would otherwise dominate.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from intake import compute
from intake.detect.filetype import FORMAT_NAMES, FileType, Sniffed, sniff
from intake.detect.version import detect
from intake.domain import (
    DocumentKind,
    Finding,
    Provider,
    Submission,
    Verdict,
    decide_status,
    order_findings,
)
from intake.extract.container import ContainerError, Limits, read_parts
from intake.extract.workbook import WorkbookIR, WorkbookReadError
from intake.register import Entry, Register
from intake.rules import Rules, load_rules
from intake.templates import TemplateFamily, load_family
from intake.validate import campaign, formulas, plan_checks, register_checks, tables
from intake.values import agb_text

log = logging.getLogger(__name__)

UNSUPPORTED = {
    FileType.XLS,
    FileType.DOC,
    FileType.ODS,
    FileType.ODT,
    FileType.NUMBERS,
    FileType.CSV,
    FileType.TEXT,
    FileType.IMAGE,
    FileType.ZIP,
}


@dataclass(frozen=True)
class Context:
    """Everything a judgement depends on besides the file itself."""

    rules: Rules
    family: TemplateFamily
    register: Register | None = None
    reader: str = "fastxml"  # "fastxml" (hot path) or "openpyxl" (reference)
    validation: str = "auto"  # "auto", "pandera" or "direct"

    @classmethod
    def default(
        cls, register: Register | None = None, reader: str = "fastxml", validation: str = "auto"
    ) -> Context:
        rules = load_rules()
        return cls(rules, load_family(rules.template_family), register, reader, validation)

    @property
    def limits(self) -> Limits:
        return Limits.from_rules(self.rules.limits)


@dataclass
class _Work:
    """One submission on its way through the stages."""

    key: int
    submission: Submission
    verdict: Verdict
    ir: WorkbookIR | None = None
    corrected: dict[str, float | None] = field(default_factory=dict)
    explained: bool = False


def _ensure_aware(moment: datetime, rules: Rules) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=rules.timezone)


def _new_verdict(sub: Submission, rules: Rules) -> Verdict:
    return Verdict(
        file=sub.filename,
        sha256=hashlib.sha256(sub.content).hexdigest(),
        document=DocumentKind.UNKNOWN,
        status=decide_status([]),
        findings=[],
        received=_ensure_aware(sub.received, rules),
        size=len(sub.content),
        signals={"channel": sub.channel, "sender": sub.sender},
    )


def _file_finding(rules: Rules, code: str, sub: Submission, **values: object) -> Finding:
    return rules.finding(code, file=PurePath(sub.filename).name, **values)


def _read_workbook(content: bytes, ctx: Context) -> WorkbookIR:
    wanted = ctx.family.cells_to_read()
    if ctx.reader == "fastxml":
        from intake.extract.fastxml import read_workbook as fast_read

        return fast_read(content, wanted, [ctx.family.version_property], ctx.limits)
    from intake.extract.openpyxl_reader import read_workbook

    read_parts(content, ctx.limits, count_cells=True)
    return read_workbook(content, wanted, [ctx.family.version_property])


def _judge_workbook(work: _Work, ctx: Context) -> None:
    """Stage one for a workbook: everything except the batched schema checks."""
    rules, family, verdict = ctx.rules, ctx.family, work.verdict
    try:
        ir = _read_workbook(work.submission.content, ctx)
    except ContainerError as exc:
        verdict.findings.append(_file_finding(rules, exc.code, work.submission, reason=exc.reason))
        return
    except WorkbookReadError as exc:
        log.info("%s: workbook unreadable: %s", work.submission.filename, exc)
        verdict.findings.append(
            _file_finding(
                rules, "FILE_UNREADABLE", work.submission, reason="de werkmap is beschadigd"
            )
        )
        return
    detection = detect(ir, family)
    verdict.signals["detection"] = detection.signals
    if not detection.is_model:
        verdict.findings.append(_file_finding(rules, "TEMPLATE_UNKNOWN", work.submission))
        return
    verdict.document = DocumentKind.AANVRAAG
    version = detection.version or rules.current_version
    verdict.template_version = version
    if detection.modified:
        verdict.signals["modifications"] = detection.modifications
        reason = "; ".join(detection.modifications[:3])
        if len(detection.modifications) > 3:
            reason += f" (en nog {len(detection.modifications) - 3} wijzigingen)"
        verdict.findings.append(rules.finding("TEMPLATE_MODIFIED", reason=reason))
        return
    work.ir = ir
    naam = ir.text(*_field_cell(family, "naam")) or None
    agb_raw = ir.value(*_field_cell(family, "agb"))
    agb = agb_text(agb_raw) if agb_raw not in (None, "") else None
    verdict.provider = Provider(agb, naam) if (agb or naam) else None

    findings = verdict.findings
    findings += campaign.check_outdated(detection, family, verdict.received, rules)
    findings += campaign.check_version_conflict(detection, family, rules)
    findings += campaign.check_late(verdict.received, rules)
    broken = formulas.overwritten(ir, family, version)
    findings += formulas.check_formula_overwritten(ir, family, version, rules, broken)
    own = compute.recompute(ir, family, version)
    corrected = (
        own
        if version == rules.current_version
        else compute.recompute(ir, family, rules.current_version)
    )
    skip = formulas.downstream(family, version, broken)
    findings += formulas.check_total_mismatch(ir, family, version, own, rules, skip)
    findings += formulas.check_values_calculated(ir, rules)

    entry: Entry | None = None
    if ctx.register is not None:
        entry, found = register_checks.check_register(ir, family, ctx.register, rules)
        findings += found
        if entry is not None:
            verdict.provider = Provider(entry.agb, naam or entry.naam)
            verdict.signals["register_entry"] = entry.to_json()
    work.corrected = corrected.figures(family)
    explanation = ir.text(*_field_cell(family, "toelichting_personeel"))
    work.explained = bool(explanation)
    verdict.figures = _figures(ir, family, own, corrected, entry)


def _field_cell(family: TemplateFamily, name: str) -> tuple[str, str]:
    f = family.fields[name]
    return f.sheet, f.ref


def _figures(
    ir: WorkbookIR,
    family: TemplateFamily,
    own: compute.Computation,
    corrected: compute.Computation,
    entry: Entry | None,
) -> dict[str, object]:
    workbook, fixed = own.figures(family), corrected.figures(family)
    difference = None
    if workbook["requested"] is not None and fixed["requested"] is not None:
        difference = round(fixed["requested"] - workbook["requested"], 2)
    try:
        reserved_model = compute.as_number(ir.value(*_field_cell(family, "gereserveerd")))
    except compute.NotNumeric:
        reserved_model = None
    return {
        "workbook": workbook,
        "corrected": fixed,
        "cached": compute.cached_figures(ir, family),
        "reserved_model": reserved_model,
        "reserved_register": entry.gereserveerd if entry else None,
        "compensation_register": entry.compensatie if entry else None,
        "requested_difference": difference,
    }


def _judge_plan(work: _Work, sniffed: Sniffed, ctx: Context) -> None:
    from intake.extract.plan import docx_text, pdf_text

    sub, rules, verdict = work.submission, ctx.rules, work.verdict
    try:
        if sniffed.type is FileType.PDF:
            text = pdf_text(sub.content, rules.limits["max_pdf_pages"])
        else:
            text = docx_text(sub.content, ctx.limits)
    except ContainerError as exc:
        verdict.findings.append(_file_finding(rules, exc.code, sub, reason=exc.reason))
        return
    verdict.signals["plan"] = {"pages": text.pages, "characters": len(text.text)}
    verdict.document = plan_checks.classify_plan(sub.filename, text, rules)
    if verdict.document is DocumentKind.UNKNOWN:
        verdict.findings.append(_file_finding(rules, "DOCUMENT_UNKNOWN", sub))
        return
    verdict.provider = plan_checks.plan_provider(text, ctx.register)
    verdict.findings += plan_checks.check_plan(sub.filename, text, rules)
    verdict.findings += campaign.check_late(verdict.received, rules)


def _stage_one(work: _Work, ctx: Context) -> None:
    sub, rules = work.submission, ctx.rules
    if len(sub.content) > rules.limits["max_file_bytes"]:
        size = f"{len(sub.content) / 1_000_000:.1f} MB".replace(".", ",")
        work.verdict.findings.append(_file_finding(rules, "FILE_TOO_LARGE", sub, reason=size))
        return
    sniffed = sniff(sub.content, sub.filename)
    work.verdict.signals["file_type"] = sniffed.type.value
    if sniffed.extension_mismatch and sniffed.type in (FileType.XLSX, FileType.PDF, FileType.DOCX):
        work.verdict.findings.append(
            _file_finding(
                rules,
                "EXTENSION_MISMATCH",
                sub,
                extension=PurePath(sub.filename).suffix,
                format=FORMAT_NAMES[sniffed.type],
            )
        )
    if sniffed.type is FileType.XLSX:
        _judge_workbook(work, ctx)
    elif sniffed.type in (FileType.PDF, FileType.DOCX):
        _judge_plan(work, sniffed, ctx)
    elif sniffed.type is FileType.ENCRYPTED_OFFICE:
        work.verdict.findings.append(_file_finding(rules, "FILE_ENCRYPTED", sub))
    elif sniffed.type in UNSUPPORTED:
        work.verdict.findings.append(
            _file_finding(rules, "FILE_FORMAT_UNSUPPORTED", sub, format=FORMAT_NAMES[sniffed.type])
        )
    elif sniffed.type is FileType.BROKEN_ZIP:
        work.verdict.findings.append(
            _file_finding(
                rules,
                "FILE_UNREADABLE",
                sub,
                reason="het bestand is beschadigd of onvolledig (afgekapt)",
            )
        )
    elif sniffed.type is FileType.EMPTY:
        work.verdict.findings.append(
            _file_finding(rules, "FILE_UNREADABLE", sub, reason="het bestand is leeg (0 bytes)")
        )
    elif (
        sniffed.by_extension in (FileType.XLSX, FileType.PDF, FileType.DOCX)
        or sniffed.by_extension is None
    ):
        work.verdict.findings.append(
            _file_finding(rules, "FILE_UNREADABLE", sub, reason="de inhoud is geen geldig document")
        )
    else:
        work.verdict.findings.append(
            _file_finding(
                rules, "FILE_FORMAT_UNSUPPORTED", sub, format=FORMAT_NAMES[sniffed.by_extension]
            )
        )


def _finish(work: _Work, extra: Iterable[Finding]) -> Verdict:
    verdict = work.verdict
    verdict.findings = order_findings([*verdict.findings, *extra])
    verdict.status = decide_status(verdict.findings)
    return verdict


def _crashed(work: _Work, ctx: Context, exc: BaseException) -> None:
    log.exception("%s: judging failed: %s", work.submission.filename, exc)
    work.ir = None
    work.verdict.findings = [
        _file_finding(
            ctx.rules,
            "FILE_UNREADABLE",
            work.submission,
            reason="het bestand kon niet worden verwerkt",
        )
    ]


def judge_many(submissions: Sequence[Submission], ctx: Context) -> list[Verdict]:
    """Judge a batch; the verdicts are identical to judging each file on its own."""
    works = [_Work(i, sub, _new_verdict(sub, ctx.rules)) for i, sub in enumerate(submissions)]
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
