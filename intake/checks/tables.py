"""Runs the table checks over many workbooks at once and turns failures into findings.

The checks are declared in `table_checks.py` and run through pandera, the one
engine, for every batch size: one DataFrame per table for the whole batch, so
pandera's fixed cost per call is paid once per batch.

Frames carry one row per submission (general fields, figures) or per submission and
model row (personnel, other costs). A side table remembers which submission and
which cell each frame row came from, so a failure case becomes a finding at
`'2. Personeel'!E9` with the provider's own value quoted back.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.domain import Finding, Severity, fmt
from intake.domain.cells import address
from intake.extract.workbook import WorkbookIR


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
def _compiled(family: TemplateFamily, rules: Rules, name: str) -> Any:
    from intake.checks import frames
    from intake.checks.table_checks import all_tables

    spec = all_tables(family, rules)[name]
    return spec, frames.schema(spec)


def warm_up(family: TemplateFamily, rules: Rules) -> None:
    """Import pandera and build the schemas now: a worker pays this once at start,
    not while it holds a mail or a file (a kill then would count as a failed attempt)."""
    for name in ("general", *family.tables, "figures"):
        _compiled(family, rules, name)


def _failures(
    family: TemplateFamily, rules: Rules, name: str, rows: list[dict[str, Any]]
) -> list[tuple[str, str | None, int]]:
    """(check, column, row position) of every failed check, from the pandera schema."""
    from intake.checks import frames

    spec, compiled = _compiled(family, rules, name)
    return frames.failures(spec, rows, compiled)


def _row_label(value: Any) -> str:
    """How a provider names a table row: its label, or 'regel 2' for a numbered line."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"regel {fmt.raw(value)}"
    return "" if value is None else str(value).strip()


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
    rows = [
        {name: _blank_to_none(it.ir.value(f.sheet, f.ref)) for name, f in family.fields.items()}
        for it in items
    ]
    for check, column, pos in _failures(family, rules, "general", rows):
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
    t = rules.thresholds
    for check, column, pos in _failures(family, rules, name, rows):
        if column is None:
            continue
        it, r = origin[pos]
        value = rows[pos][column]
        row_label = _row_label(it.ir.value(table.sheet, f"{table.label_column}{r}"))
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


def _finite(figures: dict[str, float | None], *names: str) -> bool:
    """Only real numbers enter the figures frame; an overflow is AMOUNT_IMPLAUSIBLE's to say."""
    return all(figures.get(n) is not None and math.isfinite(figures[n]) for n in names)


def _figures(items: Sequence[Judged], family: TemplateFamily, rules: Rules, out: dict) -> None:
    usable = [it for it in items if _finite(it.figures, "total_budget", "personnel_share")]
    if not usable:
        return
    rows = [
        {
            "total_budget": float(it.figures["total_budget"]),
            "personnel_share": float(it.figures["personnel_share"]),
            "explained": it.explained,
        }
        for it in usable
    ]
    locations = {
        "BUDGET_EMPTY": family.figures["total_budget"],
        "PERSONNEL_SHARE_LOW": family.figures["personnel_share"],
    }
    minimum = rules.thresholds["personnel_share_min"]
    for check, _column, pos in _failures(family, rules, "figures", rows):
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
    """All schema findings for a batch of workbooks (one or many), keyed by `Judged.key`."""
    out: dict[int, list[Finding]] = defaultdict(list)
    if not items:
        return out
    _general(items, family, rules, out)
    for name in family.tables:
        _table(items, family, rules, name, out)
    _figures(items, family, rules, out)
    return out
