"""Why a file cannot be read, in Dutch.

The readers in `intake.extract` stay free of Dutch: a `ContainerError` names its reason
by key and carries the values. The words are in rules/reasons.toml, beside every other
Dutch text, and every place that shows a reason to a provider or to staff (a finding,
a register's refusal, a herschikking file's refusal) reads them through here.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache

from intake.campaign.resources import rules_dir
from intake.extract.container import ContainerError


@lru_cache(maxsize=1)
def reasons() -> dict[str, str]:
    with (rules_dir() / "reasons.toml").open("rb") as fh:
        return dict(tomllib.load(fh)["reasons"])


def reason(exc: ContainerError) -> str:
    """The Dutch reason of `exc`, its values filled in."""
    return reasons()[exc.key].format(**exc.values)
