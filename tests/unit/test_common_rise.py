"""The stratified test a change must also pass within its parts: one common rise of failures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from incident_nb.analysis.onset_search import common_rise
from tests.unit.test_group_onset import cube, find_incident, service


def counts(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def score(n_in, x_in, n_out, x_out) -> float:
    """The Cochran-Mantel-Haenszel statistic of the same strata (the score test)."""
    total, events = n_in + n_out, x_in + x_out
    excess = (x_in - n_in * events / total).sum()
    variance = (n_in * n_out * events * (total - events) / (total**2 * (total - 1))).sum()
    return float(excess**2 / variance)


def test_a_rise_from_no_failures_keeps_its_strength():
    # 0 failures in 250 requests, then 226 in 2,500: the likelihood ratio is that of "all the
    # failures came after", -2 * 226 * ln(2500 / 2750); the score test sees much less.
    n_in, x_in, n_out, x_out = counts(2500), counts(226), counts(250), counts(0)
    statistic = common_rise(n_in, x_in, n_out, x_out)
    assert statistic == pytest.approx(-2 * 226 * np.log(2500 / 2750), rel=1e-6)
    assert chi2.sf(statistic, 1) < 1e-10
    assert score(n_in, x_in, n_out, x_out) < 0.6 * statistic


def test_a_modest_common_rise_reads_as_the_score_test_does():
    n_in, x_in = counts(4000, 3000, 1000), counts(60, 40, 12)
    n_out, x_out = counts(4000, 3000, 1000), counts(30, 20, 7)
    assert common_rise(n_in, x_in, n_out, x_out) == pytest.approx(
        score(n_in, x_in, n_out, x_out), rel=0.15
    )


def test_no_rise_or_a_fall_is_no_evidence():
    assert common_rise(counts(1000), counts(5), counts(1000), counts(10)) == 0.0
    assert common_rise(counts(1000, 500), counts(10, 5), counts(1000, 500), counts(10, 5)) == 0.0
    assert common_rise(counts(1000), counts(0), counts(1000), counts(0)) == 0.0


@pytest.mark.parametrize("seed", [1, 2])
def test_where_nothing_changed_it_is_as_rare_as_its_p_value_says(seed):
    rng = np.random.default_rng(seed)
    p_values = []
    for _ in range(3000):
        strata = int(rng.integers(1, 6))
        n_in = rng.integers(20, 600, strata).astype(np.float64)
        n_out = rng.integers(10, 300, strata).astype(np.float64)
        rate = rng.uniform(0.001, 0.3, strata)
        x_in = rng.binomial(n_in.astype(int), rate).astype(np.float64)
        x_out = rng.binomial(n_out.astype(int), rate).astype(np.float64)
        p_values.append(chi2.sf(common_rise(n_in, x_in, n_out, x_out), 1))
    p = np.array(p_values)
    for level in (0.05, 0.01):
        assert (p < level).mean() <= level  # one-sided: about half of it


@pytest.mark.parametrize("seed", [2, 4, 6])
def test_an_outage_seven_minutes_into_the_log_is_found(seed):
    # A log (a rotated file) that starts seven minutes before one endpoint starts failing 11%
    # of its requests: some 150 requests before, none of them failed. The score test found no
    # onset in 8 of 10 such logs.
    def failing(endpoint: str, tenant: str) -> dict[str, object]:
        if endpoint != "POST /api/v2/e3":
            return {}
        return {"fail": lambda m: 0.11 if m >= 7 else 0.0}

    frame = cube(service(8, 10, 150, override=failing), 60, seed=seed)
    incident = find_incident(frame)
    assert incident.onset is not None
    assert incident.onset.affected("endpoint") == ["POST /api/v2/e3"]
    assert abs((incident.onset.at - frame["minute"].min()).total_seconds() / 60 - 7) <= 1
