"""Domain values shared by every layer: alerts, time windows, severities, analysis requests.

They are frozen dataclasses: created at the edges (alert parsers, the record) and passed down.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime


class Severity(enum.StrEnum):
    """The four severities of the incident-response workflow."""

    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"
    SEV4 = "SEV-4"

    @property
    def rank(self) -> int:
        """1 for SEV-1 (worst) to 4 for SEV-4."""
        return int(self.value[-1])


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_utc(text: str) -> datetime:
    """Parse an ISO-8601 timestamp (``Z`` or an offset, 0-9 fractional digits) to aware UTC.

    Raises:
        ValueError: the text is not an ISO-8601 timestamp, or its UTC time is out of range.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    # Python accepts at most 6 fractional digits; Go (Prometheus, Alertmanager) writes up to 9.
    head, dot, rest = raw.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        frac, tail = rest[:digits], rest[digits:]
        raw = f"{head}.{frac[:6].ljust(6, '0')}{tail}" if frac else f"{head}{tail}"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"not an ISO-8601 timestamp: {text!r}") from None
    try:
        return utc(parsed)
    except OverflowError:  # e.g. year 1 with a positive offset is before the year 1 in UTC
        raise ValueError(f"timestamp out of range in UTC: {text!r}") from None


def iso(value: datetime) -> str:
    """Format an aware datetime as ISO-8601 UTC with a ``Z`` suffix, to the second."""
    return utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class TimeWindow:
    """A half-open UTC time interval ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class Alert:
    """One alert as it arrived, normalised across sources.

    ``key`` identifies the incident the alert belongs to (Alertmanager's groupKey, or a hash of
    the alert's identity for other sources): the same key never makes a second investigation.
    """

    source: str
    key: str
    title: str
    service: str
    started_at: datetime
    status: str = "firing"
    ends_at: datetime | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    generator_url: str = ""
