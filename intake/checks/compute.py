"""Recompute every formula of the model from the input cells.

Cached values are whatever the last program to save the file left behind (or
nothing at all); the verdict rests on what the inputs imply under the formulas of
the version, and, for an outdated version, under the corrected formulas too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from intake.campaign.templates import TemplateFamily
from intake.domain import formula
from intake.extract.workbook import WorkbookIR


class NotNumeric(formula.FormulaError):
    """An input that a formula needs holds text, an error value or a date."""


def as_number(value: object) -> float | None:
    """A cell's numeric value; None for empty; raises NotNumeric for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (bool, str, date, datetime)):
        raise NotNumeric(repr(value))
    if isinstance(value, (int, float)):
        return float(value)
    raise NotNumeric(repr(value))


@dataclass
class Computation:
    values: dict[tuple[str, str], float | None] = field(default_factory=dict)

    def figure(self, family: TemplateFamily, name: str) -> float | None:
        return self.values.get(family.figures[name])

    def figures(self, family: TemplateFamily) -> dict[str, float | None]:
        return {name: self.figure(family, name) for name in family.figures}


@cache
def _trees(family: TemplateFamily, version: str) -> dict[tuple[str, str], object]:
    return {
        key: formula.parse(d.formula, d.sheet) for key, d in family.formulas_for(version).items()
    }


def recompute(ir: WorkbookIR, family: TemplateFamily, version: str) -> Computation:
    """Evaluate the formula set of `version` against the workbook's inputs."""
    trees = _trees(family, version)
    memo: dict[tuple[str, str], float] = {}

    def resolve(sheet: str, ref: str) -> float:
        key = (sheet, ref)
        if key in memo:
            return memo[key]
        if key in trees:
            result = formula.evaluate(trees[key], resolve)
        else:
            result = as_number(ir.value(sheet, ref)) or 0.0
        memo[key] = result
        return result

    computation = Computation()
    for key in trees:
        try:
            computation.values[key] = resolve(*key)
        except formula.FunctionUnsupported:
            raise  # the pipeline turns it into INTERNAL_ERROR for staff
        except formula.FormulaError:
            computation.values[key] = None
    return computation


def cached_figures(ir: WorkbookIR, family: TemplateFamily) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for name, (sheet, ref) in family.figures.items():
        try:
            result[name] = as_number(ir.value(sheet, ref))
        except NotNumeric:
            result[name] = None
    return result
