"""The parts of the analysis summary, each with its JSON reading.

Lines read, errors, endpoints, tenants, trend, onset, signatures, suspects and the severity
suggestion.

Each part reads from a JSON object or a frame's record (``from_json``) and is plain typed
values; :class:`~incident_nb.core.summary.AnalysisSummary` holds them together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_nb.core import humanize
from incident_nb.core.models import Severity, iso, parse_utc


def read_time(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime; None for empty, NaT or unreadable values."""
    if value is None or value == "" or value != value:  # noqa: PLR0124 - NaT is not itself
        return None
    if isinstance(value, datetime):
        return value
    try:
        return parse_utc(str(value))
    except ValueError:
        return None


def read_number(value: Any) -> float | None:
    """A finite float, or None for missing, boolean, NaN or infinite values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def read_count(value: Any) -> int:
    """A count; 0 when the value is missing."""
    number = read_number(value)
    return int(number) if number is not None else 0


def read_maybe_count(value: Any) -> int | None:
    """A count, or None when the value is missing (unknown is not zero)."""
    number = read_number(value)
    return int(number) if number is not None else None


def read_text(value: Any) -> str | None:
    """The value as text, or None."""
    return None if value is None else str(value)


def json_number(value: float | None) -> float | None:
    """A number rounded for the JSON document."""
    return None if value is None else round(value, 6)


def json_time(value: datetime | None) -> str | None:
    """A time as ISO 8601 UTC for the JSON document."""
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
        status = read_number(data.get("status"))
        return cls(
            ts=read_time(data.get("ts")),
            request_id=read_text(data.get("request_id")),
            tenant=read_text(data.get("tenant")),
            endpoint=read_text(data.get("endpoint")),
            status=int(status) if status is not None else None,
            message=read_text(data.get("message")),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this event."""
        return {
            "ts": json_time(self.ts),
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
    """None when the logs cannot tell errors (no status, outcome or level field)."""
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
            requests=read_count(data.get("requests")),
            errors=read_maybe_count(data.get("errors")),
            error_rate=read_number(data.get("error_rate")),
            p50_ms=read_number(data.get("p50_ms")),
            p95_ms=read_number(data.get("p95_ms")),
            p99_ms=read_number(data.get("p99_ms")),
            affected=bool(data.get("affected")),
        )


@dataclass(frozen=True)
class TenantImpact:
    """Requests and errors of one affected tenant since the onset, and its rate before."""

    tenant: str
    requests: int
    errors: int | None
    """None when the logs cannot tell errors (a tenant slowed by a latency incident)."""
    error_rate: float | None
    baseline_error_rate: float | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenantImpact:
        """Read one tenant's row (a JSON object, or a frame's record)."""
        return cls(
            tenant=str(data.get("tenant", "")),
            requests=read_count(data.get("requests")),
            errors=read_maybe_count(data.get("errors")),
            error_rate=read_number(data.get("error_rate")),
            baseline_error_rate=read_number(data.get("baseline_error_rate")),
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
    service) and tenant on one endpoint; the affected group is grown from the group it found.
    """

    signal: str
    """``error rate`` or ``latency``."""
    found_in: str
    """The level of the group the search found it in (``endpoint``, ``tenant``,
    ``endpoint x tenant``...)."""
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
    status: str | None = None
    """The status whose failures alone rose (under a steady background of others), if so."""
    also: str | None = None
    """The other signal, when the group's changed too (``error rate`` of a group that slowed
    first, then failed)."""

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
            before=read_number(evidence.get("before")),
            after=read_number(evidence.get("after")),
            unit=str(evidence.get("unit") or "share"),
            p_value=read_number(evidence.get("p_value")),
            log10_p=read_number(evidence.get("log10_p")),
            groups_searched=read_count(evidence.get("groups_searched")),
            ended_at=read_time(evidence.get("ended_at")),
            sentence=str(evidence.get("sentence") or ""),
            status=str(group["status"]) if group.get("status") is not None else None,
            also=str(evidence["also"]) if evidence.get("also") is not None else None,
        )

    def group_json(self) -> dict[str, Any]:
        """The ``onset_group`` object: where it started and who it hits."""
        return {
            "found_in": self.found_in,
            "group": dict(self.group),
            "status": self.status,
            "endpoints": list(self.endpoints),
            "tenants": list(self.tenants),
            "services": list(self.services),
        }

    def evidence_json(self) -> dict[str, Any]:
        """The ``onset_evidence`` object: levels before and after, p-value, the sentence."""
        return {
            "signal": self.signal,
            "before": json_number(self.before),
            "after": json_number(self.after),
            "unit": self.unit,
            "p_value": self.p_value,
            "log10_p": self.log10_p,
            "groups_searched": self.groups_searched,
            "ended_at": json_time(self.ended_at),
            "sentence": self.sentence,
            "also": self.also,
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
            count=read_count(data.get("count")),
            first_seen=read_time(data.get("first_seen")),
            last_seen=read_time(data.get("last_seen")),
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
            rank=read_count(data.get("rank")),
            sha=str(data.get("short_sha") or data.get("sha") or "")[:12],
            subject=str(data.get("subject") or "").strip(),
            live_at=read_time(data.get("live_at")),
            deploy=str(data.get("deploy") or ""),
            score=read_number(data.get("score")) or 0.0,
            reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list | tuple) else (),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this suspect."""
        return {
            "rank": self.rank,
            "short_sha": self.sha,
            "subject": self.subject,
            "live_at": json_time(self.live_at),
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

    def text(self) -> str:
        """``SEV-2: major feature broken: ...; significant tenant subset affected: ...``."""
        level = self.level.value if self.level else "cannot judge"
        return f"{level}: {'; '.join(self.reasons)}" if self.reasons else level
