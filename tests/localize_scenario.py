"""A small system with known faults, for the localization tests: spans, logs and metrics.

The system: ``gateway`` calls ``shop`` (``POST /api/checkout``), which calls ``stock``
(``GET /stock/{id}``) and ``pay`` (``POST /pay``); ``stock`` calls ``db-proxy``
(``GET /rows``); ``pay`` calls ``ledger`` (``POST /entries``). Every visit logs an INFO line
when it starts and one when it is done. Pods are named like Kubernetes Deployment pods
(``shop-7d9c5b8f6d-x2x4z``), and one metric row per pod and minute gives CPU and memory.

A :class:`Fault` changes one period: a service's own time (``slow``), the delay of every call
into and out of a service (``delay``), a new error template (``error``), a changed sequence of
messages (``skip``: the service stops logging its "done" line and logs another one instead),
or its CPU (``cpu``).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from incident_nb.analysis.localize import LocalizeInputs, Period
from incident_nb.core.models import TimeWindow

CALLS: dict[str, list[tuple[str, str]]] = {
    "gateway": [("shop", "POST /api/checkout")],
    "shop": [("stock", "GET /stock/{id}"), ("pay", "POST /pay")],
    "stock": [("db-proxy", "GET /rows")],
    "pay": [("ledger", "POST /entries")],
    "db-proxy": [],
    "ledger": [],
}
ENTRY = {"gateway": "GET /", "shop": "POST /api/checkout", "stock": "GET /stock/{id}"}
ENTRY |= {"pay": "POST /pay", "db-proxy": "GET /rows", "ledger": "POST /entries"}
POD = {
    name: f"{name}-7d9c5b8f6d-{suffix}"
    for name, suffix in zip(
        CALLS, ("h5m2n", "x2x4z", "q8wlt", "b7k9c", "m4n6p", "z9r2d"), strict=True
    )
}
OWN_MS = {"gateway": 1.0, "shop": 6.0, "stock": 3.0, "pay": 4.0, "db-proxy": 2.0, "ledger": 2.5}
GAP_MS = 1.5


@dataclass(frozen=True)
class Fault:
    """What is wrong in a period (everything is healthy by default)."""

    slow: dict[str, float] = field(default_factory=dict)
    """Service -> factor on its own time."""
    delay: dict[str, float] = field(default_factory=dict)
    """Service -> milliseconds added to every call into or out of it."""
    error: str = ""
    """A service that logs a new ERROR in every visit."""
    skip: str = ""
    """A service whose visits log ``fallback used`` instead of ``done``."""
    cpu: dict[str, float] = field(default_factory=dict)
    """Service -> factor on its CPU."""


@dataclass
class _Builder:
    rng: random.Random
    fault: Fault
    spans: list[dict[str, object]] = field(default_factory=list)
    logs: list[dict[str, object]] = field(default_factory=list)

    def _id(self, digits: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(digits))

    def visit(self, trace: str, parent: str | None, service: str, start: float) -> float:
        """Emit a visit starting at ``start`` (ms since epoch); return its end."""
        span = self._id(16)
        now = start + 0.2
        self._log(
            trace, span, service, now, "INFO", f"[{ENTRY[service]}] start handling request 4711"
        )
        own = OWN_MS[service] * self.rng.uniform(0.8, 1.2) * self.fault.slow.get(service, 1.0)
        now += own / 2
        for callee, _ in CALLS[service]:
            delay = self.fault.delay.get(service, 0.0) + self.fault.delay.get(callee, 0.0)
            client = self._id(16)
            server_start = now + GAP_MS / 2 + delay / 2
            server_end = self.visit(trace, client, callee, server_start)
            end = server_end + GAP_MS / 2 + delay / 2
            self._span(trace, client, span, service, "HTTP POST", now, end)
            now = end
        now += own / 2
        if self.fault.error == service:
            self._log(
                trace,
                span,
                service,
                now,
                "ERROR",
                f"[{ENTRY[service]}] cannot read item 81 from cache: timeout",
            )
        if self.fault.skip == service:
            self._log(
                trace, span, service, now, "INFO", f"[{ENTRY[service]}] fallback used for item 81"
            )
        else:
            self._log(trace, span, service, now, "INFO", f"[{ENTRY[service]}] done in 3 steps")
        now += 0.1
        self._span(trace, span, parent, service, ENTRY[service], start, now)
        return now

    def _span(
        self,
        trace: str,
        span: str,
        parent: str | None,
        service: str,
        op: str,
        start: float,
        end: float,
    ) -> None:
        self.spans.append(
            {
                "trace_id": trace,
                "span_id": span,
                "parent_span_id": parent,
                "service": service,
                "pod": POD[service],
                "operation": op,
                "start_ms": start,
                "end_ms": end,
            }
        )

    def _log(self, trace: str, span: str, service: str, at: float, level: str, text: str) -> None:
        self.logs.append(
            {
                "trace_id": trace,
                "span_id": span,
                "service": service,
                "pod": POD[service],
                "time_ms": at,
                "level": level,
                "text": text,
            }
        )


@dataclass(frozen=True)
class PeriodData:
    """One period as raw rows: spans, log lines and metric rows, plus its window."""

    window: TimeWindow
    spans: pd.DataFrame
    logs: pd.DataFrame
    metrics: pd.DataFrame


def period(
    start: datetime, minutes: int = 3, fault: Fault = Fault(), seed: int = 1, rate: int = 40
) -> PeriodData:
    """``rate`` requests a minute for ``minutes`` from ``start``, with ``fault``."""
    rng = random.Random(seed)
    builder = _Builder(rng, fault)
    origin = start.timestamp() * 1000
    for i in range(minutes * rate):
        at = origin + i * 60_000 / rate + rng.uniform(0, 200)
        builder.visit(builder._id(32), None, "gateway", at)
    spans = pd.DataFrame(builder.spans)
    logs = pd.DataFrame(builder.logs)
    rows = []
    for minute in range(1, minutes + 1):
        stamp = start + timedelta(minutes=minute, seconds=1)
        for service, pod in POD.items():
            factor = fault.cpu.get(service, 1.0)
            rows.append(
                {
                    "time": stamp,
                    "pod": pod,
                    "cpu_m": 20.0 * rng.uniform(0.9, 1.1) * factor,
                    "mem_mi": 400.0 * rng.uniform(0.98, 1.02),
                }
            )
    end = start + timedelta(minutes=minutes)
    return PeriodData(TimeWindow(start, end), spans, logs, pd.DataFrame(rows))


def frames(data: PeriodData) -> Period:
    """The period as the frames :func:`incident_nb.analysis.localize.localize` takes."""
    s = data.spans
    spans = pd.DataFrame(
        {
            "trace_id": s["trace_id"],
            "span_id": s["span_id"],
            "parent_span_id": s["parent_span_id"].astype("string"),
            "service": s["service"],
            "operation": s["operation"],
            "start": pd.to_datetime(
                (s["start_ms"] * 1e6).round().astype("int64"), unit="ns", utc=True
            ),
            "duration_ms": s["end_ms"] - s["start_ms"],
            "is_error": False,
            "status_message": "",
            "kind": "unspecified",
        }
    )
    rec = data.logs
    logs = pd.DataFrame(
        {
            "time": pd.to_datetime(
                (rec["time_ms"] * 1e6).round().astype("int64"), unit="ns", utc=True
            ),
            "service": rec["service"],
            "pod": rec["pod"],
            "trace_id": rec["trace_id"],
            "span_id": rec["span_id"],
            "level": rec["level"].str.lower().replace({"warn": "warning"}),
            "source": "",
            "message": rec["text"],
        }
    )
    m = data.metrics
    metrics = pd.concat(
        [
            pd.DataFrame(
                {
                    "time": pd.to_datetime(m["time"], utc=True),
                    "service": m["pod"].str.rsplit("-", n=2).str[0],
                    "metric": name,
                    "unit": unit,
                    "value": m[column],
                }
            )
            for column, name, unit in (
                ("cpu_m", "CpuUsage", "millicores"),
                ("mem_mi", "MemoryUsage", "MiB"),
            )
        ],
        ignore_index=True,
    )
    return Period(data.window, spans, logs, metrics)


BASELINE_START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
INCIDENT_START = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def inputs(fault: Fault, seed: int = 7) -> LocalizeInputs:
    """A healthy baseline and an incident with ``fault``."""
    return LocalizeInputs(
        incident=frames(period(INCIDENT_START, fault=fault, seed=seed)),
        baseline=frames(period(BASELINE_START, seed=seed + 1)),
    )


def write_files(data: PeriodData, folder: Path, name: str) -> dict[str, Path]:
    """The period as the files of the Nezha layout: a span table, a container log table with
    Docker envelopes around logback lines, and a wide per-pod metric table."""
    folder.mkdir(parents=True, exist_ok=True)
    s = data.spans
    spans = pd.DataFrame(
        {
            "TraceID": s["trace_id"],
            "SpanID": s["span_id"],
            "ParentID": s["parent_span_id"].fillna("root"),
            "PodName": s["pod"],
            "OperationName": s["operation"],
            "StartTimeUnixNano": (s["start_ms"] * 1e6).round().astype("int64"),
            "EndTimeUnixNano": (s["end_ms"] * 1e6).round().astype("int64"),
            "Duration": ((s["end_ms"] - s["start_ms"]) * 1000).round().astype("int64"),
        }
    )
    rec = data.logs
    stamps = pd.to_datetime((rec["time_ms"] * 1e6).round().astype("int64"), unit="ns", utc=True)
    local = (stamps + pd.Timedelta(hours=8)).dt.strftime("%H:%M:%S.%f").str[:12]
    lines = [
        json.dumps(
            {
                "log": f"{clock} {level:<5} c.e.{svc.title().replace('-', '')}Impl#42 "
                f"TraceID: {t} SpanID: {sp} {text}\n",
                "stream": "stdout",
                "time": stamp.isoformat().replace("+00:00", "Z"),
            }
        )
        for clock, level, svc, t, sp, text, stamp in zip(
            local,
            rec["level"],
            rec["service"],
            rec["trace_id"],
            rec["span_id"],
            rec["text"],
            stamps,
            strict=True,
        )
    ]
    logs = pd.DataFrame(
        {
            "Timestamp": stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "TimeUnixNano": stamps.astype("int64"),
            "Node": "10.0.0.1",
            "PodName": rec["pod"],
            "Container": "server",
            "TraceID": rec["trace_id"],
            "SpanID": rec["span_id"],
            "Log": lines,
        }
    )
    m = data.metrics
    times = pd.to_datetime(m["time"], utc=True)
    metrics = pd.DataFrame(
        {
            "Time": times.dt.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC m=+12.5"),
            "TimeStamp": times.astype("int64") // 10**9,
            "PodName": m["pod"],
            "CpuUsage(m)": m["cpu_m"],
            "MemoryUsage(Mi)": m["mem_mi"],
        }
    )
    paths = {
        "traces": folder / f"{name}_trace.csv.gz",
        "logs": folder / f"{name}_log.csv.gz",
        "metrics": folder / f"{name}_metric.csv",
    }
    spans.to_csv(paths["traces"], index=False)
    logs.to_csv(paths["logs"], index=False)
    metrics.to_csv(paths["metrics"], index=False)
    return paths
