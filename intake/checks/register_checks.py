"""PROVIDER_UNKNOWN, PROVIDER_NAME_MISMATCH, RESERVED_MISMATCH, COMPENSATION_MISMATCH,
and the provider facts that need no register: AGB_KIND_UNUSUAL, COMPENSATION_EXCEEDS_RESERVED."""

from __future__ import annotations

import re

from intake.campaign.register import Entry, Register
from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.checks.compute import NotNumeric, as_number
from intake.checks.registry import Stage, check
from intake.domain import Finding, fmt
from intake.domain.values import agb_text
from intake.extract.workbook import WorkbookIR


def _name_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", name.casefold()).strip()


def _number(ir: WorkbookIR, sheet: str, ref: str) -> float | None:
    try:
        return as_number(ir.value(sheet, ref))
    except NotNumeric:
        return None


def _amount_differs(
    ir: WorkbookIR,
    family: TemplateFamily,
    rules: Rules,
    code: str,
    field_name: str,
    expected: float | None,
) -> Finding | None:
    """An amount in the model that differs from the register by more than the tolerance."""
    field = family.fields[field_name]
    found = _number(ir, field.sheet, field.ref)
    if found is None or expected is None:
        return None
    if abs(found - expected) <= rules.thresholds["reserved_tolerance"]:
        return None
    return rules.finding(
        code,
        field.location,
        value=fmt.euro(found),
        expected=fmt.euro(expected),
        evidence={"value": found, "register": expected},
    )


def _agb(ir: WorkbookIR, family: TemplateFamily) -> str | None:
    """The model's AGB code when it is one (8 digits); AGB_INVALID or REQUIRED_MISSING
    tell the provider what to fix otherwise."""
    field = family.fields["agb"]
    raw = ir.value(field.sheet, field.ref)
    if raw is None or not re.fullmatch(r"\d{8}", agb_text(raw)):
        return None
    return agb_text(raw)


def lookup(ir: WorkbookIR, family: TemplateFamily, register: Register) -> Entry | None:
    """The provider's entry in the register, found by the model's AGB code."""
    agb = _agb(ir, family)
    return register.get(agb) if agb else None


@check(
    Stage.WORKBOOK,
    codes=(
        "PROVIDER_UNKNOWN",
        "PROVIDER_NAME_MISMATCH",
        "RESERVED_MISMATCH",
        "COMPENSATION_MISMATCH",
    ),
)
def check_register(
    ir: WorkbookIR,
    family: TemplateFamily,
    register: Register | None,
    entry: Entry | None,
    rules: Rules,
) -> list[Finding]:
    agb = _agb(ir, family)
    if register is None or agb is None:
        return []
    if entry is None:
        return [rules.finding("PROVIDER_UNKNOWN", family.fields["agb"].location, value=agb)]
    findings = []
    name_field = family.fields["naam"]
    name = ir.text(name_field.sheet, name_field.ref)
    if name and _name_key(name) != _name_key(entry.naam):
        findings.append(
            rules.finding(
                "PROVIDER_NAME_MISMATCH",
                name_field.location,
                value=name,
                agb=agb,
                expected=entry.naam,
            )
        )
    for code, field_name, expected in (
        ("RESERVED_MISMATCH", "gereserveerd", entry.gereserveerd),
        ("COMPENSATION_MISMATCH", "compensatie", entry.compensatie),
    ):
        finding = _amount_differs(ir, family, rules, code, field_name, expected)
        if finding is not None:
            findings.append(finding)
    return findings


@check(Stage.WORKBOOK, codes=("AGB_KIND_UNUSUAL",))
def check_agb_kind(ir: WorkbookIR, family: TemplateFamily, rules: Rules) -> list[Finding]:
    """AGB_KIND_UNUSUAL: the first two digits say the kind of care; nursing homes use a few."""
    usual = rules.agb.get("usual_kinds")
    field = family.fields["agb"]
    agb = agb_text(ir.value(field.sheet, field.ref) or "")
    if not usual or not re.fullmatch(r"\d{8}", agb) or agb[:2] in usual:
        return []
    return [rules.finding("AGB_KIND_UNUSUAL", field.location, value=agb, kind=agb[:2])]


@check(Stage.WORKBOOK, codes=("COMPENSATION_EXCEEDS_RESERVED",))
def check_compensation_within_reserved(
    ir: WorkbookIR, family: TemplateFamily, rules: Rules
) -> list[Finding]:
    """COMPENSATION_EXCEEDS_RESERVED: the compensation is part of the reserved amount."""
    field = family.fields["compensatie"]
    reserved = family.fields["gereserveerd"]
    found = _number(ir, field.sheet, field.ref)
    limit = _number(ir, reserved.sheet, reserved.ref)
    if found is None or limit is None or found <= limit:
        return []
    return [
        rules.finding(
            "COMPENSATION_EXCEEDS_RESERVED",
            field.location,
            value=fmt.euro(found),
            expected=fmt.euro(limit),
            evidence={"value": found, "reserved": limit},
        )
    ]
