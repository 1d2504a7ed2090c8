"""What an investigation's notebook loads for each section, from its parameters and record.

Each loader returns the evidence, or the problem that kept it from loading, so the notebook
shows the problem in that section and the rest of the investigation still runs. The work itself
is the evidence pipeline's (:mod:`incident_nb.evidence`); this module only says which files,
servers and times an investigation's parameters and record name.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from incident_nb.analysis.assessment import Assessment
from incident_nb.analysis.localize import Localization
from incident_nb.analysis.metrics import MetricsEvidence
from incident_nb.core.errors import EvidenceError
from incident_nb.core.folder import IncidentFolder
from incident_nb.core.models import TimeWindow, utc
from incident_nb.core.record import IncidentRecord
from incident_nb.evidence.analysis import analyze_logs
from incident_nb.evidence.changes import ChangeEvidence, change_evidence
from incident_nb.evidence.localize import localize_files
from incident_nb.evidence.logs import LogEvidence
from incident_nb.evidence.metrics import metrics_evidence
from incident_nb.evidence.request import AnalyzeRequest, ImpactInputs
from incident_nb.evidence.traces import TraceEvidence, trace_evidence
from incident_nb.notebook.params import NotebookParams

METRICS_BEFORE_ALERT = timedelta(hours=3)
METRICS_AFTER_ALERT = timedelta(hours=1)
"""The metrics window around the alert when there is no log evidence to take it from."""


def _located(folder: Path, path: str) -> str | Path:
    return path if "://" in path else folder / path


def load_logs(
    folder: Path, params: NotebookParams, record: IncidentRecord
) -> tuple[LogEvidence | None, str]:
    """The logs (or, once they rotated away, their snapshot) analysed for Steps 1 and 2."""
    if not params.logs:
        return None, "No logs were given for this incident (incident-nb new --logs FILE)."
    request = AnalyzeRequest(
        logs=tuple(_located(folder, p) for p in params.logs),
        snapshot_to=IncidentFolder(folder).evidence,
        snapshot_fallback=True,
        fmt=params.log_format,
        tz=params.log_tz,
        engine=params.engine,
    )
    impact = ImpactInputs(record.impact.data_loss, record.impact.security_breach)
    try:
        return analyze_logs(request, impact=impact, detail=True), ""
    except EvidenceError as exc:
        return None, str(exc)


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
        alert = utc(record.alert.started_at)
        window = TimeWindow(alert - METRICS_BEFORE_ALERT, alert + METRICS_AFTER_ALERT)
    try:
        return metrics_evidence(params.prometheus_url, record.service, window.start, window.end), ""
    except EvidenceError as exc:
        return None, str(exc)


def load_traces(folder: Path, params: NotebookParams) -> tuple[TraceEvidence | None, str]:
    """The trace files' spans and their analysis; nothing (and no problem) without traces."""
    if not params.traces:
        return None, ""
    try:
        return trace_evidence([folder / p for p in params.traces]), ""
    except EvidenceError as exc:
        return None, str(exc)


LOCALIZE_SPAN = timedelta(hours=24)
"""How far after its start the localization window reaches (it ends with the traces)."""
TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet")
"""Log files localization can read: container log tables (other logs it leaves out)."""


def load_localization(
    folder: Path, params: NotebookParams, record: IncidentRecord, assessment: Assessment | None
) -> tuple[Localization | None, str]:
    """Which service is at fault; nothing (and no problem) without traces.

    The traces (and metric tables) from the onset on are compared with the time before it: the
    window starts at the onset the logs show (else the alert) and runs to the end of the
    traces; the baseline is the traces' time before it. Log tables among the logs are used too.
    """
    if not params.traces:
        return None, ""
    start = assessment.onset.at if assessment and assessment.onset else None
    start = start or utc(record.alert.started_at)
    traces = [folder / p for p in params.traces]
    window = TimeWindow(start, start + LOCALIZE_SPAN)
    metrics = [folder / p for p in params.metrics]
    tables = [folder / p for p in params.logs if p.lower().endswith(TABLE_SUFFIXES)]
    try:
        return localize_files(traces, window, logs=tables, metrics=metrics), ""
    except EvidenceError as exc:
        if not tables:
            return None, str(exc)
        unread = f"the logs were left out ({exc})"
    try:  # the log tables were not container logs: the traces and metrics still tell
        found = localize_files(traces, window, metrics=metrics)
    except EvidenceError as exc:
        return None, str(exc)
    return dataclasses.replace(found, notes=(*found.notes, unread)), ""
