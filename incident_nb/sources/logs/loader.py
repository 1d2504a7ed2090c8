"""Loading log files of any known format into one normalised ``events`` file, in one pass.

Each file's format (and container envelope) is named or recognised; each format's reader gives
a view of the source columns; the field conventions (or ``--map``) pick the timestamp, tenant,
endpoint, method, status, latency, message, ids, service and level among them; and one pass
converts them into events (ts TIMESTAMPTZ in UTC, latency in milliseconds, the level as a
canonical name and severity) streamed into a Parquet file (:mod:`.eventfile`) while every
record is accounted for: parsed, malformed, or without a usable timestamp. Memory holds a batch
of rows at a time, not the log; the file is the evidence snapshot when one is asked for, and
``events`` is a DuckDB view of it. Files are local paths or remote URIs (:mod:`.remote`), which
DuckDB reads in place through the filesystems registered on its connection. No DuckDB error
reaches the user raw: it is named with the files and format it came from.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from incident_nb.core.errors import EvidenceError
from incident_nb.core.folder import SNAPSHOT
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import (
    MAX_EXAMPLES,
    BadLine,
    LineReport,
    RawInput,
    ReadOptions,
)
from incident_nb.sources.logs.answers import Answers, new_id
from incident_nb.sources.logs.eventfile import (
    EventWriter,
    Window,
    Written,
    describe,
    promote_events,
)
from incident_nb.sources.logs.fieldreport import FieldReport, report_fields
from incident_nb.sources.logs.fields import Choice
from incident_nb.sources.logs.formats import Detected, LogFormat
from incident_nb.sources.logs.inputs import (
    check_files,
    check_tz,
    choose_checked,
    explained,
    format_groups,
    named_error,
)
from incident_nb.sources.logs.lines import lines_sql, literal, skipped_lines
from incident_nb.sources.logs.normalise import located_examples, select_events
from incident_nb.sources.logs.scratch import Scratch, connect

BATCH_ROWS = 1 << 17
"""Rows DuckDB hands over at a time (and so at most per row group of the events file)."""


class Loaded(NamedTuple):
    """What :func:`load_events` gives: the ``LogStore`` constructor's arguments, in order."""

    con: duckdb.DuckDBPyConnection
    lines: LineReport
    fields: dict[str, str | None]
    warnings: tuple[str, ...]
    errors_known: bool
    scratch: Scratch
    """The analysis's temporary folder (spills, and the events file without a snapshot)."""
    answers: Answers | None = None
    """Where the answers to queries of a snapshot are kept (see :mod:`.answers`)."""


def _lines_read(con: duckdb.DuckDBPyConnection, raw: RawInput, rows: int) -> int:
    """The non-blank lines DuckDB read of a line reader's files (its rows, one per line)."""
    if not raw.counts_lines:
        return rows
    row = con.execute(f"SELECT count(*) FROM ({lines_sql(raw.files, numbered=False)})").fetchone()
    return int(row[0]) if row else 0


def _physical_lines(raw: RawInput, counted: int, read: int) -> int:
    """The non-blank lines of a line reader's files (``counted`` is a fast estimate)."""
    if counted != read and raw.exact_records is not None:
        counted = raw.exact_records()
    if counted > read:
        # Lines of blanks only, or lines DuckDB skipped: count them one by one to tell.
        from incident_nb.sources.logs.lines import read_lines  # noqa: PLC0415

        counted = sum(1 for f in raw.files for line in read_lines(f) if line.text.strip())
    return counted


def _batches(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    """The batches of ``reader``; a failure of the query behind it as the DuckDB error it is."""
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except OSError as exc:  # pyarrow hands DuckDB's error on as an OSError
            raise duckdb.Error(str(exc)) from None


def _insert(
    con: duckdb.DuckDBPyConnection, writer: EventWriter, raw: RawInput, choice: Choice
) -> tuple[int, Written]:
    """Parse ``raw`` into ``writer``; return the (fast) count of its records, read beside it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = pool.submit(raw.records)  # reads the files beside DuckDB's parse
        reader = con.sql(select_events(raw, choice, raw.view)).to_arrow_reader(BATCH_ROWS)
        try:
            written = writer.write(_batches(reader))
        finally:
            reader.close()  # a query stopped midway must end before the next one
        return counting.result(), written


def _read(
    con: duckdb.DuckDBPyConnection,
    form: LogFormat,
    group: list[str],
    view: str,
    options: ReadOptions,
) -> RawInput:
    try:
        return form.read(con, group, view, options)
    except duckdb.Error as exc:
        raise named_error(exc, form, group) from None


@dataclass
class _Tally:
    """The line accounting of the groups parsed so far."""

    total: int = 0
    malformed: int = 0
    bad_ts: int = 0
    examples: list[BadLine] = field(default_factory=list)
    lines_read: dict[tuple[str, ...], tuple[RawInput, int, int]] = field(default_factory=dict)
    """Files of line readers -> (a reader, the fast count of their lines, lines read so far)."""

    @property
    def room(self) -> int:
        return MAX_EXAMPLES - len(self.examples)

    def add(self, examples: list[BadLine]) -> None:
        self.examples = sorted([*self.examples, *examples], key=lambda b: (b.path, b.line))
        del self.examples[MAX_EXAMPLES:]


class _PartlyWrittenError(Exception):
    """A fast reader failed after writing some rows: parse again, reading its files by lines."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _parse_group(
    con: duckdb.DuckDBPyConnection,
    writer: EventWriter,
    index: int,
    found: Detected,
    group: list[str],
    *,
    settings: tuple[dict[str, str], str, int | None, bool],
    tally: _Tally,
) -> tuple[RawInput, Choice]:
    """Parse one group of files into ``writer``, adding its accounting to ``tally``."""
    mapping, tz, year, by_lines = settings
    raw = _read(con, found.format, group, f"raw{index}", found.options(year, tz))
    if by_lines and raw.fallback is not None:
        raw = raw.fallback()
    choice = choose_checked(raw, group, mapping)
    # Timestamps without an offset are read in the logs' own zone, then kept in UTC.
    con.execute(f"SET TimeZone = '{tz}'")
    try:
        begun = writer.rows
        try:
            records, written = _insert(con, writer, raw, choice)
        except duckdb.Error as exc:
            if raw.fallback is None:
                raise named_error(exc, found.format, group) from None
            if writer.rows != begun:
                raise _PartlyWrittenError(
                    index
                ) from None  # some of its rows are in the file already
            # DuckDB's fast reader gave up (a line over its size limit): read line by line.
            raw = raw.fallback()
            choice = choose_checked(raw, group, mapping)
            try:
                records, written = _insert(con, writer, raw, choice)
            except duckdb.Error as again:
                raise named_error(again, found.format, group) from None
        bad, no_ts, rows = written.malformed, written.no_timestamp, written.rows
        if raw.located is not None:
            # Lines are checked against the files once all is parsed (several groups may read
            # one file: the programs of a compose log).
            files = tuple(group)
            if files not in tally.lines_read:
                tally.lines_read[files] = (raw, records, _lines_read(con, raw, rows))
            records = rows
        elif raw.records_are_rows:
            records = rows
        else:
            if records != rows and raw.exact_records is not None:
                records = raw.exact_records()  # blank lines are not records: count them out
            # A record the reader skipped entirely (a CSV row with too many fields) is malformed.
            bad += max(0, records - rows)
        tally.total += records
        tally.malformed += bad
        tally.bad_ts += no_ts
        if (bad or no_ts) and tally.room > 0:
            ts_name = choice.first("ts") or raw.time_fallback
            if raw.located is not None:
                found_examples = located_examples(con, raw, choice, ts_name, tally.room)
                if len(found_examples) < min(bad + no_ts, tally.room):
                    # The line reader skips what the parse counted (a line not UTF-8): find it.
                    found_examples += itertools.islice(skipped_lines(group), tally.room)
                tally.add(found_examples)
            else:
                tally.add(list(itertools.islice(raw.bad_lines(ts_name), tally.room)))
    finally:
        con.execute("SET TimeZone = 'UTC'")
    return raw, choice


def _skipped(tally: _Tally) -> None:
    """Count the lines DuckDB's line reader skipped (over-long, not UTF-8) as malformed."""
    for files, (raw, counted, read) in tally.lines_read.items():
        dropped = max(0, _physical_lines(raw, counted, read) - read)
        tally.total += dropped
        tally.malformed += dropped
        if dropped and tally.room > 0:
            tally.add(list(itertools.islice(skipped_lines(files), tally.room)))


def _parse(
    con: duckdb.DuckDBPyConnection,
    writer: EventWriter,
    groups: list[tuple[Detected, list[str]]],
    settings: tuple[dict[str, str], str, int | None],
    by_lines: frozenset[int],
) -> tuple[FieldReport, _Tally]:
    """Parse every group into ``writer``; return the fields and the line accounting."""
    mapping, tz, year = settings
    con.execute("SET TimeZone = 'UTC'")
    report = FieldReport()
    tally = _Tally()
    for index, (found, group) in enumerate(groups):
        raw, choice = _parse_group(
            con,
            writer,
            index,
            found,
            group,
            settings=(mapping, tz, year, index in by_lines),
            tally=tally,
        )
        report = report.merge(choice, raw, found, group)
    _skipped(tally)
    return report, tally


@dataclass
class _Parse:
    """One parse under way: its connection and writer (closed and removed if it fails)."""

    scratch: Scratch
    con: duckdb.DuckDBPyConnection | None = None
    writer: EventWriter | None = None

    def start(
        self, files: list[str], target: Path, window: Window
    ) -> tuple[duckdb.DuckDBPyConnection, EventWriter]:
        """A new connection and writer (after closing any earlier ones)."""
        self.abandon()
        self.con = connect(self.scratch)
        remote.register(self.con, files)
        self.writer = EventWriter(target, window)
        return self.con, self.writer

    def abandon(self) -> None:
        """Close the connection and remove what the writer wrote."""
        if self.con is not None:
            self.con.close()
        if self.writer is not None:
            self.writer.discard()
        self.con, self.writer = None, None


def load_events(
    paths: Sequence[str | Path],
    mapping: dict[str, str] | None = None,
    fmt: str = "auto",
    tz: str = "UTC",
    year: int | None = None,
    *,
    snapshot: Path | None = None,
    window: Window = (None, None),
) -> Loaded:
    """Parse log files into an events file, and a DuckDB connection whose ``events`` view it is.

    Args:
        paths: the log files (any mix of the known formats when ``fmt`` is ``auto``): local
            paths, or ``https://``, ``http://`` and ``s3://`` URIs (the ``remote`` extra).
        mapping: canonical field (``timestamp``, ``tenant``, ...) -> source field (a dotted
            path inside nested objects), overriding the conventions of :data:`FIELD_CANDIDATES`.
        fmt: a format name of :data:`~incident_nb.sources.logs.formats.FORMATS`, or ``auto``.
        tz: the time zone of timestamps written without an offset.
        year: the year of timestamps written without one (syslog, glog); else each file's
            modification year.
        snapshot: a folder to keep the events in as the evidence snapshot (``events.parquet``,
            replaced whole once complete); by default they stay in a temporary folder.
        window: keep only the events in ``[start, end]`` (either may be None); the line
            accounting still counts every line.

    Returns:
        The connection, the accounting of every line, role -> source field (None where no
        field plays it), warnings about the reading, whether errors can be told at all, and
        the temporary folder to remove when done (closing the store does).

    Raises:
        EvidenceError: a file is missing, empty, unreachable or of an unknown format, the logs
            have no timestamp field, or no line (or none in the window) is usable.
        StorageError: the events could not be written (the snapshot folder or the temporary
            folder is full or read-only); nothing half-written is left.
    """
    files = check_files(paths)
    tz = check_tz(tz)
    parse = _Parse(Scratch())
    data = (snapshot if snapshot is not None else parse.scratch.path) / SNAPSHOT
    target = data.with_name(f".{SNAPSHOT}.partial") if snapshot is not None else data
    try:
        groups = format_groups(files, fmt)
        by_lines: frozenset[int] = frozenset()
        while True:
            con, writer = parse.start(files, target, window)
            try:
                report, tally = _parse(con, writer, groups, (mapping or {}, tz, year), by_lines)
                break
            except _PartlyWrittenError as again:
                by_lines |= {again.index}
        lines = LineReport(
            total=tally.total,
            parsed=tally.total - tally.malformed,
            malformed=tally.malformed,
            bad_timestamp=tally.bad_ts,
            examples=tuple(tally.examples),
        )
        if lines.used == 0:
            raise EvidenceError(
                f"no usable log lines in {', '.join(map(remote.display, files))}: "
                f"{lines.malformed} malformed, {lines.bad_timestamp} without a usable timestamp; "
                "check the format (--format) and the timestamp field (--map timestamp=FIELD)"
            )
        if writer.kept == 0:
            raise EvidenceError(
                f"no log events between {window[0]} and {window[1]} ({lines.total} lines read, "
                f"{lines.used} usable); widen --window or check the time zone (--tz)"
            )
        fields, warnings, errors_known = report_fields(writer.counts, report)
        events_id = new_id()
        writer.finish(describe(lines, fields, warnings, errors_known, events_id))
        answers = None
        if snapshot is not None:
            promote_events(con, target, data)
            answers = Answers(snapshot, events_id)
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet({literal(data)})")
    except BaseException as exc:
        parse.abandon()
        parse.scratch.close()
        if isinstance(exc, Exception) and (told := explained(exc, files)) is not exc:
            raise told from (None if isinstance(exc, duckdb.Error) else exc)
        raise
    return Loaded(con, lines, fields, warnings, errors_known, parse.scratch, answers)
