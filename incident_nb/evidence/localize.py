"""Localization evidence: which service is at fault, from trace, log and metric files.

:func:`load_localize_inputs` reads the files and cuts them into the two periods localization
compares, the incident window and a healthy baseline; :func:`localize_files` also runs the
analysis (:func:`incident_nb.analysis.localize.localize`), for the command line and the
notebook alike. Traces are read by :func:`incident_nb.sources.traces.read_traces` (span tables
included), logs by :mod:`incident_nb.sources.container_logs`, metrics by
:mod:`incident_nb.sources.metrics_file` (wide tables per pod or service).
Spans repeated across files are kept once, and so are repeated log rows.

The baseline is either a time range of the same files, or other files (``baseline_traces``,
``baseline_logs``, ``baseline_metrics``) whose period is the time their spans and log records
cover (from the first to the last record, rounded out to whole seconds). Metric files often
cover far more than that period: only their rows that overlap it are baseline, and only their
rows that overlap the window are the incident's (a row stamped T covers the interval before T).
Without any baseline, the files' time before the window is the baseline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from incident_nb.analysis.localize import Localization, localize
from incident_nb.analysis.localize.model import LocalizeInputs, Period
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import TimeWindow, iso
from incident_nb.sources.container_logs import MAP_FIELDS as LOG_MAP_FIELDS
from incident_nb.sources.container_logs import read_container_logs
from incident_nb.sources.kubernetes import service_of_pod
from incident_nb.sources.metrics_file import entity_metrics, read_metrics_frame, rows_overlapping
from incident_nb.sources.traces import read_traces
from incident_nb.sources.traces.tables import MAP_FIELDS as SPAN_MAP_FIELDS

Files = Sequence[Path]
MAP_FIELDS = tuple(dict.fromkeys([*SPAN_MAP_FIELDS, *LOG_MAP_FIELDS, "time", "pod", "service"]))
"""The fields ``--map`` may name: span table, log table and metric table columns."""


def load_localize_inputs(
    traces: Files,
    window: TimeWindow,
    *,
    logs: Files = (),
    metrics: Files = (),
    baseline: TimeWindow | None = None,
    baseline_traces: Files = (),
    baseline_logs: Files = (),
    baseline_metrics: Files = (),
    mapping: Sequence[tuple[str, str]] = (),
) -> LocalizeInputs:
    """Read the files and cut them into the incident window and the baseline.

    Raises:
        EvidenceError: a file is missing or unreadable, the window holds no spans, or no
            baseline can be found.
    """
    unknown = sorted({name for name, _ in mapping} - set(MAP_FIELDS))
    if unknown:
        raise EvidenceError(
            f"unknown --map field {', '.join(unknown)}; the fields are {', '.join(MAP_FIELDS)}"
        )
    notes: list[str] = []
    spans = _spans(traces, mapping, notes)
    records = _logs(logs, mapping, notes) if logs else None
    if baseline_traces or baseline_logs:
        base_spans = _spans(baseline_traces, mapping, notes) if baseline_traces else None
        base_logs = _logs(baseline_logs, mapping, notes) if baseline_logs else None
        if baseline is None:
            baseline = _extent(base_spans, base_logs)
        if base_logs is None and records is not None:
            base_logs = records
        if base_spans is None:
            base_spans = spans
    else:
        if baseline is None:
            baseline = _before(spans, records, window)
            notes.append(
                f"no baseline given: the files' time before the window ({_range(baseline)}) "
                "is the baseline"
            )
        base_spans, base_logs = spans, records
    if baseline.end > window.start and baseline.start < window.end:
        notes.append(f"the baseline {_range(baseline)} overlaps the window {_range(window)}")
    incident_spans = _cut(spans, "start", window)
    if incident_spans.empty:
        raise EvidenceError(
            f"no spans start in the window {_range(window)}; the traces cover "
            f"{_span_range(spans)}: "
            "check --window and the files"
        )
    readings = _MetricReadings(mapping, [window, baseline])
    return LocalizeInputs(
        incident=Period(
            window,
            incident_spans,
            _cut(records, "time", window) if records is not None else None,
            readings.rows(metrics, window) if metrics else None,
        ),
        baseline=Period(
            baseline,
            _cut(base_spans, "start", baseline),
            _cut(base_logs, "time", baseline) if base_logs is not None else None,
            readings.rows(baseline_metrics or metrics, baseline)
            if (baseline_metrics or metrics)
            else None,
        ),
        notes=tuple(notes),
    )


def _range(window: TimeWindow) -> str:
    return f"{iso(window.start)} to {iso(window.end)}"


def _span_range(spans: pd.DataFrame) -> str:
    first, last = spans["start"].min().floor("s"), spans["start"].max().ceil("s")
    return f"{iso(first)} to {iso(last)}"


def _spans(paths: Files, mapping: Sequence[tuple[str, str]], notes: list[str]) -> pd.DataFrame:
    frame, report = read_traces(list(paths), mapping)
    if report.malformed:
        where = report.examples[0] if report.examples else None
        example = f", e.g. {where.path} {where.where}: {where.reason}" if where else ""
        notes.append(f"{report.malformed} malformed spans left out{example}")
    return frame.drop_duplicates(["trace_id", "span_id"], ignore_index=True)


def _logs(paths: Files, mapping: Sequence[tuple[str, str]], notes: list[str]) -> pd.DataFrame:
    frame, report = read_container_logs(list(paths), mapping)
    if report.malformed:
        where = report.examples[0] if report.examples else None
        example = f" ({where.path} {where.where}: {where.reason})" if where else ""
        notes.append(f"{report.malformed} malformed log lines skipped{example}")
    if report.unusable:
        notes.append(f"{report.unusable} log rows without a time or a pod/service left out")
    return frame


def _cut(frame: pd.DataFrame, column: str, window: TimeWindow) -> pd.DataFrame:
    times = frame[column]
    keep = (times >= pd.Timestamp(window.start)) & (times <= pd.Timestamp(window.end))
    return frame[keep].reset_index(drop=True)


def _extent(spans: pd.DataFrame | None, logs: pd.DataFrame | None) -> TimeWindow:
    times = [f[c] for f, c in ((spans, "start"), (logs, "time")) if f is not None and not f.empty]
    if not times:
        raise EvidenceError("the baseline files hold no spans and no log records; give others")
    start = min(t.min() for t in times).floor("s")
    end = max(t.max() for t in times).ceil("s")
    return TimeWindow(start.to_pydatetime(), end.to_pydatetime())


def _before(spans: pd.DataFrame, logs: pd.DataFrame | None, window: TimeWindow) -> TimeWindow:
    first = spans["start"].min()
    if logs is not None and not logs.empty:
        first = min(first, logs["time"].min())
    if first >= pd.Timestamp(window.start) - pd.Timedelta(seconds=1):
        raise EvidenceError(
            "no baseline: the files start at the window; pass --baseline START,END (a healthy "
            "period in the same files) or --baseline-traces FILE (files of a healthy period)"
        )
    return TimeWindow(first.floor("s").to_pydatetime(), window.start - timedelta(microseconds=1))


class _MetricReadings:
    """Metric files read once each, and files of the same columns converted together.

    A file is known by its content, whatever names it is given under (the baseline's metric
    files are often the same files as the window's).
    """

    def __init__(self, mapping: Sequence[tuple[str, str]], windows: list[TimeWindow]) -> None:
        self._mapping = dict(mapping)
        self._windows = [(w.start, w.end) for w in windows]
        self._digests: dict[Path, str] = {}
        self._rows: dict[str, pd.DataFrame] = {}

    def rows(self, paths: Files, window: TimeWindow) -> pd.DataFrame:
        """The rows of the files that overlap ``window``."""
        self._load([Path(p) for p in paths])
        frames = [self._rows[self._digests[Path(p)]] for p in paths]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return rows_overlapping(frame, window.start, window.end) if not frame.empty else frame

    def _load(self, paths: list[Path]) -> None:
        fresh: dict[str, pd.DataFrame] = {}
        for path in paths:
            if path in self._digests:
                continue
            try:
                digest = hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
            except FileNotFoundError:
                raise EvidenceError(f"metrics file not found: {path}; check the path") from None
            except OSError as exc:
                raise EvidenceError(f"cannot read metrics file {path}: {exc}") from None
            self._digests[path] = digest
            if digest not in self._rows and digest not in fresh:
                raw = read_metrics_frame(path)
                renames = {
                    v: k for k, v in self._mapping.items() if k in {"time", "pod", "service"}
                }
                fresh[digest] = raw.rename(
                    columns={c: renames[c] for c in raw.columns if c in renames}
                )
        by_columns: dict[tuple[str, ...], list[str]] = {}
        for digest, raw in fresh.items():
            by_columns.setdefault(tuple(map(str, raw.columns)), []).append(digest)
        for digests in by_columns.values():
            raws = [fresh[d].assign(_file=d) for d in digests]
            rows = entity_metrics(
                pd.concat(raws, ignore_index=True), service_of_pod, self._windows, carry=["_file"]
            )
            for name, part in rows.groupby("_file"):
                self._rows[str(name)] = part.drop(columns="_file")
            for digest in digests:
                self._rows.setdefault(digest, rows.iloc[:0].drop(columns="_file"))


def window_of(start: datetime, end: datetime) -> TimeWindow:
    """A window, or a clear error when it ends before it starts.

    Raises:
        EvidenceError: ``end`` is not after ``start``.
    """
    if end <= start:
        raise EvidenceError(f"the window ends ({iso(end)}) before it starts ({iso(start)})")
    return TimeWindow(start, end)


def localize_files(
    traces: Files,
    window: TimeWindow,
    *,
    logs: Files = (),
    metrics: Files = (),
    baseline: TimeWindow | None = None,
    baseline_traces: Files = (),
    baseline_logs: Files = (),
    baseline_metrics: Files = (),
    mapping: Sequence[tuple[str, str]] = (),
) -> Localization:
    """Read the files (see :func:`load_localize_inputs`) and rank the services.

    Raises:
        EvidenceError: as :func:`load_localize_inputs`.
    """
    inputs = load_localize_inputs(
        traces,
        window,
        logs=logs,
        metrics=metrics,
        baseline=baseline,
        baseline_traces=baseline_traces,
        baseline_logs=baseline_logs,
        baseline_metrics=baseline_metrics,
        mapping=mapping,
    )
    return localize(inputs)


__all__ = ["MAP_FIELDS", "load_localize_inputs", "localize_files", "window_of"]
