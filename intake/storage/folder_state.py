"""The drop folder's state per file, so a retry resumes where the last attempt stopped.

A file in the inbox is known by its content hash and its name. Its row moves
failed? -> stored -> published -> done; once its document is stored, a retry
never judges or stores it again (so a provider is never told DUPLICATE because of
our own retry), and after `max_attempts` failed passes it is `given_up`: left in
the inbox, no longer tried, and listed for staff in the digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from intake.storage.locking import write_transaction
from intake.storage.tables import folder_items

OPEN_STATES = ("failed", "stored", "published", "given_up")


@dataclass(frozen=True)
class FolderItem:
    id: int
    sha256: str
    name: str
    state: str
    document_id: int | None
    attempts: int
    error: str | None
    updated_at: datetime | None = None  # when it last changed: since then it waits for staff


def _item(row: Any) -> FolderItem:
    moment = row.updated_at
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return FolderItem(
        row.id, row.sha256, row.name, row.state, row.document_id, row.attempts, row.error, moment
    )


class FolderState:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def current(self, sha256: str, name: str) -> FolderItem | None:
        """The unfinished row of this file, if an earlier pass left one."""
        query = (
            sa.select(folder_items)
            .where(
                folder_items.c.sha256 == sha256,
                folder_items.c.name == name,
                folder_items.c.state.in_(OPEN_STATES),
            )
            .order_by(folder_items.c.id.desc())
        )
        with self.engine.connect() as c:
            row = c.execute(query).first()
        return _item(row) if row else None

    def stored(
        self, conn: sa.Connection, item: FolderItem | None, sha256: str, name: str, doc_id: int
    ) -> None:
        """Record the stored document in the same transaction that stores it."""
        stamp = datetime.now(UTC)
        if item is not None:
            conn.execute(
                folder_items.update()
                .where(folder_items.c.id == item.id)
                .values(state="stored", document_id=doc_id, updated_at=stamp)
            )
            return
        conn.execute(
            folder_items.insert().values(
                sha256=sha256,
                name=name,
                state="stored",
                document_id=doc_id,
                attempts=0,
                created_at=stamp,
                updated_at=stamp,
            )
        )

    def advance(self, sha256: str, name: str, state: str) -> None:
        with write_transaction(self.engine) as c:
            c.execute(
                folder_items.update()
                .where(
                    folder_items.c.sha256 == sha256,
                    folder_items.c.name == name,
                    folder_items.c.state.in_(OPEN_STATES),
                )
                .values(state=state, error=None, updated_at=datetime.now(UTC))
            )

    def failed(self, sha256: str, name: str, error: str, max_attempts: int) -> FolderItem:
        """Count a failed attempt; the last one allowed turns the file into `given_up`."""
        item = self.current(sha256, name)
        stamp = datetime.now(UTC)
        with write_transaction(self.engine) as c:
            if item is None:
                result = c.execute(
                    folder_items.insert().values(
                        sha256=sha256,
                        name=name,
                        state="failed",
                        attempts=0,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
                item_id = int(result.inserted_primary_key[0])
                attempts, state = 1, "failed"
            else:
                item_id, attempts, state = item.id, item.attempts + 1, item.state
            if attempts >= max_attempts:
                state = "given_up"
            c.execute(
                folder_items.update()
                .where(folder_items.c.id == item_id)
                .values(state=state, attempts=attempts, error=error[:2000], updated_at=stamp)
            )
        result_item = self.current(sha256, name)
        assert result_item is not None
        return result_item

    def given_up(self) -> list[FolderItem]:
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(folder_items)
                .where(folder_items.c.state == "given_up")
                .order_by(folder_items.c.id)
            ).all()
        return [_item(r) for r in rows]
