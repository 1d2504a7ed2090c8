"""Orchestration of one log analysis: store -> assessment -> the ``analyze --json`` document.

The CLI and the notebook call :func:`analyze_logs`; it reads the logs (or the Parquet snapshot)
through :class:`~incident_nb.sources.logs.LogStore`, runs the pure analysis and returns the
summary with the keys the ``analyze`` command promises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from incident_nb.analysis.assessment import Assessment, assess
from incident_nb.analysis.impact import detect_onset
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import AnalyzeRequest, TimeWindow
from incident_nb.sources.logs import LogStore


def signatures(store: LogStore, onset: datetime | None, limit: int = 20) -> pd.DataFrame:
    """Error signatures with counts, first seen and whether they are new since the onset.

    The one place signatures are computed, so a better grouping can replace the SQL template
    masking without touching the callers.
    """
    frame = store.error_messages(limit)
    if onset is None:
        frame["new_since_onset"] = False
    else:
        frame["new_since_onset"] = pd.to_datetime(frame["first_seen"], utc=True) >= pd.Timestamp(
            onset
        )
    return frame


def _lines(store: LogStore) -> dict[str, int]:
    return {
        "total": store.lines.total,
        "parsed": store.lines.parsed,
        "malformed": store.lines.malformed,
        "bad_timestamp": store.lines.bad_timestamp,
    }


def analyze_store(store: LogStore) -> tuple[Assessment, pd.DataFrame]:
    """Assess the events of ``store``; also return the signatures frame."""
    per_minute = store.per_minute()
    onset = detect_onset(per_minute)
    start, end = store.extent()
    since = onset.at if onset else start
    sigs = signatures(store, onset.at if onset else None)
    assessment = assess(
        window=TimeWindow(start, end),
        lines=_lines(store),
        per_minute=per_minute,
        groups=store.minute_by("endpoint"),
        tenant_groups=store.minute_by("tenant"),
        endpoint_latency=store.endpoint_latency(since),
        messages=sigs,
        first_error=store.first_error(since),
        last_error=store.last_error(since),
        onset=onset,
    )
    return assessment, sigs


def analyze_logs(
    request: AnalyzeRequest,
    progress: Callable[[str], None] = lambda _: None,
    store: LogStore | None = None,
) -> dict[str, Any]:
    """Run the whole analysis and return the JSON-ready summary (``analyze --json``).

    Args:
        request: what to analyse.
        progress: called with a line of text at each stage.
        store: the request's logs, already parsed (the store is closed when done).

    Raises:
        EvidenceError: the logs cannot be used (the message says how to fix it).
    """
    if store is not None:
        pass
    elif request.engine not in ("", "duckdb"):
        from incident_nb.sources.logs.engines import parse_engine  # noqa: PLC0415
        from incident_nb.sources.logs.spark import open_spark  # noqa: PLC0415

        spec = parse_engine(request.engine)
        progress(f"parsing {len(request.logs)} log file(s) with Spark ({spec.label})")
        store = open_spark(
            list(request.logs),
            spec,
            dict(request.mapping) or None,
            request.fmt,
            request.tz,
        )
    elif request.snapshot_from is not None:
        progress(f"opening the evidence snapshot in {request.snapshot_from}")
        store = LogStore.open_snapshot(request.snapshot_from)
    else:
        progress(f"parsing {len(request.logs)} log file(s)")
        store = LogStore.open(
            list(request.logs), dict(request.mapping) or None, fmt=request.fmt, tz=request.tz
        )
    try:
        if request.start is not None or request.end is not None:
            store.restrict(request.start, request.end)
        if request.snapshot_to is not None:
            progress(f"writing the evidence snapshot to {request.snapshot_to}")
            store.snapshot(request.snapshot_to)
        progress("analysing")
        assessment, sigs = analyze_store(store)
        summary = assessment.summary()
        summary["signatures"] = _signature_rows(sigs)
        summary["lines"]["examples"] = [
            {"path": b.path, "line": b.line, "reason": b.reason, "text": b.text}
            for b in store.lines.examples
        ]
        summary["sample_failing_request_ids"] = [
            str(r) for r in store.failing_requests(assessment.window.start)["request_id"].dropna()
        ]
        summary["fields"] = dict(store.fields)
        return summary
    finally:
        store.close()


def analyze_traces(
    paths: Sequence[Path],
    progress: Callable[[str], None] = lambda _: None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """The ``traces`` part of ``analyze --json``: where failing requests fail.

    With ``start``/``end``, only the traces that begin in that window are analysed.

    Raises:
        EvidenceError: a trace file cannot be used (the message names it and the shapes read),
            or no trace begins in the window.
    """
    from incident_nb.analysis.traces import (  # noqa: PLC0415 - only with traces
        restrict_traces,
        trace_summary,
    )
    from incident_nb.sources.traces import read_traces  # noqa: PLC0415

    progress(f"reading {len(paths)} trace file(s)")
    spans, report = read_traces(paths)
    spans = restrict_traces(spans, start, end)
    if spans.empty:
        raise EvidenceError(
            f"no trace in {', '.join(map(str, paths))} begins in the window "
            f"{start or '-'} .. {end or '-'}; widen --window"
        )
    summary = trace_summary(spans, report.malformed)
    summary["duplicates"] = report.duplicates
    summary["files"] = [{"path": path, "format": shape} for path, shape in report.files]
    summary["examples"] = [
        {"path": b.path, "where": b.where, "reason": b.reason} for b in report.examples
    ]
    return summary


def analyze_evidence(
    request: AnalyzeRequest,
    progress: Callable[[str], None] = lambda _: None,
    store: LogStore | None = None,
) -> dict[str, Any]:
    """Logs and traces together: the log summary with a ``traces`` key when traces are given.

    Without logs, the document holds the ``traces`` part and the ``window`` its spans cover.
    ``store`` is the request's logs, already parsed (see :func:`analyze_logs`).

    Raises:
        EvidenceError: the logs or traces cannot be used.
    """
    has_logs = bool(request.logs) or request.snapshot_from is not None
    summary = analyze_logs(request, progress, store) if has_logs else {}
    if request.traces:
        traces = analyze_traces(request.traces, progress, request.start, request.end)
        summary["traces"] = traces
        if not has_logs:
            summary["window"] = traces.get("window", {"start": None, "end": None})
    return summary


def _signature_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for template, count, first_seen, new, example in frame[
        ["template", "count", "first_seen", "new_since_onset", "example"]
    ].itertuples(index=False):
        first = pd.Timestamp(first_seen).tz_convert("UTC")
        rows.append(
            {
                "template": str(template).strip(),
                "count": int(count),
                "first_seen": first.isoformat().replace("+00:00", "Z"),
                "new_since_onset": bool(new),
                "example": str(example),
            }
        )
    return rows
