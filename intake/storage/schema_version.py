"""Whether a ledger's schema is already the newest, without loading Alembic.

Every one-shot run (a timer's `intake mail --once`) opens the ledger; loading Alembic
to find out that there is nothing to upgrade cost half a second of each run. The
newest revision is read from the migration files themselves (each names its
`revision` and `down_revision`), the ledger's from `alembic_version`; only when they
differ does the ledger call Alembic to upgrade.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import sqlalchemy as sa

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|None)", re.M)


@cache
def head_revision(folder: Path = VERSIONS) -> str | None:
    """The one revision no other migration builds on; None when that is not clear-cut
    (no files, several heads, a revision named another way): then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        found = {m[1]: m[2] or m[3] for m in _ASSIGNMENT.finditer(path.read_text("utf-8"))}
        if not found.get("revision"):
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the ledger was last upgraded to; None for a new or unversioned one."""
    if not sa.inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    return rows[0][0] if len(rows) == 1 else None


def is_current(engine: sa.Engine) -> bool:
    head = head_revision()
    return head is not None and current_revision(engine) == head
