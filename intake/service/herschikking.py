"""The herschikking of a region: computed, flagged against the register, and written.

One call from the command line and the desk: the declarations (already validated
whole), the region's budget and the register in; the division out, and on request
the JSON for other systems, the staff workbook and a letter per provider in a
folder. Nothing is written before everything has been computed, so a budget that
cannot be met leaves the folder as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from intake.campaign.herschikking import Declaration, HerschikkingRules
from intake.campaign.register import Register
from intake.domain import kenmerk
from intake.domain.herschikking import Division, Production, Share, divide
from intake.storage.files import atomic_write

JSON_KEYS = (
    "agb",
    "naam",
    "declared",
    "extrapolated",
    "discount_rate",
    "discount",
    "lost_revenue",
    "custom",
    "total",
)


@dataclass(frozen=True)
class Herschikking:
    """A computed herschikking and what staff must know beside the figures."""

    rules: HerschikkingRules
    division: Division
    registered: dict[str, bool | None]  # per AGB: in the register; None without a register
    source: str

    @property
    def unregistered(self) -> list[Share]:
        return [s for s in self.division.shares if self.registered.get(s.agb) is False]

    def kenmerk(self, agb: str) -> str:
        """The letter's reference: the same provider in the same herschikking, the same one."""
        digest = hashlib.sha256(f"{self.rules.id}:{agb}".encode()).hexdigest()
        return kenmerk(self.rules.kenmerk_prefix, digest)


def compute(
    declarations: Sequence[Declaration],
    rules: HerschikkingRules,
    budget: Decimal | None,
    register: Register | None,
    source: str = "",
) -> Herschikking:
    """The division; `BudgetTooSmall` when the budget cannot cover omzetderving and maatwerk."""
    productions = [
        Production(d.agb, d.naam, d.declared, d.lost_revenue, d.custom) for d in declarations
    ]
    division = divide(
        productions,
        budget,
        days_declared=rules.days_declared,
        days_year=rules.days_year,
        rate_decimals=rules.rate_decimals,
    )
    registered = {
        d.agb: (None if register is None else register.get(d.agb) is not None) for d in declarations
    }
    return Herschikking(rules, division, registered, source)


def _number(value: Decimal) -> float | int:
    """A JSON number with the Decimal's digits: 2 decimals for money, the rate's own places."""
    return float(value)


def share_json(result: Herschikking, share: Share) -> dict[str, Any]:
    values = {
        "agb": share.agb,
        "naam": share.naam,
        "declared": _number(share.declared),
        "extrapolated": _number(share.extrapolated),
        "discount_rate": _number(share.discount_rate),
        "discount": _number(share.discount),
        "lost_revenue": _number(share.lost_revenue),
        "custom": _number(share.custom),
        "total": _number(share.total),
    }
    registered = result.registered.get(share.agb)
    return {**values, "registered": registered, "kenmerk": result.kenmerk(share.agb)}


def to_json(result: Herschikking) -> str:
    """`DIR/<name>.json`: a list of objects, one per provider, in the order of the file."""
    rows = [share_json(result, s) for s in result.division.shares]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def letter_name(share: Share) -> str:
    return f"herschikking-{share.agb}"


def write_outputs(result: Herschikking, out: Path) -> list[Path]:
    """The JSON, the staff workbook and a letter (HTML and PDF) per provider, in `out`."""
    from intake.service.herschikking_letter import render_letter_html, render_letter_pdf
    from intake.service.herschikking_workbook import build_workbook

    name = result.rules.output_name
    written = [out / f"{name}.json", out / f"{name}.xlsx"]
    atomic_write(written[0], to_json(result))
    atomic_write(written[1], build_workbook(result))
    for share in result.division.shares:
        base = out / "brieven" / letter_name(share)
        atomic_write(base.with_suffix(".html"), render_letter_html(result, share))
        atomic_write(base.with_suffix(".pdf"), render_letter_pdf(result, share))
        written += [base.with_suffix(".html"), base.with_suffix(".pdf")]
    return written
