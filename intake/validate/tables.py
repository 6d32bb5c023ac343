"""Runs the pandera schemas over many workbooks at once and turns failures into findings.

Frames carry one row per submission (general fields, figures) or per submission and
model row (personnel, other costs). A side table remembers which submission and
which cell each frame row came from, so a failure case becomes a finding at
`'2. Personeel'!E9` with the provider's own value quoted back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from intake import fmt
from intake.cells import address
from intake.domain import Finding, Severity
from intake.extract.workbook import WorkbookIR
from intake.rules import Rules
from intake.templates import TemplateFamily


@dataclass(frozen=True)
class Judged:
    """What the table checks need of one submission."""

    key: int
    ir: WorkbookIR
    figures: dict[str, float | None]  # corrected recomputation
    explained: bool


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


@cache
def _schemas(family: TemplateFamily, rules: Rules) -> dict[str, Any]:
    from intake.schemas import frames

    return {
        "general": frames.general_schema(family, rules),
        "personeel": frames.personnel_schema(rules),
        "overige_kosten": frames.other_cost_schema(family),
        "figures": frames.figures_schema(rules),
    }


def _failures(schema: Any, frame: Any) -> list[tuple[str, str | None, int]]:
    """(check name, column, row position) for every failure; wide checks once per row."""
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    seen: set[tuple[str, str | None, int]] = set()
    result = []
    for check, column, index, context in zip(
        cases["check"], cases["column"], cases["index"], cases["schema_context"], strict=True
    ):
        if index is None or check is None:
            continue
        name = "REQUIRED_MISSING" if check == "not_nullable" else str(check)
        col = column if context == "Column" else None
        key = (name, col, int(index))
        if key not in seen:
            seen.add(key)
            result.append(key)
    return result


def _finding(rules: Rules, check: str, location: str, **values: Any) -> Finding:
    code, _, variant = check.partition("/")
    severity = Severity(variant) if variant in {s.value for s in Severity} else None
    return rules.finding(
        code,
        location,
        variant=variant or None,
        severity=severity,
        evidence={"value": values.get("raw")},
        **values,
    )


def _general(items: Sequence[Judged], family: TemplateFamily, rules: Rules, out: dict) -> None:
    import pandas as pd

    rows = [
        {name: _blank_to_none(it.ir.value(f.sheet, f.ref)) for name, f in family.fields.items()}
        for it in items
    ]
    frame = pd.DataFrame(rows, columns=list(family.fields), dtype=object)
    for check, column, pos in _failures(_schemas(family, rules)["general"], frame):
        field = family.fields[column] if column else None
        if field is None:
            continue
        value = rows[pos][column]
        out[items[pos].key].append(
            _finding(
                rules,
                check,
                field.location,
                label=field.label,
                value=fmt.raw(value),
                raw=value,
                allowed=", ".join(family.lists.get(field.choices or "", [])),
                council=field.council or "",
                office=rules.care_office["name"],
                regions=" en ".join(rules.regions),
            )
        )


def _table(
    items: Sequence[Judged], family: TemplateFamily, rules: Rules, name: str, out: dict
) -> None:
    import pandas as pd

    table = family.tables[name]
    rows, origin = [], []
    for it in items:
        for r in table.rows:
            rows.append(
                {
                    col: _blank_to_none(it.ir.value(table.sheet, f"{letter}{r}"))
                    for col, letter in table.inputs.items()
                }
            )
            origin.append((it, r))
    frame = pd.DataFrame(rows, columns=list(table.inputs), dtype=object)
    # Wide checks speak of the column they are about.
    wide_column = {"WAGE_IMPLAUSIBLE": "loonkosten", "DESCRIPTION_MISSING": "omschrijving"}
    t = rules.thresholds
    for check, column, pos in _failures(_schemas(family, rules)[name], frame):
        column = column or wide_column.get(check.partition("/")[0])
        if column is None:
            continue
        it, r = origin[pos]
        value = rows[pos][column]
        row_label = it.ir.text(table.sheet, f"{table.label_column}{r}")
        label = f"{row_label}, {table.input_labels.get(column, column)}".strip(", ")
        shown = (
            fmt.euro(value)
            if column in ("loonkosten", "bedrag") and isinstance(value, float)
            else fmt.raw(value)
        )
        out[it.key].append(
            _finding(
                rules,
                check,
                address(table.sheet, f"{table.inputs[column]}{r}"),
                label=label,
                value=shown,
                raw=value,
                row=r,
                minimum=fmt.euro(t["wage_min"]),
                maximum=fmt.euro(t["wage_max"]),
                allowed=", ".join(family.lists.get(table.choices.get(column, ""), [])),
            )
        )


def _figures(items: Sequence[Judged], family: TemplateFamily, rules: Rules, out: dict) -> None:
    import pandas as pd

    usable = [
        it
        for it in items
        if it.figures.get("total_budget") is not None
        and it.figures.get("personnel_share") is not None
    ]
    if not usable:
        return
    frame = pd.DataFrame(
        {
            "total_budget": [float(it.figures["total_budget"]) for it in usable],
            "personnel_share": [float(it.figures["personnel_share"]) for it in usable],
            "explained": [it.explained for it in usable],
        }
    )
    locations = {
        "BUDGET_EMPTY": family.figures["total_budget"],
        "PERSONNEL_SHARE_LOW": family.figures["personnel_share"],
    }
    minimum = rules.thresholds["personnel_share_min"]
    for check, _column, pos in _failures(_schemas(family, rules)["figures"], frame):
        it = usable[pos]
        share = it.figures["personnel_share"]
        out[it.key].append(
            _finding(
                rules,
                check,
                address(*locations[check.partition("/")[0]]),
                share=fmt.percent(share),
                minimum=fmt.percent(minimum),
                raw=share,
            )
        )


def check_tables(
    items: Sequence[Judged], family: TemplateFamily, rules: Rules
) -> dict[int, list[Finding]]:
    """All schema findings for a batch of workbooks, keyed by `Judged.key`."""
    out: dict[int, list[Finding]] = defaultdict(list)
    if not items:
        return out
    _general(items, family, rules, out)
    for name in family.tables:
        _table(items, family, rules, name, out)
    _figures(items, family, rules, out)
    return out
