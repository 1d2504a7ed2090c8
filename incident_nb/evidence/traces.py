"""Trace evidence: where failing requests fail, from OTLP/JSON or Jaeger JSON trace files.

:func:`trace_evidence` reads the files and analyses their spans (:class:`TraceEvidence`, what
the notebook shows); :func:`trace_document` is the ``traces`` part of ``analyze --json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from incident_nb.analysis.traces import (
    compare_failing,
    critical_path_by_service,
    failure_origins,
    restrict_traces,
    trace_summary,
)
from incident_nb.core.errors import EvidenceError
from incident_nb.sources.traces import TraceReport, read_traces


@dataclass(frozen=True)
class TraceEvidence:
    """The spans of the trace files and where failing requests fail."""

    spans: pd.DataFrame
    report: TraceReport
    origins: pd.DataFrame
    services: pd.DataFrame
    operations: pd.DataFrame
    critical_path: pd.DataFrame


def _read(
    paths: Sequence[Path], start: datetime | None, end: datetime | None
) -> tuple[pd.DataFrame, TraceReport]:
    spans, report = read_traces(paths)
    spans = restrict_traces(spans, start, end)
    if spans.empty:
        raise EvidenceError(
            f"no trace in {', '.join(map(str, paths))} begins in the window "
            f"{start or '-'} .. {end or '-'}; widen --window"
        )
    return spans, report


def trace_evidence(
    paths: Sequence[Path], start: datetime | None = None, end: datetime | None = None
) -> TraceEvidence:
    """The spans of the trace files (those beginning in the window) and their analysis.

    Raises:
        EvidenceError: a trace file cannot be used (the message names it and the shapes read),
            or no trace begins in the window.
    """
    spans, report = _read(paths, start, end)
    return TraceEvidence(
        spans,
        report,
        failure_origins(spans),
        compare_failing(spans, ("service",)),
        compare_failing(spans, ("service", "operation")),
        critical_path_by_service(spans),
    )


def trace_document(
    paths: Sequence[Path], start: datetime | None = None, end: datetime | None = None
) -> dict[str, Any]:
    """The ``traces`` part of ``analyze --json``: where failing requests fail.

    Raises:
        EvidenceError: as :func:`trace_evidence`.
    """
    spans, report = _read(paths, start, end)
    document = trace_summary(spans, report.malformed)
    document["duplicates"] = report.duplicates
    document["files"] = [{"path": path, "format": shape} for path, shape in report.files]
    document["examples"] = [
        {"path": b.path, "where": b.where, "reason": b.reason} for b in report.examples
    ]
    return document
