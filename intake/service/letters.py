"""The provider's letter as a service: in the light of the whole application, rendered
again when the application changes, and mailed once when its outcome changed.

`settle_pairs`, `rejudge` and a staff decision each call `after_change` with the
documents whose verdicts changed. The outcome last told to a provider is kept in
the ledger and a new letter is recorded there before it is sent, so a crash or a
repeated call never mails the same change twice. Sending itself belongs to a
channel: `after_change` takes a `send` function, or leaves the letter due for
`intake.channels.notices.send_due`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import PurePath

from intake.campaign.context import Context
from intake.domain import Decision, Status, Verdict
from intake.domain.carry_over import refusal
from intake.domain.case_status import standing
from intake.report.html import render_html
from intake.report.model import ReportModel, build
from intake.report.outcome import application_outcome
from intake.service.app import App
from intake.service.migration import Migrated, MigrationRefused, migrate
from intake.service.reports import write_report_files
from intake.storage import extensions
from intake.storage import letters as record
from intake.storage.casebook import Casebook
from intake.storage.files import atomic_write

log = logging.getLogger("intake.letters")
# (agb, message_id, letter, corrected models, campaign of the case)
Send = Callable[[str, str, ReportModel, dict[str, Migrated], str | None], EmailMessage | None]


def current_documents(app: App, agb: str, campaign: str) -> list[Verdict]:
    """The provider's newest model and plan in one campaign's case."""
    state = app.ledger.provider(agb, campaign) or {}
    ids = [state.get("model_document_id"), state.get("plan_document_id")]
    stored = [app.ledger.document(i) for i in ids if i]
    return [d.verdict for d in stored if d is not None]


def campaign_of(app: App, verdict: Verdict) -> str:
    """The campaign of a document's case: the one that judged it. Verdicts stored before
    there were campaigns carry none; the ledger's migration put their cases under the
    configured campaign, so that is theirs."""
    return verdict.campaign or app.ctx.campaign


def others_for(app: App, verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The other current documents of the providers these verdicts belong to."""
    cases = {(v.campaign, v.provider.agb) for v in verdicts if v.provider and v.provider.agb}
    return [
        v
        for campaign, agb in sorted(cases, key=lambda c: (c[0] or "", c[1]))
        for v in current_documents(app, agb, campaign)
    ]


def corrected_models(
    ctx: Context, verdicts: Sequence[Verdict], contents: dict[str, bytes]
) -> dict[str, Migrated]:
    """Old-model workbooks carried over to the current model (sha256 -> corrected copy)."""
    result = {}
    for v in verdicts:
        content = contents.get(v.sha256)
        if content is None or refusal(v, ctx.rules.current_version):
            continue
        try:
            result[v.sha256] = migrate(content, v.file, ctx, v)
        except MigrationRefused:
            continue
        except Exception:  # a letter without the copy beats no letter at all
            log.exception("%s: corrected model could not be made", v.file)
    return result


def letter(
    app: App,
    verdicts: Sequence[Verdict],
    *,
    sender: str | None = None,
    channel: str | None = None,
    registered: bool = True,
    decision: Decision | None = None,
    corrected: dict[str, Migrated] | None = None,
    now: datetime | None = None,
) -> ReportModel:
    """The provider's letter about `verdicts`, consistent with the rest of the application."""
    ctx = app.ctx.for_campaign(verdicts[0].campaign if verdicts else None)
    return build(
        verdicts,
        ctx.rules,
        ctx.family,
        sender=sender,
        channel=channel,
        sender_registered=registered,
        others=others_for(app, verdicts),
        decision=decision,
        attached={k: m.filename for k, m in (corrected or {}).items()},
        now=now,
        deadline=_extended(app, verdicts, ctx.campaign),
    )


def _extended(app: App, verdicts: Sequence[Verdict], campaign: str) -> date | None:
    """The provider's uitstel in force, if staff granted one: the letter's deadline."""
    agbs = {v.provider.agb for v in verdicts if v.provider and v.provider.agb}
    if len(agbs) != 1:
        return None
    extension = extensions.in_force(app.ledger, campaign, agbs.pop())
    return extension.until if extension else None


def archived(app: App, verdicts: Sequence[Verdict]) -> dict[str, bytes]:
    found = {}
    for v in verdicts:
        original = app.archive.get(v.sha256)
        if original is not None:
            found[v.sha256] = original[1]
    return found


def standing_decision(app: App, agb: str, campaign: str) -> Decision | None:
    """The staff decision on the case in that campaign, unless a document arrived after it."""
    book = Casebook(app.ledger.engine)
    states = book.cases.states(campaign, agb)
    found = standing(book.decisions.of_case(campaign, agb), states[0] if states else {})
    if not found:
        return None
    return Decision(Status(found["status"]), found["reason"], found["actor"], found["decided_at"])


def render_again(
    app: App, agb: str, campaign: str, decision: Decision | None = None
) -> ReportModel | None:
    """The provider's current documents' letters in one campaign's case in the outbox,
    written anew (with the standing staff decision when none is given)."""
    decision = decision or standing_decision(app, agb, campaign)
    current = current_documents(app, agb, campaign)
    if not current:
        return None
    ctx = app.ctx.for_campaign(campaign)
    corrected = corrected_models(ctx, current, archived(app, current))
    for verdict in current:
        _write_letters(app, verdict, current, decision, corrected)
    return letter(app, current, decision=decision, corrected=corrected)


def _write_letters(
    app: App,
    verdict: Verdict,
    current: Sequence[Verdict],
    decision: Decision | None,
    corrected: dict[str, Migrated],
) -> None:
    """One document's files in the outbox: the provider's letter (HTML, PDF, verdict JSON),
    the staff report and, for an old model, its corrected copy."""
    ctx = app.ctx.for_campaign(verdict.campaign)
    outbox = app.folder("outbox")
    name = PurePath(verdict.file).name or verdict.sha256[:12]  # never a path from a mail
    model = letter(app, [verdict], decision=decision, corrected=corrected)
    write_report_files(verdict, model, outbox, name)
    staff = build(
        [verdict], ctx.rules, ctx.family, audience="staff", decision=decision, others=current
    )
    atomic_write(outbox / f"{name}.staff.html", render_html(staff))
    if verdict.sha256 in corrected:
        atomic_write(outbox / corrected[verdict.sha256].filename, corrected[verdict.sha256].content)


def _render_superseded(app: App, changes: Sequence[tuple[Verdict | None, Verdict]]) -> None:
    """Documents whose verdict changed but that are no longer their case's current ones
    (a newer model or plan came after them): their own files in the outbox must still
    say what the ledger says now."""
    for before, after in changes:
        if before is not None and before.to_json() == after.to_json():
            continue
        if after.provider is None or not after.provider.agb:
            continue
        campaign = campaign_of(app, after)
        current = current_documents(app, after.provider.agb, campaign)
        if any(v.sha256 == after.sha256 or v.file == after.file for v in current):
            continue  # written with its case by render_again, or its name is now the newer one's
        decision = standing_decision(app, after.provider.agb, campaign)
        ctx = app.ctx.for_campaign(campaign)
        corrected = corrected_models(ctx, [after], archived(app, [after]))
        _write_letters(app, after, current, decision, corrected)


def _message_id(app: App, agb: str, outcome: str, event: str, current: Sequence[Verdict]) -> str:
    state = ",".join(sorted(f"{v.sha256}:{v.status.value}" for v in current))
    digest = hashlib.sha256(f"{agb}|{outcome}|{event}|{state}".encode()).hexdigest()[:32]
    rules = app.ctx.for_campaign(current[0].campaign if current else None).rules
    domain = rules.care_office["mailbox"].rpartition("@")[2] or "intake.invalid"
    return f"<intake.letter.{digest}@{domain}>"


def after_change(
    app: App,
    changes: Sequence[tuple[Verdict | None, Verdict]],
    *,
    event: str,
    decision: Decision | None = None,
    send: Send | None = None,
) -> list[str]:
    """Render the letters of every case touched by `changes` (before, after) again, and
    record (then send, when `send` is given) a letter where the outcome changed.

    A case is a provider in the campaign of the changed document. Returns the AGB
    codes whose provider is due a letter.
    """
    cases = sorted(
        {(campaign_of(app, a), a.provider.agb) for _, a in changes if a.provider and a.provider.agb}
    )
    due = [agb for name, agb in cases if _record_change(app, name, agb, changes, event, decision)]
    _render_superseded(app, changes)
    if send is not None:
        decided = {case: decision for case in cases} if decision else {}
        send_recorded(app, send, decided)
    return due


def _record_change(
    app: App,
    campaign: str,
    agb: str,
    changes: Sequence[tuple[Verdict | None, Verdict]],
    event: str,
    decision: Decision | None,
) -> bool:
    """The case's letters rendered again; a letter recorded as due when its outcome changed."""
    stands = decision or standing_decision(app, agb, campaign)
    model = render_again(app, agb, campaign, stands)
    if model is None:
        return False
    # A standing decision is the outcome whatever the rules say; the desk tells it.
    told = None if stands else record.last_outcome(app.ledger, agb, campaign)
    undecided = stands if stands is not decision else None
    before = told or _before(app, (campaign, agb), changes, undecided)
    if model.outcome_key == before:
        return False
    current = current_documents(app, agb, campaign)
    recorded = record.record_due(
        app.ledger,
        provider_agb=agb,
        campaign=campaign,
        outcome=model.outcome_key,
        event=event,
        message_id=_message_id(app, agb, model.outcome_key, event, current),
        state="due",
    )
    if recorded:
        log.info("%s: outcome %s -> %s after %s", agb, before, model.outcome_key, event)
    return recorded


def _before(
    app: App,
    case: tuple[str, str],
    changes: Sequence[tuple[Verdict | None, Verdict]],
    decision: Decision | None = None,
) -> str:
    """The outcome the provider was last told, rebuilt from the verdicts before the change."""
    replaced = {a.sha256: b for b, a in changes if b is not None}
    current = [replaced.get(v.sha256, v) for v in current_documents(app, case[1], case[0])]
    return application_outcome(current, decision=decision).key


def send_recorded(
    app: App, send: Send, decisions: dict[tuple[str, str], Decision] | None = None
) -> int:
    """Send the letters recorded as due; each is marked sent (or why not) right after.

    `decisions` are keyed by (campaign, AGB code)."""
    sent = 0
    for row in record.due(app.ledger):
        agb, campaign = row["provider_agb"], row["campaign"] or app.ctx.campaign
        current = current_documents(app, agb, campaign)
        corrected = corrected_models(
            app.ctx.for_campaign(campaign), current, archived(app, current)
        )
        given = (decisions or {}).get((campaign, agb))
        decision = given or standing_decision(app, agb, campaign)
        model = letter(app, current, decision=decision, corrected=corrected)
        record.mark(app.ledger, row["id"], "sending")  # a crash from here on: never twice
        message = send(agb, row["message_id"], model, corrected, campaign)
        record.mark(app.ledger, row["id"], "sent" if message is not None else "no_recipient")
        sent += message is not None
    return sent


def note_told(app: App, verdicts: Sequence[Verdict], message_id: str) -> None:
    """A reply just told these providers their outcome: later changes compare with it."""
    others = others_for(app, verdicts)
    key = application_outcome(verdicts, others).key
    cases = {(v.campaign or "", v.provider.agb) for v in verdicts if v.provider and v.provider.agb}
    for campaign, agb in sorted(cases):
        record.record_due(
            app.ledger,
            campaign=campaign or None,
            provider_agb=agb,
            outcome=key,
            event="reply",
            message_id=f"{message_id}#{agb}"
            if campaign in ("", app.ctx.campaign)
            else f"{message_id}#{campaign}:{agb}",
            state="replied",
        )
