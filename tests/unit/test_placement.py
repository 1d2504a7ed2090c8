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

from collections.abc import Callable

import numpy as np
import pytest

from incident_nb.analysis.placement import place
from incident_nb.analysis.scan import Series

MINUTES = 90
ONSET = 60
FAST_MINUTE = 48


def as_series(minutes: list[np.ndarray]) -> Series:
    """The minute series of requests whose latencies in ms are given minute by minute."""
    logs = [np.log1p(latencies) for latencies in minutes]
    return Series(
        np.array([len(each) for each in logs], dtype=float),
        np.array([each.sum() for each in logs]),
        np.array([(each * each).sum() for each in logs]),
    )


def placed_within_two(draw: Callable[[int], Series], guess: int, stop: int, onset: int) -> int:
    """In how many of 20 draws the onset is placed within two minutes of ``onset``."""
    errors = [place(draw(seed), guess, stop, "latency").onset - onset for seed in range(20)]
    return sum(abs(e) <= 2 for e in errors)


def slowdown(seed: int, on_off: bool) -> Series:
    """About 5 requests a minute at 200 ms, 800 ms from ONSET (three minutes of five when
    ``on_off``); FAST_MINUTE holds two requests of 14 ms."""
    rng = np.random.default_rng(seed)
    minute = np.arange(MINUTES)
    slow = (minute >= ONSET) & ((minute % 5 < 3) if on_off else True)
    n = rng.poisson(5, MINUTES)
    n[FAST_MINUTE] = 2
    latencies = []
    for i in minute:
        ms = 800.0 if slow[i] else 200.0
        drawn = np.exp(np.log(ms) + 0.5 * rng.normal(size=n[i]))
        latencies.append(np.full(2, 14.0) if i == FAST_MINUTE else drawn)
    return as_series(latencies)


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
    n = rng.poisson(rate, QUEUE_MINUTES)
    length = QUEUE_MINUTES - QUEUE_ONSET
    latencies = []
    for i in range(QUEUE_MINUTES):
        since = max(i - QUEUE_ONSET, 0)
        factor = 20 ** (since / length) if growth == "queue" else 1 + 2 * since / length
        each = ms * factor * np.exp(0.6 * rng.normal(size=n[i]))
        each *= np.where(rng.random(n[i]) < 0.01, rng.uniform(5, 20, n[i]), 1.0)
        latencies.append(each)
    return as_series(latencies)


@pytest.mark.parametrize(
    ("growth", "rate", "ms", "least"),
    [("queue", 5, 40.0, 15), ("proportion", 10, 200.0, 14)],
)
def test_a_slowdown_is_placed_on_the_scale_where_it_is_straight(growth, rate, ms, least):
    def draw(seed: int) -> Series:
        return curved_slowdown(seed, rate, ms, growth)

    assert placed_within_two(draw, QUEUE_ONSET + 30, QUEUE_MINUTES, QUEUE_ONSET) >= least


RAMP_MINUTES = 150


def ramp(
    seed: int, rate: float, ms: float, factor: float, span: int, *, minutes: int, sd: float
) -> Series:
    """``rate`` requests a minute at ``ms``, slowing from ONSET to ``factor`` times over
    ``span`` minutes (log-normal spread ``sd``)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate, minutes)
    latencies = []
    for i in range(minutes):
        level = min(1.0, (i - ONSET + 1) / span) if i >= ONSET else 0.0
        latencies.append(ms * (1 + (factor - 1) * level) * np.exp(sd * rng.normal(size=n[i])))
    return as_series(latencies)


def steep_ramp(seed: int) -> Series:
    """3 requests a minute at 100 ms, slowing from ONSET by 0.09x a minute (10x at most)."""
    return ramp(seed, 3, 100.0, 10.0, 100, minutes=RAMP_MINUTES, sd=0.5)


def test_a_steep_ramp_is_placed_at_its_bend():
    assert placed_within_two(steep_ramp, ONSET + 20, RAMP_MINUTES, ONSET) >= 15


def busy_ramp(seed: int) -> Series:
    """200 requests a minute at 60 ms, slowing from ONSET to 6x over 30 minutes."""
    return ramp(seed, 200, 60.0, 6.0, 30, minutes=ONSET + 40, sd=0.3)


def test_a_busy_ramp_s_bend_is_known_to_a_minute():
    # So many requests that the minutes between the bend and the first onset fall short of a
    # bend placed a minute early by far more than their noise: a line leaving the level a
    # minute later is what they are held to (the code before kept 13 of 20 within two minutes).
    assert placed_within_two(busy_ramp, ONSET + 3, ONSET + 40, ONSET) >= 18


@pytest.mark.parametrize("signal", ["errors", "latency"])
def test_minutes_without_requests_before_an_onset_put_it_mid_gap(signal):
    # A quiet group: 3 requests a minute, none in the four minutes 56-59; from minute 60 on
    # it fails 80% of them (or is ten times slower). The change came somewhere in the gap or
    # at minute 60: nothing tells which, and the middle is at most two minutes from either
    # end (the first minute of the gap, the first tie, was four minutes from 60).
    rng = np.random.default_rng(4)
    minutes, onset = 120, 60
    n = np.full(minutes, 3.0)
    n[56:60] = 0.0
    if signal == "errors":
        x = np.where(np.arange(minutes) >= onset, rng.binomial(3, 0.8, minutes), 0).astype(float)
        x[56:60] = 0.0
        series = Series(n, x, np.zeros(minutes))
    else:
        ms = np.where(np.arange(minutes) >= onset, 500.0, 50.0)
        slow = [ms[m] * np.exp(0.3 * rng.normal(size=int(n[m]))) for m in range(minutes)]
        series = as_series(slow)
    placed = place(series, onset, minutes, signal)
    assert placed.onset in (58, 59, 60)


def flapping(seed: int, before: int, minutes: int = 60) -> Series:
    """80 requests a minute, none failing for ``before`` minutes, then failing 45% three
    minutes in eight (an on/off incident that starts with an on phase)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(80, minutes).astype(float)
    on = (np.arange(minutes) >= before) & ((np.arange(minutes) - before) % 8 < 3)
    x = rng.binomial(n.astype(int), np.where(on, 0.45, 0.0)).astype(float)
    return Series(n, x, x)


@pytest.mark.parametrize("before", [8, 10, 12])
def test_an_on_off_incident_starts_with_its_first_on_phase(before):
    # Few minutes before it (a log that starts shortly before the incident): the line through
    # the on and off minutes bent after the first on phase, and the onset was placed there, 3
    # minutes late, in 22 of these 30 draws.
    onsets = [place(flapping(seed, before), before, 60, "errors").onset for seed in range(10)]
    assert onsets == [before] * 10
