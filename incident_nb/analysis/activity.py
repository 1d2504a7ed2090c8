"""Which minutes of an incident are active, and how clearly a series rose over some minutes.

Owns :func:`quiet_minutes` (the minutes an on/off incident left alone, which are no evidence
about its units either way), :func:`part_cuts` and :func:`part_weights` (how the incident's
level changed over its minutes: a ramp, a leak or a filling queue hits a request at its start
less than one at its end, and a unit is judged against the level at the time of its
requests), and :func:`rise_strength` (the evidence that a series rose over a window: how the
other signal of an incident, the latency of a failing group or the failures of a slow one, is
judged). Pure numpy/scipy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Sequence

import numpy as np
from scipy.special import chdtrc, expit, xlogy

from incident_nb.analysis.placement import pooled
from incident_nb.analysis.scan import (
    MIN_RATIO,
    SIGNALS,
    FloatArray,
    Series,
    dispersion,
    leave_out,
    log10_p,
    other_signal,
    segment_gain,
    within_variance,
)

QUIET_RATIO = 20.0
"""How much likelier at the level before the onset a minute inside an incident must be to be
set aside as quiet."""
EM_ROUNDS = 30
"""Rounds of the EM fitting an incident's active level."""
CONFIRM_LOG10P = -4.0
"""The other signal (latency of a failing group, failures of a slow one) counts at p < 1e-4."""
PARTS = 16
"""Parts of about equal requests an incident's minutes are split into to see its level move."""
PROFILE_LOG10P = -3.0
"""The incident's level differs between its parts at p < 1e-3 (chi-square over the parts,
scaled by the minutes' overdispersion): its units are then judged part by part."""


def quiet_minutes(both: dict[str, Series], start: int, stop: int, signal: str) -> list[int]:
    """The minutes of ``[start, stop)`` the incident left alone (an on/off incident's off ones).

    A minute is quiet when its requests are far likelier at the level before the onset than at
    the incident's active level (a likelihood ratio of :data:`QUIET_RATIO`; a minute with few
    requests is never that clear). When the other signal rose over the same minutes too (a
    failing and slow group), its requests weigh in: both ratios multiply. A unit's requests in
    quiet minutes are no evidence either way, so they are set aside when units are judged. The
    minutes before the first that looks active are not quiet: they are a ramp's lead-in.
    """
    series = both[signal]
    ratio = _minute_ratios(series, start, stop, signal)
    other = other_signal(signal)
    alt = both.get(other)
    if alt is not None and alt.n.sum() > 0:
        strength = rise_strength(alt, (start, stop), other)
        if strength is not None and strength <= CONFIRM_LOG10P:
            ratio = ratio + _minute_ratios(alt, start, stop, other)
    seen = series.n[start:stop] > 0
    quiet = seen & (ratio > math.log(QUIET_RATIO))
    # However low, the lead-in's failures are the incident's already: its first ones.
    active = np.flatnonzero(seen & (ratio < 0))
    quiet[: active[0] if len(active) else len(quiet)] = False
    return [start + int(i) for i in np.flatnonzero(quiet)]


def _minute_ratios(series: Series, start: int, stop: int, signal: str) -> FloatArray:
    """Per minute of ``[start, stop)``: log-likelihood at the level before over the active one.

    The active level is fitted by a two-component mixture of the minutes (EM: each minute at
    the level before, or at the active one): the mean over all the minutes of an on/off
    incident sits between its on and off levels, and its off minutes would not stand out
    from it.
    """
    before = pooled(series.n[:start], series.x[:start])
    n, x = series.n[start:stop], series.x[start:stop]
    var = float(within_variance(series)[0, 0]) if signal != "errors" else 1.0
    mean = np.divide(x, n, out=np.zeros_like(x), where=n > 0)

    def log_ratio(level: float) -> FloatArray:
        if signal == "errors":
            low, high = (min(max(p, 1e-9), 1 - 1e-9) for p in (before, level))
            return np.asarray(
                xlogy(x, low / high) + xlogy(n - x, (1 - low) / (1 - high)), dtype=np.float64
            )
        return np.asarray(n * ((mean - level) ** 2 - (mean - before) ** 2) / (2 * var))

    level, share = pooled(n, x), 0.5
    for _ in range(EM_ROUNDS):
        active = np.where(n > 0, expit(math.log(share / (1 - share)) - log_ratio(level)), 0.0)
        weight = float((active * n).sum())
        if weight <= 0:
            break
        level = max(float((active * x).sum()) / weight, pooled(n, x))
        share = min(max(float(active[n > 0].mean()), 1e-3), 1 - 1e-3)
    return log_ratio(level)


def rise_strength(series: Series, window: tuple[int, int], signal: str) -> float | None:
    """log10 p of ``series`` being higher over ``window`` (None: not materially higher)."""
    model = SIGNALS[signal]
    var = float(within_variance(series)[0, 0])
    segment = segment_gain(model, series, window[0], window[1], var)
    robust = leave_out(model, series, segment, var)
    if model.ratio(robust.inside, robust.outside) < MIN_RATIO:
        return None
    phi = dispersion(series, window[0], window[1], var, signal == "errors")
    return log10_p(robust.gain / phi, 1.0)


def part_cuts(series: Series, start: int, stop: int, aside: Collection[int] = ()) -> list[int]:
    """The first minute of each part of ``[start, stop)`` after the first (see :data:`PARTS`).

    The parts hold about as many requests each, the minutes ``aside`` not counted.
    """
    n = np.asarray(series.n[start:stop], dtype=np.float64).copy()
    n[[m - start for m in aside if start <= m < stop]] = 0.0
    total = float(n.sum())
    if total <= 0:
        return []
    through = np.cumsum(n)
    cuts = {start + 1 + int(np.searchsorted(through, total * k / PARTS)) for k in range(1, PARTS)}
    return sorted(c for c in cuts if start < c < stop)


def part_weights(
    series: Series,
    window: tuple[int, int],
    cuts: Sequence[int],
    signal: str,
    aside: Collection[int] = (),
) -> FloatArray:
    """Per part of ``window`` (split at ``cuts``): the rise there as a share of the mean rise.

    The rise of a part is its level (failure share, or mean log latency) over the level
    before the window. All ones when the parts do not clearly differ (:data:`PROFILE_LOG10P`):
    a step is judged as a whole.
    """
    start, stop = window
    bounds = [start, *cuts, stop]
    keep = np.ones(len(series.n), dtype=bool)
    keep[[m for m in aside if start <= m < stop]] = False
    n = np.array([series.n[a:b][keep[a:b]].sum() for a, b in itertools.pairwise(bounds)])
    x = np.array([series.x[a:b][keep[a:b]].sum() for a, b in itertools.pairwise(bounds)])
    flat = np.ones(len(n))
    seen = n > 0
    if int(seen.sum()) < 2:
        return flat
    before, level = pooled(series.n[:start], series.x[:start]), pooled(n, x)
    errors = signal == "errors"
    var = level * (1.0 - level) if errors else float(within_variance(series)[0, 0])
    if var <= 0 or level <= before:
        return flat
    mean = x[seen] / n[seen]
    phi = dispersion(series, start, stop, var, errors)  # a binomial's var is its own
    chi2 = float((n[seen] * (mean - level) ** 2).sum()) / (var * phi)
    if math.log10(max(float(chdtrc(int(seen.sum()) - 1, chi2)), 1e-300)) > PROFILE_LOG10P:
        return flat
    weights = flat.copy()
    weights[seen] = np.maximum((mean - before) / (level - before), 0.0)
    return weights
