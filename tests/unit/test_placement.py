"""Where a slowdown starts: with one odd minute before it, and whatever its curve.

A minute's latency in milliseconds is as precise as its requests are many and its level is low:
the fit weighs each minute by its requests over its level squared. Read from the minute's own
mean alone, a fast minute of two requests would weigh as much as a hundred others, and the onset
would be drawn to it (the code before placed the on/off slowdowns below at that minute in 20
draws of 20, and one step in five).

A queue that saturates slows by a factor each minute: straight in the log of milliseconds, where
its onset is read. Judged by the residual of the fit in milliseconds (each minute weighed by its
own level), it read straight in milliseconds too, and its onset was placed late (9 of 20 draws
within two minutes below, 17 now). A slowdown growing in proportion is still read in
milliseconds (16 of 20, as before).

A steep ramp's first onset (where its minutes cross half its rise) can come a few minutes after
its bend; its line must have climbed a quarter of the rise by then, or by a quarter of the way
to its end. Read at the first onset alone, the steep ramps below failed it in 5 draws of 20,
placed 10 to 14 minutes late (12 of 20 within two minutes, 16 now).
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


QUEUE_MINUTES, QUEUE_ONSET = 130, 70


def curved_slowdown(seed: int, rate: float, ms: float, growth: str) -> Series:
    """``rate`` requests a minute at ``ms`` (log-normal, 1% of them 5-20x slower), slowing from
    QUEUE_ONSET to the end: 20x by a factor each minute (``queue``), or 3x in proportion."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate, QUEUE_MINUTES).astype(float)
    length = QUEUE_MINUTES - QUEUE_ONSET
    x, x2 = np.zeros(QUEUE_MINUTES), np.zeros(QUEUE_MINUTES)
    for i in range(QUEUE_MINUTES):
        since = max(i - QUEUE_ONSET, 0)
        factor = 20 ** (since / length) if growth == "queue" else 1 + 2 * since / length
        count = int(n[i])
        each = ms * factor * np.exp(0.6 * rng.normal(size=count))
        each *= np.where(rng.random(count) < 0.01, rng.uniform(5, 20, count), 1.0)
        logs = np.log1p(each)
        x[i], x2[i] = logs.sum(), (logs * logs).sum()
    return Series(n, x, x2)


@pytest.mark.parametrize(
    ("growth", "rate", "ms", "least"),
    [("queue", 5, 40.0, 15), ("proportion", 10, 200.0, 14)],
)
def test_a_slowdown_is_placed_on_the_scale_where_it_is_straight(growth, rate, ms, least):
    errors = [
        place(
            curved_slowdown(seed, rate, ms, growth), QUEUE_ONSET + 30, QUEUE_MINUTES, "latency"
        ).onset
        - QUEUE_ONSET
        for seed in range(20)
    ]
    assert sum(abs(e) <= 2 for e in errors) >= least, errors


RAMP_MINUTES = 150


def steep_ramp(seed: int) -> Series:
    """3 requests a minute at 100 ms, slowing from ONSET by 0.09x a minute (10x at most)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(3, RAMP_MINUTES).astype(float)
    x, x2 = np.zeros(len(n)), np.zeros(len(n))
    for i in range(len(n)):
        level = min(1.0, (i - ONSET + 1) / 100) if i >= ONSET else 0.0
        count = int(n[i])
        logs = np.log1p(100 * (1 + 9 * level) * np.exp(0.5 * rng.normal(size=count)))
        x[i], x2[i] = logs.sum(), (logs * logs).sum()
    return Series(n, x, x2)


def test_a_steep_ramp_is_placed_at_its_bend():
    errors = [
        place(steep_ramp(seed), ONSET + 20, RAMP_MINUTES, "latency").onset - ONSET
        for seed in range(20)
    ]
    assert sum(abs(e) <= 2 for e in errors) >= 15, errors
