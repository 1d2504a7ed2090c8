"""Change points of per-minute series: did one rise, where did it start, did it end?

Owns the verdict on one series: :func:`confirm_change` (a step, or a stretch that later
recovered, decided by a significance test that allows for the overdispersion of real minutes,
for bursts and for every position tried, plus a relative rise; never by a floor on the level),
:func:`place` (the onset minute, a ramp's start included, and the recovery). The search over
many groups (:mod:`~incident_nb.analysis.onset_search`) and the metrics evidence build on it;
:func:`error_rate_onset` and :func:`mean_shift_onset` keep the interface of a single overall
series (the metrics onset, the ``analyze`` summary).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.special import fdtri, xlogy

from incident_nb.analysis.scan import (
    MIN_BEFORE,
    SIGNALS,
    FloatArray,
    IntArray,
    Segment,
    Series,
    Signal,
    best_segment,
    best_splits,
    dispersion,
    leave_out,
    log10_p,
    segment_gain,
    within_variance,
)

ALPHA = 0.01
"""Family-wise chance of reporting a rise in a series (or a log) where nothing changed."""
SCAN_KINDS = 2
"""Kinds of rise tried on a series: a step, and a stretch that recovered (both counted)."""
SEGMENT_BINS = 240
"""Elevated stretches are searched on at most this many bins (then placed by minute)."""
REFERENCE = 0.5
"""A first onset is where the level runs above its level before plus this share of the rise (a
CUSUM against that reference: half way is a step's most likely point); :func:`fit_onset` then
finds a ramp's start."""
NEWTON_STEPS = 12
JUMP_F = float(fdtri(1, 30, 1 - 1e-3))
"""A step's jump is clear (its onset is the jump's) when the F statistic passes this."""
MAX_BENDS = 720
"""Bends tried at most, the nearest the first onset (bounds the work on long windows)."""
RAMP_LEAD = 0.75
"""A ramp's onset read from its line is at most this share of its length before the CUSUM's."""
MIN_RECOVERY_MINUTES = 3
"""A recovery lasts at least this long, and longer than any lull inside the incident."""
# A p95 latency series (no counts) rises by a least-squares split on its log.
MIN_LIKELIHOOD_RATIO = 25.0
MIN_LATENCY_RATIO = 1.5


@dataclass(frozen=True)
class Shift:
    """A detected shift: the first index of the new regime and the levels on each side."""

    index: int
    before: float
    after: float
    statistic: float


def error_rate_onset(errors: FloatArray, requests: FloatArray) -> Shift | None:
    """Find where a binomial error rate rises, allowing for a recovery later in the series.

    The rise must be significant (:func:`confirm_change`) and at least
    :data:`~incident_nb.analysis.scan.MIN_RATIO` times the rate before; there is no floor on
    the rate itself, so 0.06% -> 0.31% over thousands of requests is an onset.
    """
    requests = np.asarray(requests, dtype=np.float64)
    errors = np.asarray(errors, dtype=np.float64)
    if len(errors) < 2 or requests.sum() <= 0:
        return None
    series = Series(requests, errors, np.zeros_like(errors))
    found = confirm_change(SIGNALS["errors"], series, SCAN_KINDS)
    if found is None:
        return None
    segment = found[0]
    start, stop, _, _ = place(series, segment.start, segment.end, "errors")
    before = pooled(requests[:start], errors[:start])
    after = pooled(requests[start:stop], errors[start:stop])
    return Shift(start, before, after, segment.gain)


def mean_shift_onset(values: FloatArray, min_ratio: float = MIN_LATENCY_RATIO) -> Shift | None:
    """Find where a positive series (e.g. p95 latency) steps up, by least squares on its log."""
    data = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(data) & (data > 0)
    if finite.sum() < 4:
        return None
    data = np.where(finite, data, np.median(data[finite]))  # keep indices aligned with minutes
    size = len(data)
    if size < 4:
        return None
    logs = np.log(data)
    cum = np.concatenate([[0.0], np.cumsum(logs)])
    cum2 = np.concatenate([[0.0], np.cumsum(logs**2)])
    ks = np.arange(2, size - 1)

    def sse(a: npt.NDArray[np.int_], b: npt.NDArray[np.int_]) -> FloatArray:
        n = (b - a).astype(np.float64)
        s = cum[b] - cum[a]
        return np.asarray(cum2[b] - cum2[a] - s * s / n, dtype=np.float64)

    total = sse(np.array([0]), np.array([size]))[0]
    split = sse(np.zeros_like(ks), ks) + sse(ks, np.full_like(ks, size))
    means_before = cum[ks] / ks
    means_after = (cum[size] - cum[ks]) / (size - ks)
    split = np.where(means_after > means_before, split, np.inf)
    best = int(np.argmin(split))
    if not np.isfinite(split[best]) or split[best] <= 0:
        return None
    # F-like statistic: variance explained by the split over residual variance.
    stat = float((total - split[best]) / (split[best] / max(size - 2, 1)))
    before, after = float(np.exp(means_before[best])), float(np.exp(means_after[best]))
    if stat < MIN_LIKELIHOOD_RATIO or after < min_ratio * before:
        return None
    return Shift(int(ks[best]), before, after, stat)


# --- One series: confirming a rise, placing its onset and its end -----------------------


def _rebinned(series: Series, factor: int) -> Series:
    if factor == 1:
        return series
    size = -(-len(series.n) // factor) * factor

    def fold(values: FloatArray) -> FloatArray:
        padded = np.zeros(size)
        padded[: len(values)] = values
        return np.asarray(padded.reshape(-1, factor).sum(axis=1), dtype=np.float64)

    return Series(fold(series.n), fold(series.x), fold(series.x2))


def confirm_change(
    signal: Signal,
    series: Series,
    multiplicity: float,
    fallback: float = 1.0,
    min_before: int = MIN_BEFORE,
) -> tuple[Segment, float] | None:
    """The best robust rise of one series (a step, or a stretch that recovered), if any.

    Both are tried; each must hold once its most excessive bins are set aside, rise at least
    the signal's ``min_ratio`` times, and reach :data:`ALPHA` after the overdispersion of the
    bins outside it and Bonferroni over ``multiplicity`` (groups and the like) times the
    positions tried. It starts at least ``min_before`` bins into the series.

    Returns:
        The segment (in bins) and the log10 of its adjusted p-value.
    """
    binomial = signal.name == "errors"
    var = float(within_variance(series, fallback)[0, 0]) if not binomial else 1.0
    bins = len(series.n)
    rows = Series(series.n[None], series.x[None], series.x2[None])
    split = best_splits(signal, rows, np.array([[var]]), min_before)
    tries: list[tuple[Segment, float]] = []
    if split.gain[0] > 0:
        step = segment_gain(signal, series, int(split.index[0]), bins, var)
        tries.append((step, multiplicity * (bins - 1)))
    factor = max(1, math.ceil(bins / SEGMENT_BINS))
    coarse = _rebinned(series, factor)
    stretch = best_segment(signal, coarse, var, max(1, math.ceil(min_before / factor)))
    if stretch.gain > 0:
        start, end = stretch.start * factor, min(stretch.end * factor, bins)
        positions = len(coarse.n) * (len(coarse.n) + 1) / 2
        tries.append((segment_gain(signal, series, start, end, var), multiplicity * positions))
    best: tuple[Segment, float] | None = None
    for segment, positions in tries:
        robust = leave_out(signal, series, segment, var)
        if signal.ratio(robust.inside, robust.outside) < signal.min_ratio:
            continue
        phi = dispersion(series, segment.start, segment.end, var, binomial)
        log10p = log10_p(robust.gain / phi, positions)
        if log10p < math.log10(ALPHA) and (best is None or log10p < best[1]):
            best = (segment, log10p)
    return best


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
        new_start = int(np.argmin(walk[: end + 1]))
        new_end = new_start + 1 + int(np.argmax(walk[new_start + 1 :]))
        if (new_start, new_end) == (start, end):
            break
        start, end = new_start, max(new_end, new_start + 1)
    start = max(start, min(MIN_BEFORE, end - 1))
    ended = recovered(series, start, end, signal, size)
    stop = size if ended is None else ended
    onset, jump = fit_onset(series, stop, start, signal)
    return Placement(onset, stop, ended, jump)


def fit_onset(series: Series, stop: int, guess: int, signal: str = "errors") -> tuple[int, bool]:
    """The onset of the rise that runs to ``stop``, by the model that fits the minutes best.

    Two models of the per-minute level (weighted by requests) are fitted for every onset up
    to ``guess`` + 2: a flat level, then a jump and a straight line (a step, or a step then a
    climb); and a flat level that then bends into a straight line without a jump (a ramp).
    The ramp's onset is where its line leaves the level before, read from all its minutes,
    which a threshold on each minute would only see late (for failures, by the binomial
    likelihood, which the sparse first minutes of a ramp need). The jump model is kept when
    its jump is clear (an F-test at p < 0.001).

    Returns:
        The onset, and whether it is a clear jump.
    """
    n = series.n[:stop]
    seen = n > 0
    t = np.arange(stop, dtype=np.float64)
    y = np.divide(series.x[:stop], n, out=np.zeros(stop), where=seen)
    if signal == "latency":
        # Latency rises in proportion (a ramp from 1x to 5x is straight in milliseconds, not
        # in their log): fit the typical latency, each minute weighted by its precision.
        y = np.exp(y)
        n = np.where(seen, n / (y * y), 0.0)
    last = min(guess + 2, stop - 2)
    if int(seen.sum()) < 6 or last < MIN_BEFORE:
        return guess, False

    def suffix(values: FloatArray) -> FloatArray:
        return np.asarray(np.cumsum(values[::-1])[::-1], dtype=np.float64)

    w = np.where(seen, n, 0.0)
    parts = [w, w * t, w * t * t, w * y, w * t * y, w * y * y]
    a0, a1, a2, b0, b1, c0 = (suffix(p) for p in parts)
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
    k_jump, k_bend = int(np.argmin(jump)), int(np.argmin(bend))
    if not np.isfinite(jump[k_jump]):
        return guess, False
    if signal == "errors":
        k_bend, line_base, line_slope = _binomial_bend(series, stop, ks)
    else:
        line_base, line_slope = float(base[k_bend]), float(slope[k_bend])
    dof = max(int(seen.sum()) - 4, 1)
    gain = (bend[k_bend] - jump[k_jump]) / max(jump[k_jump] / dof, 1e-12)
    if gain > JUMP_F:
        return int(ks[k_jump]), True
    # A ramp's threshold-crossing onset is late by a fraction of its length, not more; and the
    # minutes between the bend and that onset must hold the rise the line says they do (within
    # their noise, and at least half of it). A bend failing either is a line drawn through
    # something else (an on/off incident's mean).
    # The line leaves the level before after the bend: its first minute above is the next.
    k = int(ks[k_bend])
    if guess - (k + 1) > RAMP_LEAD * (stop - k - 1):
        return guess, False
    between = slice(k + 1, max(guess, k + 1))
    weight = w[between]
    said = float((weight * line_slope * (t[between] - k)).sum())
    seen_rise = float((weight * (y[between] - line_base)).sum())
    # Their noise: binomial (or per request) at the line's level, times the overdispersion of
    # the minutes before the bend.
    if signal == "errors":
        p = np.clip(line_base + line_slope * (t[between] - k), 0.0, 1.0)
        spread, var = float((weight * p * (1 - p)).sum()), 1.0
    else:
        var = float(within_variance(series)[0, 0])
        spread = var * float(weight.sum())
    phi = dispersion(series, k, stop, var, signal == "errors")
    held = seen_rise >= said - 2 * math.sqrt(phi * spread) and seen_rise >= said / 2
    return (k + 1 if held else guess), False


def _binomial_bend(series: Series, stop: int, ks: IntArray) -> tuple[int, float, float]:
    """The most likely bend of a failure share into a straight rise: index in ``ks``, line.

    For each bend k: the share before k is its own rate; from k on it is that rate plus
    ``slope * (t - k)``, the slope fitted by Newton's method on the binomial likelihood.
    Returns the bend's index, and its line's base rate and slope.
    """
    cn, cx = np.cumsum(series.n[:stop]), np.cumsum(series.x[:stop])
    before_n, before_x = cn[ks - 1], cx[ks - 1]
    base = np.clip(before_x / np.maximum(before_n, 1.0), 1e-9, 0.5)
    # Minutes before the first bend tried sit at the base rate whatever the bend: summed once.
    first = int(ks[0])
    early_n, early_x = cn[first - 1], cx[first - 1]
    early = xlogy(early_x, base) + xlogy(early_n - early_x, 1 - base)
    n, x = series.n[first:stop], series.x[first:stop]
    t = np.arange(first, stop, dtype=np.float64)
    h = np.maximum(t[None, :] - ks[:, None], 0.0)  # (bends, minutes)
    top = np.maximum(h.max(axis=1), 1.0)
    # Start from the rise of the mean share after k over the mean distance from k.
    after_n = np.maximum(cn[-1] - cn[ks - 1], 1.0)
    mean_h = (h * n).sum(axis=1) / after_n
    rate_after = (cx[-1] - cx[ks - 1]) / after_n
    slope = np.clip((rate_after - base) / np.maximum(mean_h, 1.0), 0.0, (1 - base) / top)
    for _ in range(NEWTON_STEPS):
        p = np.clip(base[:, None] + slope[:, None] * h, 1e-9, 1 - 1e-9)
        grad = (h * (x / p - (n - x) / (1 - p))).sum(axis=1)
        hess = (h * h * (x / p**2 + (n - x) / (1 - p) ** 2)).sum(axis=1)
        step = np.divide(grad, hess, out=np.zeros_like(grad), where=hess > 0)
        slope = np.clip(slope + step, 0.0, (1 - 1e-9 - base) / top)
    p = np.clip(base[:, None] + slope[:, None] * h, 1e-9, 1 - 1e-9)
    loglik = early + (xlogy(x, p) + xlogy(n - x, 1 - p)).sum(axis=1)
    best = int(np.argmax(loglik))
    return best, float(base[best]), float(slope[best])


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
