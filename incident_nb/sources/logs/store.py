"""The log evidence of one investigation: a DuckDB ``events`` table and its queries.

:class:`LogStore` is the seam between log files and the pure analysis: it loads the files once
(:mod:`~incident_nb.sources.logs.loader`), accounts for every line, answers the aggregate
queries of :mod:`incident_nb.sources.logsql` as pandas DataFrames, and snapshots the events as
Parquet so an investigation outlives the logs' rotation.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from incident_nb.analysis.signature_tables import error_signatures_from_counts
from incident_nb.core.durable import promote, storage_error
from incident_nb.core.errors import EvidenceError, StorageError
from incident_nb.core.folder import SNAPSHOT
from incident_nb.sources import logsql
from incident_nb.sources.logs.accounting import LineReport
from incident_nb.sources.logs.fields import ROLES
from incident_nb.sources.logs.lines import quote
from incident_nb.sources.logs.loader import load_events

SNAPSHOT_META = "events.json"
"""Where snapshots written before the accounting moved into the Parquet file kept it."""
SNAPSHOT_KEY = "incident_nb.evidence"
"""The Parquet key-value metadata entry holding the snapshot's line accounting and fields."""


class LogStore:
    """Parsed log events of one investigation, queried with DuckDB.

    Attributes:
        lines: what happened to every line (parsed, malformed, without a usable timestamp).
        fields: role (``timestamp``, ``status``, ``level``, ``endpoint``, ``method``,
            ``tenant``, ``latency``, ``message``, ``trace_id``, ``service``, ``request_id``)
            -> the source field it was read from, or None when no field plays it.
        warnings: sentences about the reading: a year taken from a file's modification time,
            a field found but never read, events whose errors cannot be told.
        errors_known: whether any event has a status or a level, so that errors can be told
            at all; when False, an error count of 0 means nothing.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        lines: LineReport,
        fields: Mapping[str, str | None],
        warnings: Sequence[str] = (),
        errors_known: bool = True,
    ):
        self._con = con
        self.lines = lines
        self.fields: dict[str, str | None] = dict(fields)
        self.warnings: tuple[str, ...] = tuple(warnings)
        self.errors_known = errors_known

    @classmethod
    def open(
        cls,
        paths: Sequence[str | Path],
        mapping: dict[str, str] | None = None,
        *,
        fmt: str = "auto",
        tz: str = "UTC",
        year: int | None = None,
    ) -> LogStore:
        """Parse log files into a store.

        Args:
            paths: the log files in any format of
                :data:`~incident_nb.sources.logs.formats.FORMATS` (plain or gzip, maybe inside a
                container envelope), recognised per file unless ``fmt``.
            mapping: canonical field (``timestamp``/``ts``, ``tenant``, ...) -> source field,
                overriding the conventions of :data:`FIELD_CANDIDATES`.
            fmt: the format of every file (``jsonl``, ``csv``, ``syslog``...), or ``auto``.
            tz: time zone of timestamps written without an offset.
            year: the year of timestamps written without one (syslog, glog); by default each
                file's modification year, with a warning saying so.

        Raises:
            EvidenceError: a file is missing, empty or unrecognised, the logs have no
                timestamp field, or no line is usable.
        """
        return cls(*load_events(paths, mapping, fmt, tz, year))

    @classmethod
    def open_snapshot(cls, folder: str | Path) -> LogStore:
        """Open the Parquet snapshot written by :meth:`snapshot` (after the logs rotated away).

        Raises:
            EvidenceError: the folder holds no snapshot.
        """
        base = Path(folder)
        data = base / SNAPSHOT
        if not data.is_file():
            raise EvidenceError(
                f"no evidence snapshot in {base}; run incident-nb analyze --logs FILE "
                f"--snapshot {base} first"
            )
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        info = _snapshot_info(con, data)
        # A view: each query reads only the Parquet columns it needs.
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{quote(str(data))}')")
        counts = info["lines"]
        report = LineReport(
            total=int(counts["total"]),
            parsed=int(counts["parsed"]),
            malformed=int(counts["malformed"]),
            bad_timestamp=int(counts["bad_timestamp"]),
        )
        return cls(
            con,
            report,
            _roles(info["fields"]),
            tuple(str(w) for w in info.get("warnings", ())),
            bool(info.get("errors_known", True)),
        )

    def snapshot(self, folder: str | Path) -> Path:
        """Write the events, with their line accounting and fields, as one Parquet file.

        The accounting travels in the file's key-value metadata, and the file is replaced
        whole, once written, synced and read back: an interrupted or failed run (a full disk)
        leaves the previous snapshot intact, which may be the only evidence left once the logs
        have rotated away.

        Raises:
            StorageError: the snapshot could not be written (the cause named); the previous
                one is kept.
        """
        base = Path(folder)
        data = base / SNAPSHOT
        partial = base / f".{SNAPSHOT}.partial"
        lines = {
            "total": self.lines.total,
            "parsed": self.lines.parsed,
            "malformed": self.lines.malformed,
            "bad_timestamp": self.lines.bad_timestamp,
        }
        meta = quote(
            json.dumps(
                {
                    "lines": lines,
                    "fields": self.fields,
                    "warnings": list(self.warnings),
                    "errors_known": self.errors_known,
                }
            )
        )
        try:
            base.mkdir(parents=True, exist_ok=True)
            self._con.execute(
                f"COPY events TO '{quote(str(partial))}' "
                f"(FORMAT parquet, KV_METADATA {{'{SNAPSHOT_KEY}': '{meta}'}})"
            )
            promote(partial, data, lambda path: _snapshot_info(self._con, path))
        except OSError as exc:
            raise storage_error(exc, data) from exc
        except (duckdb.Error, EvidenceError) as exc:  # DuckDB reports I/O failures its own way
            partial.unlink(missing_ok=True)
            code = re.search(r'"errno":\s*"?(\d+)', str(exc))
            if code:
                cause = OSError(int(code.group(1)), os.strerror(int(code.group(1))))
                raise storage_error(cause, data) from None
            kept = "; the previous snapshot was kept" if data.exists() else ""
            raise StorageError(
                f"cannot write the evidence snapshot {data}: {exc}; free some space on the disk "
                f"or use a writable folder{kept}"
            ) from None
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
        counts = self._df(logsql.ERROR_MESSAGE_COUNTS, {"limit": logsql.MESSAGE_ROWS})
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

    # --- The onset search's questions (incident_nb.analysis.cube_source.CubeSource) ------
    def minute_levels(self) -> pd.DataFrame:
        """Per minute and value of each dimension: requests, failures, log-latency sums.

        One scan (grouping sets). When that is more than
        :data:`~incident_nb.sources.logsql.CUBE_MAX_ROWS` rows (endpoints with ids in them),
        a column with very many values keeps its most frequent ones, the rest grouped as
        ``(other)``, here and in :meth:`cell_windows` and :meth:`scope_minutes` after it.
        See :class:`~incident_nb.analysis.cube_source.CubeSource`.
        """
        limit = logsql.CUBE_MAX_ROWS
        levels = self._df(f"{self._levels_sql()} LIMIT {limit + 1}")
        if len(levels) <= limit:
            return levels
        self._cube_dims_sql = self._lumped_dims()
        return self._df(self._levels_sql())

    def cell_windows(
        self, start: datetime, stop: datetime, aside: Collection[datetime] = ()
    ) -> pd.DataFrame:
        """Per cell (endpoint x tenant x service), inside ``[start, stop)`` and outside.

        The minutes ``aside`` (within the window) count as neither: their rows have a null
        ``inside``.
        """
        dims = self._cube_dims()
        minutes = ", ".join(str(int(m.timestamp()) // 60) for m in sorted(aside))
        sql = logsql.CELL_WINDOWS.format(
            dims=_aliased(dims),
            names=", ".join(dims),
            inside=logsql.CELL_INSIDE_BUT.format(minutes=minutes) if aside else logsql.CELL_INSIDE,
            groups=", ".join(str(i) for i in range(1, len(dims) + 2)),
        )
        return self._df(sql, {"start": start, "stop": stop})

    def scope_minutes(self, scope: Mapping[str, Collection[str] | None]) -> pd.DataFrame:
        """Per minute, the requests of ``scope`` (dimension -> values; ``None``: all)."""
        dims = self._cube_dims()
        where = [
            f"{d} IN ({', '.join(_literal(v) for v in values)})" if values else "FALSE"
            for d, values in scope.items()
            if values is not None and d in dims
        ]
        sql = logsql.SCOPE_MINUTES.format(dims=_aliased(dims), where=" AND ".join(where) or "TRUE")
        return self._df(sql)

    def _levels_sql(self) -> str:
        dims = self._cube_dims()
        level = " ".join(f"WHEN GROUPING({d}) = 0 THEN '{d}'" for d in dims)
        value = " ".join(f"WHEN GROUPING({d}) = 0 THEN {d}" for d in dims)
        return logsql.MINUTE_LEVELS.format(
            dims=_aliased(dims),
            level=f"CASE {level} END",
            value=f"CASE {value} END",
            sets=", ".join(f"(minute, {d})" for d in dims),
        )

    def _cube_dims(self) -> dict[str, str]:
        """Grouping column -> its SQL (the column, or its most frequent values)."""
        cached: dict[str, str] | None = getattr(self, "_cube_dims_sql", None)
        if cached is None:
            # A column no field of the log fed (no service field: every value null) would only
            # add a grouping of nothing.
            columns = set(self._df("SELECT * FROM events LIMIT 0").columns)
            fed = {d for d in CUBE_DIMENSIONS if self.fields.get(d, d) is not None}
            cached = {
                d: d for d in CUBE_DIMENSIONS if d in columns and (d in fed or d == "endpoint")
            }
            self._cube_dims_sql = cached
        return cached

    def _lumped_dims(self) -> dict[str, str]:
        """Each grouping column with more than CUBE_MAX_VALUES values keeps its most frequent."""
        dims = dict(self._cube_dims())
        counts = ", ".join(f"approx_count_distinct({d}) AS {d}" for d in dims)
        distinct = self._df(logsql.CUBE_CARDINALITY.format(counts=counts)).iloc[0]
        for dim in dims:
            if int(distinct[dim]) <= logsql.CUBE_MAX_VALUES:
                continue
            sql = logsql.CUBE_TOP_VALUES.format(dim=dim, limit=logsql.CUBE_MAX_VALUES)
            kept = ", ".join(_literal(v) for v in self._df(sql)["value"])
            dims[dim] = (
                f"CASE WHEN {dim} IS NULL OR {dim} IN ({kept}) THEN {dim} ELSE '(other)' END"
            )
        return dims


CUBE_DIMENSIONS = ("service", "endpoint", "tenant")
"""The columns that group requests for the onset search, broadest first."""


def _aliased(dims: dict[str, str]) -> str:
    return ", ".join(f"{sql} AS {name}" for name, sql in dims.items())


def _literal(value: object) -> str:
    """A SQL string literal."""
    return f"'{quote(str(value))}'"


_OLD_ROLES = {"ts": "timestamp", "latency_ms": "latency"}


def _roles(stored: Mapping[str, object]) -> dict[str, str | None]:
    """Role -> field of a snapshot; one written before the roles named them their own way too."""
    roles: dict[str, str | None] = dict.fromkeys(ROLES)
    for key, value in stored.items():
        roles[_OLD_ROLES.get(str(key), str(key))] = None if value is None else str(value)
    return roles


def _snapshot_info(con: duckdb.DuckDBPyConnection, data: Path) -> dict[str, Any]:
    """The line accounting and fields stored with a snapshot (in the file, or beside it)."""
    row = con.execute(
        "SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = ?",
        [str(data), SNAPSHOT_KEY],
    ).fetchone()
    legacy = data.with_name(SNAPSHOT_META)
    if row is None and not legacy.is_file():
        raise EvidenceError(
            f"{data} has no line accounting: it was not written by incident-nb analyze "
            "--snapshot; analyse the logs again with --snapshot"
        )
    text = str(row[0]) if row else legacy.read_text(encoding="utf-8")
    info: dict[str, Any] = json.loads(text)
    return info
