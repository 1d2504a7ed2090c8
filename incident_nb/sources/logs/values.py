"""SQL turning source values into event values: timestamps, durations, endpoints, statuses.

A timestamp column of any type (ISO 8601 text with or without an offset or a comma before the
fraction, epoch seconds/ms/us/ns as numbers or text, the layouts of :data:`NAIVE_TIME_FORMATS`)
becomes a UTC ``TIMESTAMPTZ``; one outside :data:`PLAUSIBLE` is no timestamp at all, so one
absurd line can neither stretch the window nor break a conversion. Durations become
milliseconds by their field's unit or their own suffix (``"0.123s"``, ``"15ms"``); an endpoint
that is a whole URL becomes its path; a status is kept only when it is an HTTP status.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from incident_nb.core.models import parse_utc
from incident_nb.sources.logs.conventions import named_unit
from incident_nb.sources.logs.sqltypes import NUMERIC_TYPES, base_type

PLAUSIBLE = (datetime(1971, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
"""Timestamps outside ``[start, end)`` are counted as unusable, with their line."""
_EPOCH_MAX = 9e12
"""Epoch seconds beyond this (year ~287,000) are not converted at all."""

# Timestamp layouts besides ISO 8601 and epoch numbers, tried in order, as (DuckDB strptime,
# Python strptime) codes; DuckDB's %g is milliseconds. ctime as in Apache error logs, log4j's
# comma before the milliseconds, the access-log layout, nginx's error log, and RFC 2822.
NAIVE_TIME_FORMATS = (
    ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M:%S %Y"),
    ("%Y-%m-%d %H:%M:%S,%g", "%Y-%m-%d %H:%M:%S,%f"),
    ("%d/%b/%Y:%H:%M:%S", "%d/%b/%Y:%H:%M:%S"),
    ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"),
)
ZONED_TIME_FORMATS = (
    ("%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y:%H:%M:%S %z"),
    ("%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %z"),
)
DURATION_TO_MS: dict[str, float] = {
    "event.duration": 1e-6,  # ECS: nanoseconds
    "http.server.request.duration": 1000.0,  # OpenTelemetry: seconds
    "http.client.request.duration": 1000.0,
    "request_time": 1000.0,  # nginx $request_time in JSON: seconds
    "duration": 1.0,
}
"""Duration fields whose numbers are not milliseconds -> factor to milliseconds."""
DURATION_UNITS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "μs": 1e-3, "ms": 1.0, "s": 1000.0}
"""Unit suffixes of text durations (Go, Google Cloud's ``"0.123s"``) -> factor to ms."""


def first_of(*exprs: str) -> str:
    """SQL: the first of ``exprs`` that is not NULL, each evaluated only for the rows still without.

    DuckDB's COALESCE evaluates every argument for every row; a CASE evaluates a branch only
    for the rows that reach it, so the costly readings run only where the cheap ones failed.
    """
    if len(exprs) == 1:
        return exprs[0]
    whens = " ".join(f"WHEN {e} IS NOT NULL THEN {e}" for e in exprs[:-1])
    return f"CASE {whens} ELSE {exprs[-1]} END"


def time_literal(moment: datetime) -> str:
    """A ``TIMESTAMPTZ`` literal of ``moment`` (a naive time is UTC)."""
    zoned = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"TIMESTAMPTZ '{zoned.isoformat()}'"


def plausible(expr: str) -> str:
    """SQL: ``expr`` (a TIMESTAMPTZ) when it lies in :data:`PLAUSIBLE`, else NULL."""
    low, high = map(time_literal, PLAUSIBLE)
    return f"CASE WHEN {expr} >= {low} AND {expr} < {high} THEN {expr} END"


def _is_numeric(sql_type: str) -> bool:
    return base_type(sql_type) in NUMERIC_TYPES


def _epoch_expr(num: str) -> str:
    """Epoch numbers: the magnitude tells seconds, milliseconds, microseconds or nanoseconds."""
    seconds = (
        f"(CASE WHEN abs({num}) >= 1e17 THEN {num} / 1e9 "
        f"WHEN abs({num}) >= 1e14 THEN {num} / 1e6 "
        f"WHEN abs({num}) >= 1e11 THEN {num} / 1e3 ELSE {num} END)"
    )
    return f"CASE WHEN abs({seconds}) < {_EPOCH_MAX:.0f} THEN to_timestamp({seconds}) END"


def timestamp_expr(column: str, sql_type: str) -> str:
    """SQL turning ``column`` (a quoted name or an expression) of ``sql_type`` into TIMESTAMPTZ.

    Not yet limited to :data:`PLAUSIBLE` (see :func:`plausible`): the caller tells a value it
    could not read from one it read as absurd.
    """
    col = column
    if sql_type.startswith("TIMESTAMP WITH"):
        return col
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({col} AS TIMESTAMPTZ)"
    if _is_numeric(sql_type):
        return _epoch_expr(f"CAST({col} AS DOUBLE)")
    text = f"CAST({col} AS VARCHAR)"
    naive = ", ".join(f"'{f}'" for f, _ in NAIVE_TIME_FORMATS)
    zoned = ", ".join(f"'{f}'" for f, _ in ZONED_TIME_FORMATS)
    # Cheapest first; each is tried only for the rows still without a time.
    return first_of(
        f"try_cast({text} AS TIMESTAMPTZ)",
        _epoch_expr(f"try_cast({text} AS DOUBLE)"),
        f"try_cast(regexp_replace(regexp_replace({text}, '(\\d),(\\d)', '\\1.\\2'), "
        f"'(\\d) ([+-]\\d\\d:?\\d\\d)$', '\\1\\2') AS TIMESTAMPTZ)",
        f"CAST(try_strptime({text}, [{naive}]) AS TIMESTAMPTZ)",
        f"try_strptime({text}, [{zoned}])",
    )


def duration_factor(field: str, factor: float | None = None) -> float:
    """The factor to milliseconds of a duration field's numbers.

    ``factor`` when a convention knows the unit; else by the field's name: one of
    :data:`DURATION_TO_MS` (under any prefix), or a name that ends with its unit
    (:func:`~incident_nb.sources.logs.conventions.named_unit`); else milliseconds.
    """
    if factor is not None:
        return factor
    name = field.lower()
    while name and name not in DURATION_TO_MS:
        name = name.partition(".")[2]  # attributes.http.server.request.duration
    if name:
        return DURATION_TO_MS[name]
    return named_unit(field) or 1.0


def duration_expr(column: str, sql_type: str, field: str, factor: float | None = None) -> str:
    """SQL turning a duration into milliseconds, by its field's unit or its own suffix.

    ``factor`` (to milliseconds) when a convention knows the unit; else by the field's name
    (:func:`duration_factor`). A text duration's own suffix (``"0.123s"``) has the last word.
    """
    factor = duration_factor(field, factor)
    scale = "" if factor == 1.0 else f" * {factor!r}"
    if _is_numeric(sql_type):
        return f"CAST({column} AS DOUBLE){scale}"
    text = f"trim(CAST({column} AS VARCHAR))"
    parts = f"regexp_extract({text}, '^(-?[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?) *([a-zµμ]*)$', "
    number = f"try_cast({parts}1) AS DOUBLE)"
    unit = f"{parts}2)"
    whens = " ".join(f"WHEN '{u}' THEN {f!r}" for u, f in DURATION_UNITS.items())
    return first_of(
        f"try_cast({text} AS DOUBLE){scale}",
        f"{number} * CASE {unit} {whens} WHEN 'm' THEN 60000.0 WHEN 'h' THEN 3600000.0 END",
    )


def endpoint_expr(column: str) -> str:
    """SQL: the endpoint of ``column``: a whole URL's path, without query or fragment.

    A request line (nginx's ``$request``: ``GET /v2/search?q=1 HTTP/1.1``) keeps its method and
    path: ``GET /v2/search``.
    """
    text = f"CAST({column} AS VARCHAR)"
    path = (
        f"COALESCE(NULLIF(regexp_extract({text}, "
        f"'^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)', 1), ''), '/')"
    )
    request = f"regexp_replace({text}, ' HTTP/[0-9.]+$', '')"
    # A path with no query, by far the most common, is tested for with two cheap checks.
    return (
        f"CASE WHEN starts_with({text}, '/') AND NOT contains({text}, '?') THEN {text} "
        f"WHEN contains({text}, '://') THEN {path} "
        f"WHEN contains({text}, ' HTTP/') THEN split_part(split_part({request}, '?', 1), '#', 1) "
        f"ELSE split_part(split_part({text}, '?', 1), '#', 1) END"
    )


def status_expr(column: str) -> str:
    """SQL: an HTTP status (100-599) of ``column``, else NULL."""
    status = f"try_cast({column} AS INTEGER)"
    return f"CASE WHEN {status} BETWEEN 100 AND 599 THEN {status} END"


def timestamp_problem(value: Any) -> str | None:
    """Why a field value is no usable timestamp, or None; the Python twin of the SQL above.

    Used where examples of bad records are found in Python (CSV rows, OTLP records).
    """
    moment = _python_time(value)
    if moment is None:
        return "no parsable timestamp"
    if not PLAUSIBLE[0] <= moment < PLAUSIBLE[1]:
        return f"timestamp {str(value)[:40]!r} out of range (years 1971..2099)"
    return None


def _python_time(value: Any) -> datetime | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return _python_epoch(number)
    candidates = [text.replace(" ", "T", 1), text.replace(",", ".")]
    for candidate in candidates:
        try:
            return parse_utc(candidate)
        except (ValueError, OverflowError):
            continue
    for _, layout in (*NAIVE_TIME_FORMATS, *ZONED_TIME_FORMATS):
        try:
            parsed = datetime.strptime(text, layout)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _python_epoch(number: float) -> datetime | None:
    if not math.isfinite(number):
        return None
    size = abs(number)
    seconds = (
        number / 1e9
        if size >= 1e17
        else number / 1e6
        if size >= 1e14
        else number / 1e3
        if size >= 1e11
        else number
    )
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.max.replace(tzinfo=UTC) if seconds > 0 else datetime.min.replace(tzinfo=UTC)
