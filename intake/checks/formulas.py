"""FORMULA_OVERWRITTEN, TOTAL_MISMATCH and VALUES_NOT_CALCULATED: are the blue cells honest?"""

from __future__ import annotations

from functools import cache

from intake.campaign.rules import Rules
from intake.campaign.templates import FormulaDef, TemplateFamily
from intake.checks.compute import Computation, NotNumeric, as_number
from intake.checks.registry import Stage, check
from intake.domain import Finding, fmt, formula
from intake.domain.cells import address, expand_range
from intake.domain.notation import dutch_formula
from intake.extract.workbook import WorkbookIR


def _describe(ir: WorkbookIR, d: FormulaDef) -> str:
    cell = ir.cell(d.sheet, d.ref)
    if cell.formula is not None:
        return f"de formule ={dutch_formula(cell.formula)}"
    if cell.value is None:
        return "niets (de cel is leeg)"
    return f"de waarde {fmt.raw(cell.value)}"


def overwritten(ir: WorkbookIR, family: TemplateFamily, version: str) -> set[tuple[str, str]]:
    """Formula cells of `version` that hold something other than their formula."""
    result = set()
    for key, d in family.formulas_for(version).items():
        found = ir.cell(*key).formula
        if found is None or formula.parse(found, d.sheet) != formula.parse(d.formula, d.sheet):
            result.add(key)
    return result


def downstream(
    family: TemplateFamily, version: str, sources: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """`sources` and every formula cell that depends on them, directly or not.

    Their cached values follow from a broken cell, so they would only repeat the
    FORMULA_OVERWRITTEN finding as TOTAL_MISMATCH noise.
    """
    if not sources:
        return set()
    inputs = _dependencies(family, version)
    tainted = set(sources)
    changed = True
    while changed:
        changed = False
        for key, needs in inputs.items():
            if key not in tainted and needs & tainted:
                tainted.add(key)
                changed = True
    return tainted


@check(Stage.WORKBOOK, codes=("FORMULA_OVERWRITTEN",))
def check_formula_overwritten(
    ir: WorkbookIR,
    family: TemplateFamily,
    version: str,
    rules: Rules,
    broken: set[tuple[str, str]],
) -> list[Finding]:
    """`broken` is `overwritten(...)`, computed once by the caller."""
    definitions = family.formulas_for(version)
    return [
        rules.finding(
            "FORMULA_OVERWRITTEN",
            address(*key),
            label=definitions[key].label,
            expected=dutch_formula(definitions[key].formula),
            found=_describe(ir, definitions[key]),
            evidence={"value": ir.cell(*key).value, "formula": ir.cell(*key).formula},
        )
        for key in sorted(broken)
    ]


@cache
def _dependencies(
    family: TemplateFamily, version: str
) -> dict[tuple[str, str], set[tuple[str, str]]]:
    inputs = {}
    for key, d in family.formulas_for(version).items():
        refs = formula.references(formula.parse(d.formula, d.sheet))
        inputs[key] = {(r.sheet, c) for r in refs for c in expand_range(r.ref)}
    return inputs


def _equal(found: float, expected: float, tolerance: float) -> bool:
    # Ratios (the personnel share) are compared on their own scale.
    limit = tolerance if abs(expected) >= 1 or abs(found) >= 1 else 5e-5
    return abs(found - expected) <= limit


@check(Stage.WORKBOOK, codes=("TOTAL_MISMATCH",))
def check_total_mismatch(
    ir: WorkbookIR,
    family: TemplateFamily,
    version: str,
    own: Computation,
    rules: Rules,
    skip: set[tuple[str, str]],
) -> list[Finding]:
    """Cached results that the inputs do not produce under the version's own formulas."""
    findings = []
    tolerance = rules.thresholds["total_tolerance"]
    definitions = family.formulas_for(version)

    def cached_or_input(sheet: str, ref: str) -> float:
        return as_number(ir.value(sheet, ref)) or 0.0

    for key, d in definitions.items():
        if key in skip:
            continue
        cached = ir.cell(*key).value
        expected = own.values.get(key)
        if cached is None or expected is None:
            continue
        try:
            found = as_number(cached)
        except NotNumeric:
            found = None
        if found is not None and _equal(found, expected, tolerance):
            continue
        if found is not None and _locally_consistent(d, found, cached_or_input, tolerance):
            continue  # it faithfully summed a stale cell that is reported itself
        show = {"fte": fmt.number, "share": fmt.percent}.get(d.unit, fmt.euro)
        findings.append(
            rules.finding(
                "TOTAL_MISMATCH",
                address(*key),
                label=d.label,
                found=fmt.raw(cached) if found is None else show(found),
                expected=show(expected),
                evidence={"cached": cached, "recomputed": expected},
            )
        )
    return findings


def _locally_consistent(d: FormulaDef, found: float, resolve, tolerance: float) -> bool:  # type: ignore[no-untyped-def]
    try:
        local = formula.evaluate(formula.parse(d.formula, d.sheet), resolve)
    except formula.FormulaError:
        return False
    return _equal(found, local, tolerance)


@check(Stage.WORKBOOK, codes=("VALUES_NOT_CALCULATED",))
def check_values_calculated(ir: WorkbookIR, rules: Rules) -> list[Finding]:
    if ir.has_cached_values:
        return []
    return [rules.finding("VALUES_NOT_CALCULATED")]
