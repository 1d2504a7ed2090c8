"""A group's latency with the mix of its endpoints held: known sums in, known levels out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from incident_nb.analysis.mix import MIX_PRIOR, steady_mix
from incident_nb.analysis.scan import Series

FAST, SLOW = math.log1p(10.0), math.log1p(300.0)


def parts(counts: np.ndarray, levels: np.ndarray, var: float = 0.0) -> Series:
    """Per endpoint (rows) and minute: requests, and log-latency sums at the given levels."""
    return Series(counts, counts * levels, counts * (levels * levels + var))


def test_a_shift_of_the_mix_alone_leaves_the_level_as_it_was() -> None:
    # 20 minutes; a fast and a slow endpoint called 50 times a minute each, then (from
    # minute 10) the fast one 5 times a minute: the raw mean moves from the middle of the two
    # to near the slow one; held to the mix before minute 10, it does not move.
    counts = np.array([[50.0] * 10 + [5.0] * 10, [50.0] * 20])
    levels = np.array([[FAST] * 20, [SLOW] * 20])
    raw = counts * levels
    assert raw.sum(axis=0)[15] / counts.sum(axis=0)[15] > (FAST + SLOW) / 2 + 1.0
    held = steady_mix(parts(counts, levels), start=10)
    group = (FAST + SLOW) / 2
    # Each endpoint's own level is taken from its 500 requests before, less one request's
    # worth of the group's: a sliver of the gap between the two is left to the mix.
    left = (levels[:, 15] - group) * MIX_PRIOR / (500 + MIX_PRIOR)
    assert held.x[15] / held.n[15] == pytest.approx(group + counts[:, 15] @ left / 55)
    assert abs(held.x[15] / held.n[15] - group) < 0.01
    assert held.x[:10] / held.n[:10] == pytest.approx(np.full(10, (FAST + SLOW) / 2))
    assert np.array_equal(held.n, counts.sum(axis=0))


def test_a_slowdown_of_one_endpoint_shows_as_its_share_of_the_requests() -> None:
    counts = np.full((2, 20), 40.0)
    levels = np.array([[FAST] * 10 + [FAST + math.log(4)] * 10, [SLOW] * 20])
    held = steady_mix(parts(counts, levels), start=10)
    rise = held.x[12] / held.n[12] - held.x[2] / held.n[2]
    assert rise == pytest.approx(math.log(4) / 2)


def test_an_endpoint_first_called_after_the_onset_keeps_the_group_s_level() -> None:
    counts = np.array([[0.0] * 10 + [30.0] * 10, [30.0] * 20])
    levels = np.array([[FAST] * 20, [SLOW] * 20])
    held = steady_mix(parts(counts, levels), start=10)
    # Nothing said how fast it usually is: its requests count at their own latency.
    assert held.x[15] == pytest.approx(30 * FAST + 30 * SLOW)


def test_the_spread_within_each_endpoint_is_kept() -> None:
    counts = np.array([[20.0] * 6, [10.0] * 6])
    levels = np.array([[FAST] * 6, [SLOW] * 6])
    held = steady_mix(parts(counts, levels, var=0.09), start=3)
    mean = held.x / held.n
    within = held.x2 / held.n - mean * mean
    # No spread between the endpoints is left: only each one's own (0.09), and what the
    # one-request shrinkage leaves of the gap between them.
    assert within == pytest.approx(np.full(6, 0.09), abs=0.02)
    assert steady_mix(parts(counts[:1], levels[:1], var=0.09), start=3).x2 == pytest.approx(
        counts[0] * (levels[0] ** 2 + 0.09)
    )
