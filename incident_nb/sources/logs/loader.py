"""Loading log files of any known format into one normalised DuckDB ``events`` table.

Each file's format is named or recognised; each format's reader gives a view of the source
columns; the field conventions (or ``--map``) pick the timestamp, tenant, endpoint, status,
latency, message, request id and level among them; and one pass converts them into
``events`` (ts TIMESTAMPTZ in UTC, latency in milliseconds) while every record is accounted
for: parsed, malformed, or without a usable timestamp. Files are local paths or remote URIs
(:mod:`.remote`), which DuckDB reads in place through the filesystems registered on its
connection.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.sources import logsql
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import MAX_EXAMPLES, BadLine, LineReport, RawInput
from incident_nb.sources.logs.fields import (
    FIELD_CANDIDATES,
    duration_expr,
    override_fields,
    pick_field,
    timestamp_expr,
)
from incident_nb.sources.logs.formats import LogFormat, detect_format, get_format

SQL_TYPES = {
    "tenant": "VARCHAR",
    "endpoint": "VARCHAR",
    "status": "INTEGER",
    "latency_ms": "DOUBLE",
    "message": "VARCHAR",
    "request_id": "VARCHAR",
    "level": "VARCHAR",
}
"""The canonical fields besides the timestamp, with their types in ``events``."""
_ERRORS_ONLY = ("message", "request_id")


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


def _groups(files: list[str], fmt: str) -> list[tuple[LogFormat, list[str]]]:
    """Files grouped by format, in the order given."""
    chosen = [get_format(fmt) if fmt != "auto" else detect_format(f) for f in files]
    grouped: dict[str, tuple[LogFormat, list[str]]] = {}
    for f, file in zip(chosen, files, strict=True):
        grouped.setdefault(f.name, (f, []))[1].append(file)
    return list(grouped.values())


def _fields(raw: RawInput, files: list[str], mapping: dict[str, str]) -> dict[str, str]:
    fields = {
        name: col
        for name, cands in FIELD_CANDIDATES.items()
        if (col := pick_field(raw.schema, cands))
    }
    fields.update(override_fields(mapping, raw.schema))
    if "ts" not in fields:
        raise EvidenceError(
            f"no timestamp field in {', '.join(map(remote.display, files))}: looked for "
            f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(sorted(raw.schema))}; "
            "name it with --map timestamp=FIELD"
        )
    return fields


def _select(raw: RawInput, fields: dict[str, str]) -> str:
    """SQL turning the reader's view into ``events`` rows (plus a ``malformed`` flag)."""
    exprs = [f"{timestamp_expr(fields['ts'], raw.schema[fields['ts']])} AS ts"]
    for name, sql_type in SQL_TYPES.items():
        col = fields.get(name)
        if col and name == "latency_ms":
            exprs.append(f"{duration_expr(col)} AS {name}")
        elif col:
            exprs.append(f'try_cast("{col}" AS {sql_type}) AS {name}')
        else:
            exprs.append(f"NULL::{sql_type} AS {name}")
    # Messages and request ids are kept for errors only: nothing reads them for other lines,
    # and they are most of the bytes of the table and of its snapshot.
    kept = ", ".join(
        f"CASE WHEN is_error THEN {name} END AS {name}" if name in _ERRORS_ONLY else name
        for name in ("ts", *SQL_TYPES)
    )
    return (
        f"SELECT {kept}, malformed, is_error FROM (SELECT *, {logsql.IS_ERROR} AS is_error FROM "
        f"(SELECT {', '.join(exprs)}, ({raw.malformed}) AS malformed FROM {raw.view}))"
    )


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    row = con.execute(
        "SELECT count(*) FILTER (WHERE malformed), "
        "count(*) FILTER (WHERE ts IS NULL AND NOT malformed), count(*) FROM parsed"
    ).fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


def _parse(
    con: duckdb.DuckDBPyConnection,
    groups: list[tuple[LogFormat, list[str]]],
    mapping: dict[str, str],
    tz: str,
) -> tuple[dict[str, str], int, int, int, list[BadLine]]:
    """Parse every group into ``events``; return the fields and the line accounting."""
    con.execute("SET TimeZone = 'UTC'")
    # Every query orders its own result, so the table need not keep the files' order: DuckDB
    # then fills it from its threads without re-sequencing their batches.
    con.execute("SET preserve_insertion_order = false")
    fields: dict[str, str] = {}
    total = malformed = bad_ts = 0
    examples: list[BadLine] = []
    seen = (0, 0, 0)
    for index, (form, group) in enumerate(groups):
        raw = form.read(con, group, f"raw{index}")
        chosen = _fields(raw, group, mapping)
        # Timestamps without an offset are read in the logs' own zone, then kept in UTC.
        con.execute(f"SET TimeZone = '{tz}'")
        verb = "CREATE TABLE parsed AS" if index == 0 else "INSERT INTO parsed"
        with ThreadPoolExecutor(max_workers=1) as pool:
            counting = pool.submit(raw.records)  # reads the files beside DuckDB's parse
            con.execute(f"{verb} {_select(raw, chosen)}")
            records = counting.result()
        con.execute("SET TimeZone = 'UTC'")
        now = _counts(con)
        bad, no_ts, rows = (a - b for a, b in zip(now, seen, strict=True))
        seen = now
        if records != rows and raw.exact_records is not None:
            records = raw.exact_records()  # blank lines are not records: count them out
        # A record the reader skipped entirely (a CSV row with too many fields) is malformed.
        bad += max(0, records - rows)
        total, malformed, bad_ts = total + records, malformed + bad, bad_ts + no_ts
        if (bad or no_ts) and len(examples) < MAX_EXAMPLES:
            examples += itertools.islice(raw.bad_lines(chosen["ts"]), MAX_EXAMPLES - len(examples))
        for name, col in chosen.items():
            fields.setdefault(name, col)
    if malformed or bad_ts:
        # Parsed once, in place: only the unusable rows go (they are counted above).
        con.execute("DELETE FROM parsed WHERE ts IS NULL OR malformed")
    con.execute("ALTER TABLE parsed DROP COLUMN malformed")
    con.execute("ALTER TABLE parsed RENAME TO events")
    return fields, total, malformed, bad_ts, examples


def load_events(
    paths: Sequence[str | Path],
    mapping: dict[str, str] | None = None,
    fmt: str = "auto",
    tz: str = "UTC",
) -> tuple[duckdb.DuckDBPyConnection, LineReport, dict[str, str]]:
    """Parse log files into an ``events`` table of a new DuckDB connection.

    Args:
        paths: the log files (any mix of the known formats when ``fmt`` is ``auto``): local
            paths, or ``https://``, ``http://`` and ``s3://`` URIs (the ``remote`` extra).
        mapping: canonical field (``timestamp``, ``tenant``, ...) -> source field, overriding
            the conventions of :data:`FIELD_CANDIDATES`.
        fmt: a format name of :data:`~incident_nb.sources.logs.formats.FORMATS`, or ``auto``.
        tz: the time zone of timestamps written without an offset.

    Returns:
        The connection, the accounting of every line, and canonical field -> source column.

    Raises:
        EvidenceError: a file is missing, empty, unreachable or of an unknown format, the logs
            have no timestamp field, or no line is usable.
    """
    files = _check_files(paths)
    tz = _check_tz(tz)
    con = duckdb.connect()
    try:
        remote.register(con, files)
        fields, total, malformed, bad_ts, examples = _parse(
            con, _groups(files, fmt), mapping or {}, tz
        )
    except Exception as exc:
        con.close()
        far = [f for f in files if remote.is_remote(f)]
        if far and not isinstance(exc, EvidenceError):
            # A connection lost or access revoked midway: name the files, not a traceback.
            raise remote.read_failed(exc, far) from exc
        raise
    report = LineReport(
        total=total,
        parsed=total - malformed,
        malformed=malformed,
        bad_timestamp=bad_ts,
        examples=tuple(examples),
    )
    if report.used == 0:
        con.close()
        raise EvidenceError(
            f"no usable log lines in {', '.join(map(remote.display, files))}: {malformed} "
            f"malformed, {bad_ts} without a parsable timestamp; check the format (--format) and "
            "the timestamp field (--map timestamp=FIELD)"
        )
    return con, report, fields
