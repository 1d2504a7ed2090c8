"""Field mapping of log records: which source field is the timestamp, tenant, status, ...

Common conventions (plain names, OpenTelemetry semantic conventions, Elastic Common Schema) are
data tables; an explicit ``--map`` overrides them. Also the SQL that turns a timestamp column of
any type (ISO text with offsets, epoch seconds/ms/us/ns) into a UTC ``TIMESTAMPTZ``.
"""

from __future__ import annotations

from incident_nb.core.errors import EvidenceError

# Canonical field -> names it goes by in common log conventions (first match wins): plain
# names, then OpenTelemetry semantic conventions, then Elastic Common Schema (flattened keys).
FIELD_CANDIDATES: dict[str, tuple[str, ...]] = {
    "ts": ("ts", "timestamp", "time", "@timestamp", "datetime", "date", "observed_timestamp"),
    "tenant": (
        "tenant_id",
        "tenant",
        "customer_id",
        "org_id",
        "account_id",
        "tenant.id",
        "organization.id",
        "org.id",
    ),
    "endpoint": (
        "endpoint",
        "route",
        "http_route",
        "path",
        "url",
        "uri",
        "http.route",
        "url.path",
        "http.target",
        "url.original",
    ),
    "status": (
        "status",
        "status_code",
        "http_status",
        "response_code",
        "http.response.status_code",
        "http.status_code",
    ),
    "latency_ms": (
        "latency_ms",
        "duration_ms",
        "response_time_ms",
        "elapsed_ms",
        "took_ms",
        "http.server.duration",
        "http.server.request.duration",
        "event.duration",
        "duration",
    ),
    "message": ("message", "msg", "error", "err", "log", "body", "content", "error.message"),
    "request_id": (
        "request_id",
        "req_id",
        "requestId",
        "trace_id",
        "correlation_id",
        "http.request.id",
        "trace.id",
    ),
    "level": ("level", "severity", "lvl", "log_level", "loglevel", "log.level", "severity_text"),
}
# Duration fields whose unit is not milliseconds -> factor to milliseconds (ECS: nanoseconds).
DURATION_TO_MS: dict[str, float] = {
    "event.duration": 1e-6,
    "http.server.request.duration": 1000.0,  # OpenTelemetry: seconds
    "duration": 1.0,
}
# Timestamp layouts besides ISO 8601 and epoch numbers, tried in order, as (DuckDB strptime,
# Python strptime) codes; DuckDB's %g is milliseconds. ctime as in Apache error logs, log4j's
# comma before the milliseconds, the access-log layout, and RFC 2822 as in HTTP headers.
NAIVE_TIME_FORMATS = (
    ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M:%S %Y"),
    ("%Y-%m-%d %H:%M:%S,%g", "%Y-%m-%d %H:%M:%S,%f"),
    ("%d/%b/%Y:%H:%M:%S", "%d/%b/%Y:%H:%M:%S"),
)
ZONED_TIME_FORMATS = (
    ("%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y:%H:%M:%S %z"),
    ("%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %z"),
)
_ALIASES = {"timestamp": "ts", "time": "ts", "latency": "latency_ms", "duration": "latency_ms"}


def override_fields(mapping: dict[str, str], schema: dict[str, str]) -> dict[str, str]:
    """Explicit ``canonical -> source`` field choices, checked against the columns found."""
    chosen: dict[str, str] = {}
    for key, source in mapping.items():
        name = _ALIASES.get(key, key)
        if name not in FIELD_CANDIDATES:
            raise EvidenceError(
                f"unknown field {key!r} in --map; use one of timestamp, "
                f"{', '.join(n for n in FIELD_CANDIDATES if n != 'ts')}"
            )
        if source not in schema:
            raise EvidenceError(
                f"--map {key}={source}: no field {source!r} in the logs; "
                f"found {', '.join(sorted(schema))}"
            )
        chosen[name] = source
    return chosen


def pick_field(columns: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    """The first candidate name present among ``columns`` (case-insensitive), or None."""
    lowered = {name.lower(): name for name in columns}
    return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)


def _epoch_expr(num: str) -> str:
    """Epoch numbers: the magnitude tells seconds, milliseconds, microseconds or nanoseconds."""
    return (
        f"to_timestamp(CASE WHEN abs({num}) >= 1e17 THEN {num} / 1e9 "
        f"WHEN abs({num}) >= 1e14 THEN {num} / 1e6 "
        f"WHEN abs({num}) >= 1e11 THEN {num} / 1e3 ELSE {num} END)"
    )


def timestamp_expr(column: str, sql_type: str) -> str:
    """SQL turning ``column`` of DuckDB type ``sql_type`` into a UTC ``TIMESTAMPTZ``."""
    col = f'"{column}"'
    if sql_type.startswith("TIMESTAMP WITH"):
        return col
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({col} AS TIMESTAMPTZ)"
    if sql_type in {"BIGINT", "INTEGER", "DOUBLE", "UBIGINT", "HUGEINT", "FLOAT"}:
        return _epoch_expr(col)
    epoch = _epoch_expr(f"try_cast({col} AS DOUBLE)")
    naive = ", ".join(f"'{f}'" for f, _ in NAIVE_TIME_FORMATS)
    zoned = ", ".join(f"'{f}'" for f, _ in ZONED_TIME_FORMATS)
    return (
        f"CASE WHEN regexp_full_match({col}, '-?[0-9]+([.][0-9]+)?') THEN {epoch} "
        f"ELSE COALESCE(try_cast({col} AS TIMESTAMPTZ), "
        f"CAST(try_strptime({col}, [{naive}]) AS TIMESTAMPTZ), "
        f"try_strptime({col}, [{zoned}])) END"
    )


def duration_expr(column: str) -> str:
    """SQL turning a duration column into milliseconds, by its name's convention."""
    factor = DURATION_TO_MS.get(column, 1.0)
    cast = f'try_cast("{column}" AS DOUBLE)'
    return cast if factor == 1.0 else f"{cast} * {factor!r}"
