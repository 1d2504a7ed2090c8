"""Who is affected, on cells and minutes with known answers: on/off minutes, two signals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.activity import quiet_minutes
from incident_nb.analysis.affected import judge
from incident_nb.analysis.cells import CellTable
from incident_nb.analysis.scan import Series
from incident_nb.analysis.scope import joint
from incident_nb.analysis.unit_sums import Noise


def test_the_off_minutes_of_an_on_off_incident_are_set_aside() -> None:
    # 45 requests a minute; before the onset (minute 60) one failure in 1,000 requests; then
    # three minutes at 9% failures and three without any, in turn. Against the mean of on and
    # off (4.5%) an off minute is only 8 times likelier quiet; against the on level, 70 times.
    minutes = 120
    n = np.full(minutes, 45.0)
    x = np.zeros(minutes)
    x[:60:22] = 1.0
    on = [m for m in range(60, minutes) if (m - 60) % 6 < 3]
    off = [m for m in range(60, minutes) if (m - 60) % 6 >= 3]
    x[on] = 4.0
    series = Series(n, x, np.zeros(minutes))
    assert quiet_minutes({"errors": series}, 60, minutes, "errors") == off


def test_a_ramp_s_lead_in_is_not_set_aside() -> None:
    # 45 requests a minute; failures climb from none at minute 60 to 40% at minute 120. Its
    # first minutes are far likelier at the level before than at the incident's, but they are
    # its lead-in: a tenant whose one failure fell there was hit by it.
    minutes = 120
    n = np.full(minutes, 45.0)
    x = np.zeros(minutes)
    x[:60:22] = 1.0
    x[60:] = np.round(45 * 0.4 * np.arange(60) / 60)
    series = Series(n, x, np.zeros(minutes))
    assert quiet_minutes({"errors": series}, 60, minutes, "errors") == []


def test_a_failing_and_slow_group_s_off_minutes_are_read_on_both_signals() -> None:
    # Off minutes keep one failure in 45 requests: on failures alone they could be either; their
    # usual latency (the on minutes are five times slower) says they are off.
    minutes, var = 120, 0.25
    on = np.array([m >= 60 and (m - 60) % 6 < 3 for m in range(minutes)])
    off = [m for m in range(60, minutes) if not on[m]]
    n = np.full(minutes, 45.0)
    x = np.where(on, 4.0, np.where(np.arange(minutes) >= 60, 1.0, 0.0))
    mean = np.where(on, math.log1p(250.0), math.log1p(50.0))
    errors = Series(n, x, np.zeros(minutes))
    latency = Series(n, n * mean, n * (mean * mean + var))
    assert quiet_minutes({"errors": errors}, 60, minutes, "errors") == []
    assert quiet_minutes({"errors": errors, "latency": latency}, 60, minutes, "errors") == off


def test_a_steady_incident_has_no_quiet_minute() -> None:
    n = np.full(90, 45.0)
    x = np.where(np.arange(90) >= 50, 4.0, 0.0)
    assert quiet_minutes({"errors": Series(n, x, np.zeros(90))}, 50, 90, "errors") == []


def cell(
    endpoint: str,
    tenant: str,
    inside: bool,
    n: int,
    errors: int = 0,
    ms: float | None = None,
    var: float = 0.0,
) -> dict[str, object]:
    """A cell's sums on one side of the incident: its requests all at ``ms`` (none timed
    without), their log latencies spread by ``var``."""
    timed = n if ms is not None else 0
    mean = math.log1p(ms) if ms is not None else 0.0
    return {
        "endpoint": endpoint,
        "tenant": tenant,
        "inside": inside,
        "requests": n,
        "errors": errors,
        "timed": timed,
        "log_latency": timed * mean,
        "log_latency_sq": timed * (mean * mean + var),
    }


def _cells() -> CellTable:
    """One endpoint; ten tenants fail 30% and are five times slower during the incident, ten
    are not touched, and "lucky" made one request during it: failed, at its usual latency."""
    rows = []

    def row(tenant: str, inside: bool, n: int, errors: int, ms: float) -> dict[str, object]:
        return cell("GET /a", tenant, inside, n, errors, ms, var=0.04)

    for i in range(20):
        name = f"t{i:02d}"
        rows.append(row(name, False, 600, 1, 50.0))
        rows.append(row(name, True, 60, 18 if i < 10 else 0, 250.0 if i < 10 else 50.0))
    rows.append(row("lucky", False, 600, 1, 50.0))
    rows.append(row("lucky", True, 1, 1, 50.0))
    return CellTable(pd.DataFrame(rows))


def test_two_signals_judge_a_unit_together() -> None:
    cells = _cells()
    scope: dict[str, set[str] | None] = {"endpoint": None, "tenant": None}
    errors = judge(cells, scope, "tenant", "errors", Noise(0.04, 0.0, 30, 0.15))
    latency = judge(cells, scope, "tenant", "latency", Noise(0.04, 0.0, 30, 0.8))
    hit = {f"t{i:02d}" for i in range(10)}
    # Its one failure alone would list it; its latency, usual where everyone affected is five
    # times slower, says it was not touched.
    assert set(errors.affected) == hit | {"lucky"}
    assert set(latency.affected) == hit
    assert joint(errors, latency) == hit


def test_a_unit_that_always_failed_more_is_judged_on_its_own_level() -> None:
    # Three tenants: GET /a fails 83% of their requests during the incident (0.07% before);
    # DELETE /b has always failed them about 1.4% of the time (ten times its peers) and goes
    # from 1.36% to 1.63%, a change its own counts do not call significant. Shrunk towards its
    # peers with a fixed prior, its level before would read 1.1% and it would be listed.
    def row(endpoint: str, inside: bool, n: int, errors: int) -> dict[str, object]:
        return cell(endpoint, "t1", inside, n, errors)

    cells = CellTable(
        pd.DataFrame(
            [
                row("GET /a", False, 60_000, 42),
                row("GET /a", True, 80_000, 66_800),
                row("DELETE /b", False, 5_500, 75),
                row("DELETE /b", True, 7_500, 122),
                row("GET /c", False, 48_000, 22),
                row("GET /c", True, 64_000, 20),
                row("PUT /d", False, 30_000, 15),
                row("PUT /d", True, 40_000, 19),
            ]
        )
    )
    judged = judge(
        cells, {"endpoint": None, "tenant": None}, "endpoint", "errors", Noise(rise=0.65)
    )
    assert judged.affected == ["GET /a"]
    units = judged.units.set_index("value")
    assert units.loc["DELETE /b", "baseline"] > 0.0125  # its own 1.36%, hardly shrunk


def test_a_tenant_s_two_endpoints_keep_their_own_latency() -> None:
    # One tenant calls a fast endpoint (15 ms), which gets six times slower, and a slow one
    # (180 ms), which does not change. Two endpoints cannot say how much endpoints differ:
    # taken as alike, the slow one's own level before would read as theirs pooled (about
    # 90 ms), and its usual 190 ms during the incident as a rise.
    def row(endpoint: str, inside: bool, n: int, ms: float) -> dict[str, object]:
        return cell(endpoint, "t1", inside, n, ms=ms, var=0.1)

    cells = CellTable(
        pd.DataFrame(
            [
                row("GET /fast", False, 216, 15.0),
                row("GET /fast", True, 139, 97.0),
                row("GET /slow", False, 240, 179.0),
                row("GET /slow", True, 188, 191.0),
            ]
        )
    )
    # The tenant's minutes mix both endpoints: their variance per request is large.
    noise = Noise(1.6, 0.0, 33, math.log(2.0))
    judged = judge(cells, {"endpoint": None, "tenant": {"t1"}}, "endpoint", "latency", noise)
    assert judged.affected == ["GET /fast"]
    units = judged.units.set_index("value")
    assert units.loc["GET /slow", "baseline"] == pytest.approx(179.0, rel=0.05)


def test_a_busy_tenant_s_own_small_rise_is_not_the_incident_s() -> None:
    # During a canary release three tenants fail half their requests on GET /a and POST /b
    # (0.1% before). "big" makes 100,000 requests on each side of the onset and goes from
    # 0.1% to 0.2% on its own: a change its counts call clear, a fiftieth of what the
    # endpoints it calls rose by. "quiet" tenants are untouched. A partial outage of PUT /c
    # adds 5% there, "small" calling PUT /c only: a tenth of /a's rise, all of its own
    # endpoint's, and affected.
    rows = []
    for t in ("t0", "t1", "t2"):
        for e in ("GET /a", "POST /b"):
            rows += [cell(e, t, False, 2_000, 2), cell(e, t, True, 2_000, 1_000)]
    for e in ("GET /a", "POST /b"):
        rows += [cell(e, "big", False, 100_000, 100), cell(e, "big", True, 100_000, 200)]
        for i in range(10):
            rows += [cell(e, f"quiet{i}", False, 3_000, 3), cell(e, f"quiet{i}", True, 3_000, 3)]
    rows += [cell("PUT /c", "small", False, 4_000, 4), cell("PUT /c", "small", True, 4_000, 204)]
    for i in range(10):
        rows += [
            cell("PUT /c", f"quiet{i}", False, 3_000, 3),
            cell("PUT /c", f"quiet{i}", True, 3_000, 3),
        ]
    judged = judge(
        CellTable(pd.DataFrame(rows)),
        {"endpoint": None, "tenant": None},
        "tenant",
        "errors",
        Noise(rise=0.05),
    )
    assert set(judged.affected) == {"t0", "t1", "t2", "small"}
    units = judged.units.set_index("value")
    assert units.loc["big", "level"] == pytest.approx(0.002)
