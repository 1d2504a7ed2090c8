"""Container log tables: one row per line of container output, as collected from Kubernetes.

A row (CSV or Parquet, gzip or not) names its pod or service, often the trace and span the line
belongs to, and the line itself, usually wrapped in the container runtime's JSON record (Docker's
json-file ``{"log": "...", "stream": "stdout", "time": "...Z"}``). Inside is the application's
line, e.g. a logback line ``16:44:20.851 INFO  e.s.ExecuteServiceImpl#178 TraceID: ... [msg]``
with the level and the code location in the text and a local-time clock.

Every convention is a table, so other runtimes and layouts are rows, not code:

- :data:`ROW_COLUMNS`: which column holds the time, pod, service, trace id, span id and line;
- :data:`ENVELOPES`: runtime records, with the field holding the line and the one holding its
  UTC time (the record's real time, preferred to every other clock);
- :data:`LAYOUTS`: application line layouts, giving the level, the code location (``logger#line``)
  and the message; the clock inside the line is never used (it is local time);
- :data:`LEVELS`: level words and the level they mean.

The record time is the envelope's, else the row's epoch-nanosecond column when it is positive (a
negative one is bogus), else its ISO time. A CSV line with the wrong number of fields is counted
and skipped, an envelope that is not JSON is taken as the line itself: nothing stops the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.kubernetes import services_of_pods
from incident_nb.sources.traces.spans import BadSpan
from incident_nb.sources.traces.tables import (
    epoch_nanos,
    normal_name,
    read_csv_strings,
    table_header,
)

LOG_COLUMNS = ("time", "service", "pod", "trace_id", "span_id", "level", "source", "message")
"""The columns of the frame :func:`read_container_logs` returns."""


@dataclass(frozen=True)
class RowColumn:
    """Column names (normalised) holding one field of a row, the first present wins."""

    field: str
    columns: tuple[str, ...]
    unit: str = ""
    """For times: ``ns`` for epoch nanoseconds, empty for text or epoch by magnitude."""


ROW_COLUMNS: tuple[RowColumn, ...] = (
    RowColumn("time_ns", ("timeunixnano", "timestampunixnano", "observedtimeunixnano"), "ns"),
    RowColumn("time", ("timestamp", "time", "ts", "datetime", "date")),
    RowColumn("pod", ("podname", "pod", "k8spodname", "kubernetespodname")),
    RowColumn("service", ("servicename", "service", "app", "application")),
    RowColumn("container", ("container", "containername")),
    RowColumn("trace_id", ("traceid", "tracecontexttraceid")),
    RowColumn("span_id", ("spanid", "tracecontextspanid")),
    RowColumn("line", ("log", "message", "msg", "line", "body", "text")),
)
MAP_FIELDS = tuple(c.field for c in ROW_COLUMNS)
"""The fields ``--map`` may name for container log tables."""


@dataclass(frozen=True)
class Envelope:
    """A container runtime's JSON record around one line of output."""

    name: str
    text: str
    """The field holding the line."""
    time: str
    """The field holding the record's UTC time."""


ENVELOPES: tuple[Envelope, ...] = (
    Envelope("docker json-file", "log", "time"),
    Envelope("fluent-bit / fluentd", "log", "@timestamp"),
    Envelope("generic JSON record", "message", "timestamp"),
)


@dataclass(frozen=True)
class Layout:
    """An application line layout: a regular expression with ``level``, ``source``, ``message``."""

    name: str
    pattern: str
    example: str = field(default="", compare=False)


_CLOCK = r"(?:\d{4}-\d{2}-\d{2}[ T])?\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "logback (time level logger#line message)",
        rf"{_CLOCK}\s+(?P<level>[A-Za-z]+)\s+(?P<source>[\w$.\[\]]+#\d+)\s+"
        r"(?:TraceID:\s*\S*\s+SpanID:\s*\S*\s+)?(?P<message>.*)",
        "16:44:20.851 INFO  e.s.ExecuteServiceImpl#178 TraceID: ... [message]",
    ),
    Layout(
        "Spring Boot (time level pid --- [thread] logger : message)",
        rf"{_CLOCK}\s+(?P<level>[A-Za-z]+)\s+\d+\s+---\s+\[[^\]]*\]\s+(?P<source>\S+)\s*:\s(?P<message>.*)",
        "2023-01-29 08:44:20.851  INFO 1 --- [nio-8080-exec-1] c.e.Controller : message",
    ),
    Layout(
        "logback default (time [thread] level logger - message)",
        rf"{_CLOCK}\s+\[[^\]]*\]\s+(?P<level>[A-Za-z]+)\s+(?P<source>\S+)\s+-\s(?P<message>.*)",
        "08:44:20.851 [main] INFO c.e.App - message",
    ),
    Layout(
        "time level message",
        rf"{_CLOCK}\s+\[?(?P<level>[A-Za-z]+)\]?\s+(?P<message>.*)",
        "2023-01-29T08:44:20Z ERROR message",
    ),
)
_LAYOUTS = tuple(re.compile(layout.pattern, re.DOTALL) for layout in LAYOUTS)

LEVELS: dict[str, str] = {
    "trace": "debug",
    "debug": "debug",
    "fine": "debug",
    "info": "info",
    "notice": "info",
    "warn": "warning",
    "warning": "warning",
    "error": "error",
    "err": "error",
    "severe": "error",
    "fatal": "fatal",
    "critical": "fatal",
    "crit": "fatal",
    "alert": "fatal",
    "emerg": "fatal",
    "panic": "fatal",
}
"""Level words (lower-case) and the level they mean."""


@dataclass(frozen=True)
class LogTableReport:
    """What was read: rows kept, duplicate rows dropped, malformed lines with examples."""

    rows: int
    duplicates: int
    malformed: int
    """CSV lines with the wrong number of fields (skipped)."""
    unusable: int
    """Rows without a readable time or without a pod or service (left out)."""
    examples: tuple[BadSpan, ...]


def read_container_logs(
    paths: Sequence[Path], mapping: Sequence[tuple[str, str]] = ()
) -> tuple[pd.DataFrame, LogTableReport]:
    """Read container log tables into one frame (columns :data:`LOG_COLUMNS`) and a report.

    Repeated rows (the same record in two overlapping files) are kept once.

    Raises:
        EvidenceError: a file is missing or unreadable, or has no line column.
    """
    wanted = {k: v for k, v in mapping if k in MAP_FIELDS}
    frames: list[pd.DataFrame] = []
    skipped: list[BadSpan] = []
    for path in map(Path, paths):
        if not path.is_file():
            raise EvidenceError(f"log file not found: {path}; check the path")
        frames.append(_read(path, wanted, skipped))
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    before = len(raw)
    raw = raw.drop_duplicates(ignore_index=True)
    frame = _records(raw)
    report = LogTableReport(
        len(frame), before - len(raw), len(skipped), len(raw) - len(frame), tuple(skipped[:5])
    )
    return frame, report


def _read(path: Path, mapping: dict[str, str], skipped: list[BadSpan]) -> pd.DataFrame:
    try:
        header = table_header(path)
        chosen = _choose(path, header, mapping)
        if path.name.lower().endswith((".parquet", ".pq")):
            table = pq.read_table(path, columns=sorted(set(chosen.values()))).to_pandas()
            table = table.astype(str)
        else:
            table = read_csv_strings(path, sorted(set(chosen.values())), skipped)
    except (OSError, pa.ArrowInvalid, ValueError) as exc:
        raise EvidenceError(f"cannot read log table {path}: {exc}") from None
    return pd.DataFrame({name: table[column] for name, column in chosen.items()})


def _choose(path: Path, header: Sequence[str], mapping: dict[str, str]) -> dict[str, str]:
    by_name = {normal_name(c): c for c in reversed(list(header))}
    chosen: dict[str, str] = {}
    for row in ROW_COLUMNS:
        column = next((by_name[c] for c in row.columns if c in by_name), None)
        if column is not None:
            chosen[row.field] = column
    for name, column in mapping.items():
        if column not in header:
            raise EvidenceError(
                f"--map {name}={column}: {path} has no column {column!r} "
                f"(columns: {', '.join(header)})"
            )
        chosen[name] = column
    if "line" not in chosen:
        raise EvidenceError(
            f"{path}: no log line column (columns: {', '.join(header) or 'none'}); "
            "name it with --map line=COLUMN"
        )
    return chosen


def _column(raw: pd.DataFrame, name: str) -> pd.Series:
    if name in raw:
        text = raw[name].astype("string").str.strip()
        return text.mask(text == "")
    return pd.Series(pd.NA, index=raw.index, dtype="string")


def unwrap(lines: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The application line and the envelope's time text of each row (``<NA>`` without one).

    A line that starts a JSON object is decoded (only its first object, so trailing garbage of a
    spliced record is ignored) and unwrapped by the first envelope of :data:`ENVELOPES` whose
    text field it has; anything else is the line itself.
    """
    decoder = json.JSONDecoder()
    texts: list[object] = []
    times: list[object] = []
    for value in lines.fillna("").astype(str).tolist():
        record = None
        if value.startswith("{"):
            try:
                record = decoder.raw_decode(value)[0]
            except ValueError:
                record = None
        envelope = next(
            (e for e in ENVELOPES if isinstance(record, dict) and e.text in record), None
        )
        if envelope is None or not isinstance(record, dict):
            texts.append(value)
            times.append(pd.NA)
        else:
            texts.append(str(record[envelope.text]))
            times.append(record.get(envelope.time, pd.NA))
    index = lines.index
    return pd.Series(texts, index=index, dtype=object), pd.Series(times, index=index, dtype=object)


def parse_lines(texts: pd.Series) -> pd.DataFrame:
    """Level, code location and message of each application line, by :data:`LAYOUTS`.

    A line of no known layout keeps its whole text as the message; its level is the first
    level word among its first three words, if any.
    """
    levels: list[str] = []
    sources: list[str] = []
    messages: list[str] = []
    for text in texts.astype(str).tolist():
        line = text.strip()
        match = next((m for rx in _LAYOUTS if (m := rx.fullmatch(line))), None)
        if match is not None and match["level"].lower() in LEVELS:
            groups = match.groupdict()
            levels.append(LEVELS[match["level"].lower()])
            sources.append(groups.get("source") or "")
            messages.append(groups["message"].strip())
            continue
        words = [w.strip("[]:").lower() for w in line.split(None, 3)[:3]]
        levels.append(next((LEVELS[w] for w in words if w in LEVELS), ""))
        sources.append("")
        messages.append(line)
    return pd.DataFrame(
        {"level": levels, "source": sources, "message": messages}, index=texts.index
    )


def _records(raw: pd.DataFrame) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LOG_COLUMNS})
    texts, envelope_times = unwrap(_column(raw, "line"))
    nanos = epoch_nanos(envelope_times.astype("string"))
    row_ns = epoch_nanos(_column(raw, "time_ns"), "ns")
    nanos = nanos.fillna(row_ns.where(row_ns > 0))
    nanos = nanos.fillna(epoch_nanos(_column(raw, "time")))
    pods = _column(raw, "pod")
    service = _column(raw, "service")
    if service.isna().all():
        service = pd.Series(services_of_pods(pods.fillna("")), index=raw.index, dtype="string")
    service = service.fillna(pd.Series(services_of_pods(pods.fillna("")), index=raw.index))
    parsed = parse_lines(texts)
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime(nanos.fillna(0).astype("int64").to_numpy(), unit="ns", utc=True),
            "service": service.fillna("").astype(str).to_numpy(),
            "pod": pods.fillna("").astype(str).to_numpy(),
            "trace_id": _column(raw, "trace_id").str.lower().fillna("").astype(str).to_numpy(),
            "span_id": _column(raw, "span_id").str.lower().fillna("").astype(str).to_numpy(),
            "level": parsed["level"].to_numpy(),
            "source": parsed["source"].to_numpy(),
            "message": parsed["message"].to_numpy(),
        }
    )
    good = nanos.notna().to_numpy(bool) & (frame["service"] != "").to_numpy(bool)
    return frame[good].reset_index(drop=True) if not np.all(good) else frame


__all__ = [
    "ENVELOPES",
    "LAYOUTS",
    "LEVELS",
    "LOG_COLUMNS",
    "MAP_FIELDS",
    "ROW_COLUMNS",
    "Envelope",
    "Layout",
    "LogTableReport",
    "RowColumn",
    "parse_lines",
    "read_container_logs",
    "unwrap",
]
