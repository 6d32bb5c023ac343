"""The desk's records in the ledger: accounts, decisions, notifications, notes, audit.

Decisions, notes and downloads are records (actor, time, reason), never edits: the
computed verdicts stay untouched beside them. Case queries filter on the campaign
wherever the ledger's tables carry one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from intake.storage.ledger import _row, now
from intake.storage.tables import (
    audit,
    decisions,
    documents,
    findings,
    mails,
    notes,
    notifications,
    providers,
    replies,
    users,
)

# Built once: constructing aliases costs more than the query they serve.
_MODEL, _PLAN = documents.alias("model"), documents.alias("plan")


def in_campaign(table: sa.Table, campaign: str) -> Any:
    """A filter on the table's campaign column, or no filter when it has none."""
    return table.c.campaign == campaign if "campaign" in table.c else sa.true()


_MOMENTS = ("last_reminder_at", "updated_at", "model_at", "plan_at")


@cache
def _states_query() -> sa.Select:
    """Built once: constructing the statement costs more than running it."""
    model, plan = _MODEL, _PLAN
    moments = (
        providers.c.last_reminder_at,
        providers.c.updated_at,
        model.c.created_at,
        plan.c.created_at,
    )
    return sa.select(
        providers.c.agb,
        providers.c.naam,
        providers.c.model_document_id,
        providers.c.plan_document_id,
        model.c.status.label("model_status"),
        plan.c.status.label("plan_status"),
        # Read as text and parsed by `_moment`: SQLAlchemy's own parsing of SQLite
        # dates costs more than the rest of the case list together.
        *(
            sa.type_coerce(column, sa.String).label(key)
            for key, column in zip(_MOMENTS, moments, strict=True)
        ),
    ).select_from(
        providers.outerjoin(model, model.c.id == providers.c.model_document_id).outerjoin(
            plan, plan.c.id == providers.c.plan_document_id
        )
    )


def _moment(value: Any) -> datetime | None:
    """A stored time as an aware datetime: text from SQLite, a datetime from PostgreSQL."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Casebook:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _all(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [_row(r) for r in c.execute(query).mappings()]

    def _first(self, query: Any) -> dict[str, Any] | None:
        rows = self._all(query.limit(1))
        return rows[0] if rows else None

    # --- accounts ------------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str) -> None:
        with self.engine.begin() as c:
            c.execute(
                users.insert().values(
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    disabled=False,
                    created_at=now(),
                )
            )

    def user(self, name: str) -> dict[str, Any] | None:
        return self._first(sa.select(users).where(users.c.name == name))

    def users(self) -> list[dict[str, Any]]:
        return self._all(sa.select(users).order_by(users.c.name))

    def update_user(self, name: str, **values: Any) -> bool:
        with self.engine.begin() as c:
            result = c.execute(users.update().where(users.c.name == name).values(**values))
        return bool(result.rowcount)

    # --- audit trail ------------------------------------------------------------------

    def record(
        self,
        actor: str,
        action: str,
        *,
        address: str | None = None,
        campaign: str | None = None,
        agb: str | None = None,
        detail: str | None = None,
        conn: sa.Connection | None = None,
    ) -> None:
        statement = audit.insert().values(
            at=now(),
            actor=actor[:64],
            address=(address or "")[:64] or None,
            action=action,
            campaign=campaign,
            agb=agb,
            detail=detail,
        )
        if conn is not None:
            conn.execute(statement)
            return
        with self.engine.begin() as c:
            c.execute(statement)

    def audit_of_case(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(audit)
            .where(audit.c.campaign == campaign, audit.c.agb == agb)
            .order_by(audit.c.at, audit.c.id)
        )

    # --- decisions and their notification -----------------------------------------------

    def decision_by_key(self, form_key: str) -> dict[str, Any] | None:
        return self._first(sa.select(decisions).where(decisions.c.form_key == form_key))

    def add_decision(
        self,
        conn: sa.Connection,
        *,
        campaign: str,
        agb: str,
        status: str,
        reason: str,
        actor: str,
        notify: bool,
        form_key: str,
    ) -> int:
        result = conn.execute(
            decisions.insert().values(
                campaign=campaign,
                agb=agb,
                status=status,
                reason=reason,
                actor=actor,
                decided_at=now(),
                notify=notify,
                form_key=form_key,
            )
        )
        return int(result.inserted_primary_key[0])

    def add_notification(
        self,
        conn: sa.Connection,
        *,
        decision_id: int,
        campaign: str,
        agb: str,
        recipient: str,
        message_id: str,
    ) -> None:
        stamp = now()
        conn.execute(
            notifications.insert().values(
                decision_id=decision_id,
                campaign=campaign,
                agb=agb,
                recipient=recipient,
                message_id=message_id,
                state="pending",
                created_at=stamp,
                updated_at=stamp,
            )
        )

    def decisions_of(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(decisions)
            .where(decisions.c.campaign == campaign, decisions.c.agb == agb)
            .order_by(decisions.c.decided_at, decisions.c.id)
        )

    def latest_decisions(self, campaign: str) -> dict[str, dict[str, Any]]:
        rows = self._all(
            sa.select(decisions).where(decisions.c.campaign == campaign).order_by(decisions.c.id)
        )
        return {row["agb"]: row for row in rows}

    def notifications(
        self, *states: str, agb: str | None = None, campaign: str | None = None
    ) -> list[dict[str, Any]]:
        query = sa.select(notifications).order_by(notifications.c.id)
        if states:
            query = query.where(notifications.c.state.in_(states))
        if agb is not None:
            query = query.where(notifications.c.agb == agb)
        if campaign is not None:
            query = query.where(notifications.c.campaign == campaign)
        return self._all(query)

    def claim_notification(self, notification_id: int) -> bool:
        """pending -> sending, for one caller only: the update is the lock."""
        with self.engine.begin() as c:
            result = c.execute(
                notifications.update()
                .where(notifications.c.id == notification_id, notifications.c.state == "pending")
                .values(state="sending", updated_at=now())
            )
        return result.rowcount == 1

    def finish_notification(self, notification_id: int, state: str, error: str | None) -> None:
        with self.engine.begin() as c:
            c.execute(
                notifications.update()
                .where(notifications.c.id == notification_id)
                .values(state=state, error=error, updated_at=now())
            )

    # --- notes ------------------------------------------------------------------------

    def add_note(self, campaign: str, agb: str, actor: str, text: str, address: str | None) -> None:
        with self.engine.begin() as c:
            c.execute(
                notes.insert().values(campaign=campaign, agb=agb, actor=actor, at=now(), text=text)
            )
            self.record(actor, "note", address=address, campaign=campaign, agb=agb, conn=c)

    def notes_of(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(notes)
            .where(notes.c.campaign == campaign, notes.c.agb == agb)
            .order_by(notes.c.at, notes.c.id)
        )

    # --- cases: what the ledger knows per provider -----------------------------------

    def version(self, campaign: str) -> tuple:
        """Changes whenever a case row could: documents (never deleted, so the newest
        change covers inserts), provider states and reminders, decisions."""
        query = sa.select(
            sa.select(sa.func.max(documents.c.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(providers.c.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(providers.c.last_reminder_at)).scalar_subquery(),
            sa.select(sa.func.max(decisions.c.id))
            .where(decisions.c.campaign == campaign)
            .scalar_subquery(),
        )
        with self.engine.connect() as c:
            return tuple(c.execute(query).one())

    def provider_states(self, campaign: str, agb: str | None = None) -> list[dict[str, Any]]:
        """Each provider's current model and plan with their status, in one query."""
        query = _states_query().where(in_campaign(providers, campaign))
        if agb is not None:
            query = query.where(providers.c.agb == agb)
        with self.engine.connect() as c:
            result = c.execute(query)
            keys = list(result.keys())
            rows = [dict(zip(keys, row, strict=True)) for row in result.all()]
        for row in rows:
            for key in _MOMENTS:
                row[key] = _moment(row[key])
        return rows

    def agbs_with_sha_prefix(self, prefix: str, campaign: str) -> set[str]:
        query = sa.select(documents.c.provider_agb).where(
            documents.c.sha256.like(f"{prefix}%"), in_campaign(documents, campaign)
        )
        return {r["provider_agb"] for r in self._all(query) if r["provider_agb"]}

    def case_documents(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(documents)
            .where(documents.c.provider_agb == agb, in_campaign(documents, campaign))
            .order_by(documents.c.created_at, documents.c.id)
        )

    def document_by_sha(self, sha256: str) -> dict[str, Any] | None:
        return self._first(
            sa.select(documents).where(documents.c.sha256 == sha256).order_by(documents.c.id.desc())
        )

    def case_mails(self, mail_ids: set[int]) -> list[dict[str, Any]]:
        if not mail_ids:
            return []
        return self._all(sa.select(mails).where(mails.c.id.in_(mail_ids)).order_by(mails.c.id))

    def case_replies(
        self, agb: str, mail_ids: set[int], campaign: str | None = None
    ) -> list[dict[str, Any]]:
        """Mails out about one case: to its provider in its campaign (or in none named),
        and the answers to the mails its documents came in."""
        who = replies.c.provider_agb == agb
        if campaign is not None:
            who = sa.and_(who, sa.or_(replies.c.campaign == campaign, replies.c.campaign.is_(None)))
        if mail_ids:
            who = sa.or_(who, replies.c.mail_id.in_(mail_ids))
        return self._all(sa.select(replies).where(who).order_by(replies.c.sent_at))

    def mails_in_state(self, *states: str) -> list[dict[str, Any]]:
        return self._all(sa.select(mails).where(mails.c.state.in_(states)).order_by(mails.c.id))

    def unanswered_codes(self, code: str) -> list[dict[str, Any]]:
        """Documents with finding `code` whose sender sent no document without it since:
        a mail we could not open (MAIL_ENCRYPTED) waits for staff until a readable one
        comes from the same address."""
        marked = sa.select(findings.c.document_id).where(findings.c.code == code)
        rows = self._all(
            sa.select(
                documents.c.id, documents.c.sender, documents.c.filename, documents.c.created_at
            )
            .where(documents.c.id.in_(marked))
            .order_by(documents.c.id)
        )
        waiting = []
        for row in rows:
            later = (
                sa.select(sa.func.count())
                .select_from(documents)
                .where(
                    documents.c.sender == row["sender"],
                    documents.c.id > row["id"],
                    documents.c.id.not_in(marked),
                )
            )
            with self.engine.connect() as c:
                if not c.execute(later).scalar():
                    waiting.append(row)
        return waiting

    def count_mails(self, *states: str) -> int:
        query = sa.select(sa.func.count()).select_from(mails).where(mails.c.state.in_(states))
        with self.engine.connect() as c:
            return int(c.execute(query).scalar() or 0)

    def last_activity(self, action: str) -> datetime | None:
        row = self._first(
            sa.select(audit.c.at).where(audit.c.action == action).order_by(audit.c.at.desc())
        )
        return row["at"] if row else None

    def ping(self) -> None:
        with self.engine.connect() as c:
            c.execute(sa.select(1))
