"""An incident in Prometheus metrics with a known ground truth, written as OpenMetrics.

Service ``checkout`` serves two routes at a constant 1000 requests a minute. From minute
``onset_minute`` to ``recovery_minute`` 30% of ``/api/v1/checkout`` requests fail (1% before
and after, and always on ``/api/v1/orders``) and latency moves to a slower distribution. A
second service (``cart``) stays healthy throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Requests per minute falling in each bucket (the last: above 5 s), per 1000 requests.
HEALTHY = (500, 300, 150, 40, 9, 1, 0, 0)
SLOW = (50, 100, 200, 250, 200, 150, 50, 0)
ROUTES = (("/api/v1/checkout", 600), ("/api/v1/orders", 400))


@dataclass(frozen=True)
class PromScenario:
    """The incident's timeline (minutes from ``start``)."""

    start: datetime
    minutes: int = 180
    onset_minute: int = 90
    recovery_minute: int = 150
    failing_rate: float = 0.30
    background_rate: float = 0.01

    @property
    def onset(self) -> datetime:
        """When the incident started."""
        return self.start + timedelta(minutes=self.onset_minute)

    def incident(self, minute: int) -> bool:
        """Whether the requests counted at ``minute`` (the minute ending then) are in it."""
        return self.onset_minute <= minute < self.recovery_minute

    def errors(self, route: str, requests: int, minute: int) -> int:
        """Failed requests of a route in a minute."""
        bad = route == ROUTES[0][0] and self.incident(minute)
        return round(requests * (self.failing_rate if bad else self.background_rate))

    def _errors(self, service: str, route: str, requests: int, minute: int) -> int:
        if service == "checkout":
            return self.errors(route, requests, minute)
        return round(requests * self.background_rate)

    def error_rate(self, minute: int) -> float:
        """Ground truth: share of all requests of ``checkout`` failing in ``minute``."""
        total = sum(n for _, n in ROUTES)
        return sum(self.errors(r, n, minute) for r, n in ROUTES) / total

    def p99_seconds(self, minute: int) -> float:
        """Ground truth: the p99 ``histogram_quantile`` computes from the buckets."""
        return bucket_quantile(0.99, SLOW if self.incident(minute) else HEALTHY)

    def write_openmetrics(self, path: Path) -> Path:
        """Write the counters and histograms (one sample a minute) as an OpenMetrics file."""
        lines = ["# TYPE http_requests counter"]
        t0 = int(self.start.timestamp())
        for service in ("checkout", "cart"):
            for route, per_min in ROUTES:
                for code in ("200", "500"):
                    total = 0
                    for minute in range(self.minutes + 1):
                        if minute:
                            errors = self._errors(service, route, per_min, minute)
                            total += errors if code == "500" else per_min - errors
                        labels = f'service="{service}",route="{route}",code="{code}"'
                        lines.append(f"http_requests_total{{{labels}}} {total} {t0 + 60 * minute}")
        lines.append("# TYPE http_request_duration_seconds histogram")
        for service in ("checkout", "cart"):
            cumulative = [0] * (len(BUCKETS) + 1)
            samples: dict[str, list[str]] = {}
            for minute in range(self.minutes + 1):
                if minute:
                    slow = service == "checkout" and self.incident(minute)
                    for i, n in enumerate(SLOW if slow else HEALTHY):
                        cumulative[i] += n
                stamp = t0 + 60 * minute
                running = 0
                for i, le in enumerate((*BUCKETS, float("inf"))):
                    running += cumulative[i]
                    name = "+Inf" if le == float("inf") else repr(le)
                    key = f'http_request_duration_seconds_bucket{{service="{service}",le="{name}"}}'
                    samples.setdefault(key, []).append(f"{key} {running} {stamp}")
                count_key = f'http_request_duration_seconds_count{{service="{service}"}}'
                samples.setdefault(count_key, []).append(f"{count_key} {running} {stamp}")
            for series in samples.values():
                lines.extend(series)
        lines.append("# EOF")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def bucket_quantile(q: float, counts: tuple[int, ...]) -> float:
    """Prometheus's ``histogram_quantile`` on per-bucket counts (linear inside a bucket)."""
    total = sum(counts)
    rank = q * total
    cumulative = 0
    lower = 0.0
    for upper, n in zip(BUCKETS, counts, strict=False):
        if cumulative + n >= rank:
            return lower + (upper - lower) * (rank - cumulative) / n
        cumulative += n
        lower = upper
    return BUCKETS[-1]


def hour_aligned_past(hours_ago: int = 30) -> datetime:
    """An hour-aligned start far enough in the past that backfilled blocks are accepted."""
    now = datetime.now(UTC)
    return (now - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
