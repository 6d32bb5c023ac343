"""The documents that wait for a person: each case's current model and plan whose verdict
is `review`, with the findings that put them there, in one query per campaign.

The work queue reads this on every visit of the desk's home page, so it asks the
database for exactly those documents instead of reading every verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from intake.storage.records import stored_moment
from intake.storage.tables import documents, findings, providers


@dataclass
class ReviewDocument:
    id: int
    agb: str
    kind: str  # aanvraag | kwaliteitsplan
    filename: str
    received: datetime
    stored_at: datetime
    findings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)


class ReviewDocuments:
    """Read-only: the review documents of the cases of one campaign."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def of_campaign(self, campaign: str) -> list[ReviewDocument]:
        current = (
            sa.select(providers.c.agb, providers.c.model_document_id.label("id"))
            .where(providers.c.campaign == campaign, providers.c.model_document_id.isnot(None))
            .union_all(
                sa.select(providers.c.agb, providers.c.plan_document_id).where(
                    providers.c.campaign == campaign, providers.c.plan_document_id.isnot(None)
                )
            )
            .subquery()
        )
        query = (
            sa.select(
                documents.c.id,
                current.c.agb,
                documents.c.kind,
                documents.c.filename,
                sa.type_coerce(documents.c.received, sa.String).label("received"),
                sa.type_coerce(documents.c.created_at, sa.String).label("stored_at"),
                findings.c.code,
                findings.c.message,
            )
            .select_from(
                current.join(documents, documents.c.id == current.c.id).outerjoin(
                    findings,
                    sa.and_(
                        findings.c.document_id == documents.c.id,
                        findings.c.severity == "review",
                    ),
                )
            )
            .where(documents.c.status == "review")
            .order_by(documents.c.id, findings.c.id)
        )
        found: dict[int, ReviewDocument] = {}
        with self.engine.connect() as c:
            for row in c.execute(query):
                doc = found.get(row.id)
                if doc is None:
                    doc = found[row.id] = ReviewDocument(
                        row.id,
                        row.agb,
                        row.kind,
                        row.filename,
                        stored_moment(row.received),  # type: ignore[arg-type]
                        stored_moment(row.stored_at),  # type: ignore[arg-type]
                    )
                if row.code is not None:
                    doc.findings.append((row.code, row.message))
        return list(found.values())
