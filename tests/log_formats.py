"""Writers of one service log in every format incident-nb reads, for ground-truth tests.

Each writer takes the same DataFrame (ts, tenant_id, endpoint, status, latency_ms, message,
request_id, level) and writes it the way that format's producers do.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from incident_nb.cli import main
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.evidence.analysis import analyze
from incident_nb.evidence.request import AnalyzeRequest

ANALYSIS_KEYS = [
    "window",
    "onset",
    "first_error_at",
    "last_error_at",
    "error_rate",
    "endpoints",
    "affected_tenants",
    "trend",
    "severity_suggestion",
]
"""The keys of ``analyze --json`` that are the analysis itself (beside lines, signatures)."""

COLUMNS = ["ts", "tenant_id", "endpoint", "status", "latency_ms", "message", "request_id", "level"]


def load(jsonl: Path) -> pd.DataFrame:
    """The scenario's events, timestamps cut to whole seconds (access logs have no finer)."""
    frame = pd.read_json(jsonl, lines=True, dtype={"ts": str})[COLUMNS]
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True).dt.floor("s")
    return frame


def _iso(ts: pd.Series) -> pd.Series:
    return ts.dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_jsonl(frame: pd.DataFrame, path: Path) -> Path:
    """Plain JSON lines with ISO timestamps."""
    out = frame.assign(ts=_iso(frame["ts"]))
    out.to_json(path, orient="records", lines=True)
    return path


def write_delimited(frame: pd.DataFrame, path: Path, sep: str = ",", tz: str = "") -> Path:
    """CSV/TSV with a header; ``tz`` writes naive local timestamps in that zone instead."""
    ts = frame["ts"].dt.tz_convert(ZoneInfo(tz)) if tz else frame["ts"]
    text = ts.dt.strftime("%Y-%m-%d %H:%M:%S") if tz else _iso(ts)
    frame.assign(ts=text).to_csv(path, sep=sep, index=False)
    return path


def _logfmt_value(value: object) -> str:
    text = str(value)
    if any(c in text for c in ' "=') or not text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def write_logfmt(frame: pd.DataFrame, path: Path) -> Path:
    """logfmt lines, ``msg`` for the message as most logfmt producers name it."""
    out = frame.assign(ts=_iso(frame["ts"])).rename(columns={"message": "msg"})
    with path.open("w") as handle:
        for row in out.itertuples(index=False):
            pairs = zip(out.columns, row, strict=True)
            handle.write(" ".join(f"{k}={_logfmt_value(v)}" for k, v in pairs) + "\n")
    return path


COMBINED = (
    "%d/%b/%Y:%H:%M:%S +0000",
    '10.0.0.1 - {tenant_id} [{when}] "GET {endpoint}?x=1 HTTP/1.1" {status} 512 "-" '
    '"load-test/1.0" {seconds:.4f}',
)
"""A combined access log with nginx's trailing request time; the tenant is the remote user."""
OSLO = (
    "%Y-%m-%d %H:%M:%S.000",
    "{when} 25746 {LEVEL} nova.osapi_compute.wsgi.server [req-{request_id} admin {tenant_id} "
    '- - -] 10.11.10.1 "GET {endpoint} HTTP/1.1" status: {status} len: 1893 time: {seconds:.7f}',
)
"""OpenStack's oslo.log, as nova's API writes each request; the tenant is the project."""


def _write_lines(frame: pd.DataFrame, path: Path, layout: tuple[str, str]) -> Path:
    """One line per event: ``layout`` is the time's format and the line's template."""
    time_format, template = layout
    stamp = frame["ts"].dt.strftime(time_format)
    with path.open("w") as handle:
        for row, when in zip(frame.to_dict("records"), stamp, strict=True):
            seconds, level = row["latency_ms"] / 1000, str(row["level"]).upper()
            handle.write(template.format(**row, when=when, seconds=seconds, LEVEL=level) + "\n")
    return path


def write_combined(frame: pd.DataFrame, path: Path) -> Path:
    """:data:`COMBINED`."""
    return _write_lines(frame, path, COMBINED)


def write_oslo(frame: pd.DataFrame, path: Path) -> Path:
    """:data:`OSLO`."""
    return _write_lines(frame, path, OSLO)


def write_otlp(frame: pd.DataFrame, path: Path, per_request: int = 500) -> Path:
    """OTLP/JSON logs as the file exporter writes them: one export request per line."""

    def attr(key: str, value: object) -> dict[str, object]:
        if isinstance(value, int):
            return {"key": key, "value": {"intValue": str(value)}}
        if isinstance(value, float):
            return {"key": key, "value": {"doubleValue": value}}
        return {"key": key, "value": {"stringValue": str(value)}}

    nanos = frame["ts"].astype("int64")
    records = [
        {
            "timeUnixNano": str(ns),
            "observedTimeUnixNano": str(ns),
            "severityText": row.level.upper(),
            "body": {"stringValue": row.message},
            "attributes": [
                attr("tenant.id", row.tenant_id),
                attr("http.route", row.endpoint),
                attr("http.response.status_code", int(row.status)),
                attr("http.server.request.duration", row.latency_ms / 1000),
                attr("request_id", row.request_id),
            ],
        }
        for row, ns in zip(frame.itertuples(index=False), nanos, strict=True)
    ]
    resource = {"attributes": [attr("service.name", "checkout")]}
    with path.open("w") as handle:
        for i in range(0, len(records), per_request):
            request = {
                "resourceLogs": [
                    {
                        "resource": resource,
                        "scopeLogs": [{"logRecords": records[i : i + per_request]}],
                    }
                ]
            }
            handle.write(json.dumps(request) + "\n")
    return path


def write_ecs(frame: pd.DataFrame, path: Path) -> Path:
    """JSON lines with Elastic Common Schema names, durations in nanoseconds."""
    with path.open("w") as handle:
        for row, when in zip(frame.itertuples(index=False), _iso(frame["ts"]), strict=True):
            doc = {
                "@timestamp": when,
                "organization.id": row.tenant_id,
                "url.path": row.endpoint,
                "http.response.status_code": int(row.status),
                "event.duration": round(row.latency_ms * 1_000_000),
                "message": row.message,
                "http.request.id": row.request_id,
                "log.level": row.level,
            }
            handle.write(json.dumps(doc) + "\n")
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Parquet with a typed UTC timestamp column."""
    frame.to_parquet(path, index=False)
    return path


DAMAGED_LINES = [
    '{"ts": "2026-11-20T07:01:00", "status": 500, "endpoint": ',
    '{"tenant_id": "acme", "status": 200}',
    "not json at all",
]
"""Two malformed JSON lines and one without a timestamp, for :func:`write_local_damaged`."""


def write_local_damaged(frame: pd.DataFrame, path: Path, tz: str) -> Path:
    """JSON lines with naive local times in ``tz``, and :data:`DAMAGED_LINES` after the 100th."""
    local = frame.assign(
        ts=frame["ts"].dt.tz_convert(ZoneInfo(tz)).dt.strftime("%Y-%m-%dT%H:%M:%S")
    )
    lines = local.to_json(orient="records", lines=True).splitlines()
    path.write_text("\n".join([*lines[:100], *DAMAGED_LINES, *lines[100:]]) + "\n")
    return path


def scenario_files(scenario: Scenario, folder: Path) -> dict[str, Any]:
    """The scenario's events, written as JSON lines and as logfmt into ``folder``."""
    events = load(generate_logs(scenario, folder / "raw.jsonl"))
    return {
        "events": events,
        "jsonl": write_jsonl(events, folder / "service.jsonl"),
        "logfmt": write_logfmt(events, folder / "service.logfmt"),
        "folder": folder,
    }


def analyze_json(*args: object) -> dict[str, Any]:
    """``incident-nb analyze --logs ARGS... --json``, run in this process, as a document."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["analyze", "--logs", *map(str, args), "--json"])
    assert status == 0
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


def analysis_document(request: AnalyzeRequest) -> dict[str, Any]:
    """The ``analyze --json`` document of a request, analysed in this process."""
    return analyze(request).to_json()
