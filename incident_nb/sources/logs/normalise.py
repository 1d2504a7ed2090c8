"""SQL turning one reader's rows into ``events`` rows, and finding examples of its bad ones.

The canonical columns, with their types; for each, the SQL over the source column the field
conventions chose (:mod:`.fields`): a timestamp of any type limited to the plausible years, the
severity of every level field, an HTTP status, a duration in milliseconds, an endpoint's path
and the names of tenants and services as written (the writer applies :mod:`.names`' rules).
Messages and ids are kept for errors only. The same SQL, run over a line reader's numbered
lines, finds the bad records with their file and line number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from incident_nb.sources import logsql
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import QUOTE_READ, BadLine, RawInput
from incident_nb.sources.logs.fields import Choice
from incident_nb.sources.logs.levels import LEVEL_NAMES, level_name_sql, severity_sql
from incident_nb.sources.logs.outcomes import kind_of, outcome_sql
from incident_nb.sources.logs.values import (
    duration_expr,
    endpoint_expr,
    first_of,
    plausible,
    status_expr,
    timestamp_expr,
)

SQL_TYPES = {
    "tenant": "VARCHAR",
    "endpoint": "VARCHAR",
    "method": "VARCHAR",
    "status": "INTEGER",
    "latency_ms": "DOUBLE",
    "message": "VARCHAR",
    "request_id": "VARCHAR",
    "trace_id": "VARCHAR",
    "service": "VARCHAR",
    "level": "VARCHAR",
    "severity": "INTEGER",
}
"""The columns of ``events`` besides the timestamp (and ``is_error``), with their types."""
ERRORS_ONLY = ("message", "request_id", "trace_id", "level")
"""Kept for errors only: nothing reads them for other lines, and they are most of the bytes.
(Every event keeps its ``severity``, the level normalised; ``level`` names it for errors.)"""
_PLACE = ("_src", "_line", "_text")


def _col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ts_sql(raw: RawInput, choice: Choice) -> str:
    """SQL of a record's time: its own field, else (or first) its envelope's, unlimited."""
    own = choice.first("ts")
    parts = [timestamp_expr(_col(own), raw.schema[own])] if own else []
    if raw.time_fallback:
        fallback = timestamp_expr(_col(raw.time_fallback), raw.schema[raw.time_fallback])
        parts.insert(0 if raw.prefer_fallback else len(parts), fallback)
    return first_of(*parts)


def _value_sql(raw: RawInput, choice: Choice, name: str) -> str:
    col = choice.first(name)
    if name == "severity":
        levels = [
            severity_sql(_col(c), raw.schema[c], choice.scale(c))
            for c in choice.columns.get("level", ())
        ]
        if choice.level_default:
            levels.append(str(LEVEL_NAMES[choice.level_default]))
        return first_of(*levels) if levels else "NULL::INTEGER"
    if col is None:
        return f"NULL::{SQL_TYPES[name]}"
    sql_type = raw.schema[col]
    if name == "latency_ms":
        return duration_expr(_col(col), sql_type, col, choice.units.get(col))
    if name == "endpoint":
        return endpoint_expr(_col(col))
    if name == "status":
        return status_expr(_col(col))
    text = f"CAST({_col(col)} AS VARCHAR)"
    exception = choice.first("exception")
    if name == "message" and exception is not None:
        extra = f"CAST({_col(exception)} AS VARCHAR)"
        return f"CASE WHEN {extra} IS NULL THEN {text} ELSE concat_ws(chr(10), {text}, {extra}) END"
    return text


def outcome_of(choice: Choice, types: Mapping[str, str]) -> str:
    """SQL: whether a record's request failed, by its outcome fields (NULL: none says).

    ``types``: each source column's DuckDB type.
    """
    readings = [
        outcome_sql(_col(c), kind_of(c), types.get(c, "VARCHAR"))
        for c in choice.columns.get("outcome", ())
    ]
    return first_of(*readings) if readings else "NULL::BOOLEAN"


def select_events(raw: RawInput, choice: Choice, source: str) -> str:
    """SQL turning the reader's rows (``source``) into ``events`` rows plus accounting columns.

    Besides the events' columns: ``malformed``, ``is_error``, and ``outcome`` (what the
    record's outcome fields say, counted but not kept: ``is_error`` holds it).
    """
    names = [n for n in SQL_TYPES if n != "level"]
    exprs = [f"{ts_sql(raw, choice)} AS _ts"]
    exprs += [f"{_value_sql(raw, choice, n)} AS {n}" for n in names]
    exprs.append(f"{outcome_of(choice, raw.schema)} AS outcome")
    level = level_name_sql("severity")
    kept = ", ".join(
        f"CASE WHEN is_error THEN {level if n == 'level' else n} END AS {n}"
        if n in ERRORS_ONLY
        else n
        for n in ("ts", *SQL_TYPES)
    )
    return (
        f"SELECT {kept}, malformed, is_error, outcome "
        f"FROM (SELECT *, {logsql.IS_ERROR} AS is_error "
        f"FROM (SELECT {plausible('_ts')} AS ts, * "
        f"FROM (SELECT {', '.join(exprs)}, ({raw.malformed}) AS malformed "
        f"FROM {source})))"
    )


def _bad_rows(con: duckdb.DuckDBPyConnection, raw: RawInput, ts: str, limit: int) -> list[Any]:
    return con.execute(
        f"SELECT _src, _line, _text, malformed, _ts IS NULL FROM (SELECT {ts} AS _ts, "
        f"({raw.malformed}) AS malformed, {', '.join(_PLACE)} FROM ({raw.located})) "
        f"WHERE malformed OR {plausible('_ts')} IS NULL ORDER BY _src, _line LIMIT {limit}"
    ).fetchall()


def located_examples(
    con: duckdb.DuckDBPyConnection, raw: RawInput, choice: Choice, ts_name: str, limit: int
) -> list[BadLine]:
    """Examples of bad records of a line reader, in file order, by the very rules of the parse."""
    if raw.located is None or limit <= 0:
        return []
    ts = ts_sql(raw, choice)
    try:
        rows = _bad_rows(con, raw, ts, limit)
    except duckdb.Error:
        return []  # examples are a help: the counts stand without them
    examples = []
    for src, line, text, malformed, unparsed in rows:
        shown = remote.display(raw.files[int(src)])
        if malformed:
            reason = raw.malformed_reason(str(text))
        elif unparsed:
            reason = f"no parsable timestamp in {ts_name!r}"
        else:
            reason = f"timestamp out of range (years 1971..2099) in {ts_name!r}"
        examples.append(BadLine(shown, int(line or 0), reason, str(text)[:QUOTE_READ]))
    return examples
