"""Loading an investigation's evidence for its notebook: logs, changes, metrics and traces.

Each loader returns the evidence or the problem that kept it from loading, so the notebook shows
the problem in that section and the rest of the investigation still runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from incident_nb.analysis.assessment import Assessment, assess
from incident_nb.analysis.impact import detect_onset
from incident_nb.analysis.metrics import MetricsEvidence
from incident_nb.analysis.traces import (
    compare_failing,
    critical_path_by_service,
    failure_origins,
)
from incident_nb.core.errors import EvidenceError
from incident_nb.core.folder import SNAPSHOT as SNAPSHOT_FILE
from incident_nb.core.models import TimeWindow, utc
from incident_nb.core.record import IncidentRecord
from incident_nb.evidence import ChangeEvidence, change_evidence, metrics_evidence
from incident_nb.notebook.params import NotebookParams
from incident_nb.sources.logs import LineReport, LogStore, remote
from incident_nb.sources.logs.engines import parse_engine
from incident_nb.sources.traces import TraceReport, read_traces

VERIFY_MESSAGES = 1000  # templates for "new error types" need every kind, not just the top


@dataclass
class Evidence:
    """The log evidence and what the analysis made of it."""

    lines: LineReport
    per_minute: pd.DataFrame
    per_minute_endpoint: pd.DataFrame
    per_minute_tenant: pd.DataFrame
    minute_groups: pd.DataFrame
    failing_requests: pd.DataFrame
    all_messages: pd.DataFrame
    assessment: Assessment
    snapshot_note: str = ""
    """How the evidence relates to its Parquet snapshot (written now, or read for want of logs)."""


def assess_store(
    store: LogStore,
    messages: pd.DataFrame,
    per_minute: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    data_loss: bool = False,
    security_breach: bool = False,
) -> Assessment:
    """The Step 1 assessment of the events in ``store``, given what was already read of it."""
    onset = detect_onset(per_minute)
    start, end = store.extent()
    since = onset.at if onset else start
    lines = store.lines
    return assess(
        window=TimeWindow(start, end),
        lines={
            "total": lines.total,
            "parsed": lines.parsed,
            "malformed": lines.malformed,
            "bad_timestamp": lines.bad_timestamp,
        },
        per_minute=per_minute,
        groups=groups,
        endpoint_latency=store.endpoint_latency(since),
        messages=messages.head(20),
        first_error=store.first_error(since),
        last_error=store.last_error(since),
        onset=onset,
        data_loss=data_loss,
        security_breach=security_breach,
    )


def _unavailable(paths: Sequence[str | Path]) -> list[str]:
    """Why each log file that cannot be read now cannot (rotated away, expired, unreachable)."""
    out = []
    for path in paths:
        if remote.scheme(path):
            if problem := remote.problem(str(path)):
                out.append(problem)
        elif not Path(path).is_file():
            out.append(f"{Path(path).name} no longer there")
    return out


def open_evidence(
    paths: Sequence[str | Path], snapshot: Path, fmt: str = "auto", tz: str = "UTC"
) -> tuple[LogStore, str]:
    """The log store of an investigation, and a note on its snapshot.

    While every log file (local, or at a remote URI) can be read, the logs are parsed and the
    snapshot in ``snapshot`` is (re)written, so a re-run sees lines appended since; once a file
    has rotated away (or a remote object expired, or its host is unreachable), the snapshot is
    read instead and the note says so.

    Raises:
        EvidenceError: the logs cannot be used, and there is no snapshot to fall back on.
    """
    missing = _unavailable(paths) if (snapshot / SNAPSHOT_FILE).is_file() else []
    if missing:
        taken = datetime.fromtimestamp((snapshot / SNAPSHOT_FILE).stat().st_mtime, UTC)
        note = (
            f"{'; '.join(missing)}: using the evidence snapshot "
            f"taken {taken:%Y-%m-%d %H:%M} UTC ({snapshot.name}/{SNAPSHOT_FILE})."
        )
        return LogStore.open_snapshot(snapshot), note
    store = LogStore.open(paths, fmt=fmt, tz=tz)
    try:
        store.snapshot(snapshot)
    except OSError as exc:
        return store, f"The evidence snapshot could not be written ({exc})."
    return store, f"Evidence snapshot written to {snapshot.name}/{SNAPSHOT_FILE}."


def load_logs(
    paths: list[str | Path],
    record: IncidentRecord,
    *,
    snapshot: Path | None = None,
    fmt: str = "auto",
    tz: str = "UTC",
    engine: str = "duckdb",
) -> Evidence:
    """Parse the logs (or their snapshot) and run the Step 1 analysis.

    With a Spark ``engine`` the queries run on Spark and nothing is snapshotted: the evidence
    stays in the cluster's storage.

    Raises:
        EvidenceError: the logs cannot be used (named).
    """
    spec = parse_engine(engine)
    if spec.name == "spark":
        from incident_nb.sources.logs.spark import open_spark  # noqa: PLC0415 - optional extra

        store: LogStore = open_spark(paths, spec, fmt=fmt, tz=tz)
        note = f"Evidence read and queried by Spark ({spec.label}); no local snapshot is kept."
    elif snapshot is None:
        store, note = LogStore.open(paths, fmt=fmt, tz=tz), ""
    else:
        store, note = open_evidence(paths, snapshot, fmt, tz)
    try:
        messages = store.error_messages(limit=VERIFY_MESSAGES)
        per_minute, groups = store.per_minute(), store.minute_groups()
        impact = record.impact
        assessment = assess_store(
            store,
            messages,
            per_minute,
            groups,
            data_loss=impact.data_loss,
            security_breach=impact.security_breach,
        )
        since = assessment.onset.at if assessment.onset else assessment.window.start
        return Evidence(
            store.lines,
            per_minute,
            store.per_minute_endpoint(),
            store.minute_by("tenant"),
            groups,
            store.failing_requests(since),
            messages,
            assessment,
            note,
        )
    finally:
        store.close()


def load_changes(
    folder: Path, params: NotebookParams, record: IncidentRecord, assessment: Assessment | None
) -> tuple[ChangeEvidence | None, str]:
    """Changes, deploys and suspects before the onset (or the alert without one)."""
    if not params.repos:
        return None, "No git repositories were given (incident-nb new --repo DIR)."
    onset = assessment.onset.at if assessment and assessment.onset else utc(record.alert.started_at)
    try:
        evidence = change_evidence(
            [folder / r for r in params.repos],
            onset,
            record.service or None,
            lookback=timedelta(hours=params.lookback_hours),
            endpoints=assessment.failing_endpoints if assessment else (),
        )
    except EvidenceError as exc:
        return None, str(exc)
    return evidence, ""


def load_metrics(
    params: NotebookParams, record: IncidentRecord, window: TimeWindow | None
) -> tuple[MetricsEvidence | None, str]:
    """The service's metrics from the Prometheus-compatible server, over the evidence window."""
    if not params.prometheus_url:
        return None, "No metrics server was given (incident-nb new --prometheus URL)."
    if window is None:
        start = utc(record.alert.started_at) - timedelta(hours=3)
        window = TimeWindow(start, utc(record.alert.started_at) + timedelta(hours=1))
    try:
        return metrics_evidence(params.prometheus_url, record.service, window.start, window.end), ""
    except EvidenceError as exc:
        return None, str(exc)


@dataclass
class TraceEvidence:
    """The spans of the trace files and where failing requests fail."""

    spans: pd.DataFrame
    report: TraceReport
    origins: pd.DataFrame
    services: pd.DataFrame
    operations: pd.DataFrame
    critical_path: pd.DataFrame


def load_traces(folder: Path, params: NotebookParams) -> tuple[TraceEvidence | None, str]:
    """The trace files' spans and their analysis; nothing (and no problem) without traces."""
    if not params.traces:
        return None, ""
    try:
        spans, report = read_traces([folder / p for p in params.traces])
    except EvidenceError as exc:
        return None, str(exc)
    return TraceEvidence(
        spans,
        report,
        failure_origins(spans),
        compare_failing(spans, ("service",)),
        compare_failing(spans, ("service", "operation")),
        critical_path_by_service(spans),
    ), ""


def fix_time(record: IncidentRecord) -> datetime | None:
    """When the fix reached production: the first timeline event saying so, if any."""
    for event in sorted(record.timeline, key=lambda e: utc(e.time)):
        text = event.event.strip().lower()
        if text.startswith(("fix deployed", "rolled back", "rollback deployed", "mitigated")):
            return utc(event.time)
    return None
