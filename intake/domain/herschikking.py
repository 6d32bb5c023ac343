"""The herschikking's arithmetic: re-dividing a region's Wlz budget over its providers.

From the care office's page: herschikking = declared January-June / 182 x 366
+ omzetderving + maatwerk; when the region's means fall short, one percentage
discount on the extrapolated production of every provider (never on omzetderving
or maatwerk), so that the region fits.

Exact to the cent with `Decimal`. Rounding, stated once: the extrapolated
production is rounded half-up to the cent; the discount rate (a fraction) is
rounded half-up at `rate_decimals` places; each discount is the extrapolated
production times that rate, rounded half-up to the cent. The region's total can
therefore differ from its budget by at most half a cent per provider (plus what
the rate's last decimal moves), and a staff workbook recomputing with ROUND
gives the same cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
_PRECISION = 60  # digits for the intermediate quotients: far beyond any cent that matters


def half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Production:
    """One provider's inputs: approved declarations January-June, omzetderving, maatwerk."""

    agb: str
    naam: str
    declared: Decimal
    lost_revenue: Decimal
    custom: Decimal


@dataclass(frozen=True)
class Share:
    """One provider's herschikking."""

    agb: str
    naam: str
    declared: Decimal
    extrapolated: Decimal
    discount_rate: Decimal
    discount: Decimal
    lost_revenue: Decimal
    custom: Decimal
    total: Decimal

    @property
    def before_discount(self) -> Decimal:
        return self.extrapolated + self.lost_revenue + self.custom


@dataclass(frozen=True)
class Division:
    """The region's herschikking: every share, the rate and the sums staff check it by."""

    shares: tuple[Share, ...]
    budget: Decimal | None
    rate: Decimal
    sum_extrapolated: Decimal
    sum_fixed: Decimal  # omzetderving and maatwerk together: never discounted
    sum_before: Decimal
    total: Decimal

    @property
    def short(self) -> bool:
        return self.rate > 0


class BudgetTooSmall(ValueError):
    """The budget cannot even cover omzetderving and maatwerk: no discount rate solves it."""

    def __init__(self, budget: Decimal, fixed: Decimal) -> None:
        super().__init__(f"budget {budget} is below omzetderving + maatwerk {fixed}")
        self.budget = budget
        self.fixed = fixed


def extrapolate(declared: Decimal, days_declared: int, days_year: int) -> Decimal:
    """Half a year's production as a whole year's: declared / days_declared x days_year."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return half_up(declared * days_year / days_declared)


def discount_rate(
    sum_before: Decimal, sum_extrapolated: Decimal, budget: Decimal | None, decimals: int
) -> Decimal:
    """The one rate on every provider's extrapolated production that makes the region fit."""
    if budget is None or budget >= sum_before:
        return Decimal(0)
    fixed = sum_before - sum_extrapolated
    if budget < fixed or sum_extrapolated == 0:
        raise BudgetTooSmall(budget, fixed)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return half_up((sum_before - budget) / sum_extrapolated, Decimal(1).scaleb(-decimals))


def divide(
    productions: Sequence[Production],
    budget: Decimal | None,
    *,
    days_declared: int,
    days_year: int,
    rate_decimals: int,
) -> Division:
    """Every provider's herschikking; with a budget below the sum, the discounted one."""
    extrapolated = [extrapolate(p.declared, days_declared, days_year) for p in productions]
    sum_extrapolated = sum(extrapolated, Decimal(0))
    sum_fixed = sum((p.lost_revenue + p.custom for p in productions), Decimal(0))
    sum_before = sum_extrapolated + sum_fixed
    rate = discount_rate(sum_before, sum_extrapolated, budget, rate_decimals)
    shares = []
    for production, production_extrapolated in zip(productions, extrapolated, strict=True):
        discount = half_up(production_extrapolated * rate)
        shares.append(
            Share(
                agb=production.agb,
                naam=production.naam,
                declared=production.declared,
                extrapolated=production_extrapolated,
                discount_rate=rate,
                discount=discount,
                lost_revenue=production.lost_revenue,
                custom=production.custom,
                total=production_extrapolated
                - discount
                + production.lost_revenue
                + production.custom,
            )
        )
    return Division(
        shares=tuple(shares),
        budget=budget,
        rate=rate,
        sum_extrapolated=sum_extrapolated,
        sum_fixed=sum_fixed,
        sum_before=sum_before,
        total=sum((s.total for s in shares), Decimal(0)),
    )
