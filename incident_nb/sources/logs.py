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
from incident_nb.models import parse_utc
from incident_nb.sources import logsql
from incident_nb.sources.logmapping import (
    FIELD_CANDIDATES,
    duration_expr,
    override_fields,
    pick_field,
    timestamp_expr,
)

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
SNAPSHOT_FILE = "events.parquet"
SNAPSHOT_META = "events.json"


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


def _count_lines(path: Path, blank_lines: bool = True) -> int:
    """Count the lines of ``path``; without blank lines unless ``blank_lines`` is False.

    Reads into one reused buffer; counting blank lines costs as much again, so the fast path
    first counts newlines only and asks for the exact count when the totals disagree.
    """
    opener = gzip.open if path.suffix == ".gz" else Path.open
    total = blank = 0
    newline = ord("\n")
    tail = newline
    buf = bytearray(1 << 22)
    with opener(path, "rb") as handle:
        while n := handle.readinto(buf):
            total += buf.count(b"\n", 0, n)
            if blank_lines:
                blank += buf.count(b"\n\n", 0, n) + (tail == newline and buf[0] == newline)
            tail = buf[n - 1]
    if tail != newline:
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


class LogStore:
    """Parsed log events of one investigation, queried with DuckDB."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lines: LineReport, fields: dict[str, str]):
        self._con = con
        self.lines = lines
        self.fields = fields
        """Canonical field -> the source column it was read from."""

    @classmethod
    def open(
        cls,
        paths: Sequence[str | Path],
        mapping: dict[str, str] | None = None,
    ) -> LogStore:
        """Parse JSON-lines log files (``.jsonl``, ``.json``, ``.gz``) into a store.

        Args:
            paths: the log files.
            mapping: canonical field (``timestamp``/``ts``, ``tenant``, ...) -> source field,
                overriding the conventions of :data:`FIELD_CANDIDATES`.

        Raises:
            EvidenceError: a file is missing or empty, or the logs have no timestamp field.
        """
        files = [Path(p) for p in paths]
        if not files:
            raise EvidenceError("no log files given; pass at least one with --logs FILE")
        for file in files:
            if not file.is_file():
                raise EvidenceError(f"log file not found: {file}")
        counts = [_count_lines(f, blank_lines=False) for f in files]
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
            name: col
            for name, cands in FIELD_CANDIDATES.items()
            if (col := pick_field(schema, cands))
        }
        fields.update(override_fields(mapping or {}, schema))
        if "ts" not in fields:
            raise EvidenceError(
                f"no timestamp field in {', '.join(map(str, files))}: looked for "
                f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(sorted(schema))}"
            )
        exprs = [f"{timestamp_expr(fields['ts'], schema[fields['ts']])} AS ts"]
        for name, sql_type in _SQL_TYPES.items():
            col = fields.get(name)
            if col and name == "latency_ms":
                exprs.append(f"{duration_expr(col)} AS {name}")
                continue
            exprs.append(
                f'try_cast("{col}" AS {sql_type}) AS {name}'
                if col
                else f"NULL::{sql_type} AS {name}"
            )
        all_null = " AND ".join(f'"{c}" IS NULL' for c in schema)
        con.execute(
            f"CREATE TABLE parsed AS SELECT *, {logsql.IS_ERROR} AS is_error FROM "
            f"(SELECT {', '.join(exprs)}, ({all_null}) AS malformed FROM raw)"
        )
        malformed, bad_ts, parsed_rows = con.execute(
            "SELECT count(*) FILTER (WHERE malformed), "
            "count(*) FILTER (WHERE ts IS NULL AND NOT malformed), count(*) FROM parsed"
        ).fetchone() or (0, 0, 0)
        total = sum(counts)
        if total != parsed_rows:  # blank lines are not records: count them out exactly
            total = sum(_count_lines(f) for f in files)
        # DuckDB turns a malformed line into a row of NULLs; lines it could not see at all
        # (should be none) are counted as malformed too, so the totals always add up.
        malformed += max(0, total - parsed_rows)
        examples: tuple[BadLine, ...] = ()
        if malformed or bad_ts:
            examples = tuple(itertools.islice(_scan_bad_lines(files, fields["ts"]), _MAX_EXAMPLES))
            # Parsed once, in place: only the unusable rows go (they are counted above).
            con.execute("DELETE FROM parsed WHERE ts IS NULL OR malformed")
        con.execute("ALTER TABLE parsed DROP COLUMN malformed")
        con.execute("ALTER TABLE parsed RENAME TO events")
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
        return cls(con, report, fields)

    @classmethod
    def open_snapshot(cls, folder: str | Path) -> LogStore:
        """Open the Parquet snapshot written by :meth:`snapshot` (after the logs rotated away).

        Raises:
            EvidenceError: the folder holds no snapshot.
        """
        base = Path(folder)
        data, meta = base / SNAPSHOT_FILE, base / SNAPSHOT_META
        if not data.is_file() or not meta.is_file():
            raise EvidenceError(
                f"no evidence snapshot in {base}; run incident-nb analyze --logs FILE "
                f"--snapshot {base} first"
            )
        info = json.loads(meta.read_text(encoding="utf-8"))
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        # A view: each query reads only the Parquet columns it needs.
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{_quote(str(data))}')")
        counts = info["lines"]
        report = LineReport(
            total=int(counts["total"]),
            parsed=int(counts["parsed"]),
            malformed=int(counts["malformed"]),
            bad_timestamp=int(counts["bad_timestamp"]),
        )
        return cls(con, report, {str(k): str(v) for k, v in info["fields"].items()})

    def snapshot(self, folder: str | Path) -> Path:
        """Write the events as Parquet (plus their line accounting) into ``folder``."""
        base = Path(folder)
        base.mkdir(parents=True, exist_ok=True)
        data = base / SNAPSHOT_FILE
        self._con.execute(f"COPY events TO '{_quote(str(data))}' (FORMAT parquet)")
        lines = {
            "total": self.lines.total,
            "parsed": self.lines.parsed,
            "malformed": self.lines.malformed,
            "bad_timestamp": self.lines.bad_timestamp,
        }
        meta = {"lines": lines, "fields": self.fields}
        (base / SNAPSHOT_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return data

    def restrict(self, start: datetime | None, end: datetime | None) -> int:
        """Keep only the events in ``[start, end]``; return how many remain.

        Raises:
            EvidenceError: no event falls in the window.
        """
        views = self._con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = 'events'"
        ).fetchone()
        self._con.execute(
            "CREATE TABLE windowed AS SELECT * FROM events "
            "WHERE ts >= COALESCE($start, ts) AND ts <= COALESCE($end, ts)",
            {"start": start, "end": end},
        )
        self._con.execute(f"DROP {'VIEW' if views and views[0] else 'TABLE'} events")
        self._con.execute("ALTER TABLE windowed RENAME TO events")
        row = self._con.execute("SELECT count(*) FROM events").fetchone()
        remaining = int(row[0]) if row else 0
        if remaining == 0:
            first, last = self.lines.total, self.lines.used
            raise EvidenceError(
                f"no log events between {start} and {end} ({first} lines read, {last} usable); "
                "widen --window or check the time zone (--tz)"
            )
        return remaining

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

    def minute_by(self, key: str) -> pd.DataFrame:
        """Requests and errors per minute and ``key`` (``"endpoint"`` or ``"tenant"``)."""
        if key not in ("endpoint", "tenant"):
            raise ValueError(f"minute_by: key must be endpoint or tenant, not {key!r}")
        return self._df(logsql.MINUTE_BY.format(key=key))

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
