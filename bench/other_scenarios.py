"""A second, independent scenario generator: other traffic, other failure mechanics.

The detection benchmark's own generator (:mod:`detection_scenarios`) shapes its incidents as
steps, ramps, climbs, recoveries and on/off, on a grid of tenants x endpoints. This one is
built apart from it, so that the analysis is not tuned to one generator's habits:

- traffic: Poisson arrivals around a slope over the hours, flash crowds of two or three times
  the volume, Zipf-weighted tenants each calling its own subset of endpoints, method and path
  in fields of their own (``account_id``, ``path``, ``status_code``, ``latency``), the path
  of a resource with its id, as access logs write it (``/v2/orders/84123``: the truth names
  the route, ``/v2/orders/{id}``);
- background: each endpoint's own failure rate, one-minute blips of one endpoint failing 5-20
  times as often, 3% client errors (4xx, not failures), heavy-tailed latency;
- incidents, by mechanism: a dependency outage (a few endpoints fail for everyone, perhaps
  recovering) or slowdown, a canary release (a few tenants fail on whatever they call), a
  saturating queue (latency grows exponentially, then requests time out), a leak (failures
  grow with the square of time), flapping (a few tenants on one endpoint, on and off), one
  slow tenant on one endpoint, and straight ramps of latency or failures.

Quiet logs keep the traffic and background only. The truth is that of
:class:`detection_scenarios.Scenario`: tenants and endpoints with at least one request the
incident made fail or at least 1.5 times slower, and its onset, end and trend.
"""

from __future__ import annotations

import math
import uuid

import numpy as np
import pandas as pd
from detection_scenarios import T0, Scenario

MAX_LINES = 360_000
PATHS = (
    "/v1/checkout", "/v1/cart", "/v2/search", "/v1/login", "/v2/orders/{id}", "/v1/pay",
    "/v2/users/{id}", "/v1/inventory", "/v3/recommend", "/v1/ship", "/v2/invoice",
    "/v1/report", "/v2/export", "/v1/webhook", "/v2/catalog", "/v1/session",
)  # fmt: skip
MECHANISMS = {  # mechanism -> (kind, trend when it does not recover)
    "dependency outage": ("errors", "stable"),
    "dependency slowdown": ("latency", "stable"),
    "canary": ("errors", "stable"),
    "saturation": ("both", "worsening"),
    "leak": ("errors", "worsening"),
    "flapping": ("errors", "stable"),
    "slow tenant": ("latency", "stable"),
    "latency ramp": ("latency", "worsening"),
    "failure ramp": ("errors", "worsening"),
}
LOOKALIKES = ("flash crowd", "one-minute blip", "traffic slope", "client errors")


def generate(seed: int, quiet: bool, small: bool = False) -> Scenario:
    """One scenario, drawn from ``seed`` (``small``: lower volumes, for the test suite)."""
    rng = np.random.default_rng(seed + 7_000_000)  # apart from the other generator's draws
    volume = float(np.exp(rng.uniform(math.log(30), math.log(3000 if small else 8000))))
    minutes = max(60, min(int(rng.integers(90, 241)), int(MAX_LINES / volume)))
    has_tenants = rng.random() > 0.1
    n_t = int(rng.choice([8, 40, 120, 400])) if has_tenants else 1
    n_e = int(rng.choice([2, 6, 10, 16]))
    paths = np.asarray(rng.choice(PATHS, n_e, replace=False), dtype=object)
    methods = np.asarray(rng.choice(["GET", "POST", "PUT", "DELETE"], n_e), dtype=object)
    tenant_w = 1.0 / np.arange(1, n_t + 1) ** rng.uniform(0.8, 1.4)
    tenant_w /= tenant_w.sum()
    calls = np.zeros((n_t, n_e))  # each tenant calls its own endpoints
    for t in range(n_t):
        chosen = rng.choice(n_e, int(rng.integers(1, n_e + 1)), replace=False)
        calls[t, chosen] = rng.dirichlet(np.ones(len(chosen)))
    rate = volume * (1 + rng.uniform(-0.4, 0.4) * np.arange(minutes) / minutes)
    looks = ["traffic slope", "client errors"]
    for _ in range(int(rng.integers(0, 3))):
        at = int(rng.integers(0, minutes))
        rate[at : at + int(rng.integers(1, 4))] *= rng.uniform(1.5, 3)
        looks.append("flash crowd")
    counts = rng.poisson(rate)
    total = int(counts.sum())
    minute = np.repeat(np.arange(minutes), counts)
    second = rng.uniform(0, 60, total)
    tenant = rng.choice(n_t, total, p=tenant_w)
    endpoint = np.minimum(
        (rng.random(total)[:, None] > np.cumsum(calls, 1)[tenant]).sum(1), n_e - 1
    )
    p_fail = np.exp(rng.uniform(math.log(5e-5), math.log(8e-3), n_e))[endpoint]
    for _ in range(int(rng.integers(0, 4))):
        blip = (endpoint == int(rng.integers(n_e))) & (minute == int(rng.integers(minutes)))
        p_fail = np.where(blip, p_fail * rng.uniform(5, 20), p_fail)
        looks.append("one-minute blip")
    median = np.exp(rng.uniform(math.log(5), math.log(300), n_e))[endpoint]
    latency = median * np.exp(rng.uniform(0.3, 0.8, n_e)[endpoint] * rng.standard_normal(total))
    latency *= np.where(rng.random(total) < 0.01, rng.uniform(5, 20, total), 1.0)
    failed = rng.random(total) < p_fail
    names = np.array([f"acct-{i:04d}" for i in range(n_t)], dtype=object)
    name = f"{'quiet' if quiet else 'incident'}-{seed}"
    scen = Scenario(name, quiet, volume=volume, minutes=minutes, has_tenants=has_tenants)
    if quiet:
        scen.lookalikes = tuple(sorted(set(looks)))
    else:
        since = minute - (onset := int(rng.integers(max(30, minutes // 4), int(minutes * 0.75))))
        since = since + second / 60.0
        mechanism = list(MECHANISMS)[seed % len(MECHANISMS)]
        extra, factor, group, end = _inject(
            rng, mechanism, since=since, onset=onset, requests=(tenant, endpoint), calls=calls
        )
        new_fail = ~failed & (rng.random(total) < extra)
        failed |= new_fail
        latency = latency * factor
        hit = new_fail | (factor >= 1.5)
        scen.kind, trend = MECHANISMS[mechanism]
        scen.shape, scen.size, scen.onset, scen.end = mechanism, group, onset, end
        scen.trend = "recovering" if end is not None else trend
        scen.hit = int(hit.sum())
        scen.tenants = set(names[np.unique(tenant[hit])]) if has_tenants else set()
        scen.endpoints = set(paths[np.unique(endpoint[hit])])
    status = np.where(failed, rng.choice([500, 502, 503, 504], total), 200)
    client = ~failed & (rng.random(total) < 0.03)
    status = np.where(client, rng.choice([400, 404, 409, 429], total), status)
    out = pd.DataFrame(
        {
            "timestamp": pd.Timestamp(T0) + pd.to_timedelta(minute * 60 + second, unit="s"),
            "method": methods[endpoint],
            "path": _with_ids(paths[endpoint], np.random.default_rng(seed + 8_000_000)),
            "status_code": status,
            "latency": np.round(latency, 2),
            "msg": np.where(failed, "upstream error", "handled"),
        }
    )
    if has_tenants:
        out["account_id"] = names[tenant]
    scen.frame = out.sort_values("timestamp", ignore_index=True)
    return scen


def _with_ids(path: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each request's path with its resource's id: a number for orders, a UUID for users."""
    out = path.copy()
    for route in (p for p in np.unique(path) if "{id}" in p):  # in order: the same ids each run
        at = np.flatnonzero(path == route)
        if "orders" in route:
            ids = [str(n) for n in rng.integers(1, 10**7, len(at))]
        else:
            ids = [str(uuid.UUID(bytes=rng.bytes(16))) for _ in at]
        out[at] = [route.replace("{id}", i) for i in ids]
    return out


def _inject(
    rng: np.random.Generator,
    mechanism: str,
    *,
    since: np.ndarray,
    onset: int,
    requests: tuple[np.ndarray, np.ndarray],
    calls: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, str, int | None]:
    """Per request (of ``requests``' tenants and endpoints): the chance the incident adds of
    failing, and its latency factor; the group hit, in words; and the minute it recovered."""
    tenant, endpoint = requests
    n_t, n_e = calls.shape
    length = float(since.max())
    active = since >= 0
    extra, factor = np.zeros(len(since)), np.ones(len(since))
    end: int | None = None

    def some(count: int, of: int) -> np.ndarray:
        return rng.choice(of, min(count, of), replace=False)

    if mechanism.startswith("dependency"):
        group = np.isin(endpoint, some(int(rng.integers(1, 4)), n_e))
        words = "few endpoints"
        if rng.random() < 0.5 and length > 25:
            lasts = int(rng.integers(10, min(40, int(length) - 10) + 1))
            end = onset + lasts
            active &= since < lasts
        if mechanism == "dependency outage":
            extra[active & group] = rng.uniform(0.05, 0.9)
        else:
            factor[active & group] = rng.uniform(3, 10)
    elif mechanism == "canary":
        group, words = np.isin(tenant, some(int(rng.integers(1, 6)), n_t)), "few tenants"
        extra[active & group] = rng.uniform(0.1, 1.0)
    elif mechanism == "saturation":
        group, words = endpoint == int(rng.integers(n_e)), "one endpoint"
        grows = np.exp(np.clip(since, 0, None) / (length / math.log(20)))
        factor = np.where(active & group, grows, 1.0)
        extra = np.where(active & group, np.clip((grows - 8) / 12, 0, 1), 0.0)
    elif mechanism == "leak":
        whole = rng.random() < 0.5
        group = np.ones(len(since), bool) if whole else endpoint == int(rng.integers(n_e))
        words = "whole service" if whole else "one endpoint"
        extra = np.where(active & group, rng.uniform(0.1, 0.8) * (since / length) ** 2, 0.0)
    elif mechanism == "flapping":
        group = (endpoint == int(rng.integers(n_e))) & np.isin(tenant, some(3, n_t))
        words = "few tenants, one endpoint"
        on, off = int(rng.integers(1, 4)), int(rng.integers(2, 7))
        phase = (np.floor(np.clip(since, 0, None)).astype(int) % (on + off)) < on
        extra[active & group & phase] = rng.uniform(0.3, 0.8)
    elif mechanism == "slow tenant":
        t = int(rng.integers(n_t))
        e = int(rng.choice(n_e, p=calls[t] / calls[t].sum()))
        group, words = (tenant == t) & (endpoint == e), "one tenant, one endpoint"
        factor[active & group] = rng.uniform(3, 10)
    else:  # a straight ramp, of one endpoint or of a few tenants on it
        group, words = endpoint == int(rng.integers(n_e)), "one endpoint"
        if n_t > 3 and rng.random() < 0.5:
            group &= np.isin(tenant, some(int(rng.integers(1, 4)), n_t))
            words = "few tenants, one endpoint"
        share = np.clip(since, 0, None) / length
        if mechanism == "latency ramp":
            factor = np.where(active & group, 1 + (rng.uniform(3, 10) - 1) * share, 1.0)
        else:
            extra = np.where(active & group, rng.uniform(0.2, 0.9) * share, 0.0)
    return extra, factor, words, end
