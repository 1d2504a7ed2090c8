"""Where a rise starts and stops, by minute: the onset, a ramp's start, the recovery.

Owns :func:`place`: given a rise a scan confirmed (:func:`~incident_nb.analysis.changepoint.
confirm_change`), the onset is first the lowest point of a CUSUM, then settled by the model of
the minutes that fits best (a jump and a line, or a ramp's bend), and the end is kept when the
level after it is back near normal, for long enough, and clearly lower. Pure numpy/scipy.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.special import chdtri, fdtri

from incident_nb.analysis.failure_share import binomial_bend, binomial_jumps, posterior_median
from incident_nb.analysis.latency_scale import SCALE_F, log_residual, precision
from incident_nb.analysis.scan import (
    ALPHA,
    MIN_BEFORE,
    SIGNALS,
    FloatArray,
    Series,
    dispersion,
    log10_p,
    segment_gain,
    within_variance,
)

REFERENCE = 0.5
"""A first onset is where the level runs above its level before plus this share of the rise (a
CUSUM against that reference: half way is a step's most likely point); :func:`fit_onset` then
finds a ramp's start."""
JUMP_F = float(fdtri(1, 30, 1 - 1e-3))
"""A step's jump is clear (its onset is the jump's) when the F statistic passes this."""
JUMP_CHI2 = float(chdtri(1, 1e-3))
"""A jump must also beat a failure share growing with the square of time, when that curve is
likelier than a line: twice the jump's gain in log-likelihood passes this (p < 0.001)."""
MAX_BENDS = 720
"""Bends tried at most, the nearest the first onset (bounds the work on long windows)."""
JUMP_NEIGHBOURS = 3
"""A jump's minute is settled among this many minutes either side of the least-squares one."""
RAMP_LEAD = 0.75
"""A ramp's onset read from its line is at most this share of its length before the CUSUM's."""
RAMP_HELD = 0.8
"""The minutes between a ramp's bend and its first onset hold at least this share of the rise
its line says they do (or fall short by no more than their noise)."""
RAMP_SHARE = 0.25
"""By the first onset, or a quarter of the way from its bend to its end when that is later, a
ramp's line has climbed at least this share of the rise."""
POWERS = (1, 2)
"""A failure ramp's share grows with these powers of time (straight, or by its square)."""
MIN_RECOVERY_MINUTES = 3
"""A recovery lasts at least this long, and longer than any lull inside the incident."""


class Placement(NamedTuple):
    """Where a rise starts and stops, by minute."""

    onset: int
    stop: int
    """The recovery minute, or the series' length when it did not recover."""
    ended: int | None
    """The recovery minute, when it recovered."""
    jump: bool
    """Whether the onset is a clear jump (a step): then it is placed to the minute."""


def place(series: Series, start: int, end: int, signal: str) -> Placement:
    """Onset and end of a rise found around ``[start, end)``, by minute; and the recovery.

    The onset is the lowest point of a CUSUM of each minute's excess over a reference just
    above the level before (:data:`REFERENCE` of the rise), so a ramp's onset is its start; the
    elevated stretch ends at the CUSUM's highest point after it.

    Returns:
        The onset, the stop and, when it recovered, the recovery minute.
    """
    size = len(series.n)
    for _ in range(3):
        before_n, before_x = series.n[:start].sum(), series.x[:start].sum()
        inside_n, inside_x = series.n[start:end].sum(), series.x[start:end].sum()
        if inside_n <= 0:
            break
        base = before_x / before_n if before_n > 0 else 0.0
        level = inside_x / inside_n
        reference = base + REFERENCE * (level - base)
        walk = np.concatenate([[0.0], np.cumsum(series.x - reference * series.n)])
        new_start = _lowest(walk[: end + 1])
        new_end = new_start + 1 + int(np.argmax(walk[new_start + 1 :]))
        if (new_start, new_end) == (start, end):
            break
        start, end = new_start, max(new_end, new_start + 1)
    start = max(start, min(MIN_BEFORE, end - 1))
    ended = recovered(series, start, end, signal, size)
    stop = size if ended is None else ended
    onset, jump = fit_onset(series, stop, start, signal)
    return Placement(onset, stop, ended, jump)


class _Fit(NamedTuple):
    onset: int
    jump: bool
    residual: float
    """The squared residual of the better model, each minute weighted by its precision."""
    model: tuple[int, bool] = (0, False)
    """The better model: its minute, and whether it is a jump (else a bend)."""


def fit_onset(series: Series, stop: int, guess: int, signal: str = "errors") -> tuple[int, bool]:
    """The onset of the rise that runs to ``stop``, by the model that fits the minutes best.

    Two models of the per-minute level (weighted by requests) are fitted for every onset up
    to ``guess`` + 2: a flat level, then a jump and a straight line (a step, or a step then a
    climb); and a flat level that then bends into a straight line without a jump (a ramp).
    The ramp's onset is where its line leaves the level before, read from all its minutes,
    which a threshold on each minute would only see late (for failures, by the binomial
    likelihood, which the sparse first minutes of a ramp need). The jump model is kept when
    its jump is clear (an F-test at p < 0.001).

    Latency is fitted twice, each minute weighted by its precision: in milliseconds, where a
    slowdown growing in proportion (1x to 5x) is straight, and in their log, where one growing
    by a factor each minute (a queue that saturates) is; the log's onset is kept when it fits
    clearly better, the fit in milliseconds judged by its model's residual in the log (see
    :mod:`~incident_nb.analysis.latency_scale`).

    Returns:
        The onset, and whether it is a clear jump.
    """
    n = series.n[:stop]
    seen = n > 0
    y = np.divide(series.x[:stop], n, out=np.zeros(stop), where=seen)
    minutes = int(seen.sum())
    if minutes < 6 or min(guess + 2, stop - 2) < MIN_BEFORE:
        return guess, False
    if signal != "latency":
        fit = _fit(series, stop, guess, signal, y=y, n=n)
    else:
        ms = np.exp(y)
        in_ms = _fit(series, stop, guess, signal, y=ms, n=precision(ms, n))
        in_log = _fit(series, stop, guess, signal, y=y, n=n, log_scale=True)
        # Milliseconds unless the log fits clearly better (p < 0.001, by an F statistic).
        noise = max(in_log.residual / max(minutes - 4, 1), 1e-12)
        ms_in_log = math.inf if math.isinf(in_ms.residual) else log_residual(in_ms.model, y, n)
        fit = in_log if (ms_in_log - in_log.residual) / noise > SCALE_F else in_ms
    return fit.onset, fit.jump


def _fit(
    series: Series,
    stop: int,
    guess: int,
    signal: str,
    *,
    y: FloatArray,
    n: FloatArray,
    log_scale: bool = False,
) -> _Fit:
    """:func:`fit_onset` on the minutes' levels ``y`` with precision weights ``n``."""
    seen = n > 0
    t = np.arange(stop, dtype=np.float64)
    last = min(guess + 2, stop - 2)
    w = np.where(seen, n, 0.0)
    parts = [w, w * t, w * t * t, w * y, w * t * y, w * y * y]
    a0, a1, a2, b0, b1, c0 = (_suffix(p) for p in parts)
    # Only bends a ramp could have (see below) are tried: the work stays small on long windows.
    lowest = int((guess - RAMP_LEAD * stop) / (1 - RAMP_LEAD)) - 2
    ks = np.arange(max(MIN_BEFORE, min(lowest, last), last + 1 - MAX_BENDS), last + 1)
    # The level before k: flat.
    p0, py, pyy = (np.cumsum(p)[ks - 1] for p in (w, w * y, w * y * y))
    sse_before = pyy - np.divide(py * py, p0, out=np.zeros(len(ks)), where=p0 > 0)
    # From k on: a straight line (jump allowed).
    s0, s1, s2, sy, sty, syy = a0[ks], a1[ks], a2[ks], b0[ks], b1[ks], c0[ks]
    with np.errstate(divide="ignore", invalid="ignore"):
        sxx = s2 - s1 * s1 / s0
        sxy = sty - s1 * sy / s0
        line = syy - sy * sy / s0 - np.where(sxx > 0, sxy * sxy / sxx, 0.0)
        jump = np.where((p0 > 0) & (s0 > 0), sse_before + line, np.inf)
        # A bend at k: y = b + slope * max(0, t - k) over every minute.
        total_w, total_y, total_yy = a0[0], b0[0], c0[0]
        h1 = s1 - ks * s0
        h2 = s2 - 2 * ks * s1 + ks * ks * s0
        hy = sty - ks * sy
        hh = h2 - h1 * h1 / total_w
        hyc = hy - h1 * total_y / total_w
        bend = total_yy - total_y * total_y / total_w - np.where(hh > 0, hyc * hyc / hh, 0.0)
        slope = np.where(hh > 0, hyc / hh, 0.0)
        base = (total_y - slope * h1) / total_w
    k_jump, k_bend = _lowest(jump), int(np.argmin(bend))
    if not np.isfinite(jump[k_jump]):
        return _Fit(guess, False, math.inf)
    residual = float(min(jump[k_jump], bend[k_bend]))
    model = (int(ks[k_jump]), True) if jump[k_jump] <= bend[k_bend] else (int(ks[k_bend]), False)
    dof = max(int(seen.sum()) - 4, 1)
    power, steepens = 1, False
    fallback = _Fit(guess, False, residual, model)
    if signal == "errors":
        # A straight rise of the failure share, or one growing with the square of time (a
        # leak, a backlog): the likelier of the two, both of three parameters.
        bends = [binomial_bend(series, stop, ks, p) for p in POWERS]
        power, curve = max(zip(POWERS, bends, strict=True), key=lambda b: b[1].loglik)
        k_bend = bends[0].best  # the straight bend, which a clear jump must beat first
        k_line, line_base, line_slope = curve.line, curve.base, curve.slope
    else:
        # Least squares on precision weights: the profile log-likelihood of a bend is minus
        # its residual over twice the residual variance.
        k_line = posterior_median(-(bend - bend[k_bend]) / (2 * max(bend[k_bend] / dof, 1e-12)))
        line_base, line_slope = float(base[k_line]), float(slope[k_line])
    gain = (bend[k_bend] - jump[k_jump]) / max(jump[k_jump] / dof, 1e-12)
    if gain > JUMP_F:
        if signal == "errors":  # the jump's minute by the likelihood of the failures themselves
            with np.errstate(divide="ignore", invalid="ignore"):
                line_slope_after = np.where(sxx > 0, sxy / sxx, 0.0)
            near = np.flatnonzero(np.abs(ks - ks[k_jump]) <= JUMP_NEIGHBOURS)
            jumps = binomial_jumps(series, stop, ks, near, line_slope_after)
            k_jump = int(near[_lowest(-jumps)])
            # A jump beats a straight bend when a rise steepens too: it must beat the curve.
            steepens = power > 1 and 2 * (float(jumps.max()) - curve.loglik) < JUMP_CHI2
        if not steepens:
            return _Fit(int(ks[k_jump]), True, residual, model)
        # Unless the curve holds as a ramp below, the jump stands.
        fallback = _Fit(int(ks[k_jump]), True, residual, model)
    # A ramp's threshold-crossing onset is late by a fraction of its length, not more; and the
    # minutes between the bend and that onset must hold the rise the line says they do (within
    # their noise or :data:`RAMP_HELD` of it, and at least half of it). A bend failing either is
    # a line drawn through something else (an on/off incident's mean).
    # The line leaves the level before after the bend: its first minute above is the next.
    k = int(ks[k_line])
    if guess - (k + 1) > RAMP_LEAD * (stop - k - 1):
        return fallback
    between = slice(k + 1, max(guess, k + 1))
    weight = w[between]
    said = float((weight * line_slope * (t[between] - k) ** power).sum())
    seen_rise = float((weight * (y[between] - line_base)).sum())
    # Their noise: binomial (or per request) at the line's level, times the overdispersion of
    # the minutes before the bend.
    var = 1.0 if signal == "errors" else float(within_variance(series)[0, 0])
    spread = _spread(weight, line_base + line_slope * (t[between] - k) ** power, signal, var)
    phi = dispersion(series, k, stop, var, signal == "errors")
    # A busy ramp's line misses its first minutes by more than their noise as soon as the ramp
    # bends a little; and its bend is known to a minute at best: a line leaving the level a
    # minute later says less of the minutes between.
    later = float((weight * line_slope * np.maximum(t[between] - k - 1, 0) ** power).sum())
    slack = max(2 * math.sqrt(phi * spread), (1 - RAMP_HELD) * said, said - later)
    held = seen_rise >= said - slack and seen_rise >= said / 2
    # And the line itself must climb a good part of the way by the first onset, as a ramp's
    # does: a nearly flat line (through the off minutes of an on/off incident) is no ramp. A
    # steep ramp's first onset can be a few minutes after its bend: the climb is read a quarter
    # of the way to the end at least.
    level = pooled(series.n[guess:stop], series.x[guess:stop])
    rise = (math.exp(level) if signal == "latency" and not log_scale else level) - line_base
    climbed = max(guess, k + (stop - k) // 4) - k
    held &= line_slope * climbed**power >= RAMP_SHARE * rise
    # A bend after the first onset says the minutes from it to the bend were still at the level
    # before: they must be, within their noise (not the first minutes of an on/off incident).
    if k + 1 > guess:
        early = slice(guess, k + 1)
        weight = w[early]
        excess = float((weight * (y[early] - line_base)).sum())
        spread = _spread(weight, np.full(len(weight), line_base), signal, var)
        held &= excess <= 2 * math.sqrt(phi * max(spread, 1.0))
    return _Fit(k + 1, False, residual, model) if held else fallback


def _spread(weight: FloatArray, level: FloatArray, signal: str, var: float) -> float:
    """The variance of minutes' summed excess over a level, before overdispersion.

    Failures: binomial at each minute's ``level`` (a share) on its requests ``weight``;
    latency: ``var`` per request.
    """
    if signal != "errors":
        return var * float(weight.sum())
    p = np.clip(level, 0.0, 1.0)
    return float((weight * p * (1 - p)).sum())


def _lowest(values: FloatArray) -> int:
    """Where ``values`` is lowest; the middle minute when it is so at several in a row.

    Exact ties are minutes without requests (they add nothing to a CUSUM or a residual): the
    change came in one of them or at the next minute with requests, and the middle is at
    most half the gap from either.
    """
    first = int(np.argmin(values))
    ties = values[first:] == values[first]
    run = int(np.argmin(ties)) if not ties.all() else len(ties)
    return first + run // 2


def _suffix(values: FloatArray) -> FloatArray:
    """The sums of ``values`` from each index to the end."""
    return np.asarray(np.cumsum(values[::-1])[::-1], dtype=np.float64)


def recovered(series: Series, start: int, end: int, signal: str, size: int) -> int | None:
    """``end`` when the level after it is back near normal, for long enough, and clearly lower."""
    if end >= size:
        return None
    base = pooled(series.n[:start], series.x[:start])
    level = pooled(series.n[start:end], series.x[start:end])
    after = pooled(series.n[end:], series.x[end:])
    if after > base + 0.5 * (level - base):
        return None
    reference = base + REFERENCE * (level - base)
    quiet = (series.n[start:end] == 0) | (series.x[start:end] < reference * series.n[start:end])
    if size - end < max(MIN_RECOVERY_MINUTES, _longest_run(quiet) + 1):
        return None
    # The drop, as a rise read backwards: the stretch [start, end) against what follows it.
    tail = Series(series.n[start:], series.x[start:], series.x2[start:])
    var = float(within_variance(tail)[0, 0])
    segment = segment_gain(SIGNALS[signal], tail, 0, end - start, var)
    phi = dispersion(tail, 0, end - start, var, signal == "errors")
    if log10_p(segment.gain / phi, size) >= math.log10(ALPHA):
        return None
    return end


def _longest_run(flags: npt.NDArray[np.bool_]) -> int:
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


def pooled(n: FloatArray, x: FloatArray) -> float:
    """The level of a stretch: its sum over its requests (0 without requests)."""
    total = float(n.sum())
    return float(x.sum()) / total if total else 0.0
