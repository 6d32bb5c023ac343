"""Is this the model, is it intact, and which version is it?

The version is decided from evidence a provider does not change by accident: the
formulas that differ between versions, then the structural marker. The label in
`Toelichting!A2` and the `ModelVersie` property are reported, and a disagreement is
flagged, but they never decide on their own while stronger evidence exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from intake.campaign.templates import TemplateFamily
from intake.domain import formula
from intake.domain.cells import address, split_address
from intake.extract.workbook import WorkbookIR


def norm_text(text: object) -> str:
    """Compare labels as a reader would: case, spacing and dashes do not matter."""
    if isinstance(text, str):
        return _norm_str(text)
    return _norm_str("" if text is None else str(text))


@lru_cache(maxsize=4096)
def _norm_str(value: str) -> str:
    value = value.replace("\u2013", "-").replace("\u2014", "-").replace("\xa0", " ")
    return re.sub(r"\s+", " ", value).strip().casefold()


@dataclass
class Detection:
    is_model: bool
    version: str | None = None
    decided_by: str | None = None
    signals: dict[str, object] = field(default_factory=dict)
    modifications: list[Modification] = field(default_factory=list)
    claimed: str | None = None  # the version the label/property claim, if it differs

    @property
    def modified(self) -> bool:
        return bool(self.modifications)


def _sheet_lookup(ir: WorkbookIR) -> dict[str, str]:
    return {norm_text(name): name for name in ir.sheets}


def _is_model(ir: WorkbookIR, family: TemplateFamily) -> bool:
    title_sheet, title_ref = family.title_cell
    if norm_text(ir.value(title_sheet, title_ref)) == norm_text(family.title):
        return True
    if norm_text(ir.properties.get("title")) == norm_text(family.title):
        return True
    present = sum(1 for s in family.sheets if s in ir.sheets)
    return present * 2 > len(family.sheets)


@dataclass(frozen=True)
class Modification:
    """One way the workbook differs from the published model: `kind` names the sentence
    in the rules' `[texts]` (`modification_<kind>`), `values` fill it."""

    kind: str  # sheet_renamed | sheet_missing | label_changed | label_empty
    values: dict[str, str]


def _modifications(ir: WorkbookIR, family: TemplateFamily) -> list[Modification]:
    problems = []
    lookup = _sheet_lookup(ir)
    for sheet in family.sheets:
        if sheet not in ir.sheets:
            if norm_text(sheet) in lookup:
                found = lookup[norm_text(sheet)]
                problems.append(Modification("sheet_renamed", {"sheet": sheet, "found": found}))
            else:
                problems.append(Modification("sheet_missing", {"sheet": sheet}))
    for sheet, labels in family.labels.items():
        if sheet not in ir.sheets:
            continue
        for ref, expected in labels.items():
            found = ir.value(sheet, ref)
            if norm_text(found) != norm_text(expected):
                kind = "label_empty" if found in (None, "") else "label_changed"
                values = {"cell": address(sheet, ref), "expected": str(expected)}
                problems.append(Modification(kind, {**values, "found": str(found or "")}))
    return problems


def _version_by_formulas(ir: WorkbookIR, family: TemplateFamily) -> str | None:
    cells = {loc for v in family.versions.values() for loc in v.formulas}
    if not cells:
        return None
    for key in family.versions:
        expected = family.formulas_for(key)
        matches = True
        for loc in cells:
            sheet, ref = split_address(loc)
            found = ir.cell(sheet, ref).formula
            want = formula.parse(expected[(sheet, ref)].formula, sheet)
            if found is None or formula.parse(found, sheet) != want:
                matches = False
                break
        if matches:
            return key
    return None


def _version_by_marker(ir: WorkbookIR, family: TemplateFamily) -> str | None:
    matching = []
    for key, version in family.versions.items():
        sheet, ref = split_address(str(version.marker["cell"]))
        text = ir.text(sheet, ref)
        if not version.marker.get("present", True):
            ok = text == ""
        else:
            prefix = str(version.marker.get("startswith", ""))
            ok = text != "" and norm_text(text).startswith(norm_text(prefix))
        if ok:
            matching.append(key)
    return matching[0] if len(matching) == 1 else None


def _version_by_label(ir: WorkbookIR, family: TemplateFamily) -> str | None:
    sheet, ref = family.version_label_cell
    label = norm_text(ir.value(sheet, ref))
    for key, version in family.versions.items():
        if label == norm_text(version.label):
            return key
    return None


def _version_by_property(ir: WorkbookIR, family: TemplateFamily) -> str | None:
    value = ir.properties.get(family.version_property)
    for key, version in family.versions.items():
        if value is not None and value.strip() == version.property:
            return key
    return None


def detect(ir: WorkbookIR, family: TemplateFamily) -> Detection:
    if not _is_model(ir, family):
        return Detection(is_model=False, signals={"sheets": ir.sheets})
    label_sheet, label_ref = family.version_label_cell
    by = {
        "formulas": _version_by_formulas(ir, family),
        "structure": _version_by_marker(ir, family),
        "property": _version_by_property(ir, family),
        "label": _version_by_label(ir, family),
    }
    signals: dict[str, object] = {
        "label_text": ir.value(label_sheet, label_ref),
        "property_value": ir.properties.get(family.version_property),
        "version_by_formulas": by["formulas"],
        "version_by_structure": by["structure"],
        "version_by_property": by["property"],
        "version_by_label": by["label"],
        "sheets": ir.sheets,
        "reader": ir.reader,
    }
    decided_by = next((name for name, found in by.items() if found), None)
    version = by[decided_by] if decided_by else None
    # What the weak signals claim, where it differs from what the evidence says.
    claimed = next((by[w] for w in ("property", "label") if by[w] and by[w] != version), None)
    signals["decided_by"] = decided_by
    return Detection(
        is_model=True,
        version=version,
        decided_by=decided_by,
        signals=signals,
        modifications=_modifications(ir, family),
        claimed=claimed,
    )
