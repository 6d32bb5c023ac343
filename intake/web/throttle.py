"""Login throttling that slows guessing and never locks a colleague out.

Three keys, each with a free allowance and then a delay that doubles with every further
failure (2 s, 4 s, 8 s, ... at most 15 minutes), counted over the last hour:

- this account from this address: a person's own mistakes (after 5 failures);
- this address over many accounts (5 different accounts failed): spraying from one place;
- this account from every address (10 failures): guessing spread over many addresses.

The last two never hold back an account that logged in from the same address in the
last 30 days: colleagues behind one NAT, terminal server or proxy, and an admin at the
usual desk, are not slowed by someone else's attempts. While a key waits, an attempt is
answered 429 with Retry-After before the password is checked and is not counted as a
failure, so nobody can extend the wait by hammering; after it, the right password gets in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from intake.storage.ledger import now
from intake.storage.login_attempts import Failures, LoginAttempts

WINDOW = timedelta(hours=1)
KNOWN = timedelta(days=30)


@dataclass(frozen=True)
class Rule:
    free: int
    first: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=15)

    def wait(self, count: int) -> timedelta:
        if count < self.free:
            return timedelta(0)
        doublings = min(count - self.free, 20)  # the cap is reached long before
        return min(self.first * 2**doublings, self.cap)


PAIR = Rule(free=5)
ADDRESS = Rule(free=5)
ACCOUNT = Rule(free=10)


def _remaining(rule: Rule, count: int, last: datetime | None, at: datetime) -> float:
    if last is None:
        return 0.0
    return max(0.0, (last + rule.wait(count) - at).total_seconds())


def retry_after(
    attempts: LoginAttempts, account: str, address: str, at: datetime | None = None
) -> int:
    """Seconds this account must wait at this address before its password is checked."""
    at = at or now()
    since = at - WINDOW
    known = attempts.last_success(account, address, at - KNOWN)
    own: Failures = attempts.failures_of_pair(account, address, max(since, known or since))
    waits = [_remaining(PAIR, own.count, own.last, at)]
    if known is None:
        accounts, last = attempts.failures_from(address, since)
        waits.append(_remaining(ADDRESS, accounts, last, at))
        everywhere = attempts.failures_of_account(account, since)
        waits.append(_remaining(ACCOUNT, everywhere.count, everywhere.last, at))
    return math.ceil(max(waits))
