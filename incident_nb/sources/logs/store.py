"""The log evidence of one investigation: a DuckDB ``events`` view of a Parquet file, queried.

:class:`LogStore` is the seam between log files and the pure analysis: it loads the files once
(:mod:`~incident_nb.sources.logs.loader`) into one Parquet file of events
(:mod:`~incident_nb.sources.logs.eventfile`), accounts for every line, and answers the aggregate
queries of :mod:`incident_nb.sources.logsql` as pandas DataFrames. With a snapshot folder, that
file is the evidence snapshot, so an investigation outlives the logs' rotation; the memory an
analysis takes is bounded by what it computes, not by the length of the log.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import duckdb
import pandas as pd

from incident_nb.analysis.signature_tables import error_signatures_from_counts
from incident_nb.core.durable import storage_error
from incident_nb.core.errors import EvidenceError
from incident_nb.core.folder import SNAPSHOT
from incident_nb.sources import logsql
from incident_nb.sources.logs.accounting import LineReport
from incident_nb.sources.logs.answers import Answers, new_id
from incident_nb.sources.logs.cubestore import CubeQuestions
from incident_nb.sources.logs.eventfile import (
    SNAPSHOT_KEY,
    SNAPSHOT_META,
    Window,
    describe,
    duckdb_storage_error,
    promote_events,
    read_description,
)
from incident_nb.sources.logs.frames import frame
from incident_nb.sources.logs.lines import literal
from incident_nb.sources.logs.loader import load_events
from incident_nb.sources.logs.scratch import Scratch, connect, unlimited
from incident_nb.sources.logs.values import time_literal

__all__ = ["SNAPSHOT_KEY", "SNAPSHOT_META", "FailuresSince", "LogStore"]

T = TypeVar("T")
INTERRUPT_EVERY = 0.05
"""Seconds between interrupts of a question asked meanwhile that is no longer wanted."""


class FailuresSince(NamedTuple):
    """Failing requests from a time on: the first, and the most recent (most recent first)."""

    first: pd.DataFrame
    """One row, or none."""
    latest: pd.DataFrame


class LogStore(CubeQuestions):
    """Parsed log events of one investigation, queried with DuckDB.

    Attributes:
        lines: what happened to every line (parsed, malformed, without a usable timestamp).
        fields: role (``timestamp``, ``status``, ``level``, ``endpoint``, ``method``,
            ``tenant``, ``latency``, ``message``, ``trace_id``, ``service``, ``request_id``)
            -> the source field it was read from, or None when no field plays it.
        warnings: sentences about the reading: a year taken from a file's modification time,
            a field found but never read, events whose errors cannot be told.
        errors_known: whether any event has a status, an outcome or a level, so that errors
            can be told at all; when False, an error count of 0 means nothing.
    """

    def __init__(  # noqa: PLR0917 - the loader's result, in order
        self,
        con: duckdb.DuckDBPyConnection,
        lines: LineReport,
        fields: Mapping[str, str | None],
        warnings: Sequence[str] = (),
        errors_known: bool = True,
        scratch: Scratch | None = None,
        answers: Answers | None = None,
    ):
        self._init_evidence(lines, fields, warnings, errors_known, answers)
        self._con = con
        self._scratch = scratch
        self._windows = 0
        self._view = "events"
        """What the ``events`` view is (the window's bounds), for the answers' names."""

    def _init_evidence(
        self,
        lines: LineReport,
        fields: Mapping[str, str | None],
        warnings: Sequence[str],
        errors_known: bool,
        answers: Answers | None,
    ) -> None:
        """Set what every store has, whichever engine holds its events."""
        self.lines = lines
        self.fields: dict[str, str | None] = dict(fields)
        self.warnings: tuple[str, ...] = tuple(warnings)
        self.errors_known = errors_known
        self.answers = answers
        """The snapshot's kept answers, when the events are a snapshot (see :mod:`.answers`)."""
        self._cube_dims_sql: dict[str, str] | None = None
        """The onset search's grouping columns, once asked (see :meth:`_cube_dims`)."""

    @classmethod
    def open(
        cls,
        paths: Sequence[str | Path],
        mapping: dict[str, str] | None = None,
        *,
        fmt: str = "auto",
        tz: str = "UTC",
        year: int | None = None,
        snapshot: Path | None = None,
        window: Window = (None, None),
    ) -> LogStore:
        """Parse log files into a store (see :func:`~.loader.load_events`).

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
            snapshot: a folder to keep the events in, as the evidence snapshot written in the
                parse's own pass.
            window: keep only the events in ``[start, end]``.

        Raises:
            EvidenceError: a file is missing, empty or unrecognised, the logs have no
                timestamp field, or no line (in the window) is usable.
            StorageError: the events could not be written; no snapshot is half-written.
        """
        return cls(*load_events(paths, mapping, fmt, tz, year, snapshot=snapshot, window=window))

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
        scratch = Scratch()
        con = connect(scratch)
        try:
            con.execute("SET TimeZone = 'UTC'")
            about = read_description(con, data)
            # A view: each query reads only the Parquet columns it needs.
            con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet({literal(data)})")
        except BaseException:
            con.close()
            scratch.close()
            raise
        kept = Answers(base, about.events_id) if about.events_id else None
        return cls(
            con, about.lines, about.fields, about.warnings, about.errors_known, scratch, kept
        )

    def snapshot(self, folder: str | Path) -> Path:
        """Write the events, with their line accounting and fields, as one Parquet file.

        (An analysis writes its snapshot while it parses: ``LogStore.open(..., snapshot=DIR)``.
        This copies the events of a store already open, after :meth:`restrict` too.)

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
        events_id = new_id()
        meta = describe(self.lines, self.fields, self.warnings, self.errors_known, events_id)
        try:
            base.mkdir(parents=True, exist_ok=True)
            self._con.execute(
                f"COPY events TO {literal(partial)} (FORMAT parquet, COMPRESSION zstd, "
                f"KV_METADATA {{{literal(SNAPSHOT_KEY)}: {literal(meta)}}})"
            )
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise storage_error(exc, data) from exc
        except duckdb.Error as exc:  # DuckDB reports I/O failures its own way
            partial.unlink(missing_ok=True)
            raise duckdb_storage_error(exc, data) from None
        promote_events(self._con, partial, data)
        if self.answers is not None and self.answers.folder.parent == base:
            # The events this store reads were replaced (by the same events): its answers now
            # belong to the new file.
            self.answers = Answers(base, events_id)
        return data

    def restrict(self, start: datetime | None, end: datetime | None) -> int:
        """Keep only the events in ``[start, end]``; return how many remain.

        Raises:
            EvidenceError: no event falls in the window.
        """
        # A view over the events as they were: the Parquet file's row groups outside the
        # window are skipped by their statistics, and nothing is copied.
        self._windows += 1
        wider = f"events_{self._windows}"
        self._con.execute(f"ALTER VIEW events RENAME TO {wider}")
        bounds = [
            f"ts {op} {time_literal(moment)}"
            for op, moment in ((">=", start), ("<=", end))
            if moment is not None
        ]
        where = " AND ".join(bounds) or "true"
        self._con.execute(f"CREATE VIEW events AS SELECT * FROM {wider} WHERE {where}")
        self._view = f"({self._view}) WHERE {where}"
        remaining = int(self._df("SELECT count(*) AS events FROM events")["events"].iloc[0])
        if remaining == 0:
            first, last = self.lines.total, self.lines.used
            raise EvidenceError(
                f"no log events between {start} and {end} ({first} lines read, {last} usable); "
                "widen --window or check the time zone (--tz)"
            )
        return remaining

    @contextmanager
    def meanwhile(self, ask: Callable[[LogStore], T]) -> Iterator[Callable[[], T]]:
        """Ask ``ask`` of the events in another thread while the block asks its own questions.

        The block gets a function that waits for the answer (and raises what ``ask`` raised).
        DuckDB runs one query at a time per connection: ``ask`` gets this store on a cursor of
        its own (another connection to the same views, in the same time zone), closed once
        ``ask`` is done. Its queries run while the block's Python works, on cores it leaves.
        When the block fails, or is stopped (Ctrl-C), the query ``ask`` is running is
        interrupted rather than waited for.
        """
        side = copy.copy(self)
        side._con = self._con.cursor()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incident-nb")
        future: Future[T] | None = None
        try:
            zone = self._con.execute("SELECT current_setting('TimeZone')").fetchone()
            side._con.execute("SET TimeZone = $zone", {"zone": zone[0] if zone else "UTC"})
            future = pool.submit(ask, side)
            yield future.result
        except BaseException:
            # The block failed (or was stopped): the answer is not wanted. An interrupt reaches
            # only a query under way, so it is sent until ``ask`` has ended.
            while future is not None and not future.done():
                side._con.interrupt()
                wait([future], timeout=INTERRUPT_EVERY)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            side._con.close()

    def _df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        try:
            return self._ask(sql, params or {})
        except duckdb.OutOfMemoryException:
            # Exact percentiles keep every latency of a group, which DuckDB cannot spill: let
            # this query take more memory rather than give no answer.
            with unlimited(self._con):
                return self._ask(sql, params or {})

    def _ask(self, sql: str, params: dict[str, Any]) -> pd.DataFrame:
        if self.answers is None:
            return frame(self._con, sql, params)
        return self.answers.answer(self._con, self._view, sql, params)

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

    def failures_since(self, since: datetime, limit: int = 20) -> FailuresSince:
        """The first failing request at or after ``since``, and the ``limit`` most recent."""
        rows = self._df(logsql.FAILURES_SINCE, {"since": since, "limit": limit})
        which = rows.pop("which")
        return FailuresSince(
            first=rows[which == "first"].reset_index(drop=True),
            latest=rows[which == "latest"].reset_index(drop=True),
        )

    def close(self) -> None:
        """Release the DuckDB connection and remove the analysis's temporary files."""
        self._con.close()
        if self._scratch is not None:
            self._scratch.close()
