"""Loading log files of any known format into one normalised DuckDB ``events`` table.

Each file's format (and container envelope) is named or recognised; each format's reader gives
a view of the source columns; the field conventions (or ``--map``) pick the timestamp, tenant,
endpoint, method, status, latency, message, ids, service and level among them; and one pass
converts them into ``events`` (ts TIMESTAMPTZ in UTC, latency in milliseconds, the level as a
canonical name and severity) while every record is accounted for: parsed, malformed, or
without a usable timestamp. Files are local paths or remote URIs (:mod:`.remote`), which DuckDB
reads in place through the filesystems registered on its connection. No DuckDB error reaches
the user raw: it is named with the files and format it came from.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import (
    MAX_EXAMPLES,
    BadLine,
    LineReport,
    RawInput,
    ReadOptions,
)
from incident_nb.sources.logs.fieldreport import FieldReport, report_fields
from incident_nb.sources.logs.fields import FIELD_CANDIDATES, Choice, choose_fields
from incident_nb.sources.logs.formats import Detected, LogFormat, detect_all
from incident_nb.sources.logs.lines import lines_sql, skipped_lines
from incident_nb.sources.logs.normalise import located_examples, select_events


class Loaded(NamedTuple):
    """What :func:`load_events` gives: the ``LogStore`` constructor's arguments, in order."""

    con: duckdb.DuckDBPyConnection
    lines: LineReport
    fields: dict[str, str | None]
    warnings: tuple[str, ...]
    errors_known: bool


def _check_files(paths: Sequence[str | Path]) -> list[str]:
    """The files as local paths or URIs, each checked to be there and not empty."""
    if not paths:
        raise EvidenceError("no log files given; pass at least one with --logs FILE")
    files: list[str] = []
    for given in paths:
        if remote.scheme(given):
            remote.check(str(given))
            files.append(str(given))
            continue
        file = Path(given)
        if not file.is_file():
            raise EvidenceError(f"log file not found: {file}")
        if file.stat().st_size == 0:
            raise EvidenceError(f"log file is empty: {file}; check the path or the export")
        files.append(str(file))
    return files


def _check_tz(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise EvidenceError(
            f"unknown time zone {tz!r} for --tz; use an IANA name such as Europe/Berlin or UTC"
        ) from None
    return tz


def _groups(files: list[str], fmt: str) -> list[tuple[Detected, list[str]]]:
    """Files grouped by how they are read (format, envelope, programs), in the order given."""
    grouped: dict[tuple[object, ...], tuple[Detected, list[str]]] = {}
    for file in files:
        for found in detect_all(file, fmt):
            envelope = found.envelope.name if found.envelope else ""
            key = (found.format.name, envelope, found.only, found.besides)
            grouped.setdefault(key, (found, []))[1].append(file)
    return list(grouped.values())


def _choose(raw: RawInput, files: list[str], mapping: dict[str, str]) -> Choice:
    choice = choose_fields(raw.schema, mapping, raw.hints)
    if choice.first("ts") is None and not raw.time_fallback:
        shown = sorted(raw.schema)
        more = f" and {len(shown) - 60} more" if len(shown) > 60 else ""
        raise EvidenceError(
            f"no timestamp field in {', '.join(map(remote.display, files))}: looked for "
            f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(shown[:60])}{more}; "
            "name it with --map timestamp=FIELD"
        )
    return choice


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    row = con.execute(
        "SELECT count(*) FILTER (WHERE malformed), "
        "count(*) FILTER (WHERE ts IS NULL AND NOT malformed), count(*) FROM parsed"
    ).fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


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


def _insert(con: duckdb.DuckDBPyConnection, verb: str, raw: RawInput, choice: Choice) -> int:
    """Parse ``raw`` into ``parsed``; return the (fast) count of its records, read beside it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = pool.submit(raw.records)  # reads the files beside DuckDB's parse
        con.execute(f"{verb} {select_events(raw, choice, raw.view)}")
        return counting.result()


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
        raise _named(exc, form, group) from None


def _first_line(exc: duckdb.Error) -> str:
    """What DuckDB said, in one line without its error class."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(" Error: ", 1)[-1][:300]


def _named(exc: duckdb.Error, form: LogFormat, group: list[str]) -> EvidenceError:
    return EvidenceError(
        f"could not read {', '.join(map(remote.display, group))} as {form.name} "
        f"({form.summary}): {_first_line(exc)}; check the format, or name it with --format"
    )


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


def _parse_group(
    con: duckdb.DuckDBPyConnection,
    index: int,
    found: Detected,
    group: list[str],
    *,
    settings: tuple[dict[str, str], str, int | None],
    tally: _Tally,
) -> tuple[RawInput, Choice]:
    """Parse one group of files into ``parsed``, adding its accounting to ``tally``."""
    mapping, tz, year = settings
    raw = _read(con, found.format, group, f"raw{index}", found.options(year, tz))
    choice = _choose(raw, group, mapping)
    before = _counts(con) if index else (0, 0, 0)
    # Timestamps without an offset are read in the logs' own zone, then kept in UTC.
    con.execute(f"SET TimeZone = '{tz}'")
    verb = "CREATE TABLE parsed AS" if index == 0 else "INSERT INTO parsed"
    try:
        try:
            records = _insert(con, verb, raw, choice)
        except duckdb.Error as exc:
            if raw.fallback is None:
                raise _named(exc, found.format, group) from None
            # DuckDB's fast reader gave up (a line over its size limit): read line by line.
            raw = raw.fallback()
            choice = _choose(raw, group, mapping)
            try:
                records = _insert(con, verb, raw, choice)
            except duckdb.Error as again:
                raise _named(again, found.format, group) from None
        bad, no_ts, rows = (a - b for a, b in zip(_counts(con), before, strict=True))
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
    groups: list[tuple[Detected, list[str]]],
    mapping: dict[str, str],
    tz: str,
    year: int | None,
) -> tuple[FieldReport, _Tally]:
    """Parse every group into ``events``; return the fields and the line accounting."""
    con.execute("SET TimeZone = 'UTC'")
    # Every query orders its own result, so the table need not keep the files' order: DuckDB
    # then fills it from its threads without re-sequencing their batches.
    con.execute("SET preserve_insertion_order = false")
    report = FieldReport()
    tally = _Tally()
    for index, (found, group) in enumerate(groups):
        raw, choice = _parse_group(
            con, index, found, group, settings=(mapping, tz, year), tally=tally
        )
        report = report.merge(choice, raw, found, group)
    _skipped(tally)
    if tally.malformed or tally.bad_ts:
        # Parsed once, in place: only the unusable rows go (they are counted above).
        con.execute("DELETE FROM parsed WHERE ts IS NULL OR malformed")
    con.execute("ALTER TABLE parsed DROP COLUMN malformed")
    con.execute("ALTER TABLE parsed RENAME TO events")
    return report, tally


def load_events(
    paths: Sequence[str | Path],
    mapping: dict[str, str] | None = None,
    fmt: str = "auto",
    tz: str = "UTC",
    year: int | None = None,
) -> Loaded:
    """Parse log files into an ``events`` table of a new DuckDB connection.

    Args:
        paths: the log files (any mix of the known formats when ``fmt`` is ``auto``): local
            paths, or ``https://``, ``http://`` and ``s3://`` URIs (the ``remote`` extra).
        mapping: canonical field (``timestamp``, ``tenant``, ...) -> source field (a dotted
            path inside nested objects), overriding the conventions of :data:`FIELD_CANDIDATES`.
        fmt: a format name of :data:`~incident_nb.sources.logs.formats.FORMATS`, or ``auto``.
        tz: the time zone of timestamps written without an offset.
        year: the year of timestamps written without one (syslog, glog); else each file's
            modification year.

    Returns:
        The connection, the accounting of every line, role -> source field (None where no
        field plays it), warnings about the reading, and whether errors can be told at all.

    Raises:
        EvidenceError: a file is missing, empty, unreachable or of an unknown format, the logs
            have no timestamp field, or no line is usable.
    """
    files = _check_files(paths)
    tz = _check_tz(tz)
    con = duckdb.connect()
    try:
        remote.register(con, files)
        report, tally = _parse(con, _groups(files, fmt), mapping or {}, tz, year)
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
        fields, warnings, errors_known = report_fields(con, report)
    except Exception as exc:
        con.close()
        far = [f for f in files if remote.is_remote(f)]
        if far and not isinstance(exc, EvidenceError):
            # A connection lost or access revoked midway: name the files, not a traceback.
            raise remote.read_failed(exc, far) from exc
        if isinstance(exc, duckdb.Error):
            raise EvidenceError(
                f"could not read {', '.join(map(remote.display, files))}: {_first_line(exc)}; "
                "check the format, or name it with --format"
            ) from None
        raise
    return Loaded(con, lines, fields, warnings, errors_known)
