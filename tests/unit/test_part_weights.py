"""How an incident's level moved over its minutes: the parts of its window and their weights.

A step weighs every part alike (the window is judged whole); a ramp's first parts weigh less
than its last, by their rise over the level before; the weights average 1 over the requests.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from incident_nb.analysis.activity import PARTS, part_cuts, part_weights
from incident_nb.analysis.scan import Series

ONSET, MINUTES = 60, 120


def failures(share, volume=400.0, seed=1):
    """A failure series: ``share(minute)`` of ``volume`` requests a minute (Poisson)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(volume, MINUTES).astype(float)
    x = rng.binomial(n.astype(int), [share(m) for m in range(MINUTES)]).astype(float)
    return Series(n, x, x)


def latency(log_ms, volume=400.0, seed=1):
    """A latency series: log latencies around ``log_ms(minute)`` (sd 0.4)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(volume, MINUTES).astype(float)
    x, x2 = np.zeros(MINUTES), np.zeros(MINUTES)
    for m in range(MINUTES):
        logs = log_ms(m) + 0.4 * rng.normal(size=int(n[m]))
        x[m], x2[m] = logs.sum(), (logs**2).sum()
    return Series(n, x, x2)


def test_parts_hold_about_as_many_requests_the_quiet_minutes_not_counted():
    series = failures(lambda m: 0.01, volume=400.0)
    aside = list(range(70, 80))
    cuts = part_cuts(series, ONSET, MINUTES, aside)
    assert len(cuts) == PARTS - 1
    assert all(ONSET < a < b < MINUTES for a, b in itertools.pairwise(cuts))
    counted = series.n.copy()
    counted[aside] = 0
    bounds = [ONSET, *cuts, MINUTES]
    held = [counted[a:b].sum() for a, b in itertools.pairwise(bounds)]
    assert max(held) - min(held) <= 2.5 * counted[ONSET:].max()  # within a minute or two
    assert part_cuts(series, ONSET, ONSET + 3) == [ONSET + 1, ONSET + 2]  # fewer minutes
    assert part_cuts(Series(np.zeros(9), np.zeros(9), np.zeros(9)), 2, 9) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("signal", ["errors", "latency"])
def test_a_step_weighs_every_part_alike(signal, seed):
    if signal == "errors":
        series = failures(lambda m: 0.3 if m >= ONSET else 0.01, seed=seed)
    else:
        series = latency(lambda m: 5.0 if m >= ONSET else 4.0, seed=seed)
    cuts = part_cuts(series, ONSET, MINUTES)
    assert (part_weights(series, (ONSET, MINUTES), cuts, signal) == 1.0).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("signal", ["errors", "latency"])
def test_a_ramp_weighs_its_parts_by_their_rise(signal, seed):
    def rise(m: int) -> float:
        return max(m - ONSET, 0) / (MINUTES - ONSET)

    if signal == "errors":
        series = failures(lambda m: 0.01 + 0.5 * rise(m), seed=seed)
    else:
        series = latency(lambda m: 4.0 + 2.0 * rise(m), seed=seed)
    cuts = part_cuts(series, ONSET, MINUTES)
    weights = part_weights(series, (ONSET, MINUTES), cuts, signal)
    bounds = [ONSET, *cuts, MINUTES]
    # Each part's rise is that of its middle minute, over the mean rise (a half).
    middles = np.array([(a + b - 1) / 2 for a, b in itertools.pairwise(bounds)])
    truth = (middles - ONSET) / (MINUTES - ONSET) / 0.5
    assert np.abs(weights - truth).max() < 0.15
    n = np.array([series.n[a:b].sum() for a, b in itertools.pairwise(bounds)])
    assert abs(float((weights * n).sum() / n.sum()) - 1.0) < 1e-9  # they average 1


def test_no_rise_or_no_parts_weigh_alike():
    flat = failures(lambda m: 0.01)
    assert (
        part_weights(flat, (ONSET, MINUTES), part_cuts(flat, ONSET, MINUTES), "errors") == 1
    ).all()
    ramp = failures(lambda m: 0.01 + 0.005 * max(m - ONSET, 0))
    assert (part_weights(ramp, (ONSET, MINUTES), [], "errors") == 1).all()
