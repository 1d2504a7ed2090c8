"""The impact assessment and its JSON summary, assembled from the evidence frames.

Pure: takes the frames the log store answered and returns an :class:`Assessment`, whose
:meth:`Assessment.summary` is the JSON document the CLI prints and the post-mortem reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from incident_nb.analysis.impact import (
    Onset,
    Trend,
    error_trend,
    group_impact,
    peak_minute,
    window_rate,
)
from incident_nb.core.models import TimeWindow, iso
from incident_nb.core.severity import ImpactFacts, SeveritySuggestion, suggest_severity

SUMMARY_VERSION = 1


@dataclass(frozen=True)
class Assessment:
    """Everything Step 1 needs, computed from the evidence."""

    window: TimeWindow
    lines: dict[str, int]
    onset: Onset | None
    trend: Trend
    overall_error_rate: float
    incident_error_rate: float
    peak_error_rate: float
    peak_at: datetime | None
    first_error: dict[str, Any] | None
    last_error: dict[str, Any] | None
    tenants: pd.DataFrame
    endpoints: pd.DataFrame
    messages: pd.DataFrame
    severity: SeveritySuggestion

    @property
    def affected_tenants(self) -> list[str]:
        """Names of the affected tenants, most errors first."""
        return [str(t) for t in self.tenants.loc[self.tenants["affected"], "tenant"]]

    @property
    def failing_endpoints(self) -> list[str]:
        """Endpoints whose errors rose at the onset, most errors first."""
        return [str(e) for e in self.endpoints.loc[self.endpoints["affected"], "endpoint"]]

    def _new_since_onset(self, first_seen: str | None) -> bool:
        return bool(self.onset and first_seen and first_seen >= iso(self.onset.at))

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the keys of ``incident-nb analyze --json``)."""

        def rows(frame: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
            return [
                {c: _plain(v) for c, v in zip(cols, rec, strict=True)}
                for rec in frame[cols].itertuples(index=False)
            ]

        return {
            "summary_version": SUMMARY_VERSION,
            "window": {"start": iso(self.window.start), "end": iso(self.window.end)},
            "lines": dict(self.lines),
            "onset": iso(self.onset.at) if self.onset else None,
            "onset_signal": self.onset.signal if self.onset else None,
            "first_error_at": _plain(self.first_error["ts"]) if self.first_error else None,
            "last_error_at": _plain(self.last_error["ts"]) if self.last_error else None,
            "first_error": {k: _plain(v) for k, v in (self.first_error or {}).items()} or None,
            "last_error": {k: _plain(v) for k, v in (self.last_error or {}).items()} or None,
            "error_rate": {
                "overall": round(self.overall_error_rate, 6),
                "since_onset": round(self.incident_error_rate, 6),
                "peak": round(self.peak_error_rate, 6),
                "peak_at": iso(self.peak_at) if self.peak_at else None,
            },
            "endpoints": rows(
                self.endpoints,
                [
                    "endpoint",
                    "requests",
                    "errors",
                    "error_rate",
                    "p50_ms",
                    "p95_ms",
                    "p99_ms",
                    "affected",
                ],
            ),
            "affected_tenants": rows(
                self.tenants[self.tenants["affected"]],
                ["tenant", "requests", "errors", "error_rate", "baseline_error_rate"],
            ),
            "tenants_total": len(self.tenants),
            "trend": {
                "direction": self.trend.direction,
                "slope_per_min": round(self.trend.slope_per_min, 6),
                "minutes": self.trend.minutes,
            },
            "signatures": [
                {**row, "new_since_onset": self._new_since_onset(row["first_seen"])}
                for row in rows(
                    self.messages, ["id", "template", "count", "first_seen", "last_seen", "example"]
                )
            ],
            "severity_suggestion": {
                "level": self.severity.level.value,
                "reasons": list(self.severity.reasons),
            },
        }


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: timestamps as ISO-8601 UTC, numpy numbers as Python numbers.

    Every missing value (None, NaN, pandas ``NA`` and ``NaT``, numpy ``nan``) is None, and an
    infinite number too: JSON has none of them.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return iso(pd.Timestamp(value).to_pydatetime())
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bool | int | str):
        return value
    return None if pd.isna(value) is True else str(value)


def _first_row(frame: pd.DataFrame) -> dict[str, Any] | None:
    return None if frame.empty else {str(k): v for k, v in frame.iloc[0].items()}


def assess(
    *,
    window: TimeWindow,
    lines: dict[str, int],
    per_minute: pd.DataFrame,
    groups: pd.DataFrame,
    endpoint_latency: pd.DataFrame,
    messages: pd.DataFrame,
    first_error: pd.DataFrame,
    last_error: pd.DataFrame,
    onset: Onset | None,
    data_loss: bool = False,
    security_breach: bool = False,
    tenant_groups: pd.DataFrame | None = None,
) -> Assessment:
    """Assess impact from the evidence frames (see :class:`~incident_nb.sources.logs.LogStore`).

    ``groups`` has requests and errors per minute, endpoint and tenant; or, when
    ``tenant_groups`` is given, ``groups`` is per minute and endpoint and ``tenant_groups`` per
    minute and tenant (the same totals in far fewer rows).
    """
    since = onset.at if onset else None
    tenants = group_impact(groups if tenant_groups is None else tenant_groups, "tenant", since)
    endpoint_impact = group_impact(groups, "endpoint", since)
    endpoints = endpoint_impact.merge(
        endpoint_latency[["endpoint", "p50_ms", "p95_ms", "p99_ms"]], on="endpoint", how="left"
    )
    peak, peak_at = peak_minute(per_minute)
    facts = ImpactFacts(
        tenants_total=int((tenants["tenant"] != "(none)").sum()),
        tenants_affected=int((tenants["affected"] & (tenants["tenant"] != "(none)")).sum()),
        endpoints_failing=tuple(
            (str(endpoint), float(rate))
            for endpoint, rate in endpoints.loc[
                endpoints["affected"], ["endpoint", "error_rate"]
            ].itertuples(index=False)
        ),
        overall_error_rate=window_rate(per_minute, since),
        data_loss=data_loss,
        security_breach=security_breach,
    )
    return Assessment(
        window=window,
        lines=lines,
        onset=onset,
        trend=error_trend(per_minute),
        overall_error_rate=window_rate(per_minute),
        incident_error_rate=facts.overall_error_rate,
        peak_error_rate=peak,
        peak_at=peak_at,
        first_error=_first_row(first_error),
        last_error=_first_row(last_error),
        tenants=tenants,
        endpoints=endpoints,
        messages=messages,
        severity=suggest_severity(facts),
    )
