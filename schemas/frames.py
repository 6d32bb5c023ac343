"""Pandera schemas for the four tables of a submission, built from the cell map and rules.

Each check is named after the finding code it raises, so a failure case translates
straight into a finding; `CODE/variant` picks an alternative message and severity
from the rules (e.g. PERSONNEL_SHARE_LOW/review when the provider explained it).

The schemas validate frames holding many submissions at once (one row per
submission, or per submission and table row): pandera's fixed cost per call is
paid once per batch, not once per file.

Custom checks stay in Python: pandera's YAML form cannot carry them.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pandera.pandas as pa

from intake.rules import Rules
from intake.templates import TemplateFamily
from intake.values import agb_text, is_number, norm_choice

_AGB = re.compile(r"^\d{8}$")


def _numeric_or_empty(value: Any) -> bool:
    return is_number(value)


def _not_numeric(name: str = "VALUE_NOT_NUMERIC") -> pa.Check:
    return pa.Check(_numeric_or_empty, element_wise=True, name=name)


def _when_number(predicate: Any, name: str) -> pa.Check:
    """A numeric rule that leaves text to VALUE_NOT_NUMERIC instead of failing twice."""
    return pa.Check(lambda v: not is_number(v) or predicate(float(v)), element_wise=True, name=name)


def _in_list(values: list[str], name: str = "VALUE_NOT_ALLOWED") -> pa.Check:
    allowed = {norm_choice(v) for v in values}
    return pa.Check(lambda v: norm_choice(v) in allowed, element_wise=True, name=name)


def general_schema(family: TemplateFamily, rules: Rules) -> pa.DataFrameSchema:
    """One row per submission, one column per single input field."""
    served = {norm_choice(r) for r in rules.regions}
    columns = {}
    for name, field in family.fields.items():
        checks: list[pa.Check] = []
        if field.kind == "number":
            checks.append(_not_numeric())
            checks.append(_when_number(lambda x: x >= 0, "AMOUNT_NEGATIVE"))
        elif field.kind == "agb":
            checks.append(
                pa.Check(
                    lambda v: bool(_AGB.match(agb_text(v))), element_wise=True, name="AGB_INVALID"
                )
            )
        elif field.kind == "region":
            checks.append(
                pa.Check(
                    lambda v: norm_choice(v) in served, element_wise=True, name="REGION_NOT_SERVED"
                )
            )
        elif field.kind == "choice" and field.choices:
            checks.append(_in_list(family.lists[field.choices]))
            if field.on_no:
                checks.append(
                    pa.Check(lambda v: norm_choice(v) != "nee", element_wise=True, name=field.on_no)
                )
        columns[name] = pa.Column(object, nullable=not field.required, checks=checks)
    return pa.DataFrameSchema(columns, coerce=False, name="general")


def personnel_schema(rules: Rules) -> pa.DataFrameSchema:
    """One row per submission and staff level: fte now, fte planned, wage cost per fte."""
    t = rules.thresholds

    def wage_plausible(df: pd.DataFrame) -> pd.Series:
        def row_ok(row: pd.Series) -> bool:
            b, c, e = row["fte_2018"], row["fte_2020"], row["loonkosten"]
            if not (is_number(e) and (is_number(b) or b is None) and (is_number(c) or c is None)):
                return True
            increase = float(c or 0) - float(b or 0)
            return increase <= 0 or t["wage_min"] <= float(e) <= t["wage_max"]

        return df.apply(row_ok, axis=1) if len(df) else pd.Series([], dtype=bool)

    fte_checks = [
        _not_numeric(),
        _when_number(lambda x: x >= 0, "FTE_NEGATIVE"),
        _when_number(lambda x: x <= t["fte_max"], "FTE_IMPLAUSIBLE"),
    ]
    return pa.DataFrameSchema(
        {
            "fte_2018": pa.Column(object, nullable=True, checks=fte_checks),
            "fte_2020": pa.Column(object, nullable=True, checks=fte_checks),
            "loonkosten": pa.Column(
                object,
                nullable=True,
                checks=[_not_numeric(), _when_number(lambda x: x >= 0, "AMOUNT_NEGATIVE")],
            ),
        },
        checks=[pa.Check(wage_plausible, name="WAGE_IMPLAUSIBLE")],
        name="personeel",
    )


def other_cost_schema(family: TemplateFamily) -> pa.DataFrameSchema:
    """One row per submission and cost line: description, category, amount."""
    categories = family.lists[family.tables["overige_kosten"].choices["categorie"]]

    def described(df: pd.DataFrame) -> pd.Series:
        has_amount = df["bedrag"].map(lambda v: is_number(v) and float(v) != 0)
        has_words = df["omschrijving"].notna() | df["categorie"].notna()
        return ~has_amount | has_words

    return pa.DataFrameSchema(
        {
            "omschrijving": pa.Column(object, nullable=True),
            "categorie": pa.Column(object, nullable=True, checks=[_in_list(categories)]),
            "bedrag": pa.Column(
                object,
                nullable=True,
                checks=[_not_numeric(), _when_number(lambda x: x >= 0, "AMOUNT_NEGATIVE")],
            ),
        },
        checks=[pa.Check(described, name="DESCRIPTION_MISSING")],
        name="overige_kosten",
    )


def figures_schema(rules: Rules) -> pa.DataFrameSchema:
    """One row per submission: the recomputed (corrected) figures and the explanation."""
    minimum = rules.thresholds["personnel_share_min"]

    def share_ok(explained: bool) -> Any:
        def check(df: pd.DataFrame) -> pd.Series:
            low = (df["total_budget"] > 0) & (df["personnel_share"] < minimum)
            return ~(low & (df["explained"] == explained))

        return check

    return pa.DataFrameSchema(
        {
            "total_budget": pa.Column(float, nullable=False),
            "personnel_share": pa.Column(float, nullable=False),
            "explained": pa.Column(bool),
        },
        checks=[
            pa.Check(lambda df: df["total_budget"] != 0, name="BUDGET_EMPTY"),
            pa.Check(share_ok(False), name="PERSONNEL_SHARE_LOW"),
            pa.Check(share_ok(True), name="PERSONNEL_SHARE_LOW/review"),
        ],
        name="figures",
    )
