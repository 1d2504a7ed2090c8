"""Trace files (OTLP/JSON, Jaeger API JSON, Jaeger UI JSON) read into one normalised spans frame.

The shape of each file is detected from its content. Every span is accounted for: a span without
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

from incident_nb.errors import EvidenceError

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
    'or a Jaeger UI trace {"traceID", "spans", "processes"}'
)
_MAX_EXAMPLES = 5
_OTLP_KINDS = ("unspecified", "internal", "server", "client", "producer", "consumer")
_HTTP_STATUS = ("http.response.status_code", "http.status_code")
_HTTP_METHOD = ("http.request.method", "http.method")
_Span = dict[str, Any]


@dataclass(frozen=True)
class BadSpan:
    """One span that could not be used, with where it is and why."""

    path: str
    where: str
    reason: str


@dataclass(frozen=True)
class TraceReport:
    """What was read: spans per format, malformed spans with examples, duplicated span ids."""

    files: tuple[tuple[str, str], ...]
    """(path, detected format) per file."""
    spans: int
    malformed: int
    duplicates: int
    examples: tuple[BadSpan, ...]


class _Collector:
    """Accumulates the good spans and the accounting of the bad ones."""

    def __init__(self) -> None:
        self.rows: list[_Span] = []
        self.malformed = 0
        self.examples: list[BadSpan] = []

    def bad(self, path: Path, where: str, reason: str) -> None:
        self.malformed += 1
        if len(self.examples) < _MAX_EXAMPLES:
            self.examples.append(BadSpan(str(path), where, reason))


def read_traces(paths: Sequence[Path]) -> tuple[pd.DataFrame, TraceReport]:
    """Read trace files into one spans frame and the report of what was read.

    Raises:
        EvidenceError: a file is missing, is not JSON, or is JSON of no known trace shape; or
            no span at all could be used.
    """
    if not paths:
        raise EvidenceError("no trace files given; pass --traces FILE (repeatable)")
    out = _Collector()
    formats: list[tuple[str, str]] = []
    with _collector_paused():
        for path in paths:
            formats.append((str(path), _read_file(Path(path), out)))
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


def spans_frame(rows: list[_Span]) -> pd.DataFrame:
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


def _read_file(path: Path, out: _Collector) -> str:
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
            _otlp(path, where, doc, out)
        elif shape == "jaeger-api":
            for i, trace in enumerate(doc["data"] or []):
                _jaeger(path, f"{where}data[{i}]", trace, out)
        elif shape == "jaeger-list":
            for i, trace in enumerate(doc):
                _jaeger(path, f"{where}[{i}]", trace, out)
        else:
            _jaeger(path, where, doc, out)
    return "+".join(sorted(k for k in kinds if k))


def _json_lines(
    path: Path, text: str, first_error: json.JSONDecodeError, out: _Collector
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


# --- OTLP/JSON ------------------------------------------------------------------------------


def _any_value(value: Any) -> Any:
    """The Python value of an OTLP ``AnyValue``."""
    if not isinstance(value, dict):
        return value
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])  # int64 is a string in OTLP/JSON
    if "arrayValue" in value:
        return [_any_value(v) for v in (value["arrayValue"] or {}).get("values", [])]
    if "kvlistValue" in value:
        return _attributes((value["kvlistValue"] or {}).get("values", []))
    return None


def _attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {
        str(a["key"]): _any_value(a.get("value"))
        for a in items
        if isinstance(a, dict) and "key" in a
    }


def _otlp(path: Path, where: str, doc: dict[str, Any], out: _Collector) -> None:
    for r, resource_spans in enumerate(doc["resourceSpans"]):
        resource = _attributes(((resource_spans or {}).get("resource") or {}).get("attributes"))
        service = str(resource.get("service.name") or "unknown_service")
        scopes = (resource_spans or {}).get("scopeSpans") or (resource_spans or {}).get(
            "instrumentationLibrarySpans", []
        )
        for s, scope in enumerate(scopes):
            for i, span in enumerate((scope or {}).get("spans") or []):
                spot = f"{where}resourceSpans[{r}].scopeSpans[{s}].spans[{i}]"
                try:
                    out.rows.append(_otlp_span(span, service))
                except (KeyError, TypeError, ValueError) as exc:
                    out.bad(path, spot, _reason(exc))


def _otlp_span(span: dict[str, Any], service: str) -> _Span:
    trace_id, span_id = _hex(span, "traceId"), _hex(span, "spanId")
    start, end = _nanos(span, "startTimeUnixNano"), _nanos(span, "endTimeUnixNano")
    attrs = _attributes(span.get("attributes"))
    status = span.get("status") or {}
    code = status.get("code", 0)
    explicit = {2: True, "STATUS_CODE_ERROR": True, 1: False, "STATUS_CODE_OK": False}.get(code)
    kind = span.get("kind", 0)
    if isinstance(kind, str):
        kind = kind.removeprefix("SPAN_KIND_").lower()
    else:
        kind = _OTLP_KINDS[int(kind)] if 0 <= int(kind) < len(_OTLP_KINDS) else "unspecified"
    return _row(
        trace_id=trace_id,
        span_id=span_id,
        parent=str(span.get("parentSpanId") or "").lower() or None,
        service=service,
        operation=str(span.get("name", "")),
        start_ns=start,
        duration_ns=end - start,
        explicit_error=explicit,
        message=str(status.get("message") or ""),
        kind=kind,
        attrs=attrs,
    )


# --- Jaeger ---------------------------------------------------------------------------------


def _jaeger(path: Path, where: str, trace: dict[str, Any], out: _Collector) -> None:
    processes = trace.get("processes") or {}
    for i, span in enumerate(trace.get("spans") or []):
        try:
            out.rows.append(_jaeger_span(span, processes))
        except (KeyError, TypeError, ValueError) as exc:
            out.bad(path, f"{where}.spans[{i}]" if where else f"spans[{i}]", _reason(exc))


def _jaeger_span(span: dict[str, Any], processes: dict[str, Any]) -> _Span:
    trace_id, span_id = _hex(span, "traceID"), _hex(span, "spanID")
    if "startTime" not in span or "duration" not in span:
        raise KeyError("startTime" if "startTime" not in span else "duration")
    start = int(span["startTime"]) * 1000  # microseconds
    duration = int(span["duration"]) * 1000
    parent = next(
        (
            str(ref["spanID"]).lower()
            for ref in span.get("references") or []
            if ref.get("refType") == "CHILD_OF" and str(ref.get("traceID", "")).lower() == trace_id
        ),
        str(span.get("parentSpanID") or "").lower() or None,
    )
    if parent is not None and not parent.strip("0"):
        parent = None  # Jaeger writes a missing parent as zeros
    tags = {str(t["key"]): t.get("value") for t in span.get("tags") or [] if isinstance(t, dict)}
    process = span.get("process") or processes.get(span.get("processID", ""), {}) or {}
    otel_status = str(tags.get("otel.status_code", "")).upper().removeprefix("STATUS_CODE_")
    explicit: bool | None = None
    if otel_status in {"ERROR", "OK"}:
        explicit = otel_status == "ERROR"
    if tags.get("error") in {True, "true", "True"}:
        explicit = True
    return _row(
        trace_id=trace_id,
        span_id=span_id,
        parent=parent,
        service=str(process.get("serviceName") or "unknown_service"),
        operation=str(span.get("operationName", "")),
        start_ns=start,
        duration_ns=duration,
        explicit_error=explicit,
        message=str(tags.get("otel.status_description") or tags.get("error.message") or ""),
        kind=str(tags.get("span.kind") or "unspecified").lower(),
        attrs=tags,
    )


# --- shared ---------------------------------------------------------------------------------


def _row(
    *,
    trace_id: str,
    span_id: str,
    parent: str | None,
    service: str,
    operation: str,
    start_ns: int,
    duration_ns: int,
    explicit_error: bool | None,
    message: str,
    kind: str,
    attrs: dict[str, Any],
) -> _Span:
    if duration_ns < 0:
        raise ValueError("it ends before it starts")
    status = _first_int(attrs, _HTTP_STATUS)
    is_error = explicit_error if explicit_error is not None else (status or 0) >= 500
    method = next((str(attrs[k]) for k in _HTTP_METHOD if attrs.get(k)), None)
    route = attrs.get("http.route")
    return {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": parent,
        "service": service,
        "operation": operation,
        "start": start_ns,
        "duration_ms": duration_ns / 1e6,
        "is_error": is_error,
        "status_message": message,
        "kind": kind,
        "http_method": method,
        "http_route": str(route) if route is not None else None,
        "http_status": status,
    }


def _first_int(attrs: dict[str, Any], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        try:
            return int(attrs[key])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def _hex(span: dict[str, Any], key: str) -> str:
    value = span.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KeyError(key)
    try:
        int(value, 16)
    except ValueError:
        raise ValueError(f"{key} {value!r} is not hex") from None
    return value.strip().lower()


def _nanos(span: dict[str, Any], key: str) -> int:
    value = span.get(key)
    if value in (None, "", 0, "0"):
        raise KeyError(key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} {value!r} is not an integer") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]}"
    return str(exc)
