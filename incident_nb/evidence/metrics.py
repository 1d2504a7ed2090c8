"""Metrics evidence: a service's request rate, error rate and latency, and the onset they show.

From a Prometheus-compatible server (:func:`metrics_evidence`) or an exported CSV/Parquet file
(:func:`file_metrics_evidence`). Each raises :class:`~incident_nb.core.errors.EvidenceError`
with a message meant to be shown in place of the section.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pandas as pd

from incident_nb.analysis.metrics import MetricsEvidence, metrics_onset, tidy
from incident_nb.sources.metrics_file import normalise, read_metrics_frame
from incident_nb.sources.prometheus import PrometheusAuth, PrometheusSource
from incident_nb.sources.promql import MetricNames


def metrics_evidence(
    url: str,
    service: str,
    start: datetime,
    end: datetime,
    *,
    step_seconds: int = 60,
    names: MetricNames | None = None,
    auth: PrometheusAuth | None = None,
    transport: httpx.BaseTransport | None = None,
) -> MetricsEvidence:
    """A service's metrics over ``[start, end]`` from a Prometheus-compatible server.

    Credentials default to :meth:`PrometheusAuth.from_env` (never pass them as notebook
    parameters).

    Raises:
        EvidenceError: the server is unreachable, rejects a query, or has no data.
    """
    auth = auth or PrometheusAuth.from_env()
    with PrometheusSource(url, names, auth, transport=transport) as source:
        got = source.service_frames(service, start, end, step_seconds)
    series = tidy(got.frames)
    return MetricsEvidence(
        service=service,
        step_seconds=step_seconds,
        series=series,
        routes=got.routes,
        onset=metrics_onset(series, step_seconds),
        queries=got.queries,
        notes=got.notes,
    )


def file_metrics_evidence(
    path: str | Path, service: str, step_seconds: int = 60
) -> MetricsEvidence:
    """A service's metrics from an exported CSV or Parquet file.

    Raises:
        EvidenceError: the file is missing, unreadable or has no known series.
    """
    series, notes = normalise(read_metrics_frame(path), service)
    return MetricsEvidence(
        service=service,
        step_seconds=step_seconds,
        series=series,
        routes=pd.DataFrame(columns=["time", "route", "request_rate", "error_rate"]),
        onset=metrics_onset(series, step_seconds),
        queries={"file": str(path)},
        notes=tuple(notes),
    )
