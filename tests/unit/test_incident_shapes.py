"""Incident shapes a person reads at a glance: a slow climb, an on/off incident, a step.

The trend is read since the onset (a climb over two hours is worsening even when its last half
hour alone is too noisy to tell), and an on/off incident starts at its first "on" minute: a
straight line drawn through its on and off minutes is no ramp to read an earlier onset from.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

import pandas as pd
import pytest

from incident_nb.analysis.group_onset import Incident
from tests.unit.test_group_onset import T0, cube, find_incident, service

TRUTH = 60


def one_cell(fail=None, ms=None):
    """One tenant on one endpoint of a service of 20 tenants and 6 endpoints is affected."""

    def override(e: str, t: str) -> dict[str, object]:
        if (e, t) != ("POST /api/v2/e1", "tenant-002"):
            return {}
        out: dict[str, object] = {"rate": 12.0}
        if fail is not None:
            out["fail"] = lambda m: fail(m - TRUTH) if m >= TRUTH else 0.002
        if ms is not None:
            out["ms"] = lambda m: ms(m - TRUTH) if m >= TRUTH else 50.0
        return out

    return service(20, 6, 2000, override=override)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_slow_climb_of_one_tenant_reads_worsening_since_its_onset(seed):
    # Twelve requests a minute, failing 15% at the onset and 45% two hours later.
    frame = cube(one_cell(fail=lambda r: 0.15 + 0.30 * r / 119), 180, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert incident.trend.direction == "worsening"
    assert incident.trend.minutes >= 90


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_step_of_one_tenant_reads_stable(seed):
    frame = cube(one_cell(fail=lambda r: 0.35), 180, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert abs((incident.onset.at - (T0 + timedelta(minutes=TRUTH))).total_seconds()) <= 120
    assert incident.trend.direction == "stable"


def on_off(r: int) -> bool:
    return r % 7 < 3  # three minutes on, four off


@pytest.mark.parametrize("kind", ["errors", "latency", "both"])
@pytest.mark.parametrize("seed", [1, 2])
def test_an_on_off_incident_starts_at_its_first_on_minute(kind, seed):
    fail = (lambda r: 0.5 if on_off(r) else 0.002) if kind != "latency" else None
    ms = (lambda r: 600.0 if on_off(r) else 50.0) if kind != "errors" else None
    frame = cube(one_cell(fail=fail, ms=ms), 150, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert abs((incident.onset.at - (T0 + timedelta(minutes=TRUTH))).total_seconds()) <= 120
    assert incident.trend.direction == "stable"


SLOWDOWNS_THAT_FAIL = {
    # Latency climbs from the onset (50 ms, then 5 ms more each minute); requests only start
    # failing 25 minutes later, when they time out: a clear jump.
    "jump": (lambda r: 0.4 if r >= 25 else 0.002, lambda r: 50.0 + 5.0 * r),
    # A queue fills: latency climbs (8 ms more each minute), and once requests wait past their
    # timeout, 30 minutes in, they fail more and more (1% more each minute): a ramp, no clear
    # jump, and the stronger change of the two. (Placed on the failures: 34-36 minutes late.)
    "ramp": (lambda r: 0.002 + min(max(r - 30, 0) * 0.01, 0.9), lambda r: 50.0 + 8.0 * r),
}


@pytest.mark.parametrize(
    ("failing", "seed"),
    [("jump", 1), ("jump", 2), ("jump", 3), ("ramp", 1), ("ramp", 2), ("ramp", 5)],
)
def test_a_slowdown_whose_requests_fail_later_starts_when_it_slows(failing, seed):
    # The incident started with the slowdown, which its minutes before the failures show on
    # their own.
    fail, ms = SLOWDOWNS_THAT_FAIL[failing]
    frame = cube(one_cell(fail=fail, ms=ms), 150, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert incident.onset.signal == "errors"
    assert abs((incident.onset.at - (T0 + timedelta(minutes=TRUTH))).total_seconds()) <= 120


@pytest.mark.parametrize(
    ("power", "volume", "seed"), [(1.1, 1500, 2), (1.1, 3000, 7), (1.12, 2000, 5), (1.12, 2000, 7)]
)
def test_a_busy_ramp_that_bends_a_little_starts_where_it_leaves_the_level(power, volume, seed):
    # One endpoint of a busy service (hundreds of requests a minute) fails more and more from
    # minute 60, to 50% 32 minutes later, a little faster than a straight line. Its line
    # misses the first minutes by more than their (small) noise, but by less than a fifth.
    def ramp(e: str, t: str) -> dict[str, object]:
        if e != "POST /api/v2/e1":
            return {}
        return {"fail": lambda m: 0.001 + 0.5 * ((m - 60) / 32) ** power if m >= 60 else 0.001}

    frame = cube(service(20, 4, volume, seed=seed, override=ramp), 92, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert abs((incident.onset.at - (T0 + timedelta(minutes=60))).total_seconds()) <= 120


RISES_THAT_STEEPEN = {
    # A queue saturates: the endpoint's latency grows by 5% a minute (10x in 46 minutes), a
    # straight line in the log of milliseconds, not in milliseconds.
    "saturating queue": {"ms": lambda r: 40.0 * math.exp(0.05 * r)},
    # A leak: the endpoint's failures grow with the square of time, to 40% in 80 minutes.
    "leak": {"fail": lambda r: 0.001 + 0.4 * (r / 80) ** 2},
}


@pytest.mark.parametrize("rise", list(RISES_THAT_STEEPEN))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_rise_that_steepens_starts_where_it_leaves_the_level(rise, seed):
    # Its first minutes barely differ from the level before; a line through its minutes would
    # leave that level 10-30 minutes late.
    shape = RISES_THAT_STEEPEN[rise]

    def steepening(e: str, t: str) -> dict[str, object]:
        if e != "POST /api/v2/e1":
            return {}
        return {name: (lambda m, f=f: f(max(m - 60, 0))) for name, f in shape.items()}

    frame = cube(service(20, 4, 800, seed=seed, override=steepening), 140, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert abs((incident.onset.at - (T0 + timedelta(minutes=60))).total_seconds()) <= 120


def minute_of(frame: pd.DataFrame) -> pd.Series:
    return (frame["minute"] - T0).dt.total_seconds() // 60


def calling_only(
    frame: pd.DataFrame, endpoint: str, when: dict[str, Callable[[pd.Series], pd.Series]]
) -> pd.DataFrame:
    """``frame`` where each tenant of ``when`` calls ``endpoint`` only in the minutes it picks."""
    on_endpoint, minute = frame["endpoint"] == endpoint, minute_of(frame)
    keep = ~(on_endpoint & frame["tenant"].isin(list(when)))
    for tenant, minutes in when.items():
        keep |= on_endpoint & (frame["tenant"] == tenant) & minutes(minute)
    return frame[keep]


def starts_at_minute_60(incident: Incident) -> bool:
    onset = incident.onset
    return (
        onset is not None and abs((onset.at - (T0 + timedelta(minutes=60))).total_seconds()) <= 120
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_queue_that_slows_then_times_out_affects_the_tenants_it_slowed(seed):
    # A queue fills from minute 60 (its latency growing 5% a minute, 1.5x by minute 68) and its
    # requests time out from minute 100. Two tenants called the endpoint only while it was slow
    # and not yet failing: the failures are the stronger change, the onset is the slowdown's,
    # and so is the time over which tenants are judged.
    endpoint, slowed_only = "POST /api/v2/e1", {"tenant-003", "tenant-006"}

    def queue(e: str, t: str) -> dict[str, object]:
        if e != endpoint:
            return {}
        return {
            "ms": lambda m: 40.0 * math.exp(0.05 * max(m - 60, 0)),
            "fail": lambda m: 0.4 if m >= 100 else 0.001,
        }

    frame = cube(service(20, 4, 800, seed=seed, override=queue), 130, seed=seed)
    frame = calling_only(frame, endpoint, dict.fromkeys(slowed_only, lambda m: m.between(75, 95)))
    on_endpoint = set(
        frame.loc[(frame["endpoint"] == endpoint) & (minute_of(frame) >= 70), "tenant"]
    )
    incident = find_incident(frame)
    assert starts_at_minute_60(incident)
    assert incident.onset is not None
    assert set(incident.onset.affected("tenant")) == on_endpoint
    assert slowed_only <= on_endpoint


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_ramps_units_are_judged_at_the_time_of_their_requests(seed):
    # One endpoint slows from minute 60 on, by 10% of its latency each minute (1.5x at minute
    # 65, 10x at minute 150). One tenant called it only in the ramp's first minutes, when it was
    # barely slower; two others only between minutes 66 and 72, when it was 1.6-2.2x slower:
    # far less than over the ramp as a whole, but slowed all the same.
    endpoint = "POST /api/v2/e1"
    first_minutes, a_little_later = {"tenant-004"}, {"tenant-003", "tenant-006"}

    def ramp(e: str, t: str) -> dict[str, object]:
        if e != endpoint:
            return {}
        return {"ms": lambda m: 40.0 * (1.0 + 0.1 * max(m - 60, 0)), "sd": 0.3}

    frame = cube(service(20, 4, 800, seed=seed, override=ramp), 150, seed=seed)
    when = {
        **dict.fromkeys(first_minutes, lambda m: m < 63),
        **dict.fromkeys(a_little_later, lambda m: (m < 60) | m.between(66, 72)),
    }
    incident = find_incident(calling_only(frame, endpoint, when))
    assert starts_at_minute_60(incident)
    assert incident.onset is not None
    affected = set(incident.onset.affected("tenant"))
    assert a_little_later <= affected
    assert not first_minutes & affected


@pytest.mark.parametrize("seed", [1, 3, 8])
def test_a_filling_queue_affects_the_tenants_it_slowed_early(seed):
    # A queue fills from minute 60 for 80 minutes, its latency growing 5% a minute (50x by the
    # end). Two small tenants called the endpoint only between minutes 70 and 80, when it was
    # 1.6-2.7x slower: a few requests each, slowed, though far less than the queue's mean over
    # the incident, and too few to stand out on their own among 60 tenants.
    endpoint, early = "POST /api/v2/e1", {"tenant-003", "tenant-006"}

    def queue(e: str, t: str) -> dict[str, object]:
        if e != endpoint:
            return {}
        slower = {"ms": lambda m: 40.0 * math.exp(0.05 * max(m - 60, 0))}
        return {**slower, "rate": 0.6} if t in early else slower

    frame = cube(service(60, 4, 800, seed=seed, override=queue), 140, seed=seed)
    when = dict.fromkeys(early, lambda m: (m < 60) | m.between(70, 80))
    incident = find_incident(calling_only(frame, endpoint, when))
    assert starts_at_minute_60(incident)
    assert incident.onset is not None
    assert early <= set(incident.onset.affected("tenant"))
