"""Claims, leases, channel run locks and migrations under a lock, on SQLite and PostgreSQL.

Real databases only: a throwaway PostgreSQL cluster and SQLite files; real
processes for the "start together on an empty database" case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from intake.storage.claims import Claims, Worker, channel_run
from intake.storage.clock import database_now
from intake.storage.ledger import Ledger
from intake.storage.tables import claims
from tests.integration.servers import require


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return request.getfixturevalue("postgres").new_database()


def other(ledger: Ledger, lease: float = 60, host: str | None = None) -> Claims:
    """A second worker on the same ledger (another process, or another host)."""
    worker = Worker(host=host) if host else Worker()
    return Claims(ledger.engine, worker, timedelta(seconds=lease))


def test_a_claim_belongs_to_one_worker_until_released(url):
    ledger = Ledger.open(url)
    mine, theirs = ledger.claims, other(ledger)
    assert mine.claim("mail:<a@x>")
    assert mine.claim("mail:<a@x>")  # claiming again renews, it is still ours
    assert not theirs.claim("mail:<a@x>")
    assert mine.holder("mail:<a@x>") == mine.worker.id
    mine.release("mail:<a@x>")
    assert theirs.claim("mail:<a@x>")
    assert not mine.claim("mail:<a@x>")


def test_an_expired_lease_is_taken_over_and_the_old_owner_knows_it_lost(url):
    ledger = Ledger.open(url)
    slow = other(ledger, lease=0.2, host="elders")
    assert slow.claim("file:abc:model.xlsx")
    fresh = other(ledger, host="hier")
    assert not fresh.claim("file:abc:model.xlsx")
    time.sleep(0.3)
    assert fresh.claim("file:abc:model.xlsx")
    assert not slow.renew("file:abc:model.xlsx")
    slow.release("file:abc:model.xlsx")  # releasing what is no longer ours changes nothing
    assert fresh.holder("file:abc:model.xlsx") == fresh.worker.id


def test_the_claim_of_a_killed_process_on_this_host_is_taken_over_at_once(url):
    ledger = Ledger.open(url)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ghost = Claims(ledger.engine, Worker(pid=dead.pid), timedelta(hours=1))
    assert ghost.claim("mail:<b@x>")
    alive = Claims(ledger.engine, Worker(pid=os.getppid()), timedelta(hours=1))
    assert alive.claim("mail:<c@x>")
    assert ledger.claims.claim("mail:<b@x>")  # its owner is gone
    assert not ledger.claims.claim("mail:<c@x>")  # its owner still runs


def test_many_workers_racing_for_the_same_items_each_get_a_share_and_no_item_twice(url):
    ledger = Ledger.open(url)
    names = [f"mail-at:INBOX:1:{uid}" for uid in range(60)]
    workers = [other(ledger) for _ in range(4)]
    won: dict[str, list[str]] = {}
    lock = threading.Lock()

    def race(claims: Claims) -> None:
        for name in names:
            if claims.claim(name):
                with lock:
                    won.setdefault(name, []).append(claims.worker.id)

    threads = [threading.Thread(target=race, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == sorted(names)
    assert all(len(owners) == 1 for owners in won.values())


def test_runs_of_a_channel_never_overlap_unless_more_workers_are_allowed(url):
    ledger = Ledger.open(url)
    second = other(ledger)
    with channel_run(ledger.claims, "mail") as held:
        assert held
        with channel_run(second, "mail") as also:
            assert not also
        with channel_run(second, "mail", slots=2) as shared:
            assert shared
    with channel_run(second, "mail") as after:
        assert after


def test_the_lease_of_a_long_run_is_kept_alive(url):
    ledger = Ledger.open(url, lease_seconds=0.6)
    rival = other(ledger)
    with channel_run(ledger.claims, "folder") as held:
        assert held
        time.sleep(1.5)  # longer than the lease: the heartbeat renews it
        with channel_run(rival, "folder") as stolen:
            assert not stolen


START = """
import sys
from intake.storage.ledger import Ledger
ledger = Ledger.open(sys.argv[1])
print(ledger.count("mails"))
"""


def test_workers_starting_together_on_an_empty_database_all_come_up(url):
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in processes]
    for code, out, err in results:
        assert code == 0, err
        assert out.strip() == "0" and "Traceback" not in err
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from intake.storage.ledger import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    engine = sa.create_engine(url)
    with engine.connect() as c:
        versions = c.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        assert versions.all() == heads
    engine.dispose()


def test_leases_run_on_the_database_clock(url):
    ledger = Ledger.open(url)
    lease = timedelta(minutes=10)
    worker = Claims(ledger.engine, Worker(host="hier"), lease)
    with ledger.engine.connect() as c:
        before = database_now(c)
    assert worker.claim("mail:<clock@x>")
    with ledger.engine.connect() as c:
        after = database_now(c)
        expires = c.execute(sa.select(claims.c.expires_at)).scalar_one()
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert before + lease <= expires <= after + lease
    assert worker.renew("mail:<clock@x>")


CLAIM_AHEAD = """
import sys
from datetime import UTC, datetime, timedelta
from intake.storage.claims import Claims, Worker
from intake.storage.ledger import Ledger
ledger = Ledger.open(sys.argv[1])
worker = Claims(ledger.engine, Worker(host="voor"), timedelta(minutes=10))
print(datetime.now(UTC).isoformat(), worker.claim("mail:<live@x>"))
"""


def test_a_worker_whose_clock_runs_ahead_leaves_a_live_claim_alone(postgres):
    """Two hosts, one PostgreSQL: the one whose clock is two hours ahead (faketime) must
    not think the other's ten-minute lease ran out."""
    faketime = require("faketime")
    url = postgres.new_database()
    ledger = Ledger.open(url)
    live = Claims(ledger.engine, Worker(host="elders"), timedelta(minutes=10))
    assert live.claim("mail:<live@x>")
    done = subprocess.run(
        [faketime, "-f", "+2h", sys.executable, "-c", CLAIM_AHEAD, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    its_now, claimed = done.stdout.split()
    assert datetime.fromisoformat(its_now) - datetime.now(UTC) > timedelta(hours=1, minutes=50)
    assert claimed == "False"
    assert live.holder("mail:<live@x>") == live.worker.id
