"""Template-family definitions, read from `schemas/<family>.toml`.

A definition is the cell map of one published model: where the inputs are, which
labels prove the structure, which formulas each version must contain. Detection,
extraction and the checks work from this alone, so next year's model is data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from intake.campaign.resources import schemas_dir
from intake.domain.cells import address, split_address


@dataclass(frozen=True)
class FieldDef:
    name: str
    sheet: str
    ref: str
    label: str
    kind: str
    required: bool = False
    choices: str | None = None
    on_no: str | None = None
    council: str | None = None

    @property
    def location(self) -> str:
        return address(self.sheet, self.ref)


@dataclass(frozen=True)
class TableDef:
    name: str
    sheet: str
    first_row: int
    last_row: int
    label_column: str
    inputs: dict[str, str]
    formulas: dict[str, str]
    input_labels: dict[str, str]
    choices: dict[str, str]

    @property
    def rows(self) -> range:
        return range(self.first_row, self.last_row + 1)


@dataclass(frozen=True)
class FormulaDef:
    sheet: str
    ref: str
    formula: str
    label: str
    unit: str = "euro"  # euro | fte | share: how the value is shown to a provider

    @property
    def location(self) -> str:
        return address(self.sheet, self.ref)


@dataclass(frozen=True)
class VersionDef:
    key: str
    name: str
    label: str
    property: str
    blank: str
    formulas: dict[str, str]
    marker: dict[str, object]


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once, cached
class TemplateFamily:
    family: str
    title: str
    title_cell: tuple[str, str]
    version_label_cell: tuple[str, str]
    version_property: str
    sheets: list[str]
    labels: dict[str, dict[str, str]]
    fields: dict[str, FieldDef]
    tables: dict[str, TableDef]
    formulas: list[FormulaDef]
    figures: dict[str, tuple[str, str]]
    lists: dict[str, list[str]]
    versions: dict[str, VersionDef]
    source: Path = field(compare=False, default=Path())

    def formulas_for(self, version: str) -> dict[tuple[str, str], FormulaDef]:
        """The full formula set of one version: the base set with its overrides applied."""
        return _formulas_for(self, version)

    def _build_formulas(self, version: str) -> dict[tuple[str, str], FormulaDef]:
        result = {(f.sheet, f.ref): f for f in self.formulas}
        for loc, text in self.versions[version].formulas.items():
            sheet, ref = split_address(loc)
            base = result[(sheet, ref)]
            result[(sheet, ref)] = FormulaDef(sheet, ref, text, base.label, base.unit)
        return result

    def cells_to_read(self) -> dict[str, frozenset[str]]:
        """Every cell the checks look at, per sheet: the extractor reads these and no more."""
        return _cells_to_read(self)

    def _collect_cells(self) -> dict[str, frozenset[str]]:
        wanted: dict[str, set[str]] = {sheet: set() for sheet in self.sheets}
        for sheet_cells in (self.title_cell, self.version_label_cell):
            wanted.setdefault(sheet_cells[0], set()).add(sheet_cells[1])
        for sheet, labels in self.labels.items():
            wanted.setdefault(sheet, set()).update(labels)
        for f in self.fields.values():
            wanted.setdefault(f.sheet, set()).add(f.ref)
        for t in self.tables.values():
            for row in t.rows:
                for col in [t.label_column, *t.inputs.values(), *t.formulas.values()]:
                    wanted.setdefault(t.sheet, set()).add(f"{col}{row}")
        for f in self.formulas:
            wanted.setdefault(f.sheet, set()).add(f.ref)
        for v in self.versions.values():
            sheet, ref = split_address(str(v.marker["cell"]))
            wanted.setdefault(sheet, set()).add(ref)
        return {sheet: frozenset(refs) for sheet, refs in wanted.items()}


@cache
def _cells_to_read(family: TemplateFamily) -> dict[str, frozenset[str]]:
    return family._collect_cells()


@cache
def _formulas_for(family: TemplateFamily, version: str) -> dict[tuple[str, str], FormulaDef]:
    return family._build_formulas(version)


def _expand_formulas(raw: list[dict]) -> list[FormulaDef]:
    result = []
    for item in raw:
        rows = item.get("rows")
        if rows:
            for r in range(rows[0], rows[1] + 1):
                result.append(
                    FormulaDef(
                        item["sheet"],
                        item["cell"].format(r=r),
                        item["formula"].format(r=r),
                        item["label"],
                        item.get("unit", "euro"),
                    )
                )
        else:
            result.append(
                FormulaDef(
                    item["sheet"],
                    item["cell"],
                    item["formula"],
                    item["label"],
                    item.get("unit", "euro"),
                )
            )
    return result


def parse_family(data: dict, source: Path = Path()) -> TemplateFamily:
    fields = {}
    for name, spec in data["fields"].items():
        sheet, ref = split_address(spec["cell"])
        fields[name] = FieldDef(
            name=name,
            sheet=sheet,
            ref=ref,
            label=spec["label"],
            kind=spec["kind"],
            required=spec.get("required", False),
            choices=spec.get("choices"),
            on_no=spec.get("on_no"),
            council=spec.get("council"),
        )
    tables = {
        name: TableDef(
            name=name,
            sheet=spec["sheet"],
            first_row=spec["first_row"],
            last_row=spec["last_row"],
            label_column=spec["label_column"],
            inputs=dict(spec["inputs"]),
            formulas=dict(spec.get("formulas", {})),
            input_labels=dict(spec.get("input_labels", {})),
            choices=dict(spec.get("choices", {})),
        )
        for name, spec in data["tables"].items()
    }
    versions = {
        key: VersionDef(
            key=key,
            name=spec["name"],
            label=spec["label"],
            property=spec["property"],
            blank=spec["blank"],
            formulas=dict(spec.get("formulas", {})),
            marker=dict(spec["marker"]),
        )
        for key, spec in data["versions"].items()
    }
    return TemplateFamily(
        family=data["family"],
        title=data["title"],
        title_cell=split_address(data["title_cell"]),
        version_label_cell=split_address(data["version_label_cell"]),
        version_property=data["version_property"],
        sheets=list(data["sheets"]),
        labels={sheet: dict(cells) for sheet, cells in data["labels"].items()},
        fields=fields,
        tables=tables,
        formulas=_expand_formulas(data["formulas"]),
        figures={name: split_address(loc) for name, loc in data["figures"].items()},
        lists={name: list(values) for name, values in data.get("lists", {}).items()},
        versions=versions,
        source=source,
    )


@cache
def load_family(family: str, directory: Path | None = None) -> TemplateFamily:
    """A template family, checked: a mistake in it is a configuration error (RulesError)."""
    from intake.campaign.rules import RulesError
    from intake.campaign.schemacheck import check_family

    path = (directory or schemas_dir()) / f"{family}.toml"
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RulesError([(str(path), "-", "the schema file does not exist")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([(str(path), "-", f"not valid TOML: {exc}")]) from exc
    problems = check_family(data, str(path))
    if problems:
        raise RulesError(problems)
    return parse_family(data, path)
