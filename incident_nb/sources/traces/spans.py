"""The spans of each trace format (OTLP/JSON, Jaeger) as rows of the normalised spans frame.

Each reader walks one document and hands every span to a :class:`Collector`, which keeps the
good rows and counts the malformed ones (with a few examples saying where and why).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_nb.sources.otlp_json import attributes

MAX_EXAMPLES = 5
_OTLP_KINDS = ("unspecified", "internal", "server", "client", "producer", "consumer")
_HTTP_STATUS = ("http.response.status_code", "http.status_code")
_HTTP_METHOD = ("http.request.method", "http.method")
Span = dict[str, Any]


@dataclass(frozen=True)
class BadSpan:
    """One span that could not be used, with where it is and why."""

    path: str
    where: str
    reason: str


class Collector:
    """Accumulates the good spans and the accounting of the bad ones."""

    def __init__(self) -> None:
        self.rows: list[Span] = []
        self.malformed = 0
        self.examples: list[BadSpan] = []

    def bad(self, path: Path, where: str, reason: str) -> None:
        """Count one malformed span (and keep it as an example while there are few)."""
        self.malformed += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(BadSpan(str(path), where, reason))


# --- OTLP/JSON ------------------------------------------------------------------------------


def read_otlp(path: Path, where: str, doc: dict[str, Any], out: Collector) -> None:
    """The spans of one OTLP/JSON traces document (``where`` locates it in its file)."""
    for r, resource_spans in enumerate(doc["resourceSpans"]):
        resource = attributes(((resource_spans or {}).get("resource") or {}).get("attributes"))
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


def _otlp_span(span: dict[str, Any], service: str) -> Span:
    trace_id, span_id = _hex(span, "traceId"), _hex(span, "spanId")
    start, end = _nanos(span, "startTimeUnixNano"), _nanos(span, "endTimeUnixNano")
    attrs = attributes(span.get("attributes"))
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


def read_jaeger(path: Path, where: str, trace: dict[str, Any], out: Collector) -> None:
    """The spans of one Jaeger trace (``{"traceID", "spans", "processes"}``)."""
    processes = trace.get("processes") or {}
    for i, span in enumerate(trace.get("spans") or []):
        try:
            out.rows.append(_jaeger_span(span, processes))
        except (KeyError, TypeError, ValueError) as exc:
            out.bad(path, f"{where}.spans[{i}]" if where else f"spans[{i}]", _reason(exc))


def _jaeger_span(span: dict[str, Any], processes: dict[str, Any]) -> Span:
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
) -> Span:
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
