"""What the checks of a workbook read: the facts the pipeline gathers once per file.

Each check names the facts it needs as its parameters (see `registry`); gathering them
here, once, means no check reads, detects or recomputes anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from intake.campaign.register import Entry, Register
from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.checks import compute, formulas
from intake.checks.register_checks import lookup
from intake.detect.version import Detection
from intake.extract.workbook import WorkbookIR


@dataclass
class ArrivalFacts:
    """A recognised document of any kind: when it came, under which rules."""

    received: datetime
    rules: Rules


@dataclass
class WorkbookFacts:
    ir: WorkbookIR
    family: TemplateFamily
    rules: Rules
    detection: Detection
    received: datetime
    version: str  # the version the workbook was made with (detected, else the current one)
    own: compute.Computation  # recomputed with its own version's formulas
    corrected: compute.Computation  # recomputed with the current (corrected) formulas
    broken: set[tuple[str, str]] = field(default_factory=set)  # formula cells overwritten
    skip: set[tuple[str, str]] = field(default_factory=set)  # cells that depend on those
    register: Register | None = None
    entry: Entry | None = None  # the provider's register entry, when found


def gather(
    ir: WorkbookIR,
    family: TemplateFamily,
    rules: Rules,
    detection: Detection,
    received: datetime,
    register: Register | None,
) -> WorkbookFacts:
    version = detection.version or rules.current_version
    own = compute.recompute(ir, family, version)
    current = rules.current_version
    corrected = own if version == current else compute.recompute(ir, family, current)
    broken = formulas.overwritten(ir, family, version)
    return WorkbookFacts(
        ir=ir,
        family=family,
        rules=rules,
        detection=detection,
        received=received,
        version=version,
        own=own,
        corrected=corrected,
        broken=broken,
        skip=formulas.downstream(family, version, broken),
        register=register,
        entry=lookup(ir, family, register) if register is not None else None,
    )
