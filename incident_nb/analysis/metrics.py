"""Metrics evidence as values: the tidy series of a service, their per-minute view and the onset.

Pure: long DataFrames (time, series, value) in, frames and small frozen values out. Whatever the
metrics came from (the Prometheus HTTP API, an exported CSV/Parquet file), the notebook and the
command line see the same :class:`MetricsEvidence`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from incident_nb.analysis.impact import Onset, detect_onset
from incident_nb.core.models import iso

SERIES_NAMES: tuple[str, ...] = ("request_rate", "error_rate", "p50_ms", "p95_ms", "p99_ms")
"""The overall series, in order: requests/s, share of requests failing, latency in ms."""
RESOURCE_NAMES: tuple[str, ...] = ("cpu_cores", "memory_bytes", "open_connections")
LONG_COLUMNS = ["time", "series", "value"]


@dataclass(frozen=True)
class MetricsEvidence:
    """A service's metrics over an incident window.

    Attributes:
        service: the service the series describe.
        step_seconds: resolution of the series.
        series: long frame (time, series, value) of :data:`SERIES_NAMES` and
            :data:`RESOURCE_NAMES` that exist.
        routes: long frame (time, route, request_rate, error_rate); empty without a route label.
        onset: when the error rate (else the p95 latency) stepped up, if it did.
        queries: series name -> the query that produced it (shown in the notebook).
        notes: series that were asked for but do not exist, and why.
    """

    service: str
    step_seconds: int
    series: pd.DataFrame
    routes: pd.DataFrame
    onset: Onset | None
    queries: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def per_minute(self) -> pd.DataFrame:
        """The frame the log charts take: minute, requests, errors, p50_ms, p95_ms, p99_ms."""
        return per_step_frame(self.series, self.step_seconds)

    def as_json(self) -> dict[str, object]:
        """``{"series": {name: [[ISO8601, value], ...]}, "onset": ISO8601 or None}``."""
        out: dict[str, list[list[object]]] = {}
        for name in SERIES_NAMES:
            part = self.series[self.series["series"] == name].sort_values("time")
            out[name] = [
                [iso(pd.Timestamp(t).to_pydatetime()), None if math.isnan(v) else float(v)]
                for t, v in zip(part["time"], part["value"].astype(float), strict=True)
            ]
        return {"series": out, "onset": iso(self.onset.at) if self.onset else None}


def tidy(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One long frame (time, series, value) from ``{series name: frame with time, value}``."""
    parts = [
        frame[["time", "value"]].assign(series=name)[LONG_COLUMNS]
        for name, frame in frames.items()
        if not frame.empty
    ]
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    long = pd.concat(parts, ignore_index=True)
    long["time"] = pd.to_datetime(long["time"], utc=True)
    long["value"] = long["value"].astype(float)
    return long.sort_values(["series", "time"], ignore_index=True)


def per_step_frame(series: pd.DataFrame, step_seconds: int) -> pd.DataFrame:
    """Wide per-step frame with request and error counts estimated as rate x step.

    Columns: minute (the step's time), requests, errors, p50_ms, p95_ms, p99_ms (NaN where a
    series is missing), so the log analysis (onset, charts) applies unchanged.
    """
    wide = series.pivot_table(index="time", columns="series", values="value", aggfunc="last")
    for name in SERIES_NAMES:
        if name not in wide:
            wide[name] = math.nan
    out = pd.DataFrame({"minute": wide.index})
    out["requests"] = (wide["request_rate"].to_numpy(float) * step_seconds).round(6)
    out["errors"] = (out["requests"] * wide["error_rate"].fillna(0.0).to_numpy(float)).round(6)
    for name in ("p50_ms", "p95_ms", "p99_ms"):
        out[name] = wide[name].to_numpy(float)
    out["requests"] = out["requests"].fillna(0.0)
    out["errors"] = out["errors"].fillna(0.0)
    return out


def metrics_onset(series: pd.DataFrame, step_seconds: int) -> Onset | None:
    """The onset in metrics: the same change-point test as for logs, on rate x step counts."""
    if series.empty:
        return None
    return detect_onset(per_step_frame(series, step_seconds))


def window_bounds(series: pd.DataFrame) -> tuple[datetime, datetime] | None:
    """First and last time of the series, if any."""
    if series.empty:
        return None
    times = pd.to_datetime(series["time"], utc=True)
    return times.min().to_pydatetime(), times.max().to_pydatetime()
