"""The Step 1 impact assessment, assembled from the evidence frames.

Pure: takes the frames the log store answered and returns an :class:`Assessment` (the evidence
pipeline turns it into the typed analysis summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from incident_nb.analysis.group_onset import SIGNAL_NAMES, GroupOnset, Incident
from incident_nb.analysis.impact import (
    NO_VALUE,
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
    incident: Incident | None = None
    """The onset search's answer: the group the onset was found in, the evidence, the trend of
    the affected group and the minutes it was judged over (see
    :func:`~incident_nb.analysis.incident_search.find_incident`)."""

    @property
    def group_onset(self) -> GroupOnset | None:
        """Where the onset was found and how strong the evidence is."""
        return self.incident.onset if self.incident else None

    @property
    def affected_tenants(self) -> list[str]:
        """Names of the affected tenants, most errors first."""
        return [str(t) for t in self.tenants.loc[self.tenants["affected"], "tenant"]]

    @property
    def failing_endpoints(self) -> list[str]:
        """Endpoints whose errors (or latency) rose at the onset, most errors first."""
        return [str(e) for e in self.endpoints.loc[self.endpoints["affected"], "endpoint"]]


def _first_row(frame: pd.DataFrame) -> dict[str, Any] | None:
    return None if frame.empty else {str(k): v for k, v in frame.iloc[0].items()}


def legacy_onset(onset: GroupOnset) -> Onset:
    """The onset as the summary has always named it (``error rate`` or ``latency p95``...)."""
    return Onset(onset.at, SIGNAL_NAMES[onset.signal], onset.before, onset.after)


def legacy_trend(incident: Incident) -> Trend:
    """The affected group's trend with the error rate's slope as a share per minute."""
    t = incident.trend
    share = t.unit == "pp/min"
    return Trend(
        t.direction,
        t.slope / 100 if share else 0.0,
        t.start_level / 100 if share else float("nan"),
        t.end_level / 100 if share else float("nan"),
        t.minutes,
        t.p_value,
    )


def _mark(frame: pd.DataFrame, key: str, affected: list[str]) -> pd.DataFrame:
    """``frame`` with ``affected`` set from the onset search, affected values first."""
    out = frame.assign(affected=frame[key].astype(str).isin(affected))
    return out.sort_values(
        ["affected", "errors", key], ascending=[False, False, True], ignore_index=True
    )


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
    onset: Onset | None = None,
    incident: Incident | None = None,
    data_loss: bool = False,
    security_breach: bool = False,
) -> Assessment:
    """Assess impact from the evidence frames (see :class:`~incident_nb.sources.logs.LogStore`).

    ``endpoint_groups`` and ``tenant_groups`` have requests and errors per minute and endpoint,
    and per minute and tenant. With the onset search's ``incident``, the onset, the affected
    tenants and endpoints (those whose own rate changed at the onset) and the trend come from
    it; without one, from ``onset`` and each group against the others.
    """
    group = incident.onset if incident else None
    if incident is not None:
        onset = legacy_onset(group) if group else None
    since = onset.at if onset else None
    tenants = group_impact(tenant_groups, "tenant", since)
    endpoint_impact = group_impact(endpoint_groups, "endpoint", since)
    if group is not None:
        tenants = _mark(tenants, "tenant", group.affected("tenant"))
        endpoint_impact = _mark(endpoint_impact, "endpoint", group.affected("endpoint"))
    endpoints = endpoint_impact.merge(
        endpoint_latency[["endpoint", "p50_ms", "p95_ms", "p99_ms"]], on="endpoint", how="left"
    )
    peak, peak_at = peak_minute(per_minute)
    affected = endpoints.loc[endpoints["affected"], ["endpoint", "error_rate"]]
    facts = ImpactFacts(
        tenants_total=int((tenants["tenant"] != NO_VALUE).sum()),
        tenants_affected=int((tenants["affected"] & (tenants["tenant"] != NO_VALUE)).sum()),
        endpoints_failing=_failing(group, affected),
        endpoints_slow=_slow(group),
        overall_error_rate=window_rate(per_minute, since),
        data_loss=data_loss,
        security_breach=security_breach,
    )
    return Assessment(
        window=window,
        onset=onset,
        trend=legacy_trend(incident) if incident else error_trend(per_minute),
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
        incident=incident,
    )


def _failing(group: GroupOnset | None, affected: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """(endpoint, error rate since the onset) of each affected endpoint whose failures rose.

    In a latency incident, only those of a group that failed too (``also``).
    """
    if group is not None and group.signal == "latency":
        also = group.also
        if also is None:
            return ()
        reach = also.scope.get("endpoint")
        affected = affected if reach is None else affected[affected["endpoint"].isin(reach)]
    return tuple((str(e), float(r)) for e, r in affected.itertuples(index=False))


def _slow(group: GroupOnset | None) -> tuple[tuple[str, float], ...]:
    """(endpoint, times slower than before the onset) of each endpoint whose latency rose.

    A failing group that also got slow (``also``) is as many times slower on each endpoint the
    latency hit as the group as a whole.
    """
    if group is None:
        return ()
    if group.signal == "latency":
        return _slower(group)
    also = group.also
    if also is None or also.signal != "latency" or also.before <= 0:
        return ()
    reach = also.scope.get("endpoint") or group.affected("endpoint")
    return tuple((str(e), also.after / also.before) for e in reach)


def _slower(group: GroupOnset) -> tuple[tuple[str, float], ...]:
    """(endpoint, times slower than before the onset) of each endpoint the latency hit."""
    units = group.units.get("endpoint")
    if units is None:
        return ()
    rows = units[units["affected"]]
    return tuple(
        (str(v), float(level / base) if base > 0 else float("inf"))
        for v, level, base in rows[["value", "level", "baseline"]].itertuples(index=False)
    )
