"""A set of traces with a known failure, written as OTLP/JSON and as Jaeger JSON.

Requests go frontend -> checkout -> (inventory, payments -> payments-db). Of the failing traces
most fail in payments-db ``SELECT`` (slow, then an error every caller passes on) and the rest in
inventory ``reserve``. The ground truth is computed here from the generated spans, independently
of the analysis under test. Times and durations are whole microseconds, so both formats carry
exactly the same values.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean
from typing import Any

START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@dataclass
class Span:
    trace_id: str
    span_id: str
    parent: str | None
    service: str
    operation: str
    start_us: int
    duration_us: int
    error: bool = False
    message: str = ""
    kind: str = "server"
    http_status: int | None = None
    route: str | None = None


@dataclass
class TraceSet:
    traces: int = 200
    db_failures: int = 27
    inventory_failures: int = 3
    seed: int = 7
    spans: list[Span] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        failing = rng.sample(range(self.traces), self.db_failures + self.inventory_failures)
        fail_db = set(failing[: self.db_failures])
        fail_inventory = set(failing[self.db_failures :])
        for n in range(self.traces):
            self._trace(n, rng, n in fail_db, n in fail_inventory)

    def _trace(self, n: int, rng: random.Random, db_fails: bool, inventory_fails: bool) -> None:
        trace_id = f"{rng.getrandbits(128):032x}"
        at = int(START.timestamp() * 1e6) + n * 3_000_000 + rng.randrange(1_000_000)

        def span(
            parent: Span | None, service: str, op: str, start: int, dur: int, **kw: Any
        ) -> Span:
            s = Span(
                trace_id,
                f"{rng.getrandbits(64):016x}",
                parent.span_id if parent else None,
                service,
                op,
                start,
                dur,
                **kw,
            )
            self.spans.append(s)
            return s

        failed = db_fails or inventory_fails
        db_time = rng.randrange(400_000, 520_000) if db_fails else rng.randrange(8_000, 30_000)
        inv_time = rng.randrange(5_000, 15_000)
        total = db_time + inv_time + 60_000
        front = span(
            None,
            "frontend",
            "GET /checkout",
            at,
            total + 20_000,
            error=failed,
            http_status=500 if failed else 200,
            route="/checkout",
        )
        checkout = span(
            front,
            "checkout",
            "POST /api/checkout",
            at + 5_000,
            total + 5_000,
            error=failed,
            http_status=502 if failed else 200,
            route="/api/checkout",
        )
        span(
            checkout,
            "inventory",
            "reserve",
            at + 10_000,
            inv_time,
            error=inventory_fails,
            message="out of stock" if inventory_fails else "",
            kind="internal",
        )
        if inventory_fails:
            return
        payments = span(
            checkout,
            "payments",
            "charge",
            at + 20_000 + inv_time,
            db_time + 30_000,
            error=db_fails,
            message="charge failed" if db_fails else "",
        )
        span(
            payments,
            "payments-db",
            "SELECT",
            at + 30_000 + inv_time,
            db_time,
            error=db_fails,
            message="canceling statement due to lock timeout" if db_fails else "",
            kind="client",
        )

    # --- ground truth -------------------------------------------------------------------

    def failing_trace_ids(self) -> set[str]:
        return {s.trace_id for s in self.spans if s.error}

    def durations_ms(self, service: str, operation: str | None = None) -> dict[str, list[float]]:
        failing = self.failing_trace_ids()
        out: dict[str, list[float]] = defaultdict(list)
        for s in self.spans:
            if s.service == service and operation in (None, s.operation):
                out["failing" if s.trace_id in failing else "ok"].append(s.duration_us / 1000)
        return out

    def mean_ms(self, service: str, operation: str | None = None) -> tuple[float, float]:
        d = self.durations_ms(service, operation)
        return mean(d["failing"]), mean(d["ok"])

    # --- writers --------------------------------------------------------------------------

    def write_otlp(self, path: Path, *, lines_of: int | None = None) -> Path:
        """One OTLP/JSON document, or (``lines_of``) JSON lines of that many traces each."""
        by_trace: dict[str, list[Span]] = defaultdict(list)
        for s in self.spans:
            by_trace[s.trace_id].append(s)
        traces = list(by_trace.values())
        if lines_of is None:
            path.write_text(json.dumps(_otlp_doc([s for t in traces for s in t])))
        else:
            chunks = [traces[i : i + lines_of] for i in range(0, len(traces), lines_of)]
            path.write_text(
                "".join(json.dumps(_otlp_doc([s for t in c for s in t])) + "\n" for c in chunks)
            )
        return path

    def write_jaeger(self, path: Path) -> Path:
        by_trace: dict[str, list[Span]] = defaultdict(list)
        for s in self.spans:
            by_trace[s.trace_id].append(s)
        data = []
        for trace_id, spans in by_trace.items():
            services = sorted({s.service for s in spans})
            pid = {name: f"p{i + 1}" for i, name in enumerate(services)}
            data.append(
                {
                    "traceID": trace_id,
                    "spans": [_jaeger_span(s, pid[s.service]) for s in spans],
                    "processes": {pid[n]: {"serviceName": n, "tags": []} for n in services},
                    "warnings": None,
                }
            )
        path.write_text(json.dumps({"data": data, "total": 0, "limit": 0, "offset": 0}))
        return path


_OTLP_KIND = {"internal": 1, "server": 2, "client": 3}


def _otlp_doc(spans: list[Span]) -> dict[str, Any]:
    by_service: dict[str, list[Span]] = defaultdict(list)
    for s in spans:
        by_service[s.service].append(s)
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": name}}]
                },
                "scopeSpans": [
                    {"scope": {"name": "test"}, "spans": [_otlp_span(s) for s in group]}
                ],
            }
            for name, group in by_service.items()
        ]
    }


def _otlp_span(s: Span) -> dict[str, Any]:
    attributes: list[dict[str, Any]] = []
    if s.http_status is not None:
        attributes.append(
            {"key": "http.response.status_code", "value": {"intValue": str(s.http_status)}}
        )
    if s.route:
        attributes.append({"key": "http.route", "value": {"stringValue": s.route}})
    # exercise the encodings a real exporter may use: upper-case ids, int times, string codes
    upper = s.service == "checkout"
    out: dict[str, Any] = {
        "traceId": s.trace_id.upper() if upper else s.trace_id,
        "spanId": s.span_id.upper() if upper else s.span_id,
        "parentSpanId": (s.parent or "").upper() if upper else (s.parent or ""),
        "name": s.operation,
        "kind": _OTLP_KIND[s.kind] if s.service != "inventory" else "SPAN_KIND_INTERNAL",
        "startTimeUnixNano": str(s.start_us * 1000),
        "endTimeUnixNano": (s.start_us + s.duration_us) * 1000,
        "attributes": attributes,
        "status": {},
    }
    if s.error:
        code: int | str = "STATUS_CODE_ERROR" if s.service == "payments" else 2
        out["status"] = {"code": code, "message": s.message}
    return out


def _jaeger_span(s: Span, pid: str) -> dict[str, Any]:
    tags: list[dict[str, Any]] = [{"key": "span.kind", "type": "string", "value": s.kind}]
    if s.http_status is not None:
        tags.append({"key": "http.status_code", "type": "int64", "value": s.http_status})
    if s.route:
        tags.append({"key": "http.route", "type": "string", "value": s.route})
    # errors as different tracers mark them: error=true, otel.status_code, or only HTTP 5xx
    if s.error and s.service in {"payments-db", "inventory"}:
        tags.append({"key": "error", "type": "bool", "value": True})
    if s.error and s.service == "payments":
        tags.append({"key": "otel.status_code", "type": "string", "value": "ERROR"})
    if s.message:
        tags.append({"key": "otel.status_description", "type": "string", "value": s.message})
    return {
        "traceID": s.trace_id,
        "spanID": s.span_id,
        "operationName": s.operation,
        "references": (
            [{"refType": "CHILD_OF", "traceID": s.trace_id, "spanID": s.parent}] if s.parent else []
        ),
        "startTime": s.start_us,
        "duration": s.duration_us,
        "tags": tags,
        "logs": [],
        "processID": pid,
        "warnings": None,
    }
