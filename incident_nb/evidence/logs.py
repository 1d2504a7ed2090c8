"""The log analysis of an incident: store -> Step 1 assessment -> :class:`LogEvidence`.

:func:`analyze_store` is the one pipeline from parsed log events to the analysis, used by
``incident-nb analyze`` and by the notebook alike; :func:`summarize` turns its result into the
typed :class:`~incident_nb.core.summary.AnalysisSummary` (the ``analyze --json`` document, and
the summary the notebook publishes for the post-mortem).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pandas as pd

from incident_nb.analysis.assessment import Assessment, assess
from incident_nb.analysis.cube import level_groups
from incident_nb.analysis.incident_search import find_incident
from incident_nb.core.findings import (
    BadLineNote,
    EndpointImpact,
    ErrorEvent,
    ErrorRates,
    LineCounts,
    OnsetNote,
    SeverityNote,
    SignatureNote,
    TenantImpact,
    TrendNote,
)
from incident_nb.core.models import TimeWindow, utc
from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.request import ImpactInputs
from incident_nb.sources.logs import LineReport, LogStore

SUMMARY_SIGNATURES = 20
"""How many error signatures the summary lists (the most frequent)."""
MESSAGE_SIGNATURES = 1000
"""How many the evidence keeps: fix verification needs every kind, not just the top."""
FAILING_REQUESTS = 20


@dataclass(frozen=True)
class LogEvidence:
    """The log evidence of an incident and what the analysis made of it."""

    lines: LineReport
    fields: Mapping[str, str | None]
    """Role (timestamp, status, level, tenant...) -> the source field that fed it, or None."""
    per_minute: pd.DataFrame
    per_minute_tenant: pd.DataFrame
    failing_requests: pd.DataFrame
    messages: pd.DataFrame
    """Error signatures, most frequent first, with ``new_since_onset``."""
    assessment: Assessment
    per_minute_endpoint: pd.DataFrame | None = None
    """Requests, errors and latency per minute and endpoint (with ``detail``: for charts)."""
    minute_groups: pd.DataFrame | None = None
    """Requests and errors per minute, endpoint and tenant (with ``detail``: for verification)."""
    note: str = ""
    """Where the events came from (parsed now and snapshotted, or read from the snapshot)."""
    warnings: tuple[str, ...] = ()
    """Sentences about the reading (a year assumed, errors that cannot be told...)."""
    errors_known: bool = True
    """Whether any event has a status, an outcome or a level: without, an error count of 0 means
    nothing."""

    @property
    def since(self) -> datetime:
        """The onset, or the start of the evidence when there is none."""
        a = self.assessment
        return a.onset.at if a.onset else a.window.start


def _with_new_since_onset(frame: pd.DataFrame, onset: datetime | None) -> pd.DataFrame:
    out = frame.copy()
    if onset is None or out.empty:
        out["new_since_onset"] = False
    else:
        first = pd.to_datetime(out["first_seen"], utc=True)
        out["new_since_onset"] = first >= pd.Timestamp(utc(onset))
    return out


def _before_onset(store: LogStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the analysis asks of the events whatever the onset: per minute, and the messages."""
    return store.per_minute(), store.error_messages(MESSAGE_SIGNATURES)


def analyze_store(
    store: LogStore,
    impact: ImpactInputs = ImpactInputs(),
    *,
    detail: bool = False,
    note: str = "",
) -> LogEvidence:
    """Run the Step 1 and 2 log analysis on the events of ``store``.

    Args:
        store: the parsed events (restricted to the window already).
        impact: what a person recorded about data loss and security.
        detail: also keep the finer frames the notebook draws and verifies the fix with
            (per minute and endpoint; per minute, endpoint and tenant); they cost queries over
            the finest groupings, so the command line does without.
        note: where the events came from, kept with the evidence.
    """
    # The onset is searched for in the whole service and in every endpoint and tenant; the
    # same per-minute levels give the per-endpoint and per-tenant frames (no scan of their own).
    # What does not depend on the onset is asked meanwhile, while the search works in Python.
    with store.meanwhile(_before_onset) as early:
        levels = store.minute_levels()
        incident = find_incident(store, levels)
        per_minute, found_messages = early()
    onset_at = incident.onset.at if incident.onset else None
    start, end = store.extent()
    since = onset_at or start
    endpoint_groups = level_groups(levels, "endpoint")
    tenant_groups = level_groups(levels, "tenant")
    messages = _with_new_since_onset(found_messages, onset_at)
    failing = store.failures_since(since, FAILING_REQUESTS)
    assessment = assess(
        window=TimeWindow(start, end),
        per_minute=per_minute,
        endpoint_groups=endpoint_groups,
        tenant_groups=tenant_groups,
        endpoint_latency=store.endpoint_latency(since),
        messages=messages.head(SUMMARY_SIGNATURES),
        first_error=failing.first,
        last_error=failing.latest.head(1),
        incident=incident,
        data_loss=impact.data_loss,
        security_breach=impact.security_breach,
    )
    return LogEvidence(
        lines=store.lines,
        fields=dict(store.fields),
        per_minute=per_minute,
        per_minute_tenant=tenant_groups,
        failing_requests=failing.latest,
        messages=messages,
        assessment=assessment,
        per_minute_endpoint=store.per_minute_endpoint() if detail else None,
        minute_groups=store.minute_groups() if detail else None,
        note=note,
        warnings=tuple(store.warnings),
        errors_known=store.errors_known,
    )


# --- the typed summary --------------------------------------------------------------------


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row with missing values (NaN, NaT, NA) as ``None``."""
    return {str(k): None if pd.api.types.is_scalar(v) and pd.isna(v) else v for k, v in row.items()}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_plain(row) for row in frame.to_dict("records")]


def _event(row: Mapping[str, Any] | None) -> ErrorEvent | None:
    return ErrorEvent.from_json(_plain(row)) if row else None


def _trend_note(a: Assessment) -> TrendNote:
    if a.incident is None:
        return TrendNote(a.trend.direction, a.trend.slope_per_min, a.trend.minutes)
    t = a.incident.trend
    return TrendNote(
        t.direction,
        a.trend.slope_per_min,
        t.minutes,
        unit=t.unit,
        slope=t.slope,
        judged_from=a.incident.trend_from,
        judged_to=a.incident.trend_to,
    )


def _onset_note(a: Assessment) -> OnsetNote | None:
    onset = a.group_onset
    if onset is None:
        return None
    evidence = onset.evidence()
    return OnsetNote(
        signal=str(evidence["signal"]),
        found_in=onset.found_in,
        group=dict(onset.group),
        endpoints=tuple(onset.affected("endpoint")),
        tenants=tuple(onset.affected("tenant")),
        services=tuple(onset.affected("service")),
        before=onset.before,
        after=onset.after,
        unit=str(evidence["unit"]),
        p_value=float(evidence["p_value"]),
        log10_p=round(onset.log10_p, 2),
        groups_searched=onset.groups_searched,
        ended_at=onset.ended_at,
        sentence=onset.sentence(),
        status=onset.status,
        also=None if evidence["also"] is None else str(evidence["also"]),
    )


def summarize(evidence: LogEvidence, traces: Mapping[str, Any] | None = None) -> AnalysisSummary:
    """The typed summary of the log evidence (and the traces' JSON part, when given)."""
    a = evidence.assessment
    endpoints = tuple(EndpointImpact.from_json(r) for r in _records(a.endpoints))
    tenants = tuple(TenantImpact.from_json(r) for r in _records(a.tenants[a.tenants["affected"]]))
    signatures = tuple(SignatureNote.from_json(r) for r in _records(a.messages))
    requests = evidence.failing_requests.get("request_id", pd.Series(dtype=object)).dropna()
    if not evidence.errors_known:
        return _without_errors(evidence, endpoints, traces)
    return AnalysisSummary(
        window_start=a.window.start,
        window_end=a.window.end,
        lines=_line_counts(evidence.lines),
        onset=a.onset.at if a.onset else None,
        onset_signal=a.onset.signal if a.onset else None,
        first_error=_event(a.first_error),
        last_error=_event(a.last_error),
        error_rate=ErrorRates(
            overall=a.overall_error_rate,
            since_onset=a.incident_error_rate,
            peak=a.peak_error_rate,
            peak_at=a.peak_at,
        ),
        endpoints=endpoints,
        affected_tenants=tenants,
        tenants_total=len(a.tenants),
        trend=_trend_note(a),
        onset_note=_onset_note(a),
        signatures=signatures,
        severity_suggestion=SeverityNote(a.severity.level, tuple(a.severity.reasons)),
        sample_failing_request_ids=tuple(str(r) for r in requests),
        fields=dict(evidence.fields),
        warnings=evidence.warnings,
        traces=traces,
    )


def _line_counts(lines: LineReport) -> LineCounts:
    """The summary's account of every line read."""
    return LineCounts(
        total=lines.total,
        parsed=lines.parsed,
        malformed=lines.malformed,
        bad_timestamp=lines.bad_timestamp,
        examples=tuple(BadLineNote(b.path, b.line, b.reason, b.text) for b in lines.examples),
    )


CANNOT_JUDGE = (
    "errors cannot be told from these logs (no status, outcome or level field), so the "
    "evidence cannot judge the severity; decide it from what people report"
)
LATENCY_ONLY = (
    "judged on the latency alone: errors cannot be told from these logs (no status, outcome "
    "or level field), and failures would make it worse"
)


def _without_errors(
    evidence: LogEvidence,
    endpoints: tuple[EndpointImpact, ...],
    traces: Mapping[str, Any] | None,
) -> AnalysisSummary:
    """The summary of logs whose errors cannot be told: no error figure is claimed at all.

    Rates, error counts, the error trend and the severity would all read "0" or "fine" and be
    wrong: they are null (or "unknown") instead, and the warnings say why. A latency incident
    is still told in full, but for the errors of its tenants; its severity says it rests on
    the latency alone.
    """
    a = evidence.assessment
    latency_onset = a.onset if a.onset and a.onset.signal != "error rate" else None
    # A latency onset needs no error field: its group, the slow endpoints and tenants (their
    # error figures unknown), the trend of its latency and the severity its impact suggests
    # (a floor: failures cannot be seen) stand.
    slow = a.group_onset is not None and a.group_onset.signal == "latency"
    slow_endpoints = set(a.group_onset.affected("endpoint")) if a.group_onset and slow else set()
    unknown = {"errors": None, "error_rate": None, "baseline_error_rate": None}
    tenants = a.tenants[a.tenants["affected"]] if slow else a.tenants.iloc[:0]
    severity = (
        SeverityNote(a.severity.level, (*a.severity.reasons, LATENCY_ONLY))
        if slow
        else SeverityNote(None, (CANNOT_JUDGE,))
    )
    return AnalysisSummary(
        window_start=a.window.start,
        window_end=a.window.end,
        lines=_line_counts(evidence.lines),
        onset=latency_onset.at if latency_onset else None,
        onset_signal=latency_onset.signal if latency_onset else None,
        first_error=None,
        last_error=None,
        error_rate=ErrorRates(overall=None, since_onset=None, peak=None, peak_at=None),
        endpoints=tuple(
            replace(e, errors=None, error_rate=None, affected=e.endpoint in slow_endpoints)
            for e in endpoints
        ),
        affected_tenants=tuple(
            TenantImpact.from_json({**row, **unknown}) for row in _records(tenants)
        ),
        tenants_total=len(a.tenants),
        trend=_trend_note(a) if slow else TrendNote("unknown", 0.0, 0),
        onset_note=_onset_note(a) if slow else None,
        signatures=(),
        severity_suggestion=severity,
        fields=dict(evidence.fields),
        warnings=evidence.warnings,
        traces=traces,
    )
