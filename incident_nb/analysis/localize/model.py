"""The values localization takes and gives: the two periods' frames in, the ranking out.

:class:`LocalizeInputs` holds, for the incident window and the healthy baseline, the spans
(the frame of :data:`incident_nb.sources.traces.SPAN_COLUMNS`), the log records
(``time, service, trace_id, span_id, level, source, message``) and the metric rows
(``time, service, metric, unit, value``); a modality that is absent is ``None``.
:class:`Localization` is the ranking, each service with its evidence, and the per-item
comparisons behind it (:data:`FINDING_COLUMNS`), which charts and notebooks draw from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from incident_nb.core.models import TimeWindow, iso

SIGNALS = ("latency", "errors", "logs", "resources")
"""The kinds of evidence, in the order they are shown."""
FINDING_COLUMNS = (
    "service",
    "signal",
    "item",
    "unit",
    "baseline",
    "window",
    "n_baseline",
    "n_window",
    "p_value",
    "strength",
    "score",
    "summary",
)
"""One row per compared item (an operation, an edge, a template, a metric, a log context):
its baseline and window values, how sure (``p_value``), how large (``strength``, 0..1), the two
combined (``score``) and the sentence that says it."""


@dataclass(frozen=True)
class Period:
    """The evidence of one period: spans, log records and metric rows, each optional."""

    window: TimeWindow
    spans: pd.DataFrame | None = None
    logs: pd.DataFrame | None = None
    metrics: pd.DataFrame | None = None


@dataclass(frozen=True)
class LocalizeInputs:
    """The incident window and the healthy baseline to compare it with."""

    incident: Period
    baseline: Period
    notes: tuple[str, ...] = ()
    """What the loader could not use, said plainly (shown with the result)."""


@dataclass(frozen=True)
class Evidence:
    """One reason a service ranks where it does."""

    signal: str
    """One of :data:`SIGNALS`."""
    summary: str
    score: float


@dataclass(frozen=True)
class ServiceRank:
    """A service, how likely it is the origin (0..1), and the evidence, strongest first."""

    service: str
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Localization:
    """Services ranked by how likely each is where the fault began, best first."""

    window: TimeWindow
    baseline: TimeWindow
    services: tuple[ServiceRank, ...]
    findings: pd.DataFrame = field(repr=False)
    """Every compared item (:data:`FINDING_COLUMNS`), best score first."""
    signals: pd.DataFrame = field(repr=False)
    """One row per service: ``service``, its score on each of :data:`SIGNALS` (errors and
    logs already weighed by its origin share), and ``origin``, the share of its marked visits
    that no change in a service it calls explains."""
    notes: tuple[str, ...] = ()

    def as_json(self, evidence_per_service: int = 5) -> dict[str, object]:
        """The JSON document of ``incident-nb localize --json``."""
        return {
            "window": {"start": iso(self.window.start), "end": iso(self.window.end)},
            "baseline": {"start": iso(self.baseline.start), "end": iso(self.baseline.end)},
            "services": [
                {
                    "service": rank.service,
                    "score": round(rank.score, 4),
                    "evidence": [
                        {"signal": e.signal, "summary": e.summary}
                        for e in rank.evidence[:evidence_per_service]
                    ],
                }
                for rank in self.services
            ],
            "notes": list(self.notes),
        }

    def top(self, n: int = 3) -> tuple[ServiceRank, ...]:
        """The first ``n`` services."""
        return self.services[:n]


__all__ = [
    "FINDING_COLUMNS",
    "SIGNALS",
    "Evidence",
    "Localization",
    "LocalizeInputs",
    "Period",
    "ServiceRank",
]
