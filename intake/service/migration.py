"""Carry a provider's old-model application over to the corrected model.

The published blank of the current version is copied member by member and only
the provider's input cells and the cached results of the formulas are rewritten
in its sheet XML. An openpyxl round trip would drop every cached value (so a
spreadsheet would open with stale or empty totals) and rewrite styles, lists and
properties; here everything the care offices published stays as published.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from intake.campaign.context import Context
from intake.campaign.templates import TemplateFamily
from intake.checks import compute
from intake.domain import Submission, Verdict
from intake.domain.carry_over import migrated_name, refusal
from intake.extract.workbook import Cell, WorkbookIR
from intake.service.migration_xml import SheetEditor


class MigrationRefused(Exception):
    """No corrected copy can be made; `reason` names the finding code or `NOT_OUTDATED`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Migrated:
    filename: str
    content: bytes
    version: str
    figures: dict[str, float | None]


def blank(family: TemplateFamily, version: str) -> bytes:
    """The published blank of `version`, shipped inside the package (intake.blanks)."""
    name = family.versions[version].blank
    return resources.files("intake.blanks").joinpath(name).read_bytes()


def migrate(
    content: bytes, filename: str, ctx: Context, verdict: Verdict | None = None
) -> Migrated:
    """The provider's inputs in the current model, with every total computed."""
    from intake.judging.pipeline import judge

    target = ctx.rules.current_version
    if verdict is None:
        verdict = judge(Submission(filename, content, datetime.now(UTC)), ctx)
    reason = refusal(verdict, target)
    if reason:
        raise MigrationRefused(reason)
    inputs = read_inputs(content, ctx)
    computed = compute.recompute(inputs, ctx.family, target)
    data = write_workbook(blank(ctx.family, target), ctx.family, inputs, computed, target)
    return Migrated(migrated_name(filename, target), data, target, computed.figures(ctx.family))


def input_cells(family: TemplateFamily) -> list[tuple[str, str]]:
    """Every cell a provider types into: the single fields and the table inputs."""
    cells = [(f.sheet, f.ref) for f in family.fields.values()]
    for table in family.tables.values():
        for row in table.rows:
            cells += [(table.sheet, f"{column}{row}") for column in table.inputs.values()]
    return cells


def read_inputs(content: bytes, ctx: Context) -> WorkbookIR:
    """The provider's typed values only: formulas and cached results are left behind."""
    from intake.extract.fastxml import read_workbook

    family = ctx.family
    wanted = family.cells_to_read()
    source = read_workbook(content, wanted, [family.version_property], ctx.limits)
    cells = {}
    for key in input_cells(family):
        cell = source.cell(*key)
        if cell.formula is None and not cell.is_empty:
            cells[key] = Cell(cell.value)
    return WorkbookIR(sheets=list(family.sheets), cells=cells, reader="migration")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name, from workbook.xml and its relationships."""
    from lxml import etree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = etree.fromstring(archive.read("xl/workbook.xml"))
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    parts = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets[sheet.get(rel_ns)].lstrip("/")
        parts[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def write_workbook(
    template: bytes,
    family: TemplateFamily,
    inputs: WorkbookIR,
    computed: compute.Computation,
    version: str,
) -> bytes:
    edits: dict[str, dict[str, Any]] = {}
    for (sheet, ref), cell in inputs.cells.items():
        edits.setdefault(sheet, {})[ref] = cell.value
    cached = {key: computed.values.get(key) for key in family.formulas_for(version)}
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        parts = _sheet_parts(source)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                data = source.read(info.filename)
                sheet = next((s for s, p in parts.items() if p == info.filename), None)
                if sheet is not None:
                    editor = SheetEditor(data)
                    for ref, value in edits.get(sheet, {}).items():
                        editor.set_value(ref, value)
                    for (s, ref), value in cached.items():
                        if s == sheet:
                            editor.set_cached(ref, value)
                    data = editor.to_bytes()
                target.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()
