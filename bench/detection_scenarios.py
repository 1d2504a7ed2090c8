"""Seeded incident and quiet-log scenarios for the detection benchmark, written as JSON lines.

Each scenario is a service log: tenants with skewed traffic (or no tenant field at all),
endpoints with their own failure rates and latencies, volume from 20 to 20,000 requests a
minute with daily cycles, minute-to-minute noise and missing minutes. An incident hits an
affected group (one tenant on one endpoint up to the whole service) with failures, latency or
both, in one of five shapes: a step, a ramp, a step then a climb, a recovery, or on/off.
Quiet logs carry look-alikes: daily cycles, a tenant that always fails a little, one burst of
a few failures, an always-slow endpoint, one slow minute, a failing tenant whose traffic grows,
and 500 groups where nothing changes. The truth of each scenario travels with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
MAX_LINES = 360_000
SHAPES = ("step", "ramp", "climb", "recovery", "intermittent")
TREND_TRUTH = {
    "step": "stable",
    "ramp": "worsening",
    "climb": "worsening",
    "recovery": "recovering",
    "intermittent": "stable",
}
SIZES = (
    "one tenant, one endpoint",
    "few tenants, one endpoint",
    "one tenant, all endpoints",
    "one endpoint",
    "few endpoints",
    "tenant subset",
    "whole service",
)
LOOKALIKES = (
    "daily cycle",
    "failing tenant",
    "burst",
    "slow endpoint",
    "slow minute",
    "growing failing tenant",
    "500 groups",
    "missing minutes",
)
FIELD_NAMES = (  # (tenant, endpoint, latency) field names, as different services log them
    ("tenant_id", "endpoint", "latency_ms"),
    ("customer_id", "route", "duration_ms"),
    ("org_id", "path", "response_time_ms"),
)
VERBS = ("GET", "POST", "PUT", "DELETE")
WORDS = ("orders", "ledger", "entries", "users", "invoices", "search", "auth", "carts", "items")


@dataclass
class Scenario:
    """One log and its truth."""

    name: str
    quiet: bool
    kind: str = ""  # "errors", "latency", "both"
    shape: str = ""
    size: str = ""
    volume: float = 0.0
    minutes: int = 0
    has_tenants: bool = True
    onset: int | None = None
    end: int | None = None
    tenants: set[str] = field(default_factory=set)
    endpoints: set[str] = field(default_factory=set)
    hit: int = 0
    """Failing (or slow) requests of the affected group after the onset."""
    trend: str = ""
    lookalikes: tuple[str, ...] = ()
    frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def onset_at(self) -> datetime | None:
        """The onset as a time."""
        return None if self.onset is None else T0 + timedelta(minutes=self.onset)

    @property
    def end_at(self) -> datetime | None:
        """The recovery as a time."""
        return None if self.end is None else T0 + timedelta(minutes=self.end)


def _endpoint_names(rng: np.random.Generator, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        verb = VERBS[int(rng.integers(len(VERBS)))]
        parts = rng.choice(WORDS, size=int(rng.integers(1, 4)), replace=False)
        names.add(f"{verb} /api/v{int(rng.integers(1, 3))}/{'/'.join(parts)}")
    return sorted(names)


def _shape(shape: str, rng: np.random.Generator, length: int) -> np.ndarray:
    """Intensity (0..1) of the incident at each minute from the onset."""
    r = np.arange(length, dtype=float)
    if shape == "step":
        return np.ones(length)
    if shape == "ramp":
        span = length * rng.uniform(1.0, 1.4)
        return np.minimum(1.0, (r + 1) / span)
    if shape == "climb":
        start = rng.uniform(0.3, 0.6)
        return start + (1 - start) * r / max(length - 1, 1)
    if shape == "recovery":
        return (r < length).astype(float)  # cut by the caller
    on, off = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    return ((r % (on + off)) < on).astype(float)


def generate(seed: int, quiet: bool, small: bool = False) -> Scenario:
    """One scenario, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    volume = float(np.exp(rng.uniform(math.log(20), math.log(4000 if small else 20000))))
    minutes = int(rng.integers(60, 241))
    minutes = max(40, min(minutes, int(MAX_LINES / volume)))
    has_tenants = rng.random() > 0.15
    n_tenants = int(rng.choice([5, 20, 60, 150, 300])) if has_tenants else 1
    n_endpoints = int(rng.choice([1, 3, 8, 13, 30]))
    scen = Scenario(f"{'quiet' if quiet else 'incident'}-{seed}", quiet, volume=volume)
    scen.minutes, scen.has_tenants = minutes, has_tenants
    looks: list[str] = []
    if quiet:
        looks = list(rng.choice(LOOKALIKES, size=int(rng.integers(1, 4)), replace=False))
        if "500 groups" in looks:
            has_tenants = scen.has_tenants = True
            n_tenants, n_endpoints = 50, 10
            volume = scen.volume = max(volume, 1500.0)
            minutes = scen.minutes = max(40, min(minutes, int(MAX_LINES / volume)))
        if "growing failing tenant" in looks and not has_tenants:
            # Its look is one tenant's share growing: in a log without a tenant field nothing
            # tells that from the whole service failing more and more, which it then is.
            has_tenants = scen.has_tenants = True
            n_tenants = int(rng.choice([5, 20, 60, 150, 300]))
    tenants = [f"tenant-{i:03d}" for i in range(n_tenants)]
    endpoints = _endpoint_names(rng, n_endpoints)
    tenant_w = rng.pareto(rng.uniform(0.8, 2.0), n_tenants) + 0.05
    tenant_w /= tenant_w.sum()
    endpoint_w = rng.dirichlet(np.full(n_endpoints, rng.uniform(0.5, 3.0)))
    base_err = np.exp(rng.uniform(math.log(1e-4), math.log(0.02), n_endpoints))
    base_lat = np.exp(rng.uniform(math.log(8), math.log(400), n_endpoints))
    lat_sd = rng.uniform(0.25, 0.8, n_endpoints)
    # Volume per minute: a daily cycle seen over part of its period, and missing minutes.
    cycle_amp = rng.uniform(0.5, 0.85) if "daily cycle" in looks else rng.uniform(0, 0.3)
    period = minutes * rng.uniform(1.0, 4.0)
    t = np.arange(minutes)
    rate = volume * (1 + cycle_amp * np.sin(2 * np.pi * t / period + rng.uniform(0, 6.3)))
    onset = None
    if not quiet:
        onset = int(minutes * rng.uniform(0.35, 0.75))
    if "missing minutes" in looks or rng.random() < 0.15:
        for _ in range(int(rng.integers(1, 4))):
            gap = int(rng.integers(0, minutes - 5))
            width = int(rng.integers(1, 6))
            if onset is None or not (onset - width - 1 <= gap <= onset + 3):
                rate[gap : gap + width] = 0
    counts = rng.poisson(np.maximum(rate, 0))
    minute = np.repeat(t, counts)
    size = len(minute)
    tenant = rng.choice(n_tenants, size=size, p=tenant_w)
    endpoint = rng.choice(n_endpoints, size=size, p=endpoint_w)
    # Minute-to-minute noise: failure rates jitter, latency drifts a little.
    err_jitter = np.exp(rng.normal(0, rng.uniform(0, 0.25), minutes))
    drift = np.cumsum(rng.normal(0, rng.uniform(0.002, 0.012), minutes))
    drift -= drift.mean()
    p_fail = base_err[endpoint] * err_jitter[minute]
    latency = base_lat[endpoint] * np.exp(drift[minute] + lat_sd[endpoint] * rng.normal(size=size))
    frame = pd.DataFrame({"minute": minute, "tenant": tenant, "endpoint": endpoint})
    if quiet:
        p_fail, latency, frame = _lookalikes(
            rng, looks, frame, p_fail=p_fail, latency=latency, minutes=minutes, tenant_w=tenant_w
        )
    if "growing failing tenant" in looks:
        tenants.append("tenant-growing")
    failed = rng.random(len(frame)) < np.minimum(p_fail, 1)
    if not quiet:
        assert onset is not None
        failed, latency, hit = _incident(
            rng,
            scen,
            frame,
            failed=failed,
            latency=latency,
            onset=onset,
            n_tenants=n_tenants,
            n_endpoints=n_endpoints,
        )
        hit_tenants = np.unique(frame["tenant"].to_numpy()[hit])
        hit_endpoints = np.unique(frame["endpoint"].to_numpy()[hit])
        scen.tenants = {tenants[i] for i in hit_tenants} if has_tenants else set()
        scen.endpoints = {endpoints[i] for i in hit_endpoints}
    scen.lookalikes = tuple(looks)
    scen.frame = _records(
        rng,
        frame,
        failed=failed,
        latency=latency,
        tenants=tenants,
        endpoints=endpoints,
        has_tenants=has_tenants,
    )
    return scen


def _lookalikes(
    rng: np.random.Generator,
    looks: list[str],
    frame: pd.DataFrame,
    *,
    p_fail: np.ndarray,
    latency: np.ndarray,
    minutes: int,
    tenant_w: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Apply the quiet log's look-alikes (nothing in them changes at any minute)."""
    tenant, endpoint, minute = (frame[c].to_numpy() for c in ("tenant", "endpoint", "minute"))
    if "failing tenant" in looks:
        who = int(rng.integers(tenant_w.size))
        p_fail = np.where(tenant == who, p_fail + rng.uniform(0.02, 0.15), p_fail)
    if "slow endpoint" in looks:
        which = int(rng.integers(endpoint.max() + 1))
        latency = np.where(endpoint == which, latency * rng.uniform(5, 20), latency)
    if "burst" in looks:
        at = int(rng.integers(2, minutes - 2))
        where = np.flatnonzero((minute >= at) & (minute < at + int(rng.integers(1, 3))))
        if where.size:
            chosen = rng.choice(
                where, size=min(where.size, int(rng.integers(3, 21))), replace=False
            )
            p_fail = p_fail.copy()
            p_fail[chosen] = 1.0
    if "slow minute" in looks:
        at = int(rng.integers(2, minutes - 2))
        latency = np.where(minute == at, latency * rng.uniform(3, 10), latency)
    if "growing failing tenant" in looks:
        # One more tenant that always fails 5-15% and whose traffic grows threefold (the
        # caller names it).
        extra_minutes = np.arange(minutes)
        weights = np.linspace(1, 3, minutes)
        volume = max(len(frame) / minutes * rng.uniform(0.05, 0.3), 2)
        counts = rng.poisson(volume * weights / weights.mean())
        new_minute = np.repeat(extra_minutes, counts)
        new = pd.DataFrame(
            {
                "minute": new_minute,
                "tenant": tenant_w.size,
                "endpoint": rng.integers(endpoint.max() + 1, size=len(new_minute)),
            }
        )
        p_new = np.full(len(new), rng.uniform(0.05, 0.15))
        lat_new = np.median(latency) * np.exp(rng.normal(0, 0.5, len(new)))
        frame = pd.concat([frame, new], ignore_index=True)
        p_fail = np.concatenate([p_fail, p_new])
        latency = np.concatenate([latency, lat_new])
    return p_fail, latency, frame


def _pick_group(
    rng: np.random.Generator, size: str, n_tenants: int, n_endpoints: int
) -> tuple[np.ndarray, np.ndarray]:
    """Affected tenant and endpoint indexes for a group size."""
    all_t, all_e = np.arange(n_tenants), np.arange(n_endpoints)
    one_e = rng.choice(n_endpoints, size=1)
    few_t = rng.choice(n_tenants, size=min(n_tenants, int(rng.integers(2, 6))), replace=False)
    one_t = rng.choice(n_tenants, size=1)
    table = {
        "one tenant, one endpoint": (one_t, one_e),
        "few tenants, one endpoint": (few_t, one_e),
        "one tenant, all endpoints": (one_t, all_e),
        "one endpoint": (all_t, one_e),
        "few endpoints": (
            all_t,
            rng.choice(n_endpoints, size=min(n_endpoints, int(rng.integers(2, 4))), replace=False),
        ),
        "tenant subset": (
            rng.choice(
                n_tenants, size=max(1, int(n_tenants * rng.uniform(0.2, 0.6))), replace=False
            ),
            all_e,
        ),
        "whole service": (all_t, all_e),
    }
    return table[size]


def _incident(
    rng: np.random.Generator,
    scen: Scenario,
    frame: pd.DataFrame,
    *,
    failed: np.ndarray,
    latency: np.ndarray,
    onset: int,
    n_tenants: int,
    n_endpoints: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inject the incident; fill the scenario's truth; return which requests it hit."""
    scen.kind = str(rng.choice(["errors", "errors", "latency", "both"]))
    scen.shape = str(rng.choice(SHAPES))
    sizes = [s for s in SIZES if n_tenants > 1 or "tenant" not in s]
    scen.size = str(rng.choice(sizes))
    aff_t, aff_e = _pick_group(rng, scen.size, n_tenants, n_endpoints)
    length = scen.minutes - onset
    intensity = _shape(scen.shape, rng, length)
    if scen.shape == "recovery":
        duration = int(rng.integers(5, max(6, length - 9)))
        intensity[duration:] = 0
        scen.end = onset + duration
    scen.onset, scen.trend = onset, TREND_TRUTH[scen.shape]
    tenant, endpoint, minute = (frame[c].to_numpy() for c in ("tenant", "endpoint", "minute"))
    level = np.zeros(len(frame))
    after = minute >= onset
    level[after] = intensity[minute[after] - onset]
    group = np.isin(tenant, aff_t) & np.isin(endpoint, aff_e) & after & (level > 0)
    hit = np.zeros(len(frame), dtype=bool)
    if scen.kind in ("errors", "both"):
        share = float(np.exp(rng.uniform(math.log(0.05), math.log(1.0))))
        if scen.shape == "climb":
            share = max(share, 0.5)
        new_fail = group & (rng.random(len(frame)) < share * level)
        failed = failed | new_fail
        hit |= new_fail
    if scen.kind in ("latency", "both"):
        factor = rng.uniform(3, 10)
        latency = np.where(group, latency * (1 + (factor - 1) * level), latency)
        hit |= group & (1 + (factor - 1) * level >= 1.5)
    scen.hit = int(hit.sum())
    return failed, latency, hit


def _records(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    *,
    failed: np.ndarray,
    latency: np.ndarray,
    tenants: list[str],
    endpoints: list[str],
    has_tenants: bool,
) -> pd.DataFrame:
    """The log's records, in time order, with this service's field names."""
    tenant_f, endpoint_f, latency_f = FIELD_NAMES[int(rng.integers(len(FIELD_NAMES)))]
    seconds = frame["minute"].to_numpy() * 60 + rng.random(len(frame)) * 60
    status = np.where(failed, rng.choice([500, 502, 503], size=len(frame)), 200)
    status = np.where(~failed & (rng.random(len(frame)) < 0.01), 404, status)
    out = pd.DataFrame(
        {
            "ts": pd.Timestamp(T0) + pd.to_timedelta(seconds, unit="s"),
            endpoint_f: np.asarray(endpoints, dtype=object)[frame["endpoint"].to_numpy()],
            "status": status,
            latency_f: np.round(latency, 2),
        }
    )
    if has_tenants:
        out[tenant_f] = np.asarray(tenants, dtype=object)[frame["tenant"].to_numpy()]
    return out.sort_values("ts", ignore_index=True)


def write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    """Write the records as JSON lines (ISO 8601 timestamps in UTC)."""
    times = frame.select_dtypes(include=["datetimetz", "datetime"]).columns
    data = frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ") for c in times})
    con = duckdb.connect()
    con.register("records", data)
    con.execute(f"COPY records TO '{str(path).replace(chr(39), chr(39) * 2)}' (FORMAT json)")
    con.close()
