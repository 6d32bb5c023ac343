"""The ledger: what arrived, what was judged, what was answered, where each provider stands.

Everything a channel does is recorded here before the channel acts on the outside
world (reply, move, delete), so a crash at any point can be resumed from the
ledger without losing a mail or answering twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from intake.domain import DocumentKind, Verdict, verdict_from_json
from intake.extract.worker import TIMEOUT_SIGNAL
from intake.storage.claims import Claims, Worker
from intake.storage.counters import EXTRACTION_TIMEOUTS, Counters, bump
from intake.storage.filemodes import PRIVATE_DIR, PRIVATE_FILE, make_dirs, set_mode
from intake.storage.folder_state import FolderState
from intake.storage.locking import migration_lock, sqlite_transactions, write_transaction
from intake.storage.schema_version import is_current
from intake.storage.tables import documents, findings, mails, providers, replies

MIGRATIONS = Path(__file__).parent / "migrations"


def now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _row(mapping: Any) -> dict[str, Any]:
    """A row as a dict, its datetimes time-zone aware whatever the database."""
    return {k: _aware(v) if isinstance(v, datetime) else v for k, v in mapping.items()}


def _count_events(conn: sa.Connection, verdict: Verdict) -> None:
    """A judgement that ran into the extraction time limit is counted with its document."""
    if verdict.signals.get(TIMEOUT_SIGNAL):
        bump(conn, EXTRACTION_TIMEOUTS)


@dataclass(frozen=True)
class StoredDocument:
    id: int
    verdict: Verdict
    channel: str
    sender: str | None
    mail_id: int | None
    created_at: datetime


class Ledger:
    def __init__(
        self, engine: sa.Engine, lease: timedelta = timedelta(minutes=5), default_campaign: str = ""
    ) -> None:
        self.engine = engine
        self.claims = Claims(engine, Worker(), lease)
        self.folder_items = FolderState(engine)
        self.counters = Counters(engine)
        # The campaign of calls that name none (and of rows from before campaigns).
        self.campaign = default_campaign

    @classmethod
    def open(cls, url: str, *, lease_seconds: float = 300.0, default_campaign: str = "") -> Ledger:
        """Connect and bring the schema up to date with Alembic."""
        database = Path(url.removeprefix("sqlite:///").split("?")[0])
        if url.startswith("sqlite:///") and database.name not in ("", ":memory:"):
            make_dirs(database.parent, PRIVATE_DIR)
            if not database.exists():
                database.touch(mode=PRIVATE_FILE)  # private before SQLite writes a byte
            set_mode(database, PRIVATE_FILE)
        engine = sa.create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            sqlite_transactions(engine)
        cls.migrate(engine, default_campaign)
        return cls(engine, timedelta(seconds=lease_seconds), default_campaign)

    @staticmethod
    def migrate(engine: sa.Engine, default_campaign: str = "") -> None:
        """Upgrade to the newest schema; one worker at a time, the others wait and find it done.

        A ledger that is already at the newest revision is left alone without loading
        Alembic (half a second of every one-shot run)."""
        if is_current(engine):
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with migration_lock(engine), engine.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["default_campaign"] = default_campaign
            command.upgrade(config, "head")

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        with write_transaction(self.engine) as connection:
            yield connection

    # --- mails -------------------------------------------------------------------

    def mail(self, message_key: str) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = (
                c.execute(sa.select(mails).where(mails.c.message_key == message_key))
                .mappings()
                .first()
            )
        return _row(row) if row else None

    def add_mail(self, **values: Any) -> int:
        stamp = now()
        with self.transaction() as c:
            result = c.execute(
                mails.insert().values(
                    state="received",
                    attempts=0,
                    duplicates=0,
                    created_at=stamp,
                    updated_at=stamp,
                    **values,
                )
            )
            return int(result.inserted_primary_key[0])

    def update_mail(self, mail_id: int, conn: sa.Connection | None = None, **values: Any) -> None:
        statement = mails.update().where(mails.c.id == mail_id).values(updated_at=now(), **values)
        if conn is not None:
            conn.execute(statement)
            return
        with self.transaction() as c:
            c.execute(statement)

    def count_duplicate(self, mail_id: int) -> None:
        with self.transaction() as c:
            c.execute(
                mails.update()
                .where(mails.c.id == mail_id)
                .values(duplicates=mails.c.duplicates + 1, updated_at=now())
            )

    def mails_in_state(self, *states: str) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(mails).where(mails.c.state.in_(states)).order_by(mails.c.id))
            return [_row(r) for r in rows.mappings()]

    # --- documents and verdicts ---------------------------------------------------

    def first_seen(self, sha256: str) -> datetime | None:
        with self.engine.connect() as c:
            value = c.execute(
                sa.select(sa.func.min(documents.c.created_at)).where(documents.c.sha256 == sha256)
            ).scalar()
        return _aware(value)

    def store_document(
        self,
        conn: sa.Connection,
        verdict: Verdict,
        *,
        channel: str,
        source: str | None = None,
        sender: str | None = None,
        mail_id: int | None = None,
    ) -> int:
        stamp = now()
        result = conn.execute(
            documents.insert().values(
                sha256=verdict.sha256,
                filename=verdict.file,
                channel=channel,
                mail_id=mail_id,
                source=source,
                sender=sender,
                received=verdict.received.astimezone(UTC),  # stored as UTC, like every time
                kind=verdict.document.value,
                status=verdict.status.value,
                provider_agb=verdict.provider.agb if verdict.provider else None,
                template_version=verdict.template_version,
                campaign=verdict.campaign or self.campaign,
                rules_version=verdict.rules_version,
                verdict_json=json.dumps(verdict.to_json(), ensure_ascii=False, default=str),
                created_at=stamp,
                updated_at=stamp,
            )
        )
        document_id = int(result.inserted_primary_key[0])
        self._write_findings(conn, document_id, verdict)
        _count_events(conn, verdict)
        return document_id

    def _write_findings(self, conn: sa.Connection, document_id: int, verdict: Verdict) -> None:
        conn.execute(findings.delete().where(findings.c.document_id == document_id))
        if verdict.findings:
            conn.execute(
                findings.insert(),
                [
                    {
                        "document_id": document_id,
                        "code": f.code,
                        "severity": f.severity.value,
                        "location": f.location,
                        "message": f.message,
                    }
                    for f in verdict.findings
                ],
            )

    def replace_verdict(self, document_id: int, verdict: Verdict) -> None:
        with self.transaction() as c:
            c.execute(
                documents.update()
                .where(documents.c.id == document_id)
                .values(
                    status=verdict.status.value,
                    provider_agb=verdict.provider.agb if verdict.provider else None,
                    rules_version=verdict.rules_version,
                    verdict_json=json.dumps(verdict.to_json(), ensure_ascii=False, default=str),
                    updated_at=now(),
                )
            )
            self._write_findings(c, document_id, verdict)
            _count_events(c, verdict)

    def _stored(self, row: Any) -> StoredDocument:
        return StoredDocument(
            id=row.id,
            verdict=verdict_from_json(json.loads(row.verdict_json)),
            channel=row.channel,
            sender=row.sender,
            mail_id=row.mail_id,
            created_at=_aware(row.created_at),
        )

    def document(self, document_id: int) -> StoredDocument | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(documents).where(documents.c.id == document_id)).first()
        return self._stored(row) if row else None

    def latest_document(self, sha256: str) -> StoredDocument | None:
        """The last stored document with these bytes (a file resumed after a crash)."""
        query = sa.select(documents).where(documents.c.sha256 == sha256)
        with self.engine.connect() as c:
            row = c.execute(query.order_by(documents.c.id.desc())).first()
        return self._stored(row) if row else None

    def documents_of_mail(self, mail_id: int) -> list[StoredDocument]:
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(documents).where(documents.c.mail_id == mail_id).order_by(documents.c.id)
            ).all()
        return [self._stored(r) for r in rows]

    def documents_of_provider(self, agb: str, campaign: str | None = None) -> list[StoredDocument]:
        query = sa.select(documents).where(documents.c.provider_agb == agb)
        query = query.where(documents.c.campaign == (campaign or self.campaign))
        with self.engine.connect() as c:
            rows = c.execute(query.order_by(documents.c.id)).all()
        return [self._stored(r) for r in rows]

    def all_documents(self, since: datetime | None = None) -> list[StoredDocument]:
        query = sa.select(documents).order_by(documents.c.id)
        if since is not None:
            query = query.where(documents.c.created_at >= since)
        with self.engine.connect() as c:
            return [self._stored(r) for r in c.execute(query).all()]

    # --- providers -------------------------------------------------------------

    def _case(self, agb: str, campaign: str | None) -> Any:
        return (providers.c.agb == agb) & (providers.c.campaign == (campaign or self.campaign))

    def provider(self, agb: str, campaign: str | None = None) -> dict[str, Any] | None:
        """A provider's case in one campaign (the default one when none is named)."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(providers).where(self._case(agb, campaign))).mappings()
            first = row.first()
        return _row(first) if first else None

    def all_providers(self, campaign: str | None = None) -> list[dict[str, Any]]:
        """Every provider case, of one campaign or (None) of all campaigns."""
        query = sa.select(providers).order_by(providers.c.campaign, providers.c.agb)
        if campaign is not None:
            query = query.where(providers.c.campaign == campaign)
        with self.engine.connect() as c:
            return [_row(r) for r in c.execute(query).mappings()]

    def record_provider_document(
        self,
        conn: sa.Connection,
        agb: str,
        naam: str | None,
        kind: DocumentKind,
        document_id: int,
        contact: str | None,
        campaign: str | None = None,
    ) -> None:
        """The newest model (or plan) of a provider supersedes the older one in its state."""
        column = "model_document_id" if kind is DocumentKind.AANVRAAG else "plan_document_id"
        values: dict[str, Any] = {column: document_id, "updated_at": now()}
        if naam:
            values["naam"] = naam
        if contact:
            values["contact"] = contact
        case = self._case(agb, campaign)
        existing = conn.execute(sa.select(providers.c.agb).where(case)).first()
        if existing:
            conn.execute(providers.update().where(case).values(**values))
        else:
            conn.execute(
                providers.insert().values(agb=agb, campaign=campaign or self.campaign, **values)
            )

    def mark_reminded(self, agb: str, when: datetime, campaign: str | None = None) -> None:
        with self.transaction() as c:
            c.execute(
                providers.update().where(self._case(agb, campaign)).values(last_reminder_at=when)
            )

    # --- replies -----------------------------------------------------------------

    def record_reply(self, conn: sa.Connection | None = None, **values: Any) -> None:
        statement = replies.insert().values(sent_at=now(), **values)
        if conn is not None:
            conn.execute(statement)
            return
        with self.transaction() as c:
            c.execute(statement)

    def count(self, table: str) -> int:
        target = {
            "mails": mails,
            "documents": documents,
            "replies": replies,
            "findings": findings,
            "providers": providers,
        }[table]
        with self.engine.connect() as c:
            return int(c.execute(sa.select(sa.func.count()).select_from(target)).scalar() or 0)
