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

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from incident_nb.core import humanize
from incident_nb.core.models import Severity, iso, parse_utc

SUMMARY_VERSION = 1


def _time(value: Any) -> datetime | None:
    if value is None or value == "" or value != value:  # noqa: PLR0124 - NaT is not itself
        return None
    if isinstance(value, datetime):
        return value
    try:
        return parse_utc(str(value))
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _count(value: Any) -> int:
    number = _number(value)
    return int(number) if number is not None else 0


def _maybe_count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _json_number(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _json_time(value: datetime | None) -> str | None:
    return None if value is None else iso(value)


@dataclass(frozen=True)
class BadLineNote:
    """One log line that could not be used: where, why, and its text."""

    path: str
    line: int
    reason: str
    text: str


@dataclass(frozen=True)
class LineCounts:
    """What happened to every log line."""

    total: int
    parsed: int
    malformed: int
    bad_timestamp: int
    examples: tuple[BadLineNote, ...] = ()


@dataclass(frozen=True)
class ErrorEvent:
    """One failing request or error record (the first or the most recent one)."""

    ts: datetime | None
    request_id: str | None = None
    tenant: str | None = None
    endpoint: str | None = None
    status: int | None = None
    message: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ErrorEvent:
        """Read the JSON object of an error event."""
        status = _number(data.get("status"))
        return cls(
            ts=_time(data.get("ts")),
            request_id=_text(data.get("request_id")),
            tenant=_text(data.get("tenant")),
            endpoint=_text(data.get("endpoint")),
            status=int(status) if status is not None else None,
            message=_text(data.get("message")),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this event."""
        return {
            "ts": _json_time(self.ts),
            "request_id": self.request_id,
            "tenant": self.tenant,
            "endpoint": self.endpoint,
            "status": self.status,
            "message": self.message,
        }


@dataclass(frozen=True)
class ErrorRates:
    """Shares of requests that failed: overall, since the onset, and the peak minute."""

    overall: float | None
    since_onset: float | None
    peak: float | None
    peak_at: datetime | None


@dataclass(frozen=True)
class EndpointImpact:
    """Requests, errors and latency of one endpoint since the onset."""

    endpoint: str
    requests: int
    errors: int | None
    """None when the logs cannot tell errors (no status or level field)."""
    error_rate: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    affected: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EndpointImpact:
        """Read one endpoint's row (a JSON object, or a frame's record)."""
        return cls(
            endpoint=str(data.get("endpoint", "")),
            requests=_count(data.get("requests")),
            errors=_maybe_count(data.get("errors")),
            error_rate=_number(data.get("error_rate")),
            p50_ms=_number(data.get("p50_ms")),
            p95_ms=_number(data.get("p95_ms")),
            p99_ms=_number(data.get("p99_ms")),
            affected=bool(data.get("affected")),
        )


@dataclass(frozen=True)
class TenantImpact:
    """Requests and errors of one affected tenant since the onset, and its rate before."""

    tenant: str
    requests: int
    errors: int
    error_rate: float | None
    baseline_error_rate: float | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenantImpact:
        """Read one tenant's row (a JSON object, or a frame's record)."""
        return cls(
            tenant=str(data.get("tenant", "")),
            requests=_count(data.get("requests")),
            errors=_count(data.get("errors")),
            error_rate=_number(data.get("error_rate")),
            baseline_error_rate=_number(data.get("baseline_error_rate")),
        )


@dataclass(frozen=True)
class TrendNote:
    """Whether the incident is getting worse, and how fast."""

    direction: str
    slope_per_min: float
    """Change of the error rate (a share of requests) per minute: of the affected group's
    since the onset, of the whole service without one (0 for a latency incident)."""
    minutes: int
    unit: str = "pp/min"
    """The unit of :attr:`slope`: percentage points of the affected group's failure share per
    minute, or milliseconds of its typical latency per minute."""
    slope: float = 0.0
    """The change per minute of what the trend was judged on, in :attr:`unit`."""
    judged_from: datetime | None = None
    judged_to: datetime | None = None
    """The first and last minute the trend was judged over."""

    def text(self) -> str:
        """``worsening, +1.13 pp/min over 30 min (14:30-14:59 UTC)``.

        Without the minutes it was judged over (an older summary): the error rate's slope.
        """
        if self.judged_from is None or self.judged_to is None:
            return humanize.trend_text(self.direction, self.slope_per_min, self.minutes)
        span = f"{humanize.hhmm(self.judged_from)}-{humanize.hhmm(self.judged_to)} UTC"
        return f"{self.direction}, {self.slope:+.2f} {self.unit} over {self.minutes} min ({span})"


@dataclass(frozen=True)
class OnsetNote:
    """Where the onset was found and how strong the evidence is.

    The search looks for the change in the whole service and in every endpoint, tenant (and
    service); the affected group is grown from the group it found.
    """

    signal: str
    """``error rate`` or ``latency``."""
    found_in: str
    """The level of the group the search found it in (``endpoint``, ``tenant``...)."""
    group: Mapping[str, str]
    endpoints: tuple[str, ...]
    tenants: tuple[str, ...]
    services: tuple[str, ...]
    before: float | None
    after: float | None
    unit: str
    """``share`` (of requests failing) or ``ms`` (typical latency)."""
    p_value: float | None
    log10_p: float | None
    groups_searched: int
    ended_at: datetime | None
    sentence: str

    @classmethod
    def from_json(cls, group: Mapping[str, Any], evidence: Mapping[str, Any]) -> OnsetNote:
        """Read the ``onset_group`` and ``onset_evidence`` objects."""

        def names(key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in group.get(key) or [])

        return cls(
            signal=str(evidence.get("signal") or ""),
            found_in=str(group.get("found_in") or ""),
            group={str(k): str(v) for k, v in (group.get("group") or {}).items()},
            endpoints=names("endpoints"),
            tenants=names("tenants"),
            services=names("services"),
            before=_number(evidence.get("before")),
            after=_number(evidence.get("after")),
            unit=str(evidence.get("unit") or "share"),
            p_value=_number(evidence.get("p_value")),
            log10_p=_number(evidence.get("log10_p")),
            groups_searched=_count(evidence.get("groups_searched")),
            ended_at=_time(evidence.get("ended_at")),
            sentence=str(evidence.get("sentence") or ""),
        )

    def group_json(self) -> dict[str, Any]:
        """The ``onset_group`` object: where it started and who it hits."""
        return {
            "found_in": self.found_in,
            "group": dict(self.group),
            "endpoints": list(self.endpoints),
            "tenants": list(self.tenants),
            "services": list(self.services),
        }

    def evidence_json(self) -> dict[str, Any]:
        """The ``onset_evidence`` object: levels before and after, p-value, the sentence."""
        return {
            "signal": self.signal,
            "before": _json_number(self.before),
            "after": _json_number(self.after),
            "unit": self.unit,
            "p_value": self.p_value,
            "log10_p": self.log10_p,
            "groups_searched": self.groups_searched,
            "ended_at": _json_time(self.ended_at),
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class SignatureNote:
    """One error signature: a message template with its counts and times."""

    id: str
    template: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    example: str
    new_since_onset: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SignatureNote:
        """Read one signature's row (a JSON object, or a frame's record)."""
        return cls(
            id=str(data.get("id", "")),
            template=str(data.get("template", "")).strip(),
            count=_count(data.get("count")),
            first_seen=_time(data.get("first_seen")),
            last_seen=_time(data.get("last_seen")),
            example=str(data.get("example", "")),
            new_since_onset=bool(data.get("new_since_onset")),
        )


@dataclass(frozen=True)
class SuspectNote:
    """One suspect change: which, when it went live (and with which deploy), and why."""

    rank: int
    sha: str
    """The short sha."""
    subject: str
    live_at: datetime | None
    deploy: str
    score: float
    reasons: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SuspectNote:
        """Read one suspect (a JSON object, or a frame's record)."""
        reasons = data.get("reasons")
        return cls(
            rank=_count(data.get("rank")),
            sha=str(data.get("short_sha") or data.get("sha") or "")[:12],
            subject=str(data.get("subject") or "").strip(),
            live_at=_time(data.get("live_at")),
            deploy=str(data.get("deploy") or ""),
            score=_number(data.get("score")) or 0.0,
            reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list | tuple) else (),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this suspect."""
        return {
            "rank": self.rank,
            "short_sha": self.sha,
            "subject": self.subject,
            "live_at": _json_time(self.live_at),
            "deploy": self.deploy,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class SeverityNote:
    """The severity the evidence suggests, and why."""

    level: Severity | None
    """None when the evidence cannot judge (errors cannot be told from the logs)."""
    reasons: tuple[str, ...]


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
        """The endpoints whose errors rose at the onset."""
        return tuple(e for e in self.endpoints if e.affected)

    def to_json(self) -> dict[str, Any]:
        """The ``incident-nb analyze --json`` document (key order as printed)."""
        rates = self.error_rate
        doc: dict[str, Any] = {
            "summary_version": SUMMARY_VERSION,
            "window": {"start": _json_time(self.window_start), "end": _json_time(self.window_end)},
            "lines": {
                "total": self.lines.total,
                "parsed": self.lines.parsed,
                "malformed": self.lines.malformed,
                "bad_timestamp": self.lines.bad_timestamp,
                "examples": [asdict(b) for b in self.lines.examples],
            },
            "onset": _json_time(self.onset),
            "onset_signal": self.onset_signal,
            "onset_group": self.onset_note.group_json() if self.onset_note else None,
            "onset_evidence": self.onset_note.evidence_json() if self.onset_note else None,
            "first_error_at": _json_time(self.first_error.ts) if self.first_error else None,
            "last_error_at": _json_time(self.last_error.ts) if self.last_error else None,
            "first_error": self.first_error.to_json() if self.first_error else None,
            "last_error": self.last_error.to_json() if self.last_error else None,
            "error_rate": {
                "overall": _json_number(rates.overall),
                "since_onset": _json_number(rates.since_onset),
                "peak": _json_number(rates.peak),
                "peak_at": _json_time(rates.peak_at),
            },
            "endpoints": [
                {
                    "endpoint": e.endpoint,
                    "requests": e.requests,
                    "errors": e.errors,
                    "error_rate": _json_number(e.error_rate),
                    "p50_ms": _json_number(e.p50_ms),
                    "p95_ms": _json_number(e.p95_ms),
                    "p99_ms": _json_number(e.p99_ms),
                    "affected": e.affected,
                }
                for e in self.endpoints
            ],
            "affected_tenants": [
                {
                    "tenant": t.tenant,
                    "requests": t.requests,
                    "errors": t.errors,
                    "error_rate": _json_number(t.error_rate),
                    "baseline_error_rate": _json_number(t.baseline_error_rate),
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
                "from": _json_time(self.trend.judged_from),
                "to": _json_time(self.trend.judged_to),
            },
            "signatures": [
                {
                    "id": s.id,
                    "template": s.template,
                    "count": s.count,
                    "first_seen": _json_time(s.first_seen),
                    "last_seen": _json_time(s.last_seen),
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
            window_start=_time(window.get("start")),
            window_end=_time(window.get("end")),
            lines=LineCounts(
                total=_count(lines.get("total")),
                parsed=_count(lines.get("parsed")),
                malformed=_count(lines.get("malformed")),
                bad_timestamp=_count(lines.get("bad_timestamp")),
                examples=tuple(
                    BadLineNote(
                        str(b.get("path", "")),
                        _count(b.get("line")),
                        str(b.get("reason", "")),
                        str(b.get("text", "")),
                    )
                    for b in lines.get("examples") or []
                ),
            ),
            onset=_time(data.get("onset")),
            onset_signal=_text(data.get("onset_signal")),
            first_error=_event(first),
            last_error=_event(last),
            error_rate=ErrorRates(
                overall=_number(rates.get("overall")),
                since_onset=_number(rates.get("since_onset")),
                peak=_number(rates.get("peak")),
                peak_at=_time(rates.get("peak_at")),
            ),
            endpoints=tuple(EndpointImpact.from_json(e) for e in data.get("endpoints") or []),
            affected_tenants=tuple(
                TenantImpact.from_json(t) for t in data.get("affected_tenants") or []
            ),
            tenants_total=_count(data.get("tenants_total")),
            trend=TrendNote(
                direction=str(trend.get("direction") or "stable"),
                slope_per_min=_number(trend.get("slope_per_min")) or 0.0,
                minutes=_count(trend.get("minutes")),
                unit=str(trend.get("unit") or "pp/min"),
                slope=_number(trend.get("slope")) or 0.0,
                judged_from=_time(trend.get("from")),
                judged_to=_time(trend.get("to")),
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
            fields={str(k): _text(v) for k, v in (data.get("fields") or {}).items()},
            warnings=tuple(str(w) for w in data.get("warnings") or []),
            traces=data.get("traces"),
            suspects=tuple(
                SuspectNote.from_json(s)
                for s in data.get("suspects") or []
                if isinstance(s, Mapping)
            ),
        )


def _event(data: Any) -> ErrorEvent | None:
    if not isinstance(data, Mapping) or _time(data.get("ts")) is None:
        return None
    return ErrorEvent.from_json(data)
