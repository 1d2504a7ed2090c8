"""Change-point detection on per-minute series: when did the error rate or latency shift?

Pure numpy/scipy over arrays; no thresholds on absolute levels. A shift must be both
statistically significant (likelihood ratio) and material (a relative and absolute increase).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import xlogy

FloatArray = npt.NDArray[np.float64]

# Likelihood-ratio statistic a split must reach (chi-square, 1 dof: p < 1e-6 before the
# look-elsewhere effect of trying every minute).
MIN_LIKELIHOOD_RATIO = 25.0
MIN_RATE_RATIO = 2.0  # the error rate after the onset at least doubles ...
MIN_RATE_INCREASE = 0.01  # ... and rises by at least one percentage point
MIN_LATENCY_RATIO = 1.5  # latency rises by at least half


@dataclass(frozen=True)
class Shift:
    """A detected shift: the first index of the new regime and the levels on each side."""

    index: int
    before: float
    after: float
    statistic: float


def _segment_loglik(
    e_cum: FloatArray, n_cum: FloatArray, a: npt.NDArray[np.int_], b: npt.NDArray[np.int_]
) -> FloatArray:
    e = e_cum[b] - e_cum[a]
    n = n_cum[b] - n_cum[a]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, e / np.where(n > 0, n, 1), 0.0)
    loglik: FloatArray = np.asarray(xlogy(e, p), dtype=np.float64)
    return loglik + np.asarray(xlogy(n - e, 1 - p), dtype=np.float64)


def _best_split(errors: FloatArray, requests: FloatArray, upward: bool) -> Shift | None:
    """The single split of a binomial series that most raises (or lowers) the likelihood."""
    size = len(errors)
    if size < 2 or requests.sum() == 0:
        return None
    e_cum = np.concatenate([[0.0], np.cumsum(errors)])
    n_cum = np.concatenate([[0.0], np.cumsum(requests)])
    ks = np.arange(1, size)
    zero = np.zeros_like(ks)
    end = np.full_like(ks, size)
    loglik_before: FloatArray = _segment_loglik(e_cum, n_cum, zero, ks)
    split = loglik_before + _segment_loglik(e_cum, n_cum, ks, end)
    null = _segment_loglik(e_cum, n_cum, np.array([0]), np.array([size]))[0]
    before = (e_cum[ks]) / np.maximum(n_cum[ks], 1)
    after = (e_cum[size] - e_cum[ks]) / np.maximum(n_cum[size] - n_cum[ks], 1)
    direction = after > before if upward else after < before
    candidates = np.where(direction, split, -np.inf)
    best = int(np.argmax(candidates))
    if not np.isfinite(candidates[best]):
        return None
    return Shift(
        int(ks[best]), float(before[best]), float(after[best]), float(2 * (split[best] - null))
    )


def _material(shift: Shift) -> bool:
    return (
        shift.statistic >= MIN_LIKELIHOOD_RATIO
        and shift.after >= MIN_RATE_RATIO * shift.before
        and shift.after - shift.before >= MIN_RATE_INCREASE
    )


def error_rate_onset(errors: FloatArray, requests: FloatArray) -> Shift | None:
    """Find where a binomial error rate steps up, allowing for a recovery later in the series.

    Binary segmentation: the best upward split of the whole series; if the elevated part itself
    later steps down (the incident recovered inside the window), the onset is searched again
    before that recovery.
    """
    errors = np.asarray(errors, dtype=np.float64)
    requests = np.asarray(requests, dtype=np.float64)
    end = len(errors)
    for _ in range(3):
        shift = _best_split(errors[:end], requests[:end], upward=True)
        if shift is None or not _material(shift):
            # A recovery inside the window can hide the onset from a single split: try the
            # part before the largest downward step.
            down = _best_split(errors[:end], requests[:end], upward=False)
            if down is None or down.statistic < MIN_LIKELIHOOD_RATIO or down.index >= end:
                return None
            end = down.index
            continue
        return shift
    return None


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
