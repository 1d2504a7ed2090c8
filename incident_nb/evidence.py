"""Metrics and change evidence for an investigation: sources read, analysis applied.

The functions the notebook and the command line call: :func:`metrics_evidence` (Prometheus),
:func:`file_metrics_evidence` (an exported CSV/Parquet file) and :func:`change_evidence`
(git changes, deploys and the ranked suspects). Each raises
:class:`~incident_nb.core.errors.EvidenceError` with a message meant to be shown in place of the
section, so the rest of the investigation still runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from incident_nb.analysis.metrics import MetricsEvidence, metrics_onset, tidy
from incident_nb.analysis.suspects import rank_suspects
from incident_nb.core.models import utc
from incident_nb.sources.changes import recent_changes, release_tags, with_tags
from incident_nb.sources.deploys import deploys as load_deploys
from incident_nb.sources.deploys import read_deploy_log
from incident_nb.sources.metrics_file import normalise, read_metrics_frame
from incident_nb.sources.prometheus import PrometheusAuth, PrometheusSource
from incident_nb.sources.promql import MetricNames

DEFAULT_LOOKBACK = timedelta(hours=24)
DEPLOY_LOOKAHEAD = timedelta(hours=24)
"""How far after the onset deploys are read: a change first deployed then is not a suspect."""


def metrics_evidence(
    url: str,
    service: str,
    start: datetime,
    end: datetime,
    *,
    step_seconds: int = 60,
    names: MetricNames | None = None,
    auth: PrometheusAuth | None = None,
) -> MetricsEvidence:
    """A service's metrics over ``[start, end]`` from a Prometheus-compatible server.

    Credentials default to :meth:`PrometheusAuth.from_env` (never pass them as notebook
    parameters).

    Raises:
        EvidenceError: the server is unreachable, rejects a query, or has no data.
    """
    with PrometheusSource(url, names, auth or PrometheusAuth.from_env()) as source:
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


@dataclass(frozen=True)
class ChangeEvidence:
    """Recent changes before an onset, the deploys around it, and the ranked suspects."""

    changes: pd.DataFrame
    deploys: pd.DataFrame
    suspects: pd.DataFrame


def change_evidence(
    repos: Sequence[str | Path],
    onset: datetime,
    service: str | None = None,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    deploy_log: str | Path | None = None,
    tag_pattern: str | None = "*",
    endpoints: Sequence[str] = (),
    path_services: Mapping[str, str] | None = None,
) -> ChangeEvidence:
    """Changes in ``[onset - lookback, onset]``, deploys and suspects ranked best first.

    Raises:
        EvidenceError: a repository or the deploy log cannot be read.
    """
    onset = utc(onset)
    since, until = onset - lookback, onset + DEPLOY_LOOKAHEAD
    log = read_deploy_log(deploy_log) if deploy_log is not None else None
    commits = recent_changes(repos, onset, lookback, tag_pattern=None)
    tags = None
    if tag_pattern is not None:
        known = dict(zip(commits["sha"], commits["files"], strict=True))
        tags = release_tags(repos, since, until, tag_pattern, known_files=known)
    changes = with_tags(commits, tags, since, onset)
    deploys = load_deploys(repos, since, until, deploy_log=log, tags=tags)
    ranked = rank_suspects(
        changes,
        onset,
        deploys=deploys,
        service=service,
        endpoints=endpoints,
        path_services=path_services,
    )
    return ChangeEvidence(changes, deploys, ranked)
