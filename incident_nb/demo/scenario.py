"""A realistic incident with a known ground truth: a bad deploy breaks checkout for some tenants.

:func:`generate_logs` is deterministic for a given :class:`Scenario` (seeded), so tests can
assert the analysis against :meth:`Scenario.ground_truth`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from incident_nb.core.models import iso

_BACKGROUND_ERRORS = (
    ("UpstreamError: inventory service returned 503 for sku {n}", 503),
    ("TimeoutError: payment gateway did not answer within 3000ms (attempt {k})", 504),
    ("ConnectionResetError: connection reset by peer 10.0.{k}.{n8}:5432", 500),
)
_INCIDENT_ERROR = (
    'DatabaseError: column "discount_code" of relation "orders" does not exist (order {order})'
)


@dataclass(frozen=True)
class Scenario:
    """The demo incident's parameters; the defaults are the built-in demo."""

    start: datetime = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    duration: timedelta = timedelta(hours=3)
    lines: int = 216_000
    service: str = "shop-api"
    tenants: tuple[tuple[str, float], ...] = (
        ("acme", 0.22),
        ("globex", 0.16),
        ("initech", 0.12),
        ("umbrella", 0.14),
        ("hooli", 0.12),
        ("stark", 0.10),
        ("wayne", 0.08),
        ("wonka", 0.06),
    )
    endpoints: tuple[tuple[str, str, float, float], ...] = (
        # (endpoint, method, share of traffic, median latency ms)
        ("/api/v1/products", "GET", 0.30, 35.0),
        ("/api/v1/search", "GET", 0.20, 80.0),
        ("/api/v1/cart", "POST", 0.18, 45.0),
        ("/api/v1/checkout", "POST", 0.14, 120.0),
        ("/api/v1/users/me", "GET", 0.12, 20.0),
        ("/api/v1/orders", "GET", 0.06, 60.0),
    )
    failing_endpoint: str = "/api/v1/checkout"
    affected_tenants: tuple[str, ...] = ("acme", "globex", "initech")
    onset: datetime = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
    failure_start: float = 0.4
    failure_end: float = 0.95
    background_error_rate: float = 0.003
    alert_delay: timedelta = timedelta(minutes=4, seconds=12)
    seed: int = 20261120
    deploy_version: str = "v2.14.0"
    culprit_subject: str = "Add discount codes to checkout"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def ending_at(cls, now: datetime) -> Scenario:
        """The built-in demo moved in time so that its evidence ends at ``now`` (to the minute).

        The demo is then dated like a real incident: it happened in the last hours and is
        being investigated now, so its timeline and the incident review are plausible. Only
        the times move: the data (seeded) and its ground truth are the same.
        """
        base = cls()
        end = now.astimezone(UTC).replace(second=0, microsecond=0)
        shift = end - base.end
        return replace(base, start=base.start + shift, onset=base.onset + shift)

    @property
    def end(self) -> datetime:
        """End of the log window."""
        return self.start + self.duration

    @property
    def alert_at(self) -> datetime:
        """When the alert fired."""
        return self.onset + self.alert_delay

    def ground_truth(self) -> dict[str, Any]:
        """What a correct analysis must find."""
        return {
            "onset": iso(self.onset),
            "failing_endpoint": self.failing_endpoint,
            "affected_tenants": sorted(self.affected_tenants),
            "tenants_total": len(self.tenants),
            "alert_started_at": iso(self.alert_at),
            "culprit_subject": self.culprit_subject,
            "deploy_version": self.deploy_version,
            "severity": "SEV-2",
        }


def generate_logs(scenario: Scenario, path: Path) -> Path:
    """Write the scenario's service log as JSON lines (``.jsonl``, time-ordered) to ``path``."""
    rng = np.random.default_rng(scenario.seed)
    n = scenario.lines
    span_ms = int(scenario.duration.total_seconds() * 1000)
    offsets = np.sort(rng.integers(0, span_ms, size=n))
    ts = pd.Timestamp(scenario.start) + pd.to_timedelta(offsets, unit="ms")

    tenant_names = np.array([t for t, _ in scenario.tenants])
    tenant_p = np.array([w for _, w in scenario.tenants])
    tenant = rng.choice(tenant_names, size=n, p=tenant_p / tenant_p.sum())
    ep_names = np.array([e[0] for e in scenario.endpoints])
    ep_methods = {e[0]: e[1] for e in scenario.endpoints}
    ep_p = np.array([e[2] for e in scenario.endpoints])
    ep_idx = rng.choice(len(ep_names), size=n, p=ep_p / ep_p.sum())
    endpoint = ep_names[ep_idx]
    medians = np.array([e[3] for e in scenario.endpoints])[ep_idx]
    latency = np.round(medians * rng.lognormal(0.0, 0.45, size=n), 1)

    status = np.where(rng.random(n) < 0.02, 404, 200)
    status = np.where((endpoint == "/api/v1/cart") & (rng.random(n) < 0.01), 409, status)
    message = np.full(n, "request completed", dtype=object)
    level = np.full(n, "info", dtype=object)

    background = rng.random(n) < scenario.background_error_rate
    kinds = rng.integers(0, len(_BACKGROUND_ERRORS), size=n)
    for k, (template, code) in enumerate(_BACKGROUND_ERRORS):
        sel = background & (kinds == k)
        count = int(sel.sum())
        ns = rng.integers(1000, 99999, size=count)
        ks = rng.integers(1, 4, size=count)
        n8 = rng.integers(2, 250, size=count)
        message[sel] = [template.format(n=a, k=b, n8=c) for a, b, c in zip(ns, ks, n8, strict=True)]
        status[sel] = code
        level[sel] = "error"

    since = np.asarray(ts >= pd.Timestamp(scenario.onset))
    progress = np.clip(
        (offsets - (scenario.onset - scenario.start).total_seconds() * 1000)
        / max((scenario.end - scenario.onset).total_seconds() * 1000, 1),
        0,
        1,
    )
    p_fail = scenario.failure_start + (scenario.failure_end - scenario.failure_start) * progress
    hit = (
        since
        & (endpoint == scenario.failing_endpoint)
        & np.isin(tenant, list(scenario.affected_tenants))
        & (rng.random(n) < p_fail)
    )
    orders = rng.integers(100000, 999999, size=int(hit.sum()))
    message[hit] = [_INCIDENT_ERROR.format(order=f"ord_{o}") for o in orders]
    status[hit] = 500
    level[hit] = "error"
    latency[hit] = np.round(rng.uniform(800, 2600, size=int(hit.sum())), 1)
    level[(status >= 400) & (status < 500)] = "warn"

    request_id = [f"req-{v:012x}" for v in rng.integers(0, 2**48, size=n)]
    frame = pd.DataFrame(
        {
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z",
            "level": level,
            "service": scenario.service,
            "method": [ep_methods[e] for e in endpoint],
            "endpoint": endpoint,
            "status": status,
            "latency_ms": latency,
            "tenant_id": tenant,
            "request_id": request_id,
            "message": message,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.to_json(orient="records", lines=True, force_ascii=False)
    # pandas escapes "/" as "\/": valid JSON, but not what services write.
    path.write_text(text.replace("\\/", "/"), encoding="utf-8")
    return path
