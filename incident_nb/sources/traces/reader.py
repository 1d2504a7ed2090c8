"""Trace files (OTLP/JSON, Jaeger API JSON, Jaeger UI JSON, span tables) read into one spans frame.

The shape of each JSON file is detected from its content; :mod:`.spans` reads the spans of each
shape. Span tables (CSV or Parquet, gzip or not, told by the file name) are read by
:mod:`.tables`, which recognises their columns by name. Every span is accounted for: a span without
its ids or times is counted as malformed and reported with examples, never dropped silently.
The frame has the columns of :data:`SPAN_COLUMNS`; times are UTC, durations milliseconds, ids
lower-case hex.

A span is an error when its status says so (OTLP ``status.code`` 2 or ``STATUS_CODE_ERROR``;
Jaeger ``error=true`` or ``otel.status_code=ERROR``); without an explicit status, an HTTP status
of 500 or more makes it one.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.traces.spans import (
    MAX_EXAMPLES,
    BadSpan,
    Collector,
    Span,
    read_jaeger,
    read_otlp,
)
from incident_nb.sources.traces.tables import is_span_table, read_span_table

SPAN_COLUMNS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "service",
    "operation",
    "start",
    "duration_ms",
    "is_error",
    "status_message",
    "kind",
    "http_method",
    "http_route",
    "http_status",
)
ACCEPTED_SHAPES = (
    'OTLP/JSON traces {"resourceSpans": [...]} (one document, or one per line as the OTLP file '
    'exporter writes), Jaeger API JSON {"data": [{"traceID", "spans", "processes"}]}, '
    'a Jaeger UI trace {"traceID", "spans", "processes"}, '
    "or a span table (.csv, .csv.gz, .parquet) with one row per span"
)


@dataclass(frozen=True)
class TraceReport:
    """What was read: spans per format, malformed spans with examples, duplicated span ids."""

    files: tuple[tuple[str, str], ...]
    """(path, detected format) per file."""
    spans: int
    malformed: int
    duplicates: int
    examples: tuple[BadSpan, ...]


def read_traces(
    paths: Sequence[Path], mapping: Sequence[tuple[str, str]] = ()
) -> tuple[pd.DataFrame, TraceReport]:
    """Read trace files into one spans frame and the report of what was read.

    Args:
        paths: the files.
        mapping: ``(field, column)`` overrides for span tables (see
            :data:`incident_nb.sources.traces.tables.MAP_FIELDS`); other entries are ignored.

    Raises:
        EvidenceError: a file is missing, is not JSON, or is JSON of no known trace shape; or
            no span at all could be used.
    """
    if not paths:
        raise EvidenceError("no trace files given; pass --traces FILE (repeatable)")
    out = Collector()
    formats: list[tuple[str, str]] = []
    tables: list[pd.DataFrame] = []
    with _collector_paused():
        for path in map(Path, paths):
            if is_span_table(path):
                tables.append(_read_table(path, mapping, out))
                formats.append((str(path), "span-table"))
            else:
                formats.append((str(path), _read_file(path, out)))
    if tables:
        frames = [t for t in tables if len(t)]
        if out.rows:
            frames.append(spans_frame(out.rows))
        if frames:
            frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            duplicates = int(frame.duplicated(["trace_id", "span_id"]).sum())
            report = TraceReport(
                tuple(formats), len(frame), out.malformed, duplicates, tuple(out.examples)
            )
            return frame, report
    if not out.rows:
        bad = f"; {out.malformed} malformed, e.g. {out.examples[0].where}: " if out.examples else ""
        reason = out.examples[0].reason if out.examples else ""
        raise EvidenceError(
            f"no usable spans in {', '.join(map(str, paths))}{bad}{reason}; "
            "export traces that cover the incident"
        )
    frame = spans_frame(out.rows)
    duplicates = int(frame.duplicated(["trace_id", "span_id"]).sum()) if len(frame) else 0
    report = TraceReport(tuple(formats), len(frame), out.malformed, duplicates, tuple(out.examples))
    return frame, report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while parsing.

    Parsing allocates millions of small dicts and no reference cycles; the collector's repeated
    full passes over them would otherwise take more than half of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def spans_frame(rows: list[Span]) -> pd.DataFrame:
    """The normalised frame (columns :data:`SPAN_COLUMNS`, typed) of parsed span rows."""
    frame = pd.DataFrame(rows, columns=list(SPAN_COLUMNS))
    frame["start"] = pd.to_datetime(frame["start"].astype("int64"), unit="ns", utc=True)
    frame["duration_ms"] = frame["duration_ms"].astype("float64")
    frame["is_error"] = frame["is_error"].astype(bool)
    frame["http_status"] = frame["http_status"].astype("Int64")
    for column in ("trace_id", "span_id", "service", "operation", "status_message", "kind"):
        frame[column] = frame[column].astype(str)
    for column in ("parent_span_id", "http_method", "http_route"):
        frame[column] = frame[column].astype("string")  # <NA> where absent
    return frame


def _read_table(path: Path, mapping: Sequence[tuple[str, str]], out: Collector) -> pd.DataFrame:
    if not path.is_file():
        raise EvidenceError(f"trace file not found: {path}; check the path")
    frame, malformed, examples = read_span_table(path, mapping)
    out.malformed += malformed
    out.examples.extend(examples[: max(0, MAX_EXAMPLES - len(out.examples))])
    return frame


def _read_file(path: Path, out: Collector) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvidenceError(f"trace file not found: {path}; check the path") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise EvidenceError(
            f"{path} is not a JSON trace file ({exc}); give {ACCEPTED_SHAPES}"
        ) from None
    try:
        documents: list[tuple[str, Any]] = [("", json.loads(text))]
    except json.JSONDecodeError as exc:
        documents = _json_lines(path, text, exc, out)
    if not documents:
        raise EvidenceError(f"{path} is empty; give {ACCEPTED_SHAPES}")
    kinds = {_shape(doc) for _, doc in documents}
    if None in kinds:
        doc = next(d for _, d in documents if _shape(d) is None)
        raise EvidenceError(f"{path}: {_describe(doc)}; give {ACCEPTED_SHAPES}")
    for where, doc in documents:
        shape = _shape(doc)
        if shape == "otlp":
            read_otlp(path, where, doc, out)
        elif shape == "jaeger-api":
            for i, trace in enumerate(doc["data"] or []):
                read_jaeger(path, f"{where}data[{i}]", trace, out)
        elif shape == "jaeger-list":
            for i, trace in enumerate(doc):
                read_jaeger(path, f"{where}[{i}]", trace, out)
        else:
            read_jaeger(path, where, doc, out)
    return "+".join(sorted(k for k in kinds if k))


def _json_lines(
    path: Path, text: str, first_error: json.JSONDecodeError, out: Collector
) -> list[tuple[str, Any]]:
    """Documents of a JSON-lines file; a file whose first record is not JSON is not JSON at all."""
    documents: list[tuple[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            documents.append((f"line {number}: ", json.loads(line)))
        except json.JSONDecodeError as exc:
            if not documents:
                raise EvidenceError(
                    f"{path} is not JSON (line {first_error.lineno}: {first_error.msg}); "
                    f"give {ACCEPTED_SHAPES}"
                ) from None
            out.bad(path, f"line {number}", f"not JSON ({exc.msg}); its spans are lost")
    return documents


def _shape(doc: Any) -> str | None:
    if isinstance(doc, dict):
        if isinstance(doc.get("resourceSpans"), list):
            return "otlp"
        if (
            "data" in doc
            and isinstance(doc["data"], list | None)
            and all(isinstance(t, dict) and "spans" in t for t in doc["data"] or [])
        ):
            return "jaeger-api"
        if isinstance(doc.get("spans"), list) and "traceID" in doc:
            return "jaeger-ui"
    if isinstance(doc, list) and doc and all(isinstance(t, dict) and "spans" in t for t in doc):
        return "jaeger-list"
    return None


def _describe(doc: Any) -> str:
    if isinstance(doc, dict):
        keys = ", ".join(sorted(map(str, doc))[:8]) or "no keys"
        hint = ""
        if "resourceLogs" in doc or "resourceMetrics" in doc:
            hint = " (OTLP logs or metrics, not traces)"
        return f"JSON of no known trace shape (top-level keys: {keys}){hint}"
    return f"JSON of no known trace shape (a top-level {type(doc).__name__})"
