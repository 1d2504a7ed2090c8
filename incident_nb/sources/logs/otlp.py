"""Reader of OpenTelemetry OTLP/JSON logs (``resourceLogs`` documents) into a DuckDB view.

A file holds one export request (pretty-printed or not) or, as the OTLP file exporter writes,
one request per line. Each log record becomes one row: its timestamp in nanoseconds (the
observed time when the event time is unset), severity, body, trace and span ids, and every
resource and record attribute under its semantic-convention name (``service.name``,
``http.route``, ``http.response.status_code``...), as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.accounting import (
    MAX_EXAMPLES,
    QUOTE_READ,
    BadLine,
    RawInput,
    ReadOptions,
    open_text,
)
from incident_nb.sources.logs.remote import display
from incident_nb.sources.logs.values import timestamp_problem
from incident_nb.sources.otlp_json import any_value, as_text, attributes


def attribute_value(value: Any) -> str | None:
    """The text of an OTLP ``AnyValue`` (arrays and maps as JSON)."""
    return as_text(any_value(value))


def _attributes(items: Any) -> dict[str, str | None]:
    return {key: as_text(value) for key, value in attributes(items).items()}


_INT64 = 1 << 63


def _nanos(value: Any) -> int | None:
    """Nanoseconds since the epoch; None when unset (0), unreadable or beyond 64 bits."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < _INT64 else None


def log_records(document: Any) -> Iterator[dict[str, Any]]:
    """The rows of one OTLP/JSON logs export request.

    Raises:
        ValueError: the document is not an OTLP logs request.
    """
    if not isinstance(document, dict) or not isinstance(document.get("resourceLogs"), list):
        raise ValueError("not an OTLP logs document (no resourceLogs list)")
    for resource_logs in document["resourceLogs"]:
        resource = _attributes((resource_logs.get("resource") or {}).get("attributes"))
        for scope_logs in resource_logs.get("scopeLogs") or []:
            scope = scope_logs.get("scope") or {}
            for record in scope_logs.get("logRecords") or []:
                row: dict[str, Any] = dict(resource)
                row.update(_attributes(record.get("attributes")))
                row["timestamp"] = _nanos(record.get("timeUnixNano")) or _nanos(
                    record.get("observedTimeUnixNano")
                )
                row["severity_text"] = record.get("severityText")
                number = record.get("severityNumber")
                row["severity_number"] = None if number is None else str(number)
                row["body"] = attribute_value(record.get("body"))
                row["trace_id"] = record.get("traceId") or None
                row["span_id"] = record.get("spanId") or None
                row["scope.name"] = scope.get("name")
                yield row


def _documents(path: str) -> Iterator[tuple[int, Any | json.JSONDecodeError, str]]:
    """(line number, parsed document or the error, text) for each document of ``path``."""
    with open_text(path) as handle:
        text = handle.read()
    try:
        yield 1, json.loads(text), text[:QUOTE_READ]
        return
    except json.JSONDecodeError:
        pass
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line), line[:QUOTE_READ]
            except json.JSONDecodeError as exc:
                yield number, exc, line[:QUOTE_READ]


def read_otlp(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """OTLP/JSON log export requests, one row per log record."""
    rows: list[dict[str, Any]] = []
    bad: list[BadLine] = []
    lines_of_rows: list[tuple[str, int]] = []
    malformed = 0
    for path in files:
        for number, document, text in _documents(path):
            if isinstance(document, json.JSONDecodeError):
                malformed += 1
                if len(bad) < MAX_EXAMPLES:
                    bad.append(
                        BadLine(display(path), number, f"invalid JSON: {document.msg}", text)
                    )
                continue
            try:
                found = list(log_records(document))
            except (ValueError, TypeError, AttributeError) as exc:
                # A document of another shape (a list where an object belongs...) is one bad one.
                malformed += 1
                reason = str(exc) if isinstance(exc, ValueError) else "not an OTLP logs document"
                if len(bad) < MAX_EXAMPLES:
                    bad.append(BadLine(display(path), number, reason, text))
                continue
            rows += found
            lines_of_rows += [(display(path), number)] * len(found)
    if not rows:
        where = f"; {bad[0].path} line {bad[0].line}: {bad[0].reason}" if bad else ""
        raise EvidenceError(
            f"no OTLP log records in {', '.join(map(display, files))}{where}; check the files are "
            "OTLP/JSON logs export requests (resourceLogs), or name their format with --format"
        )
    columns: dict[str, list[Any]] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, [])
    table = pa.table(
        {
            key: pa.array(
                [row.get(key) for row in rows],
                pa.int64() if key == "timestamp" else pa.string(),
            )
            for key in columns
        }
    )
    con.register(f"{view}_arrow", table)
    # Unparsable requests are accounted for as malformed records, beside the parsed ones.
    con.execute(f"CREATE VIEW {view} AS SELECT * FROM {view}_arrow")

    def bad_lines(ts_field: str) -> Iterator[BadLine]:
        yield from bad[:MAX_EXAMPLES]
        for (path, number), row in zip(lines_of_rows, rows, strict=True):
            if (problem := timestamp_problem(row.get(ts_field))) is not None:
                yield BadLine(
                    path,
                    number,
                    f"log record with {problem} in {ts_field!r}",
                    str(row)[:QUOTE_READ],
                )

    return RawInput(
        view=view,
        schema={str(f.name): "BIGINT" if f.type == pa.int64() else "VARCHAR" for f in table.schema},
        malformed="false",
        records=lambda: len(rows) + malformed,
        bad_lines=bad_lines,
    )
