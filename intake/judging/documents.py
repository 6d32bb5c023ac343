"""Judging one document of each kind: the aanvraag workbook and the kwaliteitsplan.

The pipeline decides what a file is and calls these; they read, detect and check
one document and leave their findings, figures and signals on its verdict.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from intake.campaign.context import Context
from intake.campaign.reasons import reason as reason_of
from intake.campaign.register import Entry
from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.checks import compute, plan_checks
from intake.checks.facts import ArrivalFacts, gather
from intake.checks.registry import Stage, for_stage
from intake.detect.filetype import FileType, Sniffed
from intake.detect.version import detect
from intake.domain import (
    DocumentKind,
    Finding,
    Provider,
    Submission,
    Verdict,
    decide_status,
    money,
)
from intake.domain.values import agb_text
from intake.extract.container import ContainerError, read_parts
from intake.extract.plan import Extracted
from intake.extract.workbook import WorkbookIR, WorkbookReadError
from intake.extract.worker import TIMEOUT_SIGNAL, ExtractionTimeout

log = logging.getLogger("intake.pipeline")


@dataclass
class Work:
    """One submission on its way through the stages."""

    key: int
    submission: Submission
    verdict: Verdict
    ir: WorkbookIR | None = None
    corrected: dict[str, float | None] = field(default_factory=dict)
    explained: bool = False


def ensure_aware(moment: datetime, rules: Rules) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=rules.timezone)


def new_verdict(sub: Submission, ctx: Context) -> Verdict:
    rules = ctx.rules
    return Verdict(
        file=sub.filename,
        sha256=hashlib.sha256(sub.content).hexdigest(),
        document=DocumentKind.UNKNOWN,
        status=decide_status([]),
        findings=[],
        received=ensure_aware(sub.received, rules),
        size=len(sub.content),
        signals={"channel": sub.channel, "sender": sub.sender},
        campaign=ctx.campaign,
        rules_version=ctx.rules_version,
    )


def file_finding(rules: Rules, code: str, sub: Submission, **values: object) -> Finding:
    return rules.finding(code, file=PurePath(sub.filename).name, **values)


def _read_workbook(content: bytes, ctx: Context) -> WorkbookIR:
    wanted = ctx.family.cells_to_read()
    if ctx.reader == "fastxml":
        from intake.extract.fastxml import read_workbook as fast_read

        return fast_read(content, wanted, [ctx.family.version_property], ctx.limits)
    from intake.extract.opc import canonical_package
    from intake.extract.openpyxl_reader import read_workbook

    parts = read_parts(content, ctx.limits, count_cells=True)
    return read_workbook(canonical_package(parts), wanted, [ctx.family.version_property])


def judge_workbook(work: Work, ctx: Context) -> None:
    """Stage one for a workbook: everything except the batched schema checks."""
    rules, family, verdict = ctx.rules, ctx.family, work.verdict
    try:
        ir = _read_workbook(work.submission.content, ctx)
    except ContainerError as exc:
        verdict.findings.append(
            file_finding(rules, exc.code, work.submission, reason=reason_of(exc))
        )
        return
    except WorkbookReadError as exc:
        log.info("%s: workbook unreadable: %s", work.submission.filename, exc)
        what = exc.what
        if what == "workbook" and verdict.signals.get("file_type") == FileType.XLSX_STRICT.value:
            what = "strict"  # a Strict part neither reader understands: say how to save it
        key = "reason_workbook_damaged" if what == "workbook" else f"workbook_unreadable_{what}"
        reason = rules.text(key, sheet=exc.sheet)
        verdict.findings.append(
            file_finding(rules, "FILE_UNREADABLE", work.submission, reason=reason)
        )
        return
    detection = detect(ir, family)
    verdict.signals["detection"] = detection.signals
    if not detection.is_model:
        verdict.findings.append(file_finding(rules, "TEMPLATE_UNKNOWN", work.submission))
        return
    verdict.document = DocumentKind.AANVRAAG
    verdict.template_version = detection.version or rules.current_version
    if detection.modified:
        said = [rules.text(f"modification_{m.kind}", **m.values) for m in detection.modifications]
        verdict.signals["modifications"] = said
        reason = "; ".join(said[:3])
        if len(said) > 3:
            reason += rules.text("modification_more", count=str(len(said) - 3))
        verdict.findings.append(rules.finding("TEMPLATE_MODIFIED", reason=reason))
        return
    work.ir = ir
    naam = ir.text(*_field_cell(family, "naam")) or None
    agb_raw = ir.value(*_field_cell(family, "agb"))
    agb = agb_text(agb_raw) if agb_raw not in (None, "") else None
    verdict.provider = Provider(agb, naam) if (agb or naam) else None

    facts = gather(ir, family, rules, detection, verdict.received, ctx.register)
    for check in for_stage(Stage.WORKBOOK):
        verdict.findings += check.run(facts)
    if facts.entry is not None:
        verdict.provider = Provider(facts.entry.agb, naam or facts.entry.naam)
        verdict.signals["register_entry"] = facts.entry.to_json()
    work.corrected = facts.corrected.figures(family)
    work.explained = bool(ir.text(*_field_cell(family, "toelichting_personeel")))
    verdict.figures = _figures(ir, family, facts.own, facts.corrected, facts.entry)


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
    """Amounts to the cent (Decimal); the personnel share stays a ratio."""
    workbook, fixed = _amounts(own.figures(family)), _amounts(corrected.figures(family))
    difference = None
    if workbook["requested"] is not None and fixed["requested"] is not None:
        difference = fixed["requested"] - workbook["requested"]
    try:
        reserved_model = compute.as_number(ir.value(*_field_cell(family, "gereserveerd")))
    except compute.NotNumeric:
        reserved_model = None
    return {
        "workbook": workbook,
        "corrected": fixed,
        "cached": _amounts(compute.cached_figures(ir, family)),
        "reserved_model": money(reserved_model),
        "reserved_register": money(entry.gereserveerd) if entry else None,
        "compensation_register": money(entry.compensatie) if entry else None,
        "requested_difference": difference,
    }


def _amounts(figures: dict[str, float | None]) -> dict[str, object]:
    return {
        name: value if name == "personnel_share" or value is None else money(value)
        for name, value in figures.items()
    }


def _extract_plan(sub: Submission, sniffed: Sniffed, ctx: Context) -> Extracted:
    """The plan's text from a worker process under the page, size and time limits."""
    from intake.extract.plan import PlanLimits, docx_text, load_pdf_engine, pdf_text
    from intake.extract.worker import run_limited

    limits = PlanLimits.from_rules(ctx.rules.limits)
    if sniffed.type is FileType.PDF:
        load_pdf_engine()  # here, once: every forked worker inherits it instead of loading it
        func, args = pdf_text, (sub.content, limits.max_pages)
    else:
        func, args = docx_text, (sub.content, ctx.limits)  # type: ignore[assignment]
    return run_limited(func, args, seconds=limits.seconds, memory=limits.memory_bytes)


def _scanned_pages(extracted: Extracted, rules: Rules) -> list[int]:
    """Pages to read by OCR: those without text, when the document has pictures and
    hardly any text of its own (printed and scanned, every page an image)."""
    plan = extracted.plan
    if not extracted.has_images or len(plan.text.strip()) >= int(rules.plan["min_text_chars"]):
        return []
    count = min(plan.pages, len(plan.page_texts)) if plan.page_texts else plan.pages
    texts = plan.page_texts or ("",) * count
    return [number for number, text in enumerate(texts[:count], start=1) if not text.strip()]


def _read_scan(
    sub: Submission, extracted: Extracted, ctx: Context
) -> tuple[Extracted, dict[str, object] | None]:
    """The scan's text by OCR in the limited worker, merged page by page into the text
    layer; what OCR did (or why it could not) goes to staff as a signal."""
    from intake.extract import ocr
    from intake.extract.plan import MAX_TEXT_PAGES, PlanText
    from intake.extract.worker import run_limited

    pages = [p for p in _scanned_pages(extracted, ctx.rules) if p <= MAX_TEXT_PAGES]
    if not pages:
        return extracted, None
    limits = ocr.OcrLimits.from_rules(ctx.rules.limits, ctx.rules.plan)
    if not ocr.available(limits.language):
        log.warning("%s: a scan, but tesseract or pdftoppm is not installed", sub.filename)
        return extracted, {"pages_wanted": len(pages), "pages_read": 0, "error": "unavailable"}
    try:
        result = run_limited(
            ocr.ocr_pdf,
            (sub.content, pages, limits),
            seconds=limits.seconds,
            memory=limits.memory_bytes,
        )
    except ContainerError as exc:  # killed at the worker's limits: a person reads the scan
        log.info("%s: OCR stopped: %s", sub.filename, exc)
        return extracted, {"pages_wanted": len(pages), "pages_read": 0, "error": reason_of(exc)}
    texts = list(extracted.plan.page_texts) or [""] * max(pages)
    texts += [""] * (max(pages) - len(texts))
    for number, text in result.texts.items():
        texts[number - 1] = text
    merged = Extracted(PlanText(extracted.plan.pages, tuple(texts)), extracted.has_images)
    signal: dict[str, object] = {
        "pages_wanted": len(pages),
        "pages_read": len(result.texts),
        "limit_seconds": limits.seconds,
        "limit_pages": limits.max_pages,
        "language": limits.language,
        "stopped": result.stopped,
    }
    if not result.texts:
        signal["error"] = "time"
    elif not merged.plan.text.strip():
        signal["error"] = "empty"  # read, but no text recognised: a picture, or a bad scan
    # Time goes to the log, not the verdict: a verdict is the same whenever it is made.
    log.info(
        "%s: %d of %d scanned pages read by OCR, %.1f s a page",
        sub.filename,
        len(result.texts),
        len(pages),
        result.seconds_per_page,
    )
    return merged, signal


def judge_plan(work: Work, sniffed: Sniffed, ctx: Context) -> None:
    sub, rules, verdict = work.submission, ctx.rules, work.verdict
    try:
        extracted = _extract_plan(sub, sniffed, ctx)
    except ContainerError as exc:
        verdict.findings.append(file_finding(rules, exc.code, sub, reason=reason_of(exc)))
        if isinstance(exc, ExtractionTimeout):
            verdict.signals[TIMEOUT_SIGNAL] = True
        return
    read_by_ocr = None
    if sniffed.type is FileType.PDF:
        extracted, read_by_ocr = _read_scan(sub, extracted, ctx)
    text = extracted.plan
    verdict.signals["plan"] = {
        "pages": text.pages,
        "characters": len(text.text),
        "images": extracted.has_images,
    }
    if read_by_ocr:
        verdict.signals["plan"]["ocr"] = read_by_ocr
    if not text.text.strip() and not extracted.has_images:
        # Nothing on the pages at all: an empty document, not a scan for a person to read.
        verdict.document = DocumentKind.KWALITEITSPLAN
        verdict.findings.append(file_finding(rules, "PLAN_EMPTY", sub))
        return
    verdict.document = plan_checks.classify_plan(sub.filename, text, rules)
    if verdict.document is DocumentKind.UNKNOWN:
        verdict.findings.append(file_finding(rules, "DOCUMENT_UNKNOWN", sub))
        return
    paged = sniffed.type is FileType.PDF or text.pages > 1  # Word: only if it marks pages
    reading = plan_checks.read_plan(sub.filename, text, rules, ctx.register, paged=paged)
    verdict.provider = reading.provider
    verdict.findings += reading.findings
    verdict.signals["plan"].update(reading.signals)
    arrival = ArrivalFacts(verdict.received, rules)
    for check in for_stage(Stage.PLAN_RECEIVED):
        verdict.findings += check.run(arrival)
