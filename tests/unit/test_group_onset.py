"""The onset search over groups on small minute cubes with known answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.cube import MinuteCube
from incident_nb.analysis.cube_source import FrameSource
from incident_nb.analysis.incident_search import find_incident as find_in_source
from incident_nb.analysis.onset_search import search

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def find_incident(frame: pd.DataFrame):
    """The analysis of an in-memory minute cube."""
    return find_in_source(FrameSource(frame))


Rate = Callable[[int], float]


def scanned(frame: pd.DataFrame, column: str, least: float) -> int:
    """The groups of every level (the whole service, each endpoint, tenant and cell) whose
    ``column`` adds up to at least ``least``: those the search scans."""
    levels = [["endpoint"], ["tenant"], ["endpoint", "tenant"]]
    inner = sum(int((frame.groupby(dims)[column].sum() >= least).sum()) for dims in levels)
    return int(frame[column].sum() >= least) + inner


def cube(
    cells: list[dict[str, object]],
    minutes: int,
    seed: int = 1,
    volume: Callable[[int], float] = lambda m: 1.0,
) -> pd.DataFrame:
    """A minute cube drawn cell by cell.

    Each cell: ``endpoint``, ``tenant`` (or None), ``rate`` (requests a minute), ``fail``
    (minute -> failure share), ``ms`` (minute -> median latency), ``sd`` (log-latency spread).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for cell in cells:
        fail: Rate = cell.get("fail", lambda m: 0.001)  # type: ignore[assignment]
        ms: Rate = cell.get("ms", lambda m: 50.0)  # type: ignore[assignment]
        sd = float(cell.get("sd", 0.5))  # type: ignore[arg-type]
        for minute in range(minutes):
            n = int(rng.poisson(float(cell["rate"]) * volume(minute)))  # type: ignore[arg-type]
            if n == 0:
                continue
            logs = np.log1p(np.exp(np.log(ms(minute)) + sd * rng.normal(size=n)))
            rows.append(
                {
                    "minute": T0 + timedelta(minutes=minute),
                    "endpoint": cell["endpoint"],
                    "tenant": cell.get("tenant"),
                    "requests": n,
                    "errors": int(rng.binomial(n, min(fail(minute), 1.0))),
                    "timed": n,
                    "log_latency": float(logs.sum()),
                    "log_latency_sq": float((logs**2).sum()),
                }
            )
    frame = pd.DataFrame(rows)
    frame["minute"] = pd.to_datetime(frame["minute"], utc=True)
    return frame


def service(
    tenants: int,
    endpoints: int,
    per_minute: float,
    seed: int = 7,
    override: Callable[[str, str], dict[str, object]] = lambda e, t: {},
    skew: float = 1.2,
) -> list[dict[str, object]]:
    """Cells of a service: skewed tenant traffic, endpoints with their own failure rates."""
    rng = np.random.default_rng(seed)
    tenant_w = rng.pareto(skew, tenants) + 0.1 if skew else np.ones(tenants)
    tenant_w /= tenant_w.sum()
    endpoint_w = rng.dirichlet(np.full(endpoints, 2.0))
    base = rng.uniform(0.0002, 0.002, endpoints)
    cells = []
    for e in range(endpoints):
        for t in range(tenants):
            name_e, name_t = f"POST /api/v2/e{e}", f"tenant-{t:03d}"
            cell: dict[str, object] = {
                "endpoint": name_e,
                "tenant": name_t,
                "rate": per_minute * tenant_w[t] * endpoint_w[e],
                "fail": lambda m, b=base[e]: b,
            }
            cell.update(override(name_e, name_t))
            cells.append(cell)
    return cells


def test_three_of_150_tenants_failing_on_one_of_13_endpoints():
    # The case: about 8 failing requests a minute among 2,200; overall 0.06% -> ~0.3%.
    chosen = {"tenant-004", "tenant-011", "tenant-023"}

    def failing(e: str, t: str) -> dict[str, object]:
        if e == "POST /api/v2/e5" and t in chosen:  # large customers: ~14 requests a minute
            return {"rate": 4.7, "fail": lambda m: 0.58 if m >= 70 else 0.0005}
        return {}

    frame = cube(service(150, 13, 2200, override=failing), 110)
    incident = find_incident(frame)
    onset = incident.onset
    assert onset is not None
    assert abs((onset.at - (T0 + timedelta(minutes=70))).total_seconds()) <= 120
    assert onset.affected("endpoint") == ["POST /api/v2/e5"]
    assert set(onset.affected("tenant")) == chosen
    assert onset.signal == "errors" and onset.log10_p < -9
    assert onset.after == pytest.approx(0.58, abs=0.08)
    sentence = onset.sentence()
    assert sentence.startswith("failures of POST /api/v2/e5 for 3 tenants (")
    assert "at 10:10 UTC; p < 1e-9" in sentence
    assert onset.ended_at is None


def a_tenant_failing_on_one_endpoint(e: str, t: str) -> dict[str, object]:
    """A busy endpoint and a large tenant that both always fail 3%; where they meet (2 requests
    a minute), failures go from 0.2% to 40% at minute 60: about 1 more failure a minute among
    the tenant's 300 and the endpoint's 500, under the 1.5x rise either would need."""
    out: dict[str, object] = {}
    if e == "POST /api/v2/e3" or t == "tenant-007":
        out["fail"] = lambda m: 0.03
    if t == "tenant-007":
        out["rate"] = 25.0
    if e == "POST /api/v2/e3" and t == "tenant-007":
        out.update(rate=2.0, fail=lambda m: 0.4 if m >= 60 else 0.002)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_one_tenant_failing_on_one_endpoint_is_found_in_their_cell(seed):
    frame = cube(
        service(40, 12, 4000, seed=seed + 7, override=a_tenant_failing_on_one_endpoint),
        100,
        seed=seed,
    )
    levels = FrameSource(frame).minute_levels()
    found = {c.level.name for c in search(MinuteCube(levels), "errors")}
    assert found == {"endpoint x tenant"}  # neither the endpoint nor the tenant on its own
    onset = find_incident(frame).onset
    assert onset is not None and onset.signal == "errors"
    assert abs((onset.at - (T0 + timedelta(minutes=60))).total_seconds()) <= 120
    assert onset.found_in == "endpoint x tenant"
    assert onset.group == {"endpoint": "POST /api/v2/e3", "tenant": "tenant-007"}
    assert onset.affected("endpoint") == ["POST /api/v2/e3"]
    assert onset.affected("tenant") == ["tenant-007"]
    assert onset.before < 0.01 and onset.after == pytest.approx(0.4, abs=0.1)
    # Every group scanned counts in the p-value: of the whole service, the 12 endpoints, the 40
    # tenants and their 480 cells, those with the three failures a change needs (fewer cannot
    # pass, so they are not tried).
    assert onset.groups_searched == scanned(frame, "errors", 3)
    assert 1 + 12 + 40 < onset.groups_searched < 1 + 12 + 40 + 480
    assert onset.log10_p < -5
    assert onset.sentence().startswith(
        "failures of POST /api/v2/e3 for tenant tenant-007 rose from "
    )
    assert onset.ended_at is None


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fail", [None, 0.1])
def test_500_groups_where_nothing_changes_stay_quiet(seed, fail):
    # Each endpoint's own rare failures (too few in most cells for a change to pass), or 10%
    # of every cell's requests failing.
    def steady(e: str, t: str) -> dict[str, object]:
        return {} if fail is None else {"fail": lambda m: fail}

    frame = cube(service(50, 10, 3000, seed=seed, skew=0, override=steady), 90, seed=seed)
    assert frame.groupby(["endpoint", "tenant"]).ngroups == 500
    levels = FrameSource(frame).minute_levels()
    assert (levels["level"] == "endpoint x tenant").sum() > 500 * 80  # every cell searched
    # Every cell is scanned for its latency; at 10% failing, nearly every one for its
    # failures too (over 500 groups of the 561).
    assert scanned(frame, "timed", 20) == 1 + 10 + 50 + 500
    if fail is not None:
        assert scanned(frame, "errors", 3) > 500
    assert find_incident(frame).onset is None


def test_look_alikes_stay_quiet():
    def look(e: str, t: str) -> dict[str, object]:
        out: dict[str, object] = {}
        if t == "tenant-002":  # a steady background failure rate in one tenant
            out["fail"] = lambda m: 0.08
        if e == "POST /api/v2/e3":  # an endpoint that was always slow
            out["ms"] = lambda m: 900.0
        if e == "POST /api/v2/e1" and t == "tenant-000":  # one burst of a few failures
            out["fail"] = lambda m: 0.6 if m == 40 else 0.001
        return out

    daily = lambda m: 1 + 0.7 * np.sin(2 * np.pi * m / 150)  # noqa: E731 - volume cycle
    frame = cube(service(20, 6, 800, override=look), 150, volume=daily)
    assert find_incident(frame).onset is None


def test_a_failing_tenant_whose_traffic_grows_is_not_an_onset():
    # The tenant always fails 10%; its share of traffic triples: the overall rate rises, no
    # tenant's or endpoint's own rate does.
    cells = service(10, 4, 600)
    for e in range(4):
        cells.append(
            {
                "endpoint": f"POST /api/v2/e{e}",
                "tenant": "tenant-big",
                "rate": 40.0,
                "fail": lambda m: 0.10,
            }
        )
    grow = lambda m: 1.0  # noqa: E731
    frame = cube(cells, 120, volume=grow)
    big = frame["tenant"] == "tenant-big"
    scale = 1 + 2 * (frame.loc[big, "minute"] - frame["minute"].min()).dt.total_seconds() / 7200
    for column in ("requests", "errors", "timed", "log_latency", "log_latency_sq"):
        frame.loc[big, column] = (frame.loc[big, column] * scale).round()
    assert find_incident(frame).onset is None


def test_latency_of_one_endpoint_five_times_slower():
    def slow(e: str, t: str) -> dict[str, object]:
        if e == "POST /api/v2/e2":
            return {"ms": lambda m: 60.0 * (5 if m >= 50 else 1)}
        return {}

    frame = cube(service(30, 8, 400, override=slow), 90)
    incident = find_incident(frame)
    onset = incident.onset
    assert onset is not None and onset.signal == "latency"
    assert abs((onset.at - (T0 + timedelta(minutes=50))).total_seconds()) <= 120
    assert onset.affected("endpoint") == ["POST /api/v2/e2"]
    assert onset.after / onset.before == pytest.approx(5, rel=0.35)
    assert onset.sentence().startswith("latency of POST /api/v2/e2 for all 30 tenants rose")


def test_a_log_without_tenants_lists_no_tenant():
    cells = [
        {"endpoint": f"GET /e{e}", "tenant": None, "rate": 200.0, "fail": lambda m: 0.002}
        for e in range(5)
    ]
    cells[1]["fail"] = lambda m: 0.3 if m >= 45 else 0.002
    onset = find_incident(cube(cells, 80)).onset
    assert onset is not None
    assert onset.affected("tenant") == [] and "tenant" not in onset.units
    assert onset.affected("endpoint") == ["GET /e1"]
    assert "tenant" not in onset.sentence() and "(none)" not in onset.sentence()


def test_a_recovery_ends_the_incident():
    def spike(e: str, t: str) -> dict[str, object]:
        if e == "POST /api/v2/e0":
            return {"fail": lambda m: 0.4 if 60 <= m < 75 else 0.001}
        return {}

    incident = find_incident(cube(service(10, 4, 1000, override=spike), 120))
    onset = incident.onset
    assert onset is not None and onset.ended_at is not None
    assert abs((onset.at - (T0 + timedelta(minutes=60))).total_seconds()) <= 120
    assert abs((onset.ended_at - (T0 + timedelta(minutes=75))).total_seconds()) <= 120
    assert incident.trend.direction == "recovering"
    assert "back to normal at 10:15 UTC" in onset.sentence()


@pytest.mark.parametrize(
    ("shape", "direction"),
    [
        (lambda r: 0.5 + 0.4 * r / 39, "worsening"),  # a steady climb from 50% to 90%
        (lambda r: 0.6, "stable"),
        (lambda r: 0.9 - 0.5 * r / 39, "recovering"),
    ],
)
def test_trend_of_the_affected_group_since_the_onset(shape, direction):
    # One endpoint out of ten, about 1,000 requests a minute, 40 minutes since the onset.
    def failing(e: str, t: str) -> dict[str, object]:
        if e == "POST /api/v2/e0":
            return {"fail": lambda m: shape(m - 60) if m >= 60 else 0.002}
        return {}

    frame = cube(service(5, 10, 4000, override=failing), 100)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert incident.trend.direction == direction
    assert incident.trend.unit == "pp/min"
    # Since the onset, leaving out the two minutes the onset is placed within.
    assert incident.trend.minutes == 38
    if direction == "worsening":
        assert incident.trend.slope == pytest.approx(40 / 39, rel=0.3)
    assert "judged over 38 min 10:02-10:39 UTC" in incident.trend_words()


@pytest.mark.parametrize("seed", range(3))
def test_a_canary_s_tenants_are_found_on_the_endpoints_each_calls(seed):
    # A release reaches two tenants at minute 70; each calls its own endpoints (tenant-003
    # e1 and e2, tenant-009 e5 and e6), and 40% of their requests fail there. No one rectangle
    # of endpoints and tenants holds them both: each is affected on its own evidence.
    calls = {"tenant-003": ("POST /api/v2/e1", "POST /api/v2/e2")}
    calls["tenant-009"] = ("POST /api/v2/e5", "POST /api/v2/e6")

    def canary(e: str, t: str) -> dict[str, object]:
        if t not in calls:
            return {}
        if e not in calls[t]:
            return {"rate": 0.0}
        return {"rate": 3.0, "fail": lambda m: 0.4 if m >= 70 else 0.001}

    frame = cube(service(60, 8, 1500, seed=seed, override=canary), 120, seed=seed)
    onset = find_incident(frame).onset
    assert onset is not None
    assert abs((onset.at - (T0 + timedelta(minutes=70))).total_seconds()) <= 120
    assert set(onset.affected("tenant")) == set(calls)
    assert set(onset.affected("endpoint")) == {e for called in calls.values() for e in called}


def test_a_tenant_s_slowdown_is_placed_on_its_endpoints_own_levels():
    # tenant-big calls a fast endpoint (10 ms) and a slow one (300 ms) alike, 30 times a
    # minute each, and other tenants call both. For the twelve minutes before its slowdown it
    # calls the fast one a tenth as often (a client's cache warming up): its minutes' mean
    # latency, mixing both, rises then as much as in the slowdown's first ten minutes. Its
    # latency on both endpoints then climbs to three times over 40 minutes from minute 60.
    def climb(base: float) -> Rate:
        return lambda m: base * (1 + 2 * min(max(m - 60, 0), 40) / 40)

    others = [
        {"endpoint": e, "tenant": f"tenant-{t}", "rate": 6.0, "ms": (lambda m, b=ms: b)}
        for e, ms in (("GET /fast", 10.0), ("GET /slow", 300.0))
        for t in range(12)
    ]
    frame = pd.concat(
        [
            cube(others, 100, seed=2),
            cube(
                [
                    {
                        "endpoint": "GET /slow",
                        "tenant": "tenant-big",
                        "rate": 30.0,
                        "ms": climb(300.0),
                        "sd": 0.3,
                    }
                ],
                100,
                seed=3,
            ),
            cube(
                [
                    {
                        "endpoint": "GET /fast",
                        "tenant": "tenant-big",
                        "rate": 30.0,
                        "ms": climb(10.0),
                        "sd": 0.3,
                    }
                ],
                100,
                seed=4,
                volume=lambda m: 0.1 if 48 <= m < 60 else 1.0,
            ),
        ],
        ignore_index=True,
    )
    onset = find_incident(frame).onset
    assert onset is not None and onset.signal == "latency"
    assert onset.affected("tenant") == ["tenant-big"]
    assert abs((onset.at - (T0 + timedelta(minutes=60))).total_seconds()) <= 120
