"""What the ledger knows per provider case: states, documents, the case list's version."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa

from intake.storage.records import Records, in_campaign, stored_moment
from intake.storage.tables import (
    decisions,
    documents,
    providers,
)

# Built once: constructing aliases costs more than the query they serve.
_MODEL, _PLAN = documents.alias("model"), documents.alias("plan")


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


class Cases(Records):
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

    def states(self, campaign: str, agb: str | None = None) -> list[dict[str, Any]]:
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
                row[key] = stored_moment(row[key])
        return rows

    def agbs_with_sha_prefix(self, prefix: str, campaign: str) -> set[str]:
        query = sa.select(documents.c.provider_agb).where(
            documents.c.sha256.like(f"{prefix}%"), in_campaign(documents, campaign)
        )
        return {r["provider_agb"] for r in self._all(query) if r["provider_agb"]}

    def documents(self, campaign: str, agb: str) -> list[dict[str, Any]]:
        return self._all(
            sa.select(documents)
            .where(documents.c.provider_agb == agb, in_campaign(documents, campaign))
            .order_by(documents.c.created_at, documents.c.id)
        )

    def documents_of_cases(self, campaign: str, agbs: list[str]) -> dict[str, list[dict]]:
        """The documents of many cases of one campaign in one query, oldest first per case
        (the JSON case list: a page of cases with their documents)."""
        found: dict[str, list[dict[str, Any]]] = {agb: [] for agb in agbs}
        if not agbs:
            return found
        query = (
            sa.select(documents.c.provider_agb, documents.c.verdict_json)
            .where(documents.c.provider_agb.in_(agbs), in_campaign(documents, campaign))
            .order_by(documents.c.created_at, documents.c.id)
        )
        for row in self._all(query):
            found[row["provider_agb"]].append(row)
        return found

    def document_by_sha(self, sha256: str) -> dict[str, Any] | None:
        return self._first(
            sa.select(documents).where(documents.c.sha256 == sha256).order_by(documents.c.id.desc())
        )
