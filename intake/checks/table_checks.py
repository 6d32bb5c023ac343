"""The checks of the four submission tables, declared once as plain predicates.

Each check is named after the finding code it raises (`CODE/variant` picks the
rules' alternative message and severity). `frames.py` turns these declarations into
the pandera schemas that check every batch, of one file or thousands: element
checks see only non-empty values; an empty required column fails
REQUIRED_MISSING; row checks see the whole row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.domain.values import agb_text, is_number, norm_choice

_AGB = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class Check:
    name: str
    predicate: Callable[[Any], bool]


@dataclass(frozen=True)
class Column:
    nullable: bool = True
    checks: tuple[Check, ...] = ()
    dtype: str = "object"  # "object" or "float" (pandera's dtype for the column)


@dataclass(frozen=True)
class RowCheck:
    name: str
    predicate: Callable[[dict[str, Any]], bool]
    column: str | None = None  # the column whose cell a failure points at


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, Column]
    rows: tuple[RowCheck, ...] = field(default_factory=tuple)


def numeric(value: Any) -> bool:
    return is_number(value)


def when_number(predicate: Callable[[float], bool], name: str) -> Check:
    """A numeric rule that leaves text to VALUE_NOT_NUMERIC instead of failing twice."""
    return Check(name, lambda v: not is_number(v) or predicate(float(v)))


def in_list(values: list[str], name: str = "VALUE_NOT_ALLOWED") -> Check:
    allowed = frozenset(norm_choice(v) for v in values)
    return Check(name, lambda v: norm_choice(v) in allowed)


def general(family: TemplateFamily, rules: Rules) -> TableSpec:
    """One row per submission, one column per single input field."""
    served = frozenset(norm_choice(r) for r in rules.regions)
    columns = {}
    for name, spec in family.fields.items():
        checks: list[Check] = []
        if spec.kind == "number":
            checks += [
                Check("VALUE_NOT_NUMERIC", numeric),
                when_number(lambda x: x >= 0, "AMOUNT_NEGATIVE"),
            ]
        elif spec.kind == "agb":
            checks.append(Check("AGB_INVALID", lambda v: bool(_AGB.match(agb_text(v)))))
        elif spec.kind == "region":
            checks.append(Check("REGION_NOT_SERVED", lambda v: norm_choice(v) in served))
        elif spec.kind == "choice" and spec.choices:
            checks.append(in_list(family.lists[spec.choices]))
            if spec.on_no:
                checks.append(Check(spec.on_no, lambda v: norm_choice(v) != "nee"))
        columns[name] = Column(nullable=not spec.required, checks=tuple(checks))
    return TableSpec("general", columns)


def personnel(rules: Rules) -> TableSpec:
    """One row per submission and staff level: fte now, fte planned, wage cost per fte."""
    t = rules.thresholds

    def wage_plausible(row: dict[str, Any]) -> bool:
        b, c, e = row["fte_start"], row["fte_planned"], row["loonkosten"]
        if not (is_number(e) and (is_number(b) or b is None) and (is_number(c) or c is None)):
            return True
        increase = float(c or 0) - float(b or 0)
        return increase <= 0 or t["wage_min"] <= float(e) <= t["wage_max"]

    fte = (
        Check("VALUE_NOT_NUMERIC", numeric),
        when_number(lambda x: x >= 0, "FTE_NEGATIVE"),
        when_number(lambda x: x <= t["fte_max"], "FTE_IMPLAUSIBLE"),
    )
    money = (Check("VALUE_NOT_NUMERIC", numeric), when_number(lambda x: x >= 0, "AMOUNT_NEGATIVE"))
    return TableSpec(
        "personeel",
        {
            "fte_start": Column(checks=fte),
            "fte_planned": Column(checks=fte),
            "loonkosten": Column(checks=money),
        },
        (RowCheck("WAGE_IMPLAUSIBLE", wage_plausible, "loonkosten"),),
    )


def other_cost(family: TemplateFamily) -> TableSpec:
    """One row per submission and cost line: description, category, amount."""
    categories = family.lists[family.tables["overige_kosten"].choices["categorie"]]

    def described(row: dict[str, Any]) -> bool:
        amount = row["bedrag"]
        has_amount = is_number(amount) and float(amount) != 0
        return not has_amount or row["omschrijving"] is not None or row["categorie"] is not None

    money = (Check("VALUE_NOT_NUMERIC", numeric), when_number(lambda x: x >= 0, "AMOUNT_NEGATIVE"))
    return TableSpec(
        "overige_kosten",
        {
            "omschrijving": Column(),
            "categorie": Column(checks=(in_list(categories),)),
            "bedrag": Column(checks=money),
        },
        (RowCheck("DESCRIPTION_MISSING", described, "omschrijving"),),
    )


def figures(rules: Rules) -> TableSpec:
    """One row per submission: the recomputed (corrected) figures and the explanation."""
    minimum = rules.thresholds["personnel_share_min"]

    def share_ok(explained: bool) -> Callable[[dict[str, Any]], bool]:
        def check(row: dict[str, Any]) -> bool:
            low = row["total_budget"] > 0 and row["personnel_share"] < minimum
            return not (low and bool(row["explained"]) == explained)

        return check

    return TableSpec(
        "figures",
        {
            "total_budget": Column(nullable=False, dtype="float"),
            "personnel_share": Column(nullable=False, dtype="float"),
            "explained": Column(nullable=False, dtype="bool"),
        },
        (
            RowCheck("BUDGET_EMPTY", lambda row: row["total_budget"] != 0, "total_budget"),
            RowCheck("PERSONNEL_SHARE_LOW", share_ok(False), "personnel_share"),
            RowCheck("PERSONNEL_SHARE_LOW/review", share_ok(True), "personnel_share"),
        ),
    )


def all_tables(family: TemplateFamily, rules: Rules) -> dict[str, TableSpec]:
    return {
        "general": general(family, rules),
        "personeel": personnel(rules),
        "overige_kosten": other_cost(family),
        "figures": figures(rules),
    }
