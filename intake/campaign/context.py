"""Everything a judgement depends on besides the file itself: one campaign's inputs.

Contexts are built in one place only, `intake.bootstrap`, from the configuration.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from intake.campaign.register import Register
from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.extract.container import Limits


@dataclass(frozen=True, eq=False)  # one object per campaign, compared by identity
class Context:
    """One campaign's rules, template family and register, and the other active campaigns."""

    rules: Rules
    family: TemplateFamily
    register: Register | None = None
    reader: str = "fastxml"  # "fastxml" (hot path) or "openpyxl" (reference)
    # The other campaigns active on the same ledger; a document goes to the one its
    # template family and date of receipt point at (see `for_received`).
    alternatives: tuple[Context, ...] = ()

    @property
    def campaign(self) -> str:
        return self.rules.campaign

    @property
    def limits(self) -> Limits:
        return Limits.from_rules(self.rules.limits)

    @cached_property
    def rules_version(self) -> str:
        """The rules' explicit version, or a hash of every rules and schema file used."""
        if self.rules.version:
            return self.rules.version
        digest = hashlib.sha256(self.rules.content_hash.encode())
        digest.update(self.family.source.read_bytes())
        return digest.hexdigest()[:12]

    @property
    def campaigns(self) -> tuple[Context, ...]:
        """Every active campaign, this (the default) first."""
        return (self, *self.alternatives)

    def for_campaign(self, campaign: str | None) -> Context:
        """The context of a named campaign; the default one for None or an unknown name."""
        return next((c for c in self.campaigns if c.campaign == campaign), self)

    def for_received(self, received: datetime) -> Context:
        """The campaign whose intake had opened on that day most recently; else the default."""
        best = None
        for ctx in self.campaigns:
            start = ctx.rules.received_from
            if start is None or ctx.rules.local_date(received) < start:
                continue
            if best is None or start > best.rules.received_from:  # type: ignore[operator]
                best = ctx
        return best or self

    def with_register(self, campaign: str, register: Register | None) -> Context:
        """These contexts with one campaign's register replaced (a confirmed upload)."""
        if campaign == self.campaign:
            return replace(self, register=register)
        others = tuple(
            replace(c, register=register) if c.campaign == campaign else c
            for c in self.alternatives
        )
        return replace(self, alternatives=others)

    def others_for_family(self) -> tuple[Context, ...]:
        """Active campaigns with a different template family than this one."""
        return tuple(c for c in self.campaigns if c.family is not self.family)
