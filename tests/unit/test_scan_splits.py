"""Where a group's step is tried: also with its bursts set aside, as it is confirmed.

A change is confirmed only once its most excessive minutes are set aside (one burst is not an
onset). During an outage that worsens as it is looked at, the log's last minute (half its
requests timing out, or most of them failing) outweighs the step that began half an hour
earlier: the best split goes to that minute and cannot hold without it. The confirmation also
tries the best split once the bursts are set aside, and finds the step (with the raw split
alone, neither of the two below was confirmed).
"""

from __future__ import annotations

import math

import numpy as np

from incident_nb.analysis.changepoint import confirm_change
from incident_nb.analysis.scan import SIGNALS, Series, best_splits, without_bursts

MINUTES, ONSET = 60, 30


def one_row(series: Series) -> Series:
    return Series(series.n[None], series.x[None], series.x2[None])


def slowdown_ending_in_timeouts() -> Series:
    """20 requests a minute, log latency spread 0.5, from 50 ms to 80 ms at ONSET; in the last
    minute, half the requests time out at 30 s."""
    n = np.full(MINUTES, 20.0)
    level = np.where(np.arange(MINUTES) >= ONSET, math.log1p(80.0), math.log1p(50.0))
    x, x2 = n * level, n * (level**2 + 0.25)
    last = np.r_[np.full(10, math.log1p(80.0)), np.full(10, math.log1p(30_000.0))]
    x[-1], x2[-1] = last.sum(), (last**2).sum() + 10 * 0.25
    return Series(n, x, x2)


def failures_ending_in_a_burst() -> Series:
    """40 requests a minute failing 0.5%, then 4% from ONSET; the last minute, 30 of 40."""
    n = np.full(MINUTES, 40.0)
    x = np.where(np.arange(MINUTES) >= ONSET, 1.6, 0.2)
    x[-1] = 30.0
    return Series(n, x, x)


def test_without_its_bursts_the_split_is_the_step_not_the_burst_after_it():
    series = one_row(slowdown_ending_in_timeouts())
    assert int(best_splits(SIGNALS["latency"], series, np.array([[0.25]]), 3).index[0]) == 59
    split = best_splits(SIGNALS["latency"], without_bursts(series), np.array([[0.25]]), 3)
    assert int(split.index[0]) == ONSET
    series = one_row(failures_ending_in_a_burst())
    split = best_splits(SIGNALS["errors"], without_bursts(series), np.ones((1, 1)), 3)
    assert abs(int(split.index[0]) - ONSET) <= 2


def test_a_slowdown_whose_last_minute_times_out_is_found_at_its_step():
    found = confirm_change(SIGNALS["latency"], slowdown_ending_in_timeouts(), 1000.0, 0.25)
    assert found is not None
    segment, log10p, _ = found
    assert (segment.start, segment.end) == (ONSET, MINUTES)
    assert log10p < -9


def test_failures_whose_last_minute_bursts_are_found_at_their_step():
    found = confirm_change(SIGNALS["errors"], failures_ending_in_a_burst(), 1000.0)
    assert found is not None
    segment, log10p, _ = found
    assert abs(segment.start - ONSET) <= 2 and segment.end == MINUTES
    assert log10p < -3


def test_a_burst_alone_is_still_no_change():
    for at in (MINUTES - 1, MINUTES // 2):
        n = np.full(MINUTES, 40.0)
        x = np.full(MINUTES, 0.2)
        x[at] = 30.0
        assert confirm_change(SIGNALS["errors"], Series(n, x, x), 1000.0) is None
