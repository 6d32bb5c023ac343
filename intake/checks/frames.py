"""Pandera schemas built from the check declarations in `table_checks.py`.

pandera runs on its polars backend: pandera with pandas imports pandas and numpy on
every start (about 0.4 s before a single file is judged), polars about half of that.

A workbook cell may hold a number, text, a date or nothing, and a check must see what
the provider typed (text where a number belongs is VALUE_NOT_NUMERIC, not a cast
error). Polars has no column type for mixed Python values that pandera can report on,
so such cells travel as text with a one-letter type tag (`_encode`); every check
decodes the cell before its predicate sees it. Columns that are plain numbers or
booleans (the figures) keep their own type.

Each pandera check carries the name of its finding code, so a failure case becomes a
finding directly. Frames hold many submissions at once: pandera's fixed cost per call
is paid once per batch, not once per file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pandera.polars as pa
import polars as pl

from intake.checks.table_checks import RowCheck, TableSpec

_TYPES = {"object": pl.String, "float": pl.Float64, "bool": pl.Boolean}

# pandera runs a few dozen small queries per validation. Polars' default (streaming)
# engine costs about 150 microseconds to start each one, the in-memory engine about
# 10: for frames of one mail's documents that is most of the cost of checking them.
# An operator's own POLARS_ENGINE_AFFINITY wins.
if "POLARS_ENGINE_AFFINITY" not in os.environ:
    pl.Config.set_engine_affinity("in-memory")


def _encode(value: Any) -> str | None:
    """A cell as tagged text: the tag keeps 1.0 and '1.0' apart, and a date a date."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return None if math.isnan(value) else f"f{value!r}"  # NaN is no value, as in pandas
    if isinstance(value, datetime):
        return f"t{value.isoformat()}"
    if isinstance(value, date):
        return f"d{value.isoformat()}"
    return f"s{value}"


def _decode(text: str) -> Any:
    if text[0] == "s":
        return text[1:]  # cheaper than a cache lookup, and no provider text kept
    return _decode_value(text)


@lru_cache(maxsize=4096)
def _decode_value(text: str) -> Any:
    tag, body = text[0], text[1:]
    if tag == "f":
        return float(body)
    if tag == "i":
        return int(body)
    if tag == "b":
        return body == "1"
    if tag == "t":
        return datetime.fromisoformat(body)
    return date.fromisoformat(body)


def _element(predicate: Callable[[Any], bool], encoded: bool) -> Callable[[Any], bool]:
    if not encoded:
        return lambda value: bool(predicate(value))
    return lambda text: bool(predicate(_decode(text)))


def _row_check(check: RowCheck, encoded: frozenset[str]) -> pa.Check:
    def on_row(row: dict[str, Any]) -> bool:
        values = {k: (_decode(v) if k in encoded and v is not None else v) for k, v in row.items()}
        return bool(check.predicate(values))

    def run(data: Any) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.struct(pl.all()).map_elements(on_row, return_dtype=pl.Boolean)
        )

    return pa.Check(run, name=check.name)


def schema(spec: TableSpec) -> pa.DataFrameSchema:
    encoded = frozenset(n for n, c in spec.columns.items() if c.dtype == "object")
    columns = {
        name: pa.Column(
            _TYPES[column.dtype],
            nullable=column.nullable,
            checks=[
                pa.Check(_element(c.predicate, name in encoded), element_wise=True, name=c.name)
                for c in column.checks
            ],
        )
        for name, column in spec.columns.items()
    }
    return pa.DataFrameSchema(
        columns, checks=[_row_check(c, encoded) for c in spec.rows], name=spec.name
    )


def _frame(spec: TableSpec, rows: list[dict[str, Any]]) -> pl.DataFrame:
    data = {
        name: [_encode(row[name]) if column.dtype == "object" else row[name] for row in rows]
        for name, column in spec.columns.items()
    }
    return pl.DataFrame(data, schema={n: _TYPES[c.dtype] for n, c in spec.columns.items()})


def failures(
    spec: TableSpec, rows: list[dict[str, Any]], compiled: pa.DataFrameSchema
) -> list[tuple[str, str | None, int]]:
    """(check name, column, row position) for every failure, each once."""
    try:
        compiled.validate(_frame(spec, rows), lazy=True)
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
