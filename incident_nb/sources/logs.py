"""Service logs (JSON lines, plain or gzip) read by DuckDB into a normalised ``events`` table.

:class:`LogStore` is the seam between log files and the pure analysis: it parses the files once,
maps their field names to the canonical ones, accounts for every line (parsed, malformed,
unparsable timestamp), and answers the aggregate queries of :mod:`incident_nb.sources.logsql`
as pandas DataFrames.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import duckdb
import pandas as pd

from incident_nb.analysis.signature_tables import error_signatures_from_counts
from incident_nb.errors import EvidenceError
from incident_nb.models import TimeWindow, iso, parse_utc
from incident_nb.sources import logsql

# Canonical field -> names it goes by in common log conventions (first match wins).
FIELD_CANDIDATES: dict[str, tuple[str, ...]] = {
    "ts": ("ts", "timestamp", "time", "@timestamp", "datetime", "date"),
    "tenant": ("tenant_id", "tenant", "customer_id", "org_id", "account_id"),
    "endpoint": ("endpoint", "route", "http_route", "path", "url", "uri"),
    "status": ("status", "status_code", "http_status", "response_code"),
    "latency_ms": ("latency_ms", "duration_ms", "response_time_ms", "elapsed_ms", "took_ms"),
    "message": ("message", "msg", "error", "err", "log"),
    "request_id": ("request_id", "req_id", "requestId", "trace_id", "correlation_id"),
    "level": ("level", "severity", "lvl", "log_level", "loglevel"),
}
_SQL_TYPES = {
    "tenant": "VARCHAR",
    "endpoint": "VARCHAR",
    "status": "INTEGER",
    "latency_ms": "DOUBLE",
    "message": "VARCHAR",
    "request_id": "VARCHAR",
    "level": "VARCHAR",
}
_MAX_EXAMPLES = 5


@dataclass(frozen=True)
class BadLine:
    """One line that could not be used, with why."""

    path: str
    line: int
    reason: str
    text: str


@dataclass(frozen=True)
class LineReport:
    """What happened to every line of the input: nothing is dropped without being counted."""

    total: int
    parsed: int
    malformed: int
    bad_timestamp: int
    examples: tuple[BadLine, ...] = field(default_factory=tuple)

    @property
    def used(self) -> int:
        """Lines that became events."""
        return self.parsed - self.bad_timestamp


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _count_lines(path: Path) -> int:
    """Count non-blank lines quickly (blank lines are not records)."""
    opener = gzip.open if path.suffix == ".gz" else Path.open
    total = blank = 0
    tail = b"\n"
    with opener(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            total += chunk.count(b"\n")
            blank += chunk.count(b"\n\n") + (1 if tail == b"\n" and chunk[:1] == b"\n" else 0)
            tail = chunk[-1:]
    if tail not in (b"\n", b""):
        total += 1
    return total - blank


def _scan_bad_lines(paths: Sequence[Path], ts_field: str) -> Iterator[BadLine]:
    """Find malformed lines and unparsable timestamps, with line numbers (slow path only)."""
    for path in paths:
        with _open_text(path) as handle:
            for number, raw in enumerate(handle, start=1):
                text = raw.strip()
                if not text:
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield BadLine(str(path), number, f"invalid JSON: {exc.msg}", text[:200])
                    continue
                if not isinstance(obj, dict):
                    yield BadLine(str(path), number, "not a JSON object", text[:200])
                elif not _timestamp_ok(obj.get(ts_field)):
                    yield BadLine(
                        str(path), number, f"no parsable timestamp in {ts_field!r}", text[:200]
                    )


def _timestamp_ok(value: Any) -> bool:
    if isinstance(value, bool) or value in (None, ""):
        return False
    if isinstance(value, int | float):
        return True
    try:
        parse_utc(str(value).replace(" ", "T", 1))
    except ValueError:
        return False
    return True


def _quote(name: str) -> str:
    return name.replace("'", "''")


def _sample_keys(paths: Sequence[Path], limit: int = 20000) -> list[str]:
    """Keys of the JSON objects among the first lines of each file, in first-seen order."""
    keys: dict[str, None] = {}
    for path in paths:
        with _open_text(path) as handle:
            for raw in itertools.islice(handle, limit):
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    keys.update(dict.fromkeys(obj))
    return list(keys)


def _pick(columns: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    lowered = {name.lower(): name for name in columns}
    return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)


def _epoch_expr(num: str) -> str:
    """Epoch numbers: the magnitude tells seconds, milliseconds, microseconds or nanoseconds."""
    return (
        f"to_timestamp(CASE WHEN abs({num}) >= 1e17 THEN {num} / 1e9 "
        f"WHEN abs({num}) >= 1e14 THEN {num} / 1e6 "
        f"WHEN abs({num}) >= 1e11 THEN {num} / 1e3 ELSE {num} END)"
    )


def _timestamp_expr(column: str, sql_type: str) -> str:
    col = f'"{column}"'
    if sql_type.startswith("TIMESTAMP WITH"):
        return col
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({col} AS TIMESTAMPTZ)"
    if sql_type in {"BIGINT", "INTEGER", "DOUBLE", "UBIGINT", "HUGEINT", "FLOAT"}:
        return _epoch_expr(col)
    epoch = _epoch_expr(f"try_cast({col} AS DOUBLE)")
    return (
        f"CASE WHEN regexp_full_match({col}, '-?[0-9]+([.][0-9]+)?') THEN {epoch} "
        f"ELSE try_cast({col} AS TIMESTAMPTZ) END"
    )


class LogStore:
    """Parsed log events of one investigation, queried with DuckDB."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lines: LineReport, fields: dict[str, str]):
        self._con = con
        self.lines = lines
        self.fields = fields
        """Canonical field -> the source column it was read from."""

    @classmethod
    def open(cls, paths: Sequence[str | Path], window: TimeWindow | None = None) -> LogStore:
        """Parse JSON-lines log files (``.jsonl``, ``.json``, ``.gz``) into a store.

        Raises:
            EvidenceError: a file is missing or empty, or the logs have no timestamp field.
        """
        files = [Path(p) for p in paths]
        if not files:
            raise EvidenceError("no log files given; pass at least one with --logs FILE")
        for file in files:
            if not file.is_file():
                raise EvidenceError(f"log file not found: {file}")
        counts = [_count_lines(f) for f in files]
        for file, count in zip(files, counts, strict=True):
            if count == 0:
                raise EvidenceError(f"log file is empty: {file}; check the path or the export")
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        listing = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
        options = "format='newline_delimited', ignore_errors=true, maximum_object_size=16777216"
        con.execute(
            f"CREATE VIEW raw AS SELECT * FROM read_json({listing}, {options}, "
            "union_by_name=true, sample_size=20000)"
        )
        schema = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE raw").fetchall()}
        if list(schema) == ["json"]:
            # Some sampled lines are not JSON objects, so DuckDB fell back to one raw column:
            # name the columns from the objects that are there, and read them as text.
            schema = dict.fromkeys(_sample_keys(files), "VARCHAR")
            if not schema:
                first = next(_scan_bad_lines(files, "ts"), None)
                where = f"; line {first.line}: {first.reason}" if first else ""
                raise EvidenceError(
                    f"no usable log lines in {', '.join(map(str, files))}: no line is a JSON "
                    f"object{where}; check the file is JSON lines (one object per line)"
                )
            columns = ", ".join(f"'{_quote(k)}': 'VARCHAR'" for k in schema)
            con.execute(
                f"CREATE OR REPLACE VIEW raw AS SELECT * FROM read_json({listing}, {options}, "
                f"columns={{{columns}}})"
            )
        fields = {
            name: col for name, cands in FIELD_CANDIDATES.items() if (col := _pick(schema, cands))
        }
        if "ts" not in fields:
            raise EvidenceError(
                f"no timestamp field in {', '.join(map(str, files))}: looked for "
                f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(sorted(schema))}"
            )
        exprs = [f"{_timestamp_expr(fields['ts'], schema[fields['ts']])} AS ts"]
        for name, sql_type in _SQL_TYPES.items():
            col = fields.get(name)
            exprs.append(
                f'try_cast("{col}" AS {sql_type}) AS {name}'
                if col
                else f"NULL::{sql_type} AS {name}"
            )
        all_null = " AND ".join(f'"{c}" IS NULL' for c in schema)
        con.execute(
            f"CREATE TABLE parsed AS SELECT {', '.join(exprs)}, ({all_null}) AS malformed FROM raw"
        )
        malformed, bad_ts, parsed_rows = con.execute(
            "SELECT count(*) FILTER (WHERE malformed), "
            "count(*) FILTER (WHERE ts IS NULL AND NOT malformed), count(*) FROM parsed"
        ).fetchone() or (0, 0, 0)
        total = sum(counts)
        # DuckDB turns a malformed line into a row of NULLs; lines it could not see at all
        # (should be none) are counted as malformed too, so the totals always add up.
        malformed += max(0, total - parsed_rows)
        examples: tuple[BadLine, ...] = ()
        if malformed or bad_ts:
            examples = tuple(itertools.islice(_scan_bad_lines(files, fields["ts"]), _MAX_EXAMPLES))
        con.execute(
            f"CREATE TABLE events AS SELECT * EXCLUDE (malformed), {logsql.IS_ERROR} AS is_error "
            "FROM parsed WHERE ts IS NOT NULL AND NOT malformed"
        )
        con.execute("DROP TABLE parsed")
        report = LineReport(
            total=total,
            parsed=total - malformed,
            malformed=malformed,
            bad_timestamp=bad_ts,
            examples=examples,
        )
        if report.used == 0:
            raise EvidenceError(
                f"no usable log lines in {', '.join(map(str, files))}: {malformed} malformed, "
                f"{bad_ts} without a parsable timestamp"
            )
        if window is not None:
            first, last = con.execute("SELECT min(ts), max(ts) FROM events").fetchone() or (
                None,
                None,
            )
            con.execute(
                "DELETE FROM events WHERE ts < $start OR ts >= $end",
                {"start": window.start, "end": window.end},
            )
            remaining = con.execute("SELECT count(*) FROM events").fetchone()
            if not remaining or remaining[0] == 0:
                raise EvidenceError(
                    f"no events between {iso(window.start)} and {iso(window.end)}; the logs "
                    f"cover {iso(first)} to {iso(last)}: choose a window inside that"
                )
        return cls(con, report, fields)

    def _df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return self._con.execute(sql, params or {}).df()

    def extent(self) -> tuple[datetime, datetime]:
        """First and last event time."""
        row = self._con.execute(logsql.EXTENT).fetchone()
        assert row is not None
        return row[0], row[1]

    def per_minute(self) -> pd.DataFrame:
        """Requests, errors and latency p50/p95/p99 per minute."""
        return self._df(logsql.PER_MINUTE)

    def per_minute_endpoint(self) -> pd.DataFrame:
        """Requests, errors and latency p50/p95/p99 per minute and endpoint."""
        return self._df(logsql.PER_MINUTE_ENDPOINT)

    def minute_groups(self) -> pd.DataFrame:
        """Requests and errors per minute, endpoint and tenant."""
        return self._df(logsql.MINUTE_GROUPS)

    def endpoint_latency(self, since: datetime) -> pd.DataFrame:
        """Requests, errors and latency percentiles per endpoint from ``since`` on."""
        return self._df(logsql.ENDPOINT_LATENCY, {"since": since})

    def error_messages(self, limit: int = 20) -> pd.DataFrame:
        """Error signatures (messages grouped into templates), most frequent first."""
        counts = self._df(logsql.ERROR_MESSAGE_COUNTS)
        return error_signatures_from_counts(counts).head(limit)

    def failing_requests(self, since: datetime, limit: int = 20) -> pd.DataFrame:
        """The most recent failing requests from ``since`` on."""
        return self._df(logsql.FAILING_REQUESTS, {"since": since, "limit": limit})

    def first_error(self, since: datetime) -> pd.DataFrame:
        """The first failing request at or after ``since`` (one row, or none)."""
        return self._df(logsql.ERROR_EXTENT.format(order="ASC"), {"since": since})

    def last_error(self, since: datetime) -> pd.DataFrame:
        """The most recent failing request at or after ``since`` (one row, or none)."""
        return self._df(logsql.ERROR_EXTENT.format(order="DESC"), {"since": since})

    def close(self) -> None:
        """Release the DuckDB connection."""
        self._con.close()
