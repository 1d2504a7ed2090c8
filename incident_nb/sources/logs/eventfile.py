"""The parsed events of one investigation as one Parquet file, written by the parse's own pass.

The loader streams each reader's normalised rows (Arrow batches from DuckDB) through an
:class:`EventWriter`: every row is counted (malformed, without a usable timestamp, usable), the
usable ones inside the window are written, and memory holds one batch at a time, however long
the log. When the parse is done, the line accounting, the fields and the warnings go into the
file's key-value metadata (:func:`describe`), so that the file describes itself. The analysis
queries this very file, and with ``--snapshot`` it is the evidence snapshot, written to a
temporary name beside the old one and renamed over it once complete (:func:`promote_events`):
no second pass writes it, and a failed run never leaves half a snapshot.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incident_nb.core.durable import promote, storage_error
from incident_nb.core.errors import EvidenceError, StorageError
from incident_nb.sources.logs import answers
from incident_nb.sources.logs.accounting import BadLine, LineReport
from incident_nb.sources.logs.fieldreport import COUNTED, EventCounts
from incident_nb.sources.logs.fields import ROLES
from incident_nb.sources.logs.names import CODED, VALUE_RULES, coded
from incident_nb.sources.logs.normalise import SQL_TYPES

SNAPSHOT_KEY = "incident_nb.evidence"
"""The Parquet key-value metadata entry holding the line accounting, fields and warnings."""
SNAPSHOT_META = "events.json"
"""Where snapshots written before the accounting moved into the Parquet file kept it."""
_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64()}
EVENTS = pa.schema(
    [
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        *(
            pa.field(name, CODED if name in VALUE_RULES else _ARROW[sql_type])
            for name, sql_type in SQL_TYPES.items()
        ),
        pa.field("is_error", pa.bool_()),
    ]
)
"""The columns of the events file (see :mod:`.normalise`); the names that group requests are
written from a dictionary of their values, the rules of :mod:`.names` applied."""
WRITER_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "use_dictionary": [f.name for f in EVENTS if f.type in (pa.string(), CODED)],
    # Times as deltas (a byte or two each, and no zstd to undo at every query); latencies
    # split by byte, which zstd packs better.
    "column_encoding": {"ts": "DELTA_BINARY_PACKED", "latency_ms": "BYTE_STREAM_SPLIT"},
    # Row groups are skipped by these: outside a window, or without errors.
    "write_statistics": ["ts", "is_error"],
}
"""How the events are written. Against the defaults, on 10M lines of a service log: a third
less work to write, a third less to query (every query reads the times), a third smaller."""
Window = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class Written:
    """What one reader's rows came to."""

    rows: int
    malformed: int
    no_timestamp: int
    """Rows that are not malformed but have no usable timestamp."""


def _count_true(mask: pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)


class EventWriter:
    """Writes usable events into one Parquet file, batch by batch, counting every row.

    The file is created at once (a folder that cannot be written fails before any parsing).

    Raises:
        StorageError: the file cannot be created or written (the cause named).
    """

    def __init__(self, path: Path, window: Window = (None, None)) -> None:
        self.path = path
        self._window = window
        self.counts = EventCounts()
        """The usable events written so far, in or out of the window, and their values."""
        self.kept = 0
        """Events written (inside the window)."""
        self.rows = 0
        """Rows read so far, usable or not."""
        sink: pa.NativeFile | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The file is opened here, so that it is closed on every failure, even one the
            # writer cannot recover from (a full disk): no handle on a removed file outlives
            # the parse, which would keep its space and its file system busy.
            sink = pa.OSFile(str(path), "wb")
            self._writer = pq.ParquetWriter(sink, EVENTS, **WRITER_OPTIONS)
        except OSError as exc:
            with contextlib.suppress(OSError):  # no folder (a file in its place): no file either
                if sink is not None:
                    sink.close()
                path.unlink(missing_ok=True)
            raise storage_error(exc, path) from exc
        self._sink = sink

    def write(self, batches: Iterable[pa.RecordBatch]) -> Written:
        """Count the rows of ``batches`` (events plus ``malformed``); write the usable ones."""
        rows = malformed = no_ts = 0
        for batch in batches:
            rows += batch.num_rows
            self.rows += batch.num_rows
            bad = pc.fill_null(batch.column("malformed"), False)
            usable = pc.and_(pc.invert(bad), pc.is_valid(batch.column("ts")))
            flawed, good = _count_true(bad), _count_true(usable)
            malformed += flawed
            no_ts += batch.num_rows - good - flawed
            self._add(batch if good == batch.num_rows else batch.filter(usable))
        return Written(rows, malformed, no_ts)

    def _add(self, batch: pa.RecordBatch) -> None:
        batch = coded(batch)
        unknown = batch.column("is_error").null_count  # no status, outcome or level
        values = {c: batch.num_rows - batch.column(c).null_count for c in COUNTED}
        self.counts += EventCounts(batch.num_rows, unknown, values)
        start, end = self._window
        ts = batch.column("ts")
        if start is not None:
            batch = batch.filter(pc.greater_equal(ts, pa.scalar(start, ts.type)))
            ts = batch.column("ts")
        if end is not None:
            batch = batch.filter(pc.less_equal(ts, pa.scalar(end, ts.type)))
        if batch.num_rows == 0:
            return
        # The zone of the session that parsed them names the times; the file keeps them in UTC.
        columns = [batch.column(f.name).cast(f.type) for f in EVENTS]
        try:
            self._writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=EVENTS))
        except OSError as exc:
            self.discard()
            raise storage_error(exc, self.path) from exc
        self.kept += batch.num_rows

    def finish(self, description: str) -> None:
        """Store ``description`` (see :func:`describe`) in the file's metadata and close it.

        Raises:
            StorageError: the file could not be completed; it is removed.
        """
        try:
            self._writer.add_key_value_metadata({SNAPSHOT_KEY: description})
            self._writer.close()
            self._sink.close()
        except OSError as exc:
            self.discard()
            raise storage_error(exc, self.path) from exc

    def discard(self) -> None:
        """Close the file and remove it (after a failure, or to start again)."""
        if self._writer.is_open:
            with contextlib.suppress(OSError):  # a full disk: the file goes anyway
                self._writer.close()
        with contextlib.suppress(OSError):
            self._sink.close()
        self.path.unlink(missing_ok=True)


# --- the description in the file's metadata -----------------------------------------------


@dataclass(frozen=True)
class Description:
    """What the events file says about itself."""

    lines: LineReport
    fields: dict[str, str | None]
    warnings: tuple[str, ...] = ()
    errors_known: bool = True
    events_id: str | None = None
    """Unique to this file (see :mod:`.answers`); None in files written before ids."""


def describe(
    lines: LineReport,
    fields: Mapping[str, str | None],
    warnings: Sequence[str],
    errors_known: bool,
    events_id: str,
) -> str:
    """The JSON text stored in the events file's metadata."""
    counts = {
        "total": lines.total,
        "parsed": lines.parsed,
        "malformed": lines.malformed,
        "bad_timestamp": lines.bad_timestamp,
    }
    examples = [
        {"path": b.path, "line": b.line, "reason": b.reason, "text": b.text} for b in lines.examples
    ]
    return json.dumps(
        {
            "lines": counts,
            "examples": examples,
            "fields": dict(fields),
            "warnings": list(warnings),
            "errors_known": errors_known,
            "id": events_id,
        }
    )


_OLD_ROLES = {"ts": "timestamp", "latency_ms": "latency"}


def _roles(stored: Mapping[str, object]) -> dict[str, str | None]:
    """Role -> field of a snapshot; one written before the roles named them their own way too."""
    roles: dict[str, str | None] = dict.fromkeys(ROLES)
    for key, value in stored.items():
        roles[_OLD_ROLES.get(str(key), str(key))] = None if value is None else str(value)
    return roles


def read_info(con: duckdb.DuckDBPyConnection, data: Path) -> dict[str, Any]:
    """The stored description of an events file (in its metadata, or beside it), as JSON.

    Raises:
        EvidenceError: the file has none (it was not written by incident-nb).
    """
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


def read_description(con: duckdb.DuckDBPyConnection, data: Path) -> Description:
    """The description of an events file (see :func:`read_info`)."""
    info = read_info(con, data)
    counts = info["lines"]
    examples = tuple(
        BadLine(str(e["path"]), int(e["line"]), str(e["reason"]), str(e["text"]))
        for e in info.get("examples", ())
    )
    report = LineReport(
        total=int(counts["total"]),
        parsed=int(counts["parsed"]),
        malformed=int(counts["malformed"]),
        bad_timestamp=int(counts["bad_timestamp"]),
        examples=examples,
    )
    return Description(
        report,
        _roles(info["fields"]),
        tuple(str(w) for w in info.get("warnings", ())),
        bool(info.get("errors_known", True)),
        str(info["id"]) if info.get("id") else None,
    )


def promote_events(con: duckdb.DuckDBPyConnection, written: Path, data: Path) -> None:
    """Rename a complete events file over ``data``, durably, once it reads back whole.

    Raises:
        StorageError: it could not be synced, checked or renamed (the cause named); ``written``
            is removed and the previous ``data`` is kept.
    """
    try:
        promote(written, data, lambda path: read_info(con, path))
        answers.clear(data.parent)  # they were about the events replaced
    except OSError as exc:
        raise storage_error(exc, data) from exc
    except (duckdb.Error, EvidenceError) as exc:  # DuckDB reports I/O failures its own way
        written.unlink(missing_ok=True)
        raise duckdb_storage_error(exc, data) from None


def duckdb_storage_error(exc: Exception, data: Path) -> StorageError:
    """A :class:`StorageError` for a write of ``data`` that DuckDB reported."""
    code = re.search(r'"errno":\s*"?(\d+)', str(exc))
    if code:
        cause = OSError(int(code.group(1)), os.strerror(int(code.group(1))))
        return storage_error(cause, data)
    kept = "; the previous snapshot was kept" if data.exists() else ""
    return StorageError(
        f"cannot write the evidence snapshot {data}: {exc}; free some space on the disk "
        f"or use a writable folder{kept}"
    )
