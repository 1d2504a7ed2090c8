"""Every SQL query the log evidence runs, in one place.

The queries read the normalised ``events`` table (ts TIMESTAMPTZ, tenant, endpoint, method,
status, latency_ms, message, request_id, trace_id, service, level, severity, is_error) and use
only portable SQL (aggregates, FILTER, date_trunc, exact quantiles), so they can be rendered
for other SQL engines.
"""

from __future__ import annotations

# A request is an error when its HTTP status is 5xx; for lines without a status, when its
# outcome field says it failed (sources/logs/outcomes.py: a word, a flag, a gRPC status); else
# when its level is error or worse (the severity, normalised at parse time, is OpenTelemetry's:
# 17 is ERROR). 4xx are the client's errors, not the service's. NULL when none tells. Applied
# at parse time, where the record's outcome is at hand: the events keep is_error.
IS_ERROR = "(COALESCE(status >= 500, outcome, severity >= 17))"

# The minute of an event, by integer arithmetic on its epoch microseconds: 4-10x faster in
# DuckDB than time_bucket or date_trunc on TIMESTAMPTZ (no calendar or time-zone lookups).
MINUTE = "make_timestamptz(epoch_us(ts) // 60000000 * 60000000)"

# p50/p95/p99 of the latency: one exact quantile of a list sorts each group once, not thrice.
LATENCY_QUANTILES = "quantile_cont(latency_ms, [0.5, 0.95, 0.99]) AS q"
PERCENTILES = "q[1] AS p50_ms, q[2] AS p95_ms, q[3] AS p99_ms"

PER_MINUTE = f"""
SELECT minute, requests, errors, {PERCENTILES}
FROM (
  SELECT {MINUTE} AS minute,
         count(*) AS requests,
         count(*) FILTER (WHERE is_error) AS errors,
         {LATENCY_QUANTILES}
  FROM events
  GROUP BY 1
)
ORDER BY 1
"""

PER_MINUTE_ENDPOINT = f"""
SELECT minute, endpoint, requests, errors, {PERCENTILES}
FROM (
  SELECT {MINUTE} AS minute,
         endpoint,
         count(*) AS requests,
         count(*) FILTER (WHERE is_error) AS errors,
         {LATENCY_QUANTILES}
  FROM events
  GROUP BY 1, 2
)
ORDER BY 1, 2
"""

MINUTE_GROUPS = f"""
SELECT {MINUTE} AS minute,
       COALESCE(endpoint, '(none)') AS endpoint,
       COALESCE(tenant, '(none)') AS tenant,
       count(*) AS requests,
       count(*) FILTER (WHERE is_error) AS errors
FROM events
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""

# Requests and errors per minute and one grouping key (endpoint or tenant): far fewer rows than
# MINUTE_GROUPS when both keys have many values.
MINUTE_BY = f"""
SELECT {MINUTE} AS minute,
       COALESCE({{key}}, '(none)') AS {{key}},
       count(*) AS requests,
       count(*) FILTER (WHERE is_error) AS errors
FROM events
GROUP BY 1, 2
ORDER BY 1, 2
"""

ENDPOINT_LATENCY = f"""
SELECT endpoint, requests, errors, {PERCENTILES}
FROM (
  SELECT COALESCE(endpoint, '(none)') AS endpoint,
         count(*) AS requests,
         count(*) FILTER (WHERE is_error) AS errors,
         {LATENCY_QUANTILES}
  FROM events
  WHERE ts >= $since
  GROUP BY 1
)
ORDER BY errors DESC, requests DESC
"""

# The most frequent distinct error messages (per tenant and endpoint): a bounded result, so a
# cluster engine sends back at most $limit rows however large the input.
ERROR_MESSAGE_COUNTS = """
SELECT message, tenant, endpoint,
       count(*) AS count,
       min(ts) AS first_seen,
       max(ts) AS last_seen
FROM events
WHERE is_error AND message IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY count DESC, first_seen, message
LIMIT $limit
"""
MESSAGE_ROWS = 20_000
"""How many distinct error messages feed the signatures (the most frequent first)."""

# The first failing request from $since on ('first'), and the $limit most recent ('latest',
# most recent first), in one query.
FAILURE_COLUMNS = "ts, request_id, tenant, endpoint, status, message"
FAILURES_SINCE = f"""
SELECT * FROM (
  (SELECT 'first' AS which, {FAILURE_COLUMNS} FROM events WHERE is_error AND ts >= $since
   ORDER BY ts, request_id LIMIT 1)
  UNION ALL
  (SELECT 'latest' AS which, {FAILURE_COLUMNS} FROM events WHERE is_error AND ts >= $since
   ORDER BY ts DESC, request_id LIMIT $limit)
)
ORDER BY which, ts DESC, request_id
"""

EXTENT = "SELECT min(ts) AS start, max(ts) AS end, count(*) AS events FROM events"


ENGINES = ("duckdb", "spark")
_SPARK_NAMES = {"epoch_us": "unix_micros", "make_timestamptz": "timestamp_micros"}


def render(sql: str, engine: str) -> str:
    """One of the queries above in the SQL of ``engine`` (``duckdb`` as written, or ``spark``).

    The queries are written once, in DuckDB's dialect; SQLGlot transpiles them (list indexes
    included). Three functions are rendered by hand: the exact ``quantile_cont`` becomes
    Spark's exact ``percentile`` (same linear interpolation), and ``epoch_us`` and
    ``make_timestamptz`` of microseconds become ``unix_micros`` and ``timestamp_micros``.
    """
    if engine == "duckdb":
        return sql
    if engine != "spark":
        raise ValueError(f"no SQL dialect for engine {engine!r}; use one of {', '.join(ENGINES)}")
    import sqlglot  # noqa: PLC0415 - only for other engines
    from sqlglot import exp  # noqa: PLC0415

    def spark_functions(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.PercentileCont):
            return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
        if isinstance(node, exp.Anonymous) and node.name.lower() in _SPARK_NAMES:
            node.set("this", _SPARK_NAMES[node.name.lower()])  # in place: arguments still visited
        return node

    tree = sqlglot.parse_one(sql, read="duckdb").transform(spark_functions)
    return tree.sql(dialect="spark")


# --- The onset search's questions (incident_nb.analysis.cube_source) -------------------
# Requests, failures and the sums of ln(1 + latency_ms) and of its square: every sum is
# additive, so any group's series is a sum of these rows. {dims} are the grouping columns the
# events have (or, for very many values, an expression keeping the most frequent ones).
# The log latency is computed once per event (ll), NULL when the latency is missing or absurd.
CUBE_LOG_LATENCY = "CASE WHEN latency_ms BETWEEN 0 AND 1e9 THEN ln(1 + latency_ms) END"
CUBE_SUMS = """count(*) AS requests,
       count(*) FILTER (WHERE is_error) AS errors,
       count(ll) AS timed,
       sum(ll) AS log_latency,
       sum(ll * ll) AS log_latency_sq"""
# {failure} says which events count as failures: is_error, or the failures of one status (the
# onset search's look at each failing status, see LogStore.failure_kinds). {flags} may add a
# column flagging the failures of each of some statuses, which {flag_sums} (in the queries
# below) count: the minute levels of every status's failures in the one scan.
CUBE_EVENTS = (
    f"SELECT ts, {{dims}}, {{failure}} AS is_error{{flags}}, {CUBE_LOG_LATENCY} AS ll FROM events"
)
FAILURE = "is_error"
FAILURE_OF_STATUS = "(is_error AND status = {status})"
STATUS_ERRORS = "errors_{status}"
STATUS_FLAG = f", {FAILURE_OF_STATUS} AS failed_{{status}}"
STATUS_SUM = f", count(*) FILTER (WHERE failed_{{status}}) AS {STATUS_ERRORS}"
# The statuses of failures, most frequent first: those with at least $least failures.
FAILING_STATUSES = """
SELECT status, count(*) AS failures FROM events WHERE is_error AND status IS NOT NULL
GROUP BY status HAVING count(*) >= $least ORDER BY failures DESC, status LIMIT $limit
"""

# Per minute and group of each level of grouping (each dimension, and endpoint x tenant), in
# one scan (grouping sets): {names} are the grouping columns, null where a level does not group
# by them; {level} names the level of each row. A level of several columns may be grouped by
# spans of several minutes instead ({minute} and {span}: the minutes each row covers).
MINUTE_LEVELS = f"""
SELECT {{minute}} AS minute, {{level}} AS level, {{names}}, {{span}} AS span,
       {CUBE_SUMS}{{flag_sums}}
FROM (SELECT {MINUTE} AS minute, {{span_minute}} AS span_minute, * FROM ({CUBE_EVENTS}))
GROUP BY GROUPING SETS ({{sets}})
"""
# The first minute of an event's span of $span minutes, counted from the minute $origin
# (epoch microseconds): the spans of a level start with the log's first minute.
SPAN_MINUTE = "make_timestamptz({origin} + (epoch_us(ts) - {origin}) // {width} * {width})"
# Per span and cell of a level grouping by several columns ({cell}), for its busiest cells
# only (CUBE_TOP_CELLS): when a log has too many cells to keep each one's every minute.
MINUTE_TOP_CELLS = f"""
SELECT {{time}} AS minute, '{{level}}' AS level, {{names}}, {{span}} AS span,
       {CUBE_SUMS}{{flag_sums}}
FROM ({CUBE_EVENTS}) SEMI JOIN ({{top}}) USING ({{cell}})
GROUP BY 1, {{cell}}
"""
CUBE_TOP_CELLS = """
SELECT {cell} FROM ({events}) WHERE {present}
GROUP BY ALL ORDER BY count(*) DESC, {cell} LIMIT {limit}
"""
# How many cells (endpoint x tenant) the events have, about: with the events and the window's
# minutes, it bounds the rows of the cells' minutes.
CUBE_CELLS = "SELECT approx_count_distinct(hash({cell})) FROM events"

# Per cell and side of the incident's minutes [$start, $stop); {inside} may set some minutes
# of the window aside (an on/off incident's quiet minutes): their rows have a null inside.
CELL_INSIDE = "ts >= $start AND ts < $stop"
CELL_INSIDE_BUT = (
    "CASE WHEN ts < $start OR ts >= $stop THEN FALSE "
    "WHEN epoch_us(ts) // 60000000 IN ({minutes}) THEN NULL ELSE TRUE END"
)
# {part}: which part of the window a row falls in, split at times $cut0, $cut1... (0 outside).
CELL_WINDOWS = f"""
SELECT {{names}}, {{inside}} AS inside, {{part}} AS part,
       {CUBE_SUMS}
FROM ({CUBE_EVENTS})
GROUP BY {{groups}}
"""
CELL_PART = "CAST(ts >= ${cut} AND ts < $stop AS INTEGER)"

# Per minute, the requests of one scope ({by}: and per value of a dimension, as ", endpoint";
# {by_key}: ", 2" then).
SCOPE_MINUTES = f"""
SELECT {MINUTE} AS minute{{by}},
       {CUBE_SUMS}
FROM ({CUBE_EVENTS})
WHERE {{where}}
GROUP BY 1{{by_key}}
"""

# When the minute levels have more than CUBE_MAX_ROWS rows (raw URLs with ids in them, many
# tenants on many endpoints over a long window), a column with more than CUBE_MAX_VALUES
# distinct values keeps its most frequent ones, and a level grouping by several columns keeps
# its busiest cells, as many as fill CUBE_CELL_SHARE of CUBE_MAX_ROWS over the window's minutes.
CUBE_MAX_ROWS = 1_000_000
CUBE_MAX_VALUES = 2000
CUBE_CELL_SHARE = 0.5
# A level of cells with more than CUBE_CELL_ROWS minutes with requests, about, is grouped by
# spans of as many minutes as bring it under that (at most a CUBE_CELL_BINS-th of the window):
# cells are many, and each alone holds few requests a minute.
CUBE_CELL_ROWS = 100_000
CUBE_CELL_BINS = 12
CUBE_CARDINALITY = "SELECT {counts} FROM events"
CUBE_TOP_VALUES = """
SELECT {dim} AS value FROM events WHERE {dim} IS NOT NULL
GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {limit}
"""
