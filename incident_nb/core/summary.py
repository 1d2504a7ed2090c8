"""The analysis summary: the one typed result of the log analysis, and its JSON document.

The evidence pipeline (:mod:`incident_nb.evidence`) makes an :class:`AnalysisSummary`;
``incident-nb analyze --json`` prints :meth:`AnalysisSummary.to_json`, the executed notebook
publishes the same document (see :data:`~incident_nb.core.folder.SUMMARY_MIMETYPE`), and the
post-mortem, the status updates and the review read it back with
:meth:`AnalysisSummary.from_json`, so every consumer sees typed values (times as aware UTC
datetimes) instead of indexing a dictionary and slicing strings. Documents written by earlier
versions (without the newer keys) still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from incident_nb.core.findings import (
    BadLineNote,
    EndpointImpact,
    ErrorEvent,
    ErrorRates,
    LineCounts,
    OnsetNote,
    SeverityNote,
    SignatureNote,
    SuspectNote,
    TenantImpact,
    TrendNote,
    json_number,
    json_time,
    read_count,
    read_number,
    read_text,
    read_time,
)
from incident_nb.core.models import Severity

SUMMARY_VERSION = 1


@dataclass(frozen=True)
class AnalysisSummary:
    """The Step 1 and 2 analysis of an incident's logs (and traces)."""

    window_start: datetime | None
    window_end: datetime | None
    lines: LineCounts
    onset: datetime | None
    onset_signal: str | None
    first_error: ErrorEvent | None
    last_error: ErrorEvent | None
    error_rate: ErrorRates
    endpoints: tuple[EndpointImpact, ...]
    affected_tenants: tuple[TenantImpact, ...]
    tenants_total: int
    trend: TrendNote
    signatures: tuple[SignatureNote, ...]
    severity_suggestion: SeverityNote
    sample_failing_request_ids: tuple[str, ...] = ()
    onset_note: OnsetNote | None = None
    """Where the onset was found and the evidence for it (none without an onset)."""
    fields: Mapping[str, str | None] = field(default_factory=dict)
    """Role (timestamp, status, level, tenant...) -> the source field that fed it, or None."""
    warnings: tuple[str, ...] = ()
    """Sentences about the reading (a year assumed, errors that cannot be told...)."""
    traces: Mapping[str, Any] | None = None
    """The traces part (where failing requests fail), as its JSON document."""
    suspects: tuple[SuspectNote, ...] = ()
    """The top suspect changes, best first (when the notebook read recent changes)."""

    @property
    def failing_endpoints(self) -> tuple[EndpointImpact, ...]:
        """The endpoints whose errors (or, in a latency incident, latency) rose at the onset."""
        return tuple(e for e in self.endpoints if e.affected)

    @property
    def slowed(self) -> tuple[float, float] | None:
        """A latency incident's typical latency before and since the onset (ms), else None.

        Its affected endpoints are slow, not failing: their error rates say nothing of it. A
        group that slowed first and then failed too is told by its failures.
        """
        note = self.onset_note
        if note is None or note.signal != "latency" or note.also is not None:
            return None
        if note.before is None or note.after is None:
            return None
        return note.before, note.after

    def to_json(self) -> dict[str, Any]:
        """The ``incident-nb analyze --json`` document (key order as printed)."""
        rates = self.error_rate
        doc: dict[str, Any] = {
            "summary_version": SUMMARY_VERSION,
            "window": {"start": json_time(self.window_start), "end": json_time(self.window_end)},
            "lines": {
                "total": self.lines.total,
                "parsed": self.lines.parsed,
                "malformed": self.lines.malformed,
                "bad_timestamp": self.lines.bad_timestamp,
                "examples": [asdict(b) for b in self.lines.examples],
            },
            "onset": json_time(self.onset),
            "onset_signal": self.onset_signal,
            "onset_group": self.onset_note.group_json() if self.onset_note else None,
            "onset_evidence": self.onset_note.evidence_json() if self.onset_note else None,
            "first_error_at": json_time(self.first_error.ts) if self.first_error else None,
            "last_error_at": json_time(self.last_error.ts) if self.last_error else None,
            "first_error": self.first_error.to_json() if self.first_error else None,
            "last_error": self.last_error.to_json() if self.last_error else None,
            "error_rate": {
                "overall": json_number(rates.overall),
                "since_onset": json_number(rates.since_onset),
                "peak": json_number(rates.peak),
                "peak_at": json_time(rates.peak_at),
            },
            "endpoints": [
                {
                    "endpoint": e.endpoint,
                    "requests": e.requests,
                    "errors": e.errors,
                    "error_rate": json_number(e.error_rate),
                    "p50_ms": json_number(e.p50_ms),
                    "p95_ms": json_number(e.p95_ms),
                    "p99_ms": json_number(e.p99_ms),
                    "affected": e.affected,
                }
                for e in self.endpoints
            ],
            "affected_tenants": [
                {
                    "tenant": t.tenant,
                    "requests": t.requests,
                    "errors": t.errors,
                    "error_rate": json_number(t.error_rate),
                    "baseline_error_rate": json_number(t.baseline_error_rate),
                }
                for t in self.affected_tenants
            ],
            "tenants_total": self.tenants_total,
            "trend": {
                "direction": self.trend.direction,
                "slope_per_min": round(self.trend.slope_per_min, 6),
                "minutes": self.trend.minutes,
                "unit": self.trend.unit,
                "slope": round(self.trend.slope, 6),
                "from": json_time(self.trend.judged_from),
                "to": json_time(self.trend.judged_to),
            },
            "signatures": [
                {
                    "id": s.id,
                    "template": s.template,
                    "count": s.count,
                    "first_seen": json_time(s.first_seen),
                    "last_seen": json_time(s.last_seen),
                    "example": s.example,
                    "new_since_onset": s.new_since_onset,
                }
                for s in self.signatures
            ],
            "severity_suggestion": {
                "level": level.value if (level := self.severity_suggestion.level) else None,
                "reasons": list(self.severity_suggestion.reasons),
            },
            "sample_failing_request_ids": list(self.sample_failing_request_ids),
            "fields": dict(self.fields),
            "warnings": list(self.warnings),
        }
        if self.traces is not None:
            doc["traces"] = dict(self.traces)
        if self.suspects:
            doc["suspects"] = [s.to_json() for s in self.suspects]
        return doc

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnalysisSummary:
        """Read a summary document (as printed, or published by a notebook of any version).

        Missing parts read as empty: an older document lacks the newer keys.
        """
        window = data.get("window") or {}
        lines = data.get("lines") or {}
        rates = data.get("error_rate") or {}
        trend = data.get("trend") or {}
        severity = data.get("severity_suggestion") or {}
        first = data.get("first_error") or {"ts": data.get("first_error_at")}
        last = data.get("last_error") or {"ts": data.get("last_error_at")}
        return cls(
            window_start=read_time(window.get("start")),
            window_end=read_time(window.get("end")),
            lines=LineCounts(
                total=read_count(lines.get("total")),
                parsed=read_count(lines.get("parsed")),
                malformed=read_count(lines.get("malformed")),
                bad_timestamp=read_count(lines.get("bad_timestamp")),
                examples=tuple(
                    BadLineNote(
                        str(b.get("path", "")),
                        read_count(b.get("line")),
                        str(b.get("reason", "")),
                        str(b.get("text", "")),
                    )
                    for b in lines.get("examples") or []
                ),
            ),
            onset=read_time(data.get("onset")),
            onset_signal=read_text(data.get("onset_signal")),
            first_error=_event(first),
            last_error=_event(last),
            error_rate=ErrorRates(
                overall=read_number(rates.get("overall")),
                since_onset=read_number(rates.get("since_onset")),
                peak=read_number(rates.get("peak")),
                peak_at=read_time(rates.get("peak_at")),
            ),
            endpoints=tuple(EndpointImpact.from_json(e) for e in data.get("endpoints") or []),
            affected_tenants=tuple(
                TenantImpact.from_json(t) for t in data.get("affected_tenants") or []
            ),
            tenants_total=read_count(data.get("tenants_total")),
            trend=TrendNote(
                direction=str(trend.get("direction") or "stable"),
                slope_per_min=read_number(trend.get("slope_per_min")) or 0.0,
                minutes=read_count(trend.get("minutes")),
                unit=str(trend.get("unit") or "pp/min"),
                slope=read_number(trend.get("slope")) or 0.0,
                judged_from=read_time(trend.get("from")),
                judged_to=read_time(trend.get("to")),
            ),
            signatures=tuple(SignatureNote.from_json(s) for s in data.get("signatures") or []),
            severity_suggestion=SeverityNote(
                level=Severity(severity["level"]) if severity.get("level") else None,
                reasons=tuple(str(r) for r in severity.get("reasons") or []),
            ),
            sample_failing_request_ids=tuple(
                str(r) for r in data.get("sample_failing_request_ids") or []
            ),
            onset_note=(
                OnsetNote.from_json(data.get("onset_group") or {}, data.get("onset_evidence") or {})
                if data.get("onset_evidence")
                else None
            ),
            fields={str(k): read_text(v) for k, v in (data.get("fields") or {}).items()},
            warnings=tuple(str(w) for w in data.get("warnings") or []),
            traces=data.get("traces"),
            suspects=tuple(
                SuspectNote.from_json(s)
                for s in data.get("suspects") or []
                if isinstance(s, Mapping)
            ),
        )


def _event(data: Any) -> ErrorEvent | None:
    if not isinstance(data, Mapping) or read_time(data.get("ts")) is None:
        return None
    return ErrorEvent.from_json(data)
