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
from datetime import datetime
from email.message import EmailMessage
from pathlib import PurePath

from intake.bootstrap import App
from intake.context import Context
from intake.domain import Decision, Status, Verdict
from intake.migration import Migrated, MigrationRefused, migrate, refusal
from intake.report.files import atomic_write, write_report_files
from intake.report.html import render_html
from intake.report.model import ReportModel, build
from intake.report.outcome import application_outcome
from intake.storage import letters as record

log = logging.getLogger(__name__)
Send = Callable[[str, str, ReportModel, dict[str, Migrated]], EmailMessage | None]


def current_documents(app: App, agb: str) -> list[Verdict]:
    """The provider's newest model and plan, as the ledger holds them now."""
    state = app.ledger.provider(agb) or {}
    ids = [state.get("model_document_id"), state.get("plan_document_id")]
    stored = [app.ledger.document(i) for i in ids if i]
    return [d.verdict for d in stored if d is not None]


def others_for(app: App, verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The other current documents of the providers these verdicts belong to."""
    agbs = {v.provider.agb for v in verdicts if v.provider and v.provider.agb}
    return [v for agb in sorted(agbs) for v in current_documents(app, agb)]


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
    return build(
        verdicts,
        app.ctx.rules,
        app.ctx.family,
        sender=sender,
        channel=channel,
        sender_registered=registered,
        others=others_for(app, verdicts),
        decision=decision,
        attached={k: m.filename for k, m in (corrected or {}).items()},
        now=now,
    )


def archived(app: App, verdicts: Sequence[Verdict]) -> dict[str, bytes]:
    found = {}
    for v in verdicts:
        original = app.archive.get(v.sha256)
        if original is not None:
            found[v.sha256] = original[1]
    return found


def standing_decision(app: App, agb: str) -> Decision | None:
    """The staff decision on the case, unless a document arrived after it."""
    from intake.casework.case import case_detail

    detail = case_detail(app, agb)
    found = detail["decision"] if detail else None
    if not found:
        return None
    return Decision(Status(found["status"]), found["reason"], found["actor"], found["decided_at"])


def render_again(app: App, agb: str, decision: Decision | None = None) -> ReportModel | None:
    """The provider's current documents' letters in the outbox, written anew (with the
    standing staff decision when none is given)."""
    decision = decision or standing_decision(app, agb)
    current = current_documents(app, agb)
    if not current:
        return None
    outbox = app.folder("outbox")
    corrected = corrected_models(app.ctx, current, archived(app, current))
    for verdict in current:
        name = PurePath(verdict.file).name or verdict.sha256[:12]  # never a path from a mail
        model = letter(app, [verdict], decision=decision, corrected=corrected)
        write_report_files(verdict, model, outbox, name)
        staff = build(
            [verdict],
            app.ctx.rules,
            app.ctx.family,
            audience="staff",
            decision=decision,
            others=current,
        )
        atomic_write(outbox / f"{name}.staff.html", render_html(staff))
        if verdict.sha256 in corrected:
            atomic_write(
                outbox / corrected[verdict.sha256].filename, corrected[verdict.sha256].content
            )
    return letter(app, current, decision=decision, corrected=corrected)


def _message_id(app: App, agb: str, outcome: str, event: str, current: Sequence[Verdict]) -> str:
    state = ",".join(sorted(f"{v.sha256}:{v.status.value}" for v in current))
    digest = hashlib.sha256(f"{agb}|{outcome}|{event}|{state}".encode()).hexdigest()[:32]
    domain = app.ctx.rules.care_office["mailbox"].rpartition("@")[2] or "intake.invalid"
    return f"<intake.letter.{digest}@{domain}>"


def after_change(
    app: App,
    changes: Sequence[tuple[Verdict | None, Verdict]],
    *,
    event: str,
    decision: Decision | None = None,
    send: Send | None = None,
) -> list[str]:
    """Render the letters of every provider touched by `changes` (before, after) again,
    and record (then send, when `send` is given) a letter where the outcome changed.

    Returns the AGB codes whose provider is due a letter.
    """
    agbs = sorted({a.provider.agb for _, a in changes if a.provider and a.provider.agb})
    due = []
    for agb in agbs:
        stands = decision or standing_decision(app, agb)
        model = render_again(app, agb, stands)
        if model is None:
            continue
        # A standing decision is the outcome whatever the rules say; the desk tells it.
        told = None if stands else record.last_outcome(app.ledger, agb)
        before = told or _before(app, agb, changes, stands if stands is not decision else None)
        if model.outcome_key == before:
            continue
        message_id = _message_id(app, agb, model.outcome_key, event, current_documents(app, agb))
        recorded = record.record_due(
            app.ledger,
            provider_agb=agb,
            outcome=model.outcome_key,
            event=event,
            message_id=message_id,
            state="due",
        )
        if recorded:
            due.append(agb)
            log.info("%s: outcome %s -> %s after %s", agb, before, model.outcome_key, event)
    if send is not None:
        send_recorded(app, send, {agb: decision for agb in agbs} if decision else {})
    return due


def _before(
    app: App,
    agb: str,
    changes: Sequence[tuple[Verdict | None, Verdict]],
    decision: Decision | None = None,
) -> str:
    """The outcome the provider was last told, rebuilt from the verdicts before the change."""
    replaced = {a.sha256: b for b, a in changes if b is not None}
    current = [replaced.get(v.sha256, v) for v in current_documents(app, agb)]
    return application_outcome(current, decision=decision).key


def send_recorded(app: App, send: Send, decisions: dict[str, Decision] | None = None) -> int:
    """Send the letters recorded as due; each is marked sent (or why not) right after."""
    sent = 0
    for row in record.due(app.ledger):
        current = current_documents(app, row["provider_agb"])
        corrected = corrected_models(app.ctx, current, archived(app, current))
        agb = row["provider_agb"]
        decision = (decisions or {}).get(agb) or standing_decision(app, agb)
        model = letter(app, current, decision=decision, corrected=corrected)
        record.mark(app.ledger, row["id"], "sending")  # a crash from here on: never twice
        message = send(row["provider_agb"], row["message_id"], model, corrected)
        record.mark(app.ledger, row["id"], "sent" if message is not None else "no_recipient")
        sent += message is not None
    return sent


def note_told(app: App, verdicts: Sequence[Verdict], message_id: str) -> None:
    """A reply just told these providers their outcome: later changes compare with it."""
    others = others_for(app, verdicts)
    key = application_outcome(verdicts, others).key
    for agb in sorted({v.provider.agb for v in verdicts if v.provider and v.provider.agb}):
        record.record_due(
            app.ledger,
            provider_agb=agb,
            outcome=key,
            event="reply",
            message_id=f"{message_id}#{agb}",
            state="replied",
        )
