from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.changepoint import error_rate_onset, mean_shift_onset
from incident_nb.analysis.impact import detect_onset, error_trend, group_impact

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def per_minute(rates, requests=1000, seed=1, p95=None):
    rng = np.random.default_rng(seed)
    errors = rng.binomial(requests, rates)
    frame = pd.DataFrame(
        {
            "minute": pd.date_range(T0, periods=len(rates), freq="min"),
            "requests": requests,
            "errors": errors,
        }
    )
    frame["p95_ms"] = p95 if p95 is not None else 100.0
    return frame


def test_step_onset_is_found_at_the_exact_minute():
    rates = np.r_[np.full(90, 0.003), np.full(40, 0.05)]
    onset = detect_onset(per_minute(rates))
    assert onset is not None
    assert onset.at == T0 + timedelta(minutes=90)
    assert onset.signal == "error rate"
    assert onset.before == pytest.approx(0.003, abs=0.001)
    assert onset.after == pytest.approx(0.05, abs=0.005)


def test_onset_is_found_when_the_incident_recovered_inside_the_window():
    rates = np.r_[np.full(60, 0.002), np.full(30, 0.2), np.full(200, 0.002)]
    onset = detect_onset(per_minute(rates))
    assert onset is not None and onset.at == T0 + timedelta(minutes=60)


@pytest.mark.parametrize("seed", range(5))
def test_noise_alone_has_no_onset(seed):
    assert detect_onset(per_minute(np.full(180, 0.01), seed=seed)) is None


def test_a_small_but_real_rise_is_an_onset_however_low_the_rate():
    # 0.1% -> 0.4% over 90,000 requests each side: no floor on the rate hides it.
    rates = np.r_[np.full(90, 0.001), np.full(90, 0.004)]
    frame = per_minute(rates)
    shift = error_rate_onset(frame["errors"].to_numpy(float), frame["requests"].to_numpy(float))
    assert shift is not None and abs(shift.index - 90) <= 2
    assert shift.before == pytest.approx(0.001, abs=0.0003)
    assert shift.after == pytest.approx(0.004, abs=0.0005)


def test_latency_onset_when_errors_did_not_move():
    p95 = np.r_[np.full(50, 120.0), np.full(30, 900.0)] * np.random.default_rng(3).uniform(
        0.9, 1.1, 80
    )
    onset = detect_onset(per_minute(np.full(80, 0.001), p95=p95))
    assert onset is not None and onset.signal == "latency p95"
    assert onset.at == T0 + timedelta(minutes=50)
    assert mean_shift_onset(np.full(20, 50.0)) is None


@pytest.mark.parametrize(
    ("start", "end", "direction"),
    [(0.02, 0.10, "worsening"), (0.10, 0.02, "recovering"), (0.05, 0.05, "stable")],
)
def test_trend_over_the_last_thirty_minutes(start, end, direction):
    rates = np.r_[np.full(60, 0.3), np.linspace(start, end, 30)]
    trend = error_trend(per_minute(rates, requests=5000))
    assert trend.direction == direction
    assert trend.minutes == 30
    if direction != "stable":
        assert trend.slope_per_min == pytest.approx((end - start) / 29, rel=0.25)


def test_a_steady_climb_since_the_onset_is_worsening_at_a_thousand_requests_a_minute():
    # The case: one endpoint's failure share climbs from 50% to 90% since the onset.
    rates = np.r_[np.full(60, 0.002), np.linspace(0.5, 0.9, 25)]
    frame = per_minute(rates, requests=1000)
    trend = error_trend(frame, since=T0 + timedelta(minutes=60))
    assert trend.direction == "worsening"
    assert trend.minutes == 25
    assert trend.slope_per_min == pytest.approx(0.4 / 24, rel=0.2)
    steady = per_minute(np.r_[np.full(60, 0.002), np.full(25, 0.7)], requests=1000)
    assert error_trend(steady, since=T0 + timedelta(minutes=60)).direction == "stable"


def test_group_impact_flags_only_groups_whose_errors_rose_at_the_onset():
    onset = T0 + timedelta(minutes=30)
    rows = []
    for minute in range(60):
        for tenant, base, during in (
            ("acme", 0.01, 0.3),
            ("globex", 0.01, 0.01),
            ("noisy", 0.2, 0.2),
        ):
            rate = during if minute >= 30 else base
            rows.append((T0 + timedelta(minutes=minute), "/x", tenant, 200, round(200 * rate)))
    groups = pd.DataFrame(rows, columns=["minute", "endpoint", "tenant", "requests", "errors"])
    groups["minute"] = pd.to_datetime(groups["minute"], utc=True)
    impact = group_impact(groups, "tenant", onset)
    assert impact.loc[impact["affected"], "tenant"].tolist() == ["acme"]
    acme = impact.set_index("tenant").loc["acme"]
    assert acme["requests"] == 6000 and acme["error_rate"] == pytest.approx(0.3)
    assert acme["baseline_error_rate"] == pytest.approx(0.01)
    # Without an onset, a group is compared with all the others.
    whole = group_impact(groups, "tenant", None)
    assert set(whole.loc[whole["affected"], "tenant"]) == {"noisy"}
    # Records without a tenant field are no tenant: never listed as affected.
    unnamed = groups.assign(tenant=groups["tenant"].replace({"acme": "(none)"}))
    assert group_impact(unnamed, "tenant", onset)["affected"].sum() == 0


def test_linear_fit_matches_scipy():
    from scipy import stats

    from incident_nb.analysis.impact import _linear_fit

    x = np.arange(15.0)
    y = np.random.default_rng(1).normal(0, 1, 15) + 0.1 * x
    ref = stats.linregress(x, y)
    assert _linear_fit(x, y) == pytest.approx((ref.slope, ref.intercept, ref.pvalue))
