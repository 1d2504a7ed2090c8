"""Change points of per-minute series: did one rise, where did it start, did it end?

Owns the verdict on one series: :func:`confirm_change` (a step, or a stretch that later
recovered, decided by a significance test that allows for the overdispersion of real minutes,
for bursts and for every position tried, plus a relative rise; never by a floor on the level).
Where it starts and stops is :func:`~incident_nb.analysis.placement.place`'s. The search over
many groups (:mod:`~incident_nb.analysis.onset_search`) builds on it; :func:`error_rate_onset`
and :func:`mean_shift_onset` keep the interface of a single overall series (the metrics onset).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from incident_nb.analysis.placement import place, pooled
from incident_nb.analysis.scan import (
    ALPHA,
    MIN_BEFORE,
    SIGNALS,
    FloatArray,
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
    without_bursts,
)

SCAN_KINDS = 2
"""Kinds of rise tried on a series: a step, and a stretch that recovered (both counted)."""
SEGMENT_BINS = 240
"""Elevated stretches are searched on at most this many bins (then placed by minute)."""
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
) -> tuple[Segment, float, float] | None:
    """The best robust rise of one series (a step, or a stretch that recovered), if any.

    Both are tried, the step at two splits: the best one, and the best once the most
    excessive bins are set aside (a burst in the window's last minutes draws the first to
    itself, where it cannot hold, away from a step before it). Each rise must hold once its
    most excessive bins are set aside, rise at least the signal's ``min_ratio`` times, and
    reach :data:`~incident_nb.analysis.scan.ALPHA` after the overdispersion of the bins
    outside it and Bonferroni over ``multiplicity`` (groups and the like) times the positions
    tried. It starts at least ``min_before`` bins into the series.

    Returns:
        The segment (in bins), the log10 of its adjusted p-value, and how many tests it was
        adjusted for (``multiplicity`` times the positions tried).
    """
    binomial = signal.name == "errors"
    var = float(within_variance(series, fallback)[0, 0]) if not binomial else 1.0
    bins = len(series.n)
    rows = Series(series.n[None], series.x[None], series.x2[None])
    tries: list[tuple[Segment, float]] = []
    # Both splits are positions of the one step scan: adjusted for once.
    starts: set[int] = set()
    for scanned in (rows, without_bursts(rows)):
        split = best_splits(signal, scanned, np.array([[var]]), min_before)
        if split.gain[0] > 0 and int(split.index[0]) not in starts:
            starts.add(int(split.index[0]))
            step = segment_gain(signal, series, int(split.index[0]), bins, var)
            tries.append((step, multiplicity * (bins - 1)))
    factor = max(1, math.ceil(bins / SEGMENT_BINS))
    coarse = _rebinned(series, factor)
    stretch = best_segment(signal, coarse, var, max(1, math.ceil(min_before / factor)))
    if stretch.gain > 0:
        start, end = stretch.start * factor, min(stretch.end * factor, bins)
        positions = len(coarse.n) * (len(coarse.n) + 1) / 2
        tries.append((segment_gain(signal, series, start, end, var), multiplicity * positions))
    best: tuple[Segment, float, float] | None = None
    for segment, positions in tries:
        robust = leave_out(signal, series, segment, var)
        if signal.ratio(robust.inside, robust.outside) < signal.min_ratio:
            continue
        phi = dispersion(series, segment.start, segment.end, var, binomial)
        log10p = log10_p(robust.gain / phi, positions)
        if log10p < math.log10(ALPHA) and (best is None or log10p < best[1]):
            best = (segment, log10p, positions)
    return best
