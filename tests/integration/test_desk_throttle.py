"""Login throttling over HTTP: guessing is slowed, nobody is locked out by someone else.

Real SQLite ledger, real argon2; addresses are set on the test client's peer, and
X-Forwarded-For is believed only from `[desk] trusted_proxies`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from intake.storage.ledger import Ledger, now
from intake.storage.login_attempts import LoginAttempts
from intake.web import throttle
from tests.integration.desk import PASSWORD, client_for, log_in, seeded_app

OFFICE = "192.0.2.10"  # the office's NAT: every colleague arrives from here
ELSEWHERE = "198.51.100.66"


@pytest.fixture
def fresh(tmp_path):
    return seeded_app(tmp_path)


def audit_addresses(app, action: str) -> list[str]:
    with app.ledger.engine.connect() as c:
        rows = c.execute(sa.text("SELECT address FROM audit WHERE action = :a"), {"a": action})
        return [r[0] for r in rows]


def test_two_colleagues_behind_one_address_do_not_lock_each_other_out(fresh):
    office = client_for(fresh, None, OFFICE)
    for _ in range(20):
        response = log_in(office, "medewerker", "verkeerd-wachtwoord")
        assert response.status_code in (401, 429)
    assert log_in(office, "medewerker", "verkeerd-wachtwoord").status_code == 429
    # the colleague at the next desk, same address, right password: in at once
    colleague = client_for(fresh, None, OFFICE)
    assert log_in(colleague, "beheerder", PASSWORD).status_code == 303
    assert colleague.get("/").status_code == 200
    # the one who mistyped waits, is told how long, and the wait is not a failure
    refused = log_in(office, "medewerker", PASSWORD)
    assert refused.status_code == 429 and "Te veel mislukte pogingen" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    wait = refused.headers["retry-after"]
    assert re.search(rf"over {wait} seconden? opnieuw", refused.text)
    assert set(audit_addresses(fresh, "login_failed")) == {OFFICE}


def test_an_admin_is_not_kept_out_by_failures_from_elsewhere(fresh):
    client_for(fresh, "beheerder", OFFICE)  # the admin logged in from the office before
    for last_byte in (66, 67):  # five wrong passwords from each of two addresses
        attacker = client_for(fresh, None, f"198.51.100.{last_byte}")
        for _ in range(5):
            assert log_in(attacker, "beheerder", "raden-raden-raden").status_code == 401
    assert log_in(attacker, "beheerder", "raden-raden-raden").status_code == 429
    # guessing spread over addresses slows the account at addresses it never used ...
    stranger = client_for(fresh, None, "203.0.113.99")
    assert log_in(stranger, "beheerder", PASSWORD).status_code == 429
    # ... but not at the admin's own desk
    admin = client_for(fresh, None, OFFICE)
    assert log_in(admin, "beheerder", PASSWORD).status_code == 303
    assert admin.get("/register").status_code == 200


def test_an_address_trying_many_accounts_is_slowed_but_known_colleagues_are_not(fresh):
    client_for(fresh, "medewerker", OFFICE)  # logged in from here before
    known = client_for(fresh, None, OFFICE)
    sprayer = client_for(fresh, None, OFFICE)
    for name in ("anna", "bert", "carla", "daan", "eva"):
        assert log_in(sprayer, name, "zomer2019-zomer").status_code == 401
    assert log_in(sprayer, "frank", "zomer2019-zomer").status_code == 429
    assert log_in(sprayer, "beheerder", PASSWORD).status_code == 429  # never in from here
    assert log_in(known, "medewerker", PASSWORD).status_code == 303  # in from here before


def test_forwarded_for_is_believed_only_from_trusted_proxies(fresh):
    header = {"X-Forwarded-For": "203.0.113.7"}
    via_proxy = client_for(fresh, None, "127.0.0.1")  # the default trusted proxy
    via_proxy.headers.update(header)
    assert log_in(via_proxy, "medewerker", "fout-wachtwoord").status_code == 401
    stranger = client_for(fresh, None, ELSEWHERE)
    stranger.headers.update(header)
    assert log_in(stranger, "medewerker", "fout-wachtwoord").status_code == 401
    assert audit_addresses(fresh, "login_failed") == ["203.0.113.7", ELSEWHERE]
    fresh.config = replace(
        fresh.config, desk=replace(fresh.config.desk, trusted_proxies=("198.51.100.0/24",))
    )
    trusted = client_for(fresh, None, ELSEWHERE)
    trusted.headers.update({"X-Forwarded-For": "203.0.113.8"})
    assert log_in(trusted, "medewerker", "fout-wachtwoord").status_code == 401
    assert audit_addresses(fresh, "login_failed")[-1] == "203.0.113.8"


@pytest.fixture
def attempts(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    Ledger.migrate(engine)
    return LoginAttempts(engine)


def test_the_wait_doubles_is_capped_and_ends(attempts):
    start = now() - timedelta(minutes=50)
    for i in range(5):
        attempts.record("anna", OFFICE, False, at=start + timedelta(seconds=i))
    last = start + timedelta(seconds=4)
    assert throttle.retry_after(attempts, "anna", OFFICE, at=last) == 2
    assert throttle.retry_after(attempts, "anna", OFFICE, at=last + timedelta(seconds=2)) == 0
    attempts.record("anna", OFFICE, False, at=last + timedelta(seconds=2))
    assert throttle.retry_after(attempts, "anna", OFFICE, at=last + timedelta(seconds=2)) == 4
    for i in range(20):
        attempts.record("anna", OFFICE, False, at=last + timedelta(seconds=3 + i))
    final = last + timedelta(seconds=22)
    assert throttle.retry_after(attempts, "anna", OFFICE, at=final) == 15 * 60
    assert throttle.retry_after(attempts, "anna", ELSEWHERE, at=final) == 15 * 60  # everywhere
    # a good login from the office clears the office's own count, not the others'
    attempts.record("anna", OFFICE, True, at=final + timedelta(minutes=15))
    assert throttle.retry_after(attempts, "anna", OFFICE, at=final + timedelta(minutes=15)) == 0


def test_a_wait_does_not_outlive_the_window(attempts):
    old = now() - throttle.WINDOW - timedelta(minutes=1)
    for i in range(30):
        attempts.record("bert", OFFICE, False, at=old + timedelta(seconds=i))
    assert throttle.retry_after(attempts, "bert", OFFICE) == 0
    assert throttle.Rule(free=5).wait(4) == timedelta(0)
    assert throttle.Rule(free=5).wait(10_000) == timedelta(minutes=15)
