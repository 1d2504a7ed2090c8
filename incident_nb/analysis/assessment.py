"""The Step 1 impact assessment, assembled from the evidence frames.

Pure: takes the frames the log store answered and returns an :class:`Assessment` (the evidence
pipeline turns it into the typed analysis summary).
"""

from __future__ import annotations

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
from incident_nb.core.models import TimeWindow
from incident_nb.core.severity import ImpactFacts, SeveritySuggestion, suggest_severity


@dataclass(frozen=True)
class Assessment:
    """Everything Step 1 needs, computed from the evidence."""

    window: TimeWindow
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


def _first_row(frame: pd.DataFrame) -> dict[str, Any] | None:
    return None if frame.empty else {str(k): v for k, v in frame.iloc[0].items()}


def assess(
    *,
    window: TimeWindow,
    per_minute: pd.DataFrame,
    endpoint_groups: pd.DataFrame,
    tenant_groups: pd.DataFrame,
    endpoint_latency: pd.DataFrame,
    messages: pd.DataFrame,
    first_error: pd.DataFrame,
    last_error: pd.DataFrame,
    onset: Onset | None,
    data_loss: bool = False,
    security_breach: bool = False,
) -> Assessment:
    """Assess impact from the evidence frames (see :class:`~incident_nb.sources.logs.LogStore`).

    ``endpoint_groups`` and ``tenant_groups`` have requests and errors per minute and endpoint,
    and per minute and tenant.
    """
    since = onset.at if onset else None
    tenants = group_impact(tenant_groups, "tenant", since)
    endpoint_impact = group_impact(endpoint_groups, "endpoint", since)
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
