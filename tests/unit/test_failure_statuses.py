"""The failures of each status, searched on their own when the failures as a whole show nothing.

A steady background of failures of some statuses (a flaky endpoint's 500s) hides a new kind
of failure (504s from a dependency timing out) among the failures as a whole: a rise short of
1.5 times in every group. Each status's failures are then searched on their own, every request
still counted; failures that only change status are no incident.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.cube_source import FrameSource
from incident_nb.analysis.incident_search import find_incident

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ENDPOINTS = [f"GET /api/v1/e{i}" for i in range(6)]
TENANTS = [f"tenant-{i:02d}" for i in range(12)]
Shares = Callable[[int, str], dict[str, float]]
"""(minute, endpoint) -> status -> share of the requests failing with it."""


def cubes(
    shares: Shares, minutes: int = 120, per_cell: float = 6.0, seed: int = 3
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """A minute cube of every endpoint x tenant, and the same cube per failing status."""
    rng = np.random.default_rng(seed)
    jitter = np.exp(rng.normal(0, 0.2, minutes))  # the minutes' failure rates wander
    statuses = sorted({s for m in range(minutes) for e in ENDPOINTS for s in shares(m, e)})
    rows: list[dict[str, object]] = []
    for minute in range(minutes):
        for endpoint in ENDPOINTS:
            share = shares(minute, endpoint)
            p = [min(share.get(s, 0.0) * jitter[minute], 0.3) for s in statuses]
            for tenant in TENANTS:
                n = int(rng.poisson(per_cell))
                if n == 0:
                    continue
                failed = rng.multinomial(n, [*p, 1 - sum(p)])[:-1]
                logs = np.log1p(np.exp(np.log(40.0) + 0.4 * rng.normal(size=n)))
                row: dict[str, object] = {
                    "minute": T0 + timedelta(minutes=minute),
                    "endpoint": endpoint,
                    "tenant": tenant,
                    "requests": n,
                    "timed": n,
                    "log_latency": float(logs.sum()),
                    "log_latency_sq": float((logs**2).sum()),
                }
                row.update({f"errors {s}": int(k) for s, k in zip(statuses, failed, strict=True)})
                rows.append(row)
    frame = pd.DataFrame(rows)
    by_status = [f"errors {s}" for s in statuses]
    whole = frame.assign(errors=frame[by_status].sum(axis=1)).drop(columns=by_status)
    kinds = {s: frame.assign(errors=frame[f"errors {s}"]).drop(columns=by_status) for s in statuses}
    return whole, kinds


def sources(shares: Shares, seed: int = 3, per_cell: float = 6.0) -> FrameSource:
    """The events of ``shares``, with the failures of each status to search on their own."""
    return FrameSource(*cubes(shares, seed=seed, per_cell=per_cell))


def background(minute: int, endpoint: str) -> dict[str, float]:
    return {"500": 0.04, "502": 0.01}


def test_a_new_status_under_a_steady_background_of_others_is_found():
    def shares(minute: int, endpoint: str) -> dict[str, float]:
        return {**background(minute, endpoint), "504": 0.012 if minute >= 60 else 0.0}

    whole, kinds = cubes(shares)
    # The failures as a whole rise 5% -> 6.2%: too little to be an onset on their own.
    assert find_incident(FrameSource(whole)).onset is None
    onset = find_incident(FrameSource(whole, kinds)).onset
    assert onset is not None
    assert onset.status == "504"
    assert abs((onset.at - T0) / timedelta(minutes=1) - 60) <= 2
    assert onset.before < 0.001 and 0.008 < onset.after < 0.016
    assert onset.sentence().startswith("failures with status 504 of all 6 endpoints")
    assert onset.evidence()["status"] == "504"


@pytest.mark.parametrize("seed", range(3))
def test_a_new_status_on_one_endpoint_names_that_endpoint(seed):
    def shares(minute: int, endpoint: str) -> dict[str, float]:
        extra = 0.015 if minute >= 50 and endpoint == ENDPOINTS[2] else 0.0
        return {**background(minute, endpoint), "504": extra}

    onset = find_incident(sources(shares, seed, per_cell=15.0)).onset
    assert onset is not None and onset.status == "504"
    assert onset.affected("endpoint") == [ENDPOINTS[2]]
    assert abs((onset.at - T0) / timedelta(minutes=1) - 50) <= 2


@pytest.mark.parametrize("moved", [0.03, 0.015])
@pytest.mark.parametrize("seed", range(3))
def test_failures_that_only_change_status_are_no_incident(moved, seed):
    # From minute 60 a proxy answers 503 for all (or half) of what it answered 502.
    def shares(minute: int, endpoint: str) -> dict[str, float]:
        after = minute >= 60
        return {"500": 0.02, "502": 0.03 - moved * after, "503": moved * after}

    assert find_incident(sources(shares, seed)).onset is None


@pytest.mark.parametrize("seed", range(5))
def test_statuses_where_nothing_changes_stay_quiet(seed):
    def shares(minute: int, endpoint: str) -> dict[str, float]:
        return {"500": 0.03, "502": 0.01, "503": 0.005, "504": 0.002}

    assert find_incident(sources(shares, seed=seed)).onset is None


def test_a_change_of_the_failures_as_a_whole_is_not_searched_again_by_status():
    def shares(minute: int, endpoint: str) -> dict[str, float]:
        return {"500": 0.01 if minute < 60 else 0.08, "502": 0.01}

    onset = find_incident(sources(shares)).onset
    assert onset is not None and onset.status is None
    assert onset.sentence().startswith("failures of all 6 endpoints")
