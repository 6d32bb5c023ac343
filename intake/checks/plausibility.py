"""Figures no nursing home can mean: a person looks before money is promised.

47,350 extra fte or a budget of € 2.25 billion are typing errors (a pasted salary in an
fte column, an amount in cents), not applications; the per-cell checks let them through
with a warning at most. These checks send them to review, naming the cell. The limits
live in the rules file (`[thresholds]`).
"""

from __future__ import annotations

import math

from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.checks.compute import Computation, NotNumeric, as_number
from intake.checks.registry import Stage, check
from intake.domain import Finding, fmt
from intake.domain.cells import address
from intake.extract.workbook import WorkbookIR


def _number(ir: WorkbookIR, sheet: str, ref: str) -> float | None:
    try:
        value = as_number(ir.value(sheet, ref))
    except NotNumeric:
        return None
    return value if value is not None and math.isfinite(value) else None


def fte_increase(ir: WorkbookIR, family: TemplateFamily) -> float:
    """The total fte increase, recomputed from the inputs (C minus B on every level)."""
    table = family.tables["personeel"]
    before, after = table.inputs["fte_start"], table.inputs["fte_planned"]
    total = 0.0
    for row in table.rows:
        b = _number(ir, table.sheet, f"{before}{row}") or 0.0
        c = _number(ir, table.sheet, f"{after}{row}") or 0.0
        total += c - b
    return total


def _amount_cells(family: TemplateFamily) -> list[tuple[str, str, str]]:
    """(sheet, ref, label) of every amount a provider types."""
    cells = [
        (f.sheet, f.ref, name)
        for name, f in family.fields.items()
        if name in ("gereserveerd", "compensatie")
    ]
    for table, column in (("personeel", "loonkosten"), ("overige_kosten", "bedrag")):
        spec = family.tables[table]
        letter, label = spec.inputs[column], spec.input_labels.get(column, column)
        cells += [(spec.sheet, f"{letter}{row}", label) for row in spec.rows]
    return cells


@check(Stage.WORKBOOK, codes=("FTE_TOTAL_IMPLAUSIBLE", "AMOUNT_IMPLAUSIBLE"))
def check_plausible(
    ir: WorkbookIR, family: TemplateFamily, own: Computation, rules: Rules
) -> list[Finding]:
    t = rules.thresholds
    findings = []
    increase = fte_increase(ir, family)
    if increase > float(t["fte_increase_max"]):
        table = family.tables["personeel"]
        location = address(table.sheet, f"{table.formulas['toename']}{table.last_row + 1}")
        findings.append(
            rules.finding(
                "FTE_TOTAL_IMPLAUSIBLE",
                location,
                value=fmt.number(increase),
                maximum=fmt.number(float(t["fte_increase_max"])),
            )
        )
    amount_max = float(t["amount_max"])
    for sheet, ref, label in _amount_cells(family):
        value = _number(ir, sheet, ref)
        if value is not None and abs(value) > amount_max:
            findings.append(_amount(rules, address(sheet, ref), label, value, amount_max))
    budget = own.figure(family, "total_budget")
    if budget is not None and (not math.isfinite(budget) or abs(budget) > amount_max):
        where = family.figures["total_budget"]
        findings.append(
            _amount(rules, address(*where), "totaal kwaliteitsbudget", budget, amount_max)
        )
    return findings


def _amount(rules: Rules, location: str, label: str, value: float, maximum: float) -> Finding:
    shown = fmt.euro(value) if math.isfinite(value) else "onberekenbaar groot"
    return rules.finding(
        "AMOUNT_IMPLAUSIBLE", location, label=label, value=shown, maximum=fmt.euro(maximum)
    )
