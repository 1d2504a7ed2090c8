"""Latency noise where a group is too rare to measure its own: held to its endpoint's.

A tenant calling one endpoint a few times an hour has too few requests in any minute to tell
how much its latency varies; the whole service's spread mixes endpoints of 8 ms and 800 ms in
one minute and would hide its slowdown, while the tight endpoints' spread would make a noisy
endpoint's rare tenants look changed. Each such cell is held to its own endpoint's spread.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from incident_nb.analysis.cube import MinuteCube
from incident_nb.analysis.cube_source import FrameSource
from incident_nb.analysis.onset_search import spread_by
from tests.unit.test_group_onset import T0, cube, find_incident, service

ENDPOINT_MS = (8.0, 800.0, 50.0, 60.0, 200.0, 20.0)


def endpoints_of_their_own_latency(e: str, t: str) -> dict[str, object]:
    """Each endpoint its own typical latency, 8 ms to 800 ms (a minute mixes them)."""
    return {"ms": lambda m, b=ENDPOINT_MS[int(e[-1])]: b, "sd": 0.3}


def test_each_endpoint_s_spread_of_latency_within_a_minute():
    # Spread 0.3 on the log scale on every endpoint but e1 (1.2), whatever their levels; an
    # endpoint with too few minutes of two requests to measure it is left out.
    def spread(e: str, t: str) -> dict[str, object]:
        return {"ms": lambda m, b=ENDPOINT_MS[int(e[-1])]: b, "sd": 1.2 if e.endswith("1") else 0.3}

    cells = service(20, 6, 600, override=spread)
    cells.append({"endpoint": "GET /rare", "tenant": "tenant-000", "rate": 0.05})
    levels = FrameSource(cube(cells, 120)).minute_levels()
    # ln(1 + ms) shrinks the spread of the fastest endpoint a little (8 ms: by 1/9).
    found = spread_by(MinuteCube(levels), "endpoint")
    assert set(found) == {f"POST /api/v2/e{e}" for e in range(6)}
    for e, ms in enumerate(ENDPOINT_MS):
        sd = (1.2 if e == 1 else 0.3) * ms / (1 + ms)
        assert found[f"POST /api/v2/e{e}"] == pytest.approx(sd**2, rel=0.15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_rare_tenant_s_slowdown_is_measured_against_its_endpoint_s_noise(seed):
    # tenant-slow calls one endpoint 0.4 times a minute, too rarely to measure the spread of
    # its own requests; from minute 100 they are three times slower. Measured against the
    # whole service's spread (endpoints of 8 ms to 800 ms in one minute) it was no change;
    # against its endpoint's, it is clear.
    slow = {
        "endpoint": "POST /api/v2/e3",
        "tenant": "tenant-slow",
        "rate": 0.4,
        "sd": 0.3,
        "ms": lambda m: 60.0 * (3 if m >= 100 else 1),
    }
    service_cells = service(60, 6, 400, seed=seed, override=endpoints_of_their_own_latency)
    frame = pd.concat(
        [cube(service_cells, 200, seed=seed), cube([slow], 200, seed=seed + 100)],
        ignore_index=True,
    )
    onset = find_incident(frame).onset
    assert onset is not None and onset.signal == "latency"
    assert onset.affected("tenant") == ["tenant-slow"]
    assert onset.affected("endpoint") == ["POST /api/v2/e3"]
    # Its requests are minutes apart: the onset lies between the last before the slowdown
    # and the first after it.
    called = frame.loc[frame["tenant"] == "tenant-slow", "minute"]
    last = called[called < T0 + timedelta(minutes=100)].max()
    first = called[called >= T0 + timedelta(minutes=100)].min()
    assert last < onset.at <= first


@pytest.mark.parametrize("seed", [0, 1])
def test_rare_tenants_of_an_endpoint_whose_latency_always_varies_widely_stay_quiet(seed):
    # One endpoint's requests spread 1.6 on the log scale (5x either way is common), its 60
    # tenants each calling it a few times an hour; the other endpoints are tight. Each rare
    # cell is held to its endpoint's spread, not to the tight endpoints'.
    def wide(e: str, t: str) -> dict[str, object]:
        if e == "POST /api/v2/e1":
            return {"sd": 1.6, "ms": lambda m: 400.0}
        return {"sd": 0.3, "ms": lambda m: 8.0 if e == "POST /api/v2/e2" else 50.0}

    frame = cube(service(60, 6, 400, seed=seed, override=wide), 180, seed=seed)
    assert find_incident(frame).onset is None
