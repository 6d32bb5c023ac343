"""What a channel does with documents once it has them: judge, add what only the
ledger can know (duplicates, sender, pairing), archive and record.

Channels call `take_in` and never judge documents themselves; the pure pipeline
never sees the ledger.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from intake.campaign.context import Context
from intake.campaign.register import Register
from intake.checks import plan_model
from intake.domain import (
    DocumentKind,
    Finding,
    Provider,
    Submission,
    Verdict,
    decide_status,
    fmt,
    order_findings,
)
from intake.report.audience import sender_registered
from intake.service import extensions, letters
from intake.service.app import App
from intake.service.status_log import record_status
from intake.storage.ledger import StoredDocument

if TYPE_CHECKING:
    from intake.judging.parallel import Judges

log = logging.getLogger(__name__)
PAIRING = {"PLAN_MISSING", "MODEL_MISSING"}
PAIRED_KINDS = (DocumentKind.AANVRAAG, DocumentKind.KWALITEITSPLAN)
_AGB = re.compile(r"^\d{8}$")


def _pairable(verdict: Verdict) -> bool:
    """A document that counts for a provider's pair: a model or plan with a valid AGB code."""
    return (
        verdict.document in PAIRED_KINDS
        and verdict.provider is not None
        and bool(_AGB.match(verdict.provider.agb or ""))
    )


@dataclass(frozen=True)
class Taken:
    document_id: int
    verdict: Verdict


def _with(verdict: Verdict, extra: Sequence[Finding], drop: set[str] = frozenset()) -> Verdict:
    found = [f for f in verdict.findings if f.code not in drop] + list(extra)
    verdict = replace(verdict, findings=order_findings(found))
    verdict.status = decide_status(verdict.findings)
    return verdict


def _attribute(verdicts: list[Verdict], app: App, sender: str | None) -> None:
    """Plans without a readable provider belong to the one their companions name: a model
    of the same campaign in the same group, else the sender in that campaign's register."""
    for v in verdicts:
        if v.document is not DocumentKind.KWALITEITSPLAN or (v.provider and v.provider.agb):
            continue
        candidate = _candidate(verdicts, app.ctx.for_campaign(v.campaign), sender)
        if candidate is not None:
            v.provider = candidate


def _candidate(verdicts: list[Verdict], ctx: Context, sender: str | None) -> Provider | None:
    register = ctx.register
    agbs = {
        v.provider.agb
        for v in verdicts
        if v.document is DocumentKind.AANVRAAG
        and v.campaign == ctx.campaign
        and v.provider
        and v.provider.agb
    }
    if len(agbs) == 1:
        agb = agbs.pop()
        entry = register.get(agb) if register else None
        return Provider(agb, entry.naam if entry else None)
    if sender and register:
        entries = register.for_sender(sender)
        if len(entries) == 1:
            return Provider(entries[0].agb, entries[0].naam)
    return None


def _ledger_findings(
    verdicts: list[Verdict], app: App, sender: str | None, granted: extensions.Granted
) -> list[Verdict]:
    batch_kinds: dict[tuple[str | None, str], set[DocumentKind]] = {}
    for v in verdicts:
        if _pairable(v):
            batch_kinds.setdefault((v.campaign, v.provider.agb), set()).add(v.document)
    result = []
    for v in verdicts:
        case_ctx = app.ctx.for_campaign(v.campaign)
        rules = case_ctx.rules
        extra: list[Finding] = []
        first = app.ledger.first_seen(v.sha256)
        if first is not None:
            extra.append(rules.finding("DUPLICATE", first_seen=fmt.day(rules.local_date(first))))
        if (
            sender
            and v.document in PAIRED_KINDS
            and not sender_registered([v], case_ctx.register, sender)
        ):
            extra.append(rules.finding("SENDER_NOT_REGISTERED", sender=sender))
        if _pairable(v):
            state = app.ledger.provider(v.provider.agb, v.campaign) or {}
            kinds = batch_kinds.get((v.campaign, v.provider.agb), set())
            has_model = bool(state.get("model_document_id")) or DocumentKind.AANVRAAG in kinds
            has_plan = bool(state.get("plan_document_id")) or DocumentKind.KWALITEITSPLAN in kinds
            # The provider's own date when staff granted uitstel.
            until = granted.get((v.campaign or app.ctx.campaign, v.provider.agb))
            deadline = fmt.day(max(until or rules.deadline, rules.deadline))
            if v.document is DocumentKind.AANVRAAG and not has_plan:
                extra.append(rules.finding("PLAN_MISSING", deadline=deadline))
            if v.document is DocumentKind.KWALITEITSPLAN and not has_model:
                extra.append(rules.finding("MODEL_MISSING", deadline=deadline))
        result.append(_with(v, extra))
    return result


def _against_model(plan: Verdict, model: Verdict, app: App) -> Verdict:
    """The plan with its figures compared to its provider's model of the same campaign,
    under that campaign's rules (earlier results replaced)."""
    rules = app.ctx.for_campaign(plan.campaign).rules
    found, summary = plan_model.compare(plan, model, rules)
    verdict = _with(plan, found, drop=plan_model.PAIR_CODES)
    if summary:
        verdict.signals = {**plan.signals, "plan_vs_model": summary}
    return verdict


def _stored_model(app: App, campaign: str, agb: str) -> Verdict | None:
    state = app.ledger.provider(agb, campaign) or {}
    stored = (
        app.ledger.document(state["model_document_id"]) if state.get("model_document_id") else None
    )
    return stored.verdict if stored else None


def _case(verdict: Verdict) -> tuple[str, str]:
    """A provider's case: its campaign and AGB code (for a pairable verdict, judged under
    a campaign: the pipeline names one on every verdict)."""
    return verdict.campaign or "", verdict.provider.agb if verdict.provider else ""


def _compare_plans(verdicts: list[Verdict], app: App) -> list[Verdict]:
    """Each plan of the batch against its provider's model in the same campaign: from the
    batch, else the ledger. A model of another campaign is never a plan's model."""
    models = {_case(v): v for v in verdicts if v.document is DocumentKind.AANVRAAG and _pairable(v)}
    result = []
    for v in verdicts:
        if v.document is DocumentKind.KWALITEITSPLAN and _pairable(v):
            model = models.get(_case(v)) or _stored_model(app, *_case(v))
            if model is not None:
                v = _against_model(v, model, app)
        result.append(v)
    return result


def take_in(
    app: App,
    submissions: Sequence[Submission],
    *,
    channel: str,
    sender: str | None = None,
    mail_id: int | None = None,
    mail_state: str | None = None,
    signals: Mapping[str, Any] | None = None,
    premade: Sequence[tuple[Verdict, bytes]] = (),
    record: Callable[[Any, list[Taken]], None] | None = None,
) -> list[Taken]:
    """Judge, archive and record a group of documents that arrived together.

    The group is stored in one transaction, together with the mail's new state when
    `mail_state` is given and whatever `record(conn, taken)` writes (a channel's own
    state): either all of it is in the ledger or none of it is.
    `signals` (how the mail was signed or wrapped) go into every verdict for staff;
    `premade` verdicts (a mail over its limits) are archived with their bytes and
    recorded as they are.
    """
    from intake.judging.pipeline import judge_many  # loaded with the first document

    verdicts = judge_many(list(submissions), app.ctx)
    _attribute(verdicts, app, sender)
    granted = extensions.in_force(app)
    verdicts = _ledger_findings(verdicts, app, sender, granted)
    verdicts = extensions.apply(app, verdicts, granted)
    verdicts = _compare_plans(verdicts, app)
    sources: list[Any] = [
        app.archive.put(v.sha256, s.filename, s.content)
        for v, s in zip(verdicts, submissions, strict=True)
    ]
    for verdict, content in premade:  # kept whole, so that staff can open what came in
        name = "bericht.eml" if channel == "mail" else PurePath(verdict.file).name
        sources.append(app.archive.put(verdict.sha256, name, content))
        verdicts.append(verdict)
    for verdict in verdicts:
        verdict.signals.update(signals or {})
    taken = []
    with app.ledger.transaction() as conn:
        for verdict, source in zip(verdicts, sources, strict=True):
            doc_id = app.ledger.store_document(
                conn,
                verdict,
                channel=channel,
                source=str(source) if source else None,
                sender=sender,
                mail_id=mail_id,
            )
            if _pairable(verdict):
                app.ledger.record_provider_document(
                    conn,
                    verdict.provider.agb,
                    verdict.provider.naam,
                    verdict.document,
                    doc_id,
                    sender,
                    verdict.campaign,
                )
            taken.append(Taken(doc_id, verdict))
            log.info(
                "%s via %s: %s %s %s",
                verdict.file,
                channel,
                verdict.document.value,
                verdict.status.value,
                ",".join(verdict.codes) or "-",
            )
        if mail_id is not None and mail_state:
            app.ledger.update_mail(mail_id, conn, state=mail_state, error=None)
        if record is not None:
            record(conn, taken)
    cases = {(t.verdict.campaign, t.verdict.provider.agb) for t in taken if _pairable(t.verdict)}
    if cases:
        files = ", ".join(t.verdict.file for t in taken if _pairable(t.verdict))
        record_status(app, cases, actor=sender or channel, event="document", reason=files)
    return taken


def settle_pairs(app: App) -> list[Verdict]:
    """Drop PLAN_MISSING / MODEL_MISSING from stored verdicts whose other half has arrived,
    and compare each complete pair's plan with its (newest) model again."""
    settled: dict[int, Verdict] = {}
    before: dict[int, Verdict] = {}
    for state in app.ledger.all_providers():
        if not (state["model_document_id"] and state["plan_document_id"]):
            continue
        for stored in app.ledger.documents_of_provider(state["agb"], state["campaign"]):
            if PAIRING & set(stored.verdict.codes):
                verdict = _with(stored.verdict, [], drop=PAIRING)
                app.ledger.replace_verdict(stored.id, verdict)
                before.setdefault(stored.id, stored.verdict)
                settled[stored.id] = verdict
                log.info(
                    "%s: pair complete for %s, now %s",
                    verdict.file,
                    state["agb"],
                    verdict.status.value,
                )
        compared = _compare_stored_pair(app, state)
        if compared is not None:
            before.setdefault(state["plan_document_id"], compared[0])
            settled[state["plan_document_id"]] = compared[1]
    cases = {(v.campaign, v.provider.agb) for v in settled.values() if v.provider}
    if cases:
        record_status(app, cases, actor="intake", event="pair")
    letters.after_change(app, [(before[i], v) for i, v in settled.items()], event="pair")
    return list(settled.values())


def _compare_stored_pair(app: App, state: dict) -> tuple[Verdict, Verdict] | None:
    """The stored plan against the stored model: (before, after) when the verdict changed."""
    plan = app.ledger.document(state["plan_document_id"])
    model = app.ledger.document(state["model_document_id"])
    if plan is None or model is None:
        return None
    verdict = _against_model(plan.verdict, model.verdict, app)
    if verdict.to_json() == plan.verdict.to_json():
        return None
    app.ledger.replace_verdict(plan.id, verdict)
    log.info("%s: compared with %s, now %s", verdict.file, model.verdict.file, verdict.status.value)
    return plan.verdict, verdict


LEDGER_CODES = {"DUPLICATE", "PLAN_MISSING", "MODEL_MISSING", *plan_model.PAIR_CODES}


@dataclass(frozen=True)
class Rejudged:
    """One stored document whose verdict changes: what it was and what it becomes."""

    document_id: int
    before: Verdict
    after: Verdict


def _originals(app: App, docs: list[StoredDocument]) -> tuple[list[StoredDocument], list]:
    """The documents whose original is in the archive, and a submission of each."""
    batch, subs = [], []
    for doc in docs:
        original = app.archive.get(doc.verdict.sha256)
        if original is None:
            log.warning("%s: original not in the archive, verdict kept", doc.verdict.file)
            continue
        batch.append(doc)
        subs.append(
            Submission(doc.verdict.file, original[1], doc.verdict.received, doc.channel, doc.sender)
        )
    return batch, subs


def _changes(
    app: App,
    ctx: Context,
    batch: list[StoredDocument],
    judged: list[Verdict],
    granted: extensions.Granted,
) -> list[Rejudged]:
    """What only the ledger knew (and extensions granted), carried over to the fresh
    verdicts; those that differ."""
    changes = []
    for doc, fresh in zip(batch, judged, strict=True):
        if fresh.provider is None and doc.verdict.provider is not None:
            fresh.provider = doc.verdict.provider  # attributed by its companions
        extra = [f for f in doc.verdict.findings if f.code in LEDGER_CODES]
        case_ctx = ctx.for_campaign(fresh.campaign)  # the campaign that judged it
        if (
            doc.sender
            and fresh.document in PAIRED_KINDS
            and not sender_registered([fresh], case_ctx.register, doc.sender)
        ):
            extra.append(case_ctx.rules.finding("SENDER_NOT_REGISTERED", sender=doc.sender))
        fresh = extensions.apply(app, [_with(fresh, extra)], granted)[0]
        fresh.signals = {**doc.verdict.signals, **fresh.signals}
        if fresh.to_json() != doc.verdict.to_json():
            changes.append(Rejudged(doc.id, doc.verdict, fresh))
    return changes


def rejudge(
    app: App,
    *,
    register: Register | None = None,
    ctx: Context | None = None,
    dry_run: bool = False,
    actor: str = "intake",
    chunk: int = 250,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[Rejudged]:
    """Judge every stored document again from its archived original.

    For a rules or register change: the verdicts are recomputed under the current
    rules and the given register (default: the configured one) or the given contexts
    (`ctx`, one campaign's register replaced), in batches; what only
    the ledger knew (duplicates, pairing) is carried over and the sender is checked
    again. With `dry_run` nothing is written: the result is the preview of what a
    real run would change. Returns the documents whose verdict changes.

    The batches are judged by a pool of `workers` processes (default: one per core
    once there are at least two batches); the ledger is read and written here only.
    """
    from intake.judging.parallel import Judges, available_cores

    ctx = ctx or app.ctx
    if register is not None:
        ctx = replace(ctx, register=register)
    if workers is None:
        workers = available_cores() if app.ledger.count("documents") >= 2 * chunk else 1
    with Judges(ctx, workers) as judges:  # the workers start while the ledger is read
        stored = app.ledger.all_documents()
        with _frozen():
            return _rejudge_stored(app, ctx, stored, judges, dry_run, actor, chunk, progress)


_FREEZE = threading.Lock()
_frozen_runs = 0


@contextmanager
def _frozen() -> Iterator[None]:
    """The stored verdicts, read once, are kept out of the garbage collector's passes: a
    whole ledger of them made every full collection walk tens of thousands of objects
    (about an eighth of a re-judge in one process). Freezing is process-wide: two runs
    at once (the desk) thaw only when the last one ends."""
    global _frozen_runs
    with _FREEZE:
        _frozen_runs += 1
        gc.freeze()
    try:
        yield
    finally:
        with _FREEZE:
            _frozen_runs -= 1
            if _frozen_runs == 0:
                gc.unfreeze()


def _rejudge_stored(
    app: App,
    ctx: Context,
    stored: list[StoredDocument],
    judges: Judges,
    dry_run: bool,
    actor: str,
    chunk: int,
    progress: Callable[[int], None] | None,
) -> list[Rejudged]:
    changed: list[Rejudged] = []
    granted = extensions.in_force(app)  # uitstel is respected
    waiting: deque[tuple[int, list[StoredDocument]]] = deque()

    def batches() -> Iterator[list[Submission]]:
        for start in range(0, len(stored), chunk):
            docs = stored[start : start + chunk]
            batch, subs = _originals(app, docs)
            waiting.append((len(docs), batch))
            yield subs

    for judged in judges.judge_batches(batches()):
        count, batch = waiting.popleft()
        for change in _changes(app, ctx, batch, judged, granted):
            changed.append(change)
            if not dry_run:
                app.ledger.replace_verdict(change.document_id, change.after)
                log.info(
                    "%s: re-judged, %s -> %s",
                    change.after.file,
                    change.before.status.value,
                    change.after.status.value,
                )
        if progress:
            progress(count)
    if not dry_run:
        cases = {(c.after.campaign, c.after.provider.agb) for c in changed if c.after.provider}
        if cases:
            files = ", ".join(sorted({c.after.file for c in changed}))[:2000]
            record_status(app, cases, actor=actor, event="rejudge", reason=files)
        settle_pairs(app)
        letters.after_change(app, [(c.before, c.after) for c in changed], event="rejudge")
    return changed
