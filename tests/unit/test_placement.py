"""Where a slowdown starts, on a minute series with one odd minute before it.

A minute's latency in milliseconds is as precise as its requests are many and its level is low:
the fit weighs each minute by its requests over its level squared. Read from the minute's own
mean alone, a fast minute of two requests would weigh as much as a hundred others, and the onset
would be drawn to it (the code before placed the on/off slowdowns below at that minute in 20
draws of 20, and one step in five).
"""

from __future__ import annotations

import numpy as np
import pytest

from incident_nb.analysis.placement import place
from incident_nb.analysis.scan import Series

MINUTES = 90
ONSET = 60
FAST_MINUTE = 48


def slowdown(seed: int, on_off: bool) -> Series:
    """About 5 requests a minute at 200 ms, 800 ms from ONSET (three minutes of five when
    ``on_off``); FAST_MINUTE holds two requests of 14 ms."""
    rng = np.random.default_rng(seed)
    minute = np.arange(MINUTES)
    slow = (minute >= ONSET) & ((minute % 5 < 3) if on_off else True)
    n = rng.poisson(5, MINUTES).astype(float)
    n[FAST_MINUTE] = 2
    x, x2 = np.zeros(MINUTES), np.zeros(MINUTES)
    for i in minute:
        ms = 800.0 if slow[i] else 200.0
        logs = np.log1p(np.exp(np.log(ms) + 0.5 * rng.normal(size=int(n[i]))))
        if i == FAST_MINUTE:
            logs = np.log1p(np.full(2, 14.0))
        x[i], x2[i] = logs.sum(), (logs * logs).sum()
    return Series(n, x, x2)


@pytest.mark.parametrize("on_off", [False, True])
@pytest.mark.parametrize("seed", [0, 3, 5, 8])
def test_a_fast_minute_before_a_slowdown_does_not_draw_its_onset(on_off, seed):
    placed = place(slowdown(seed, on_off), ONSET, MINUTES, "latency")
    assert abs(placed.onset - ONSET) <= 2
