"""Sessions end on the server: a cookie copied before logout, before the account was
disabled or before an idle half hour opens nothing afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from intake.cli import cli
from intake.storage.casebook import Casebook
from intake.storage.ledger import now
from intake.storage.tables import sessions
from tests.integration.desk import client_for, csrf_of, desk_env, seeded_app


@pytest.fixture
def fresh(tmp_path):
    return seeded_app(tmp_path)


def copy_of(app, client):
    """A second browser holding the very cookie `client` holds."""
    thief = client_for(app, None)
    thief.cookies.update(client.cookies)
    return thief


def ended(app) -> list[tuple[str, str]]:
    with app.ledger.engine.connect() as c:
        rows = c.execute(
            sa.select(sessions.c.user_name, sessions.c.end_reason).where(
                sessions.c.ended_at.is_not(None)
            )
        )
        return [tuple(r) for r in rows]


def test_a_cookie_copied_before_logout_opens_nothing_after(fresh):
    client = client_for(fresh)
    copy = copy_of(fresh, client)
    assert copy.get("/api/cases").status_code == 200  # the copy works while the session runs
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert copy.get("/api/cases").status_code == 401
    assert copy.get("/cases").status_code == 303
    assert ended(fresh) == [("medewerker", "logout")]
    with fresh.ledger.engine.connect() as c:  # the table holds no usable token
        stored = c.execute(sa.select(sessions.c.id)).scalars().all()
    assert all(len(key) == 64 for key in stored)
    assert not any(key in str(client.cookies) for key in stored)


def test_an_idle_session_ends_and_stays_ended(fresh):
    client = client_for(fresh)
    assert client.get("/api/cases").status_code == 200
    idle = now() - timedelta(minutes=fresh.config.desk.idle_minutes + 1)
    with fresh.ledger.engine.begin() as c:
        c.execute(sessions.update().values(seen_at=idle))
    assert client.get("/api/cases").status_code == 401
    with fresh.ledger.engine.begin() as c:  # even if the clock were wound back
        c.execute(sessions.update().values(seen_at=now()))
    assert client.get("/api/cases").status_code == 401
    assert ended(fresh) == [("medewerker", "idle")]


def test_a_session_in_use_is_not_idle(fresh):
    client = client_for(fresh)
    recent = now() - timedelta(minutes=fresh.config.desk.idle_minutes - 1)
    with fresh.ledger.engine.begin() as c:
        c.execute(sessions.update().values(seen_at=recent))
    assert client.get("/api/cases").status_code == 200  # and the request counts as use
    with fresh.ledger.engine.connect() as c:
        seen = c.execute(sa.select(sessions.c.seen_at)).scalar_one()
    assert seen.replace(tzinfo=None) > recent.replace(tzinfo=None)


def test_disabling_an_account_ends_its_sessions_for_good(fresh):
    client = client_for(fresh)
    book = Casebook(fresh.ledger.engine)
    book.accounts.update("medewerker", disabled=True)
    assert client.get("/api/cases").status_code == 401
    book.accounts.update("medewerker", disabled=False)
    assert client.get("/api/cases").status_code == 401  # re-enabling revives nothing
    assert ended(fresh) == [("medewerker", "disabled")]


def test_intake_user_disable_ends_sessions_on_the_server(fresh, tmp_path):
    client = client_for(fresh)
    result = CliRunner().invoke(cli, ["user", "disable", "medewerker"], env=desk_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert ended(fresh) == [("medewerker", "disabled")]
    assert client.get("/api/cases").status_code == 401


def test_migration_0011_matches_the_tables_and_goes_down_and_up(tmp_path):
    from alembic import command
    from alembic.config import Config

    from intake.storage.ledger import MIGRATIONS, Ledger
    from intake.storage.tables import metadata

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    Ledger.migrate(engine)
    found = sa.inspect(engine)
    for name in ("sessions", "login_attempts"):
        table = metadata.tables[name]
        assert {c["name"] for c in found.get_columns(name)} == set(table.c.keys())
        assert {i["name"] for i in found.get_indexes(name)} == {i.name for i in table.indexes}
    assert "ix_documents_case" in {i["name"] for i in found.get_indexes("documents")}
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_extensions")
    assert "sessions" not in sa.inspect(engine).get_table_names()
    Ledger.migrate(engine)
    assert {"sessions", "login_attempts"} <= set(sa.inspect(engine).get_table_names())
