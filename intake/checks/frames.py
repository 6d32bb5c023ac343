"""Pandera schemas built from the check declarations in `table_checks.py`.

Each pandera check carries the name of its finding code, so a failure case becomes
a finding directly. Frames hold many submissions at once: pandera's fixed cost per
call is paid once per batch, not once per file. Custom checks stay in Python
(pandera's YAML form cannot carry them).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from intake.checks.table_checks import RowCheck, TableSpec

_DTYPES = {"object": object, "float": float, "bool": bool}


def _row_check(check: RowCheck) -> pa.Check:
    def run(df: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [bool(check.predicate(row)) for row in df.to_dict("records")],
            index=df.index,
            dtype=bool,
        )

    return pa.Check(run, name=check.name)


def schema(spec: TableSpec) -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(
            _DTYPES[column.dtype],
            nullable=column.nullable,
            checks=[pa.Check(c.predicate, element_wise=True, name=c.name) for c in column.checks],
        )
        for name, column in spec.columns.items()
    }
    return pa.DataFrameSchema(columns, checks=[_row_check(c) for c in spec.rows], name=spec.name)


def failures(
    spec: TableSpec, rows: list[dict[str, Any]], compiled: pa.DataFrameSchema
) -> list[tuple[str, str | None, int]]:
    """(check name, column, row position) for every failure, each once."""
    dtype = object if any(c.dtype == "object" for c in spec.columns.values()) else None
    frame = pd.DataFrame(rows, columns=list(spec.columns), dtype=dtype)
    try:
        compiled.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    row_columns = {c.name: c.column for c in spec.rows}
    seen: set[tuple[str, str | None, int]] = set()
    result = []
    for check, column, index, context in zip(
        cases["check"], cases["column"], cases["index"], cases["schema_context"], strict=True
    ):
        if index is None or check is None:
            continue
        name = "REQUIRED_MISSING" if check == "not_nullable" else str(check)
        col = column if context == "Column" else row_columns.get(name)
        key = (name, col, int(index))
        if key not in seen:
            seen.add(key)
            result.append(key)
    return result
